"""Widgets on small services, driven through their message handler; each widget's outgoing
messages are collected instead of going to a front end."""

from __future__ import annotations

import struct
import threading
import time
from typing import Any, Dict, List, Optional, Tuple

import pytest
import torch
from torch import nn

from insights import AttributionVisualizer, Batch, GeneralFeature, ImageFeature, Limits

CLASSES = ["zero", "one", "two"]
Message = Tuple[Dict[str, Any], List[bytes]]


class TinyCNN(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.head = nn.Linear(4 * 8 * 8, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(torch.relu(self.conv(x)).flatten(1))


class Slow(nn.Module):
    """A linear model that takes 20 ms per call: runs long enough to be cancelled."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.linear = nn.Linear(4, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        time.sleep(0.02)
        return self.linear(x)


class Breaks(nn.Module):
    """Predicts, but raises under attribution: a user's model that fails."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(4, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.requires_grad:
            raise RuntimeError("boom: cannot attribute")
        return self.linear(x)


def image_visualizer() -> AttributionVisualizer:
    g = torch.Generator().manual_seed(0)
    x, y = torch.rand(12, 1, 8, 8, generator=g), torch.randint(0, 3, (12,), generator=g)
    return AttributionVisualizer(TinyCNN(), CLASSES, ImageFeature("pixels", None, None),
                                 [Batch(x[i:i + 4], y[i:i + 4]) for i in range(0, 12, 4)], cache=False)


def tabular_visualizer() -> AttributionVisualizer:
    g = torch.Generator().manual_seed(1)
    x, y = torch.randn(8, 4, generator=g), torch.randint(0, 3, (8,), generator=g)
    return AttributionVisualizer([Slow(), Breaks()], CLASSES, GeneralFeature("x", list("abcd")),
                                 [Batch(x, y)], model_names=["slow", "breaks"], cache=False,
                                 limits=Limits(max_passes=10_000_000))


class Inbox:
    """What a widget sent, with waits for responses and events."""

    def __init__(self) -> None:
        self.messages: List[Message] = []
        self._changed = threading.Condition()

    def __call__(self, content: Dict[str, Any], buffers: Optional[List[bytes]] = None) -> None:
        with self._changed:
            self.messages.append((content, list(buffers or [])))
            self._changed.notify_all()

    def wait(self, predicate, timeout: float = 30.0) -> Message:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for message in self.messages:
                    if predicate(message[0]):
                        return message
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no such message within {timeout}s: {[m[0] for m in self.messages]}")
                self._changed.wait(left)

    def response(self, ident: int) -> Message:
        return self.wait(lambda m: m["kind"] == "response" and m["id"] == ident)

    def event(self, name: str, job_id: str) -> Message:
        return self.wait(lambda m: m["kind"] == "event" and m["event"] == name and m["body"]["job_id"] == job_id)

    def events(self, job_id: str) -> List[str]:
        return [m["event"] for m, _ in self.messages if m["kind"] == "event" and m["body"]["job_id"] == job_id]


class Driver:
    """Sends the front end's messages to a widget and reads its answers."""

    def __init__(self, widget: Any) -> None:
        self.widget = widget
        self.inbox = Inbox()
        widget.send = self.inbox  # what anywidget would deliver to the browser
        self._next = 0

    def send(self, kind: str, buffers: Optional[List[bytes]] = None, **fields: Any) -> int:
        self._next += 1
        self.widget._on_message(self.widget, {"kind": kind, "id": self._next, **fields}, buffers or [])
        return self._next

    def request(self, method: str, path: str, body: Any = None, buffers=None) -> Message:
        return self.inbox.response(self.send("request", buffers, method=method, path=path, body=body))

    def run(self, workspace: str = "main", **request: Any) -> Message:
        return self.inbox.response(self.send("run", body={"workspace": workspace, "request": request}))


def floats(buffer: bytes) -> List[float]:
    return list(struct.unpack(f"<{len(buffer) // 4}f", buffer))


def _rendered(make):
    """A visualizer, its widget and a driver for the widget's messages; closed afterwards."""
    vis = make()
    widget = vis.render()
    yield vis, widget, Driver(widget)
    widget.close()
    vis.service.shutdown()


@pytest.fixture
def image_widget():
    yield from _rendered(image_visualizer)


@pytest.fixture
def tabular_widget():
    yield from _rendered(tabular_visualizer)
