"""The services an app serves, by workspace name (one per visualizer: models + features + data).

A workspace may be given ready, or as :class:`Lazy` — a loader called on first use (and by
:meth:`Workspaces.warm_up` in the background), so the server answers its first page while
torch and the models are still loading.
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Dict, List, Mapping, Union

from flask import current_app

from ..errors import InsightsError, not_found


class Lazy:
    """A workspace built by ``load()`` when first needed."""

    def __init__(self, load: Callable[[], Any]) -> None:
        self.load = load


class Workspaces:
    """Services by name, each loaded at most once, on first use or by :meth:`warm_up`."""

    def __init__(self, entries: Mapping[str, Union[Any, Lazy]]) -> None:
        if not entries:
            raise ValueError("`services` must name at least one workspace")
        self._entries: Dict[str, Any] = dict(entries)
        self._failed: Dict[str, str] = {}
        self._lock = threading.Lock()

    def names(self) -> List[str]:
        return list(self._entries)

    def loaded(self) -> List[Any]:
        return [e for e in list(self._entries.values()) if not isinstance(e, Lazy)]

    def get(self, name: str) -> Any:
        if name not in self._entries:
            raise not_found(f"unknown workspace {name!r}; workspaces are {self.names()}", "workspace")
        with self._lock:  # one loader at a time: they share torch's import and the CPU
            entry = self._entries[name]
            if isinstance(entry, Lazy) and name not in self._failed:
                try:
                    self._entries[name] = entry = entry.load()
                except Exception as exc:  # a broken workspace must not take the others down
                    self._failed[name] = f"{type(exc).__name__}: {exc}"
        if name in self._failed:
            raise InsightsError(f"workspace {name!r} failed to load: {self._failed[name]}", code=500,
                                kind="workspace_failed", field="workspace")
        return entry

    def warm_up(self) -> threading.Thread:
        """Load every lazy workspace in the background, in order, so the first click is fast."""

        def load_all() -> None:
            for name in self.names():
                try:
                    self.get(name)
                except InsightsError:
                    pass  # reported to whoever asks for it

        thread = threading.Thread(target=load_all, name="insights-warm-up", daemon=True)
        thread.start()
        return thread


def _workspaces() -> Workspaces:
    return current_app.extensions["insights"]


def names() -> List[str]:
    return _workspaces().names()


def all_services() -> List[Any]:
    """The workspaces loaded so far (the others have no jobs or sessions yet)."""
    return _workspaces().loaded()


def workspace_service(name: str) -> Any:
    return _workspaces().get(name)
