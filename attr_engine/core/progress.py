"""One progress-and-cancellation protocol for every long-running method.

A caller wraps an attribution in a :class:`ProgressMonitor`; the method's inner loop opens a
:func:`task` and reports each finished batch to it. The monitor sees ``(done, total)`` and can
be cancelled from any thread: the next batch boundary then raises :class:`Cancelled`.
Nested tasks (a NoiseTunnel around IntegratedGradients) report as fractions of their parent's
step, so the outermost total stays meaningful.

    monitor = ProgressMonitor(on_progress=lambda done, total: print(done, total))
    with monitor:
        ig.attribute(x, target=0)        # monitor.cancel() from elsewhere stops it

Methods that build their result piece by piece (occlusion, feature ablation) also offer the
partial attribution after each batch to ``on_partial(method_name, attributions_so_far)``; the
partial map is only built when someone listens.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Callable, Iterator, List, Optional

from tqdm.auto import tqdm

ProgressCallback = Callable[[float, int], None]
PartialCallback = Callable[[str, Any], None]

_active: ContextVar[Optional["ProgressMonitor"]] = ContextVar("attr_engine_progress", default=None)


class Cancelled(Exception):
    """Raised inside an attribution at the next batch boundary after a cancel."""


class ProgressMonitor:
    """Observes the tasks run inside ``with monitor:`` and can cancel them."""

    def __init__(self, on_progress: Optional[ProgressCallback] = None, show_progress: bool = False,
                 on_partial: Optional[PartialCallback] = None):
        self.on_progress = on_progress
        self.on_partial = on_partial
        self.show_progress = show_progress
        self.done: float = 0.0
        self.total: int = 0
        self._cancel = threading.Event()
        self._frames: List[_Task] = []
        self._tokens: list = []

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled("attribution cancelled")

    def __enter__(self) -> "ProgressMonitor":
        self._tokens.append(_active.set(self))
        return self

    def __exit__(self, *exc) -> None:
        _active.reset(self._tokens.pop())

    def _report(self) -> None:
        root = self._frames[0]
        done = root.overall()
        self.done, self.total = done, root.total
        if root.bar is not None:
            root.bar.n = round(done, 2)
            root.bar.refresh()
        if self.on_progress is not None:
            self.on_progress(done, root.total)


class _Task:
    def __init__(self, monitor: ProgressMonitor, total: int, desc: Optional[str], bar: bool):
        self.monitor = monitor
        self.total = max(int(total), 1)
        self.done = 0
        self.span = 0  # how many of this task's units the current child task covers
        self.child: Optional[_Task] = None
        self.bar = tqdm(total=self.total, desc=desc, leave=False) if bar else None

    def overall(self) -> float:
        done = float(self.done)
        if self.child is not None and self.span:
            done += self.span * min(self.child.overall() / self.child.total, 1.0)
        return done

    def advance(self, n: int = 1) -> None:
        """Record `n` finished units, report, and raise Cancelled if a cancel is pending."""
        self.done += n
        self.monitor._report()
        self.monitor.check()

    @contextmanager
    def step(self, n: int) -> Iterator[None]:
        """Run nested work that counts as `n` of this task's units."""
        self.span = n
        try:
            yield
        finally:
            self.span, self.child = 0, None
        self.advance(n)


@contextmanager
def task(total: int, desc: Optional[str] = None, show_progress: bool = False) -> Iterator[_Task]:
    """Open a unit of progress reporting inside the active monitor (or a private one)."""
    monitor = _active.get()
    own = monitor is None
    if own:  # no caller is watching: a private monitor still drives the tqdm bar
        monitor = ProgressMonitor()
        token = _active.set(monitor)
    monitor.check()
    parent = monitor._frames[-1] if monitor._frames else None
    bar = parent is None and (show_progress or monitor.show_progress)
    frame = _Task(monitor, total, desc, bar)
    if parent is not None:
        parent.child = frame
    monitor._frames.append(frame)
    try:
        yield frame
    finally:
        monitor._frames.pop()
        if frame.bar is not None:
            frame.bar.close()
        if own:
            _active.reset(token)


def current_monitor() -> Optional[ProgressMonitor]:
    """The monitor watching the code that calls this (innermost ``with monitor:``), if any."""
    return _active.get()


def check_cancelled() -> None:
    """Raise Cancelled now if the active monitor was cancelled."""
    monitor = _active.get()
    if monitor is not None:
        monitor.check()
