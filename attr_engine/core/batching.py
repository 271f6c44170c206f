"""Chunked evaluation with chunk sizes chosen by measurement.

Methods that evaluate the model on many rows (path steps, noise samples, perturbations) hand
:func:`run_chunked` a function that processes rows ``[start, stop)``. Unless the caller fixed a
size, chunks start small (after one warm-up chunk) and grow while the time per row improves and
the next chunk would still take under about a quarter of a second — or, while growing still cuts
the time per row by a tenth (a large model on a slow CPU), under three quarters: on CPUs
mid-sized chunks beat one huge batch, progress moves, and a cancel lands within a second. Every
chunk is real work; nothing is spent on a separate calibration run.
"""

from __future__ import annotations

import time
from typing import Callable, Optional

import torch

from .progress import task

TARGET_SECONDS = 0.25
MAX_SECONDS = 0.75  # chunks grow past the target only while it pays; a cancel still lands within a second
MAX_CHUNK_ELEMENTS = 1 << 25  # input elements per chunk: a memory cap for huge inputs
FIRST_CHUNK_ELEMENTS = 1 << 16  # small rows start in bigger chunks: per-call overhead dominates them


class ChunkSizer:
    """Proposes the next chunk size (a multiple of `unit` rows) from the timings so far."""

    def __init__(self, unit: int = 1, fixed: Optional[int] = None, row_numel: int = 1,
                 target_seconds: float = TARGET_SECONDS, device: Optional[torch.device] = None):
        self.unit = max(int(unit), 1)
        self.fixed = None if fixed is None else max(self._align(fixed), self.unit)
        self.target_seconds = target_seconds
        self.max_rows = max(self._align(MAX_CHUNK_ELEMENTS // max(row_numel, 1)), self.unit)
        if device is not None and torch.device(device).type != "cpu":
            self.size = self.max_rows  # accelerators want big batches: start at the memory cap
        else:
            self.size = max(self._align(FIRST_CHUNK_ELEMENTS // max(row_numel, 1)), self.unit)
        self.best_rate: Optional[float] = None  # seconds per row at the best size so far
        self.best_size = self.size
        self.within_rate: Optional[float] = None  # the same among chunks within the target time
        self.within_size = self.size
        self.warmed_up = False
        self.frozen = False

    def _align(self, rows: float) -> int:
        return int(rows) // self.unit * self.unit

    def next_size(self, remaining: int) -> int:
        size = self.fixed if self.fixed is not None else self.size
        return min(size, remaining)

    def record(self, rows: int, seconds: float) -> None:
        """Learn from a finished chunk of `rows` rows that took `seconds`."""
        if self.fixed is not None or self.frozen or rows < self.size:
            return
        if not self.warmed_up:  # the first call pays one-off costs (allocations, kernel setup)
            self.warmed_up = True
            return
        rate = seconds / rows
        if seconds > 4 * self.target_seconds and rows > self.unit:  # far too slow: shrink
            self.size = max(self._align(self.target_seconds / rate), self.unit)
            self.frozen = True
            return
        if self.best_rate is not None and rate > self.best_rate * 1.1:
            self.size, self.frozen = self.best_size, True  # bigger got slower per row
            return
        # past the target only while bigger chunks still cut the time per row by a tenth
        paying = self.best_rate is None or rate < self.best_rate * 0.9
        if self.best_rate is None or rate < self.best_rate:
            self.best_rate, self.best_size = rate, rows
        if seconds <= self.target_seconds and (self.within_rate is None or rate < self.within_rate):
            self.within_rate, self.within_size = rate, rows
        growth = 4 if seconds < self.target_seconds / 16 else 2
        bigger = min(self._align(rows * growth), self.max_rows)
        budget = MAX_SECONDS if paying else self.target_seconds
        if bigger <= rows or rate * bigger > budget:
            self.frozen = True  # a bigger chunk would outlast the time cap
            self.size = self._settle()
            return
        self.size = bigger

    def _settle(self) -> int:
        """The size to keep: the fastest per row, unless one within the target is nearly as fast."""
        if self.within_rate is not None and self.best_rate > self.within_rate * 0.9:
            return self.within_size
        return self.best_size


def _sync(device: Optional[torch.device]) -> None:
    if device is not None and device.type == "cuda":
        torch.cuda.synchronize(device)


def run_chunked(
    total_rows: int,
    work: Callable[[int, int], None],
    *,
    unit: int = 1,
    fixed_rows: Optional[int] = None,
    row_numel: int = 1,
    device: Optional[torch.device] = None,
    desc: Optional[str] = None,
    show_progress: bool = False,
) -> None:
    """Call ``work(start, stop)`` over ``[0, total_rows)``, reporting progress per chunk."""
    sizer = ChunkSizer(unit, fixed_rows, row_numel, device=device)
    with task(total_rows, desc, show_progress) as progress:
        start = 0
        while start < total_rows:
            rows = sizer.next_size(total_rows - start)
            began = time.perf_counter()
            work(start, start + rows)
            _sync(device)
            sizer.record(rows, time.perf_counter() - began)
            start += rows
            progress.advance(rows)
