"""Shared benchmark machinery: alternating repeats, medians, ratio tables, JSON output."""

from __future__ import annotations

import json
import statistics
import time
import warnings
from pathlib import Path
from typing import Callable, Dict, List, Optional

import torch

RESULTS = Path(__file__).parent / "results"


def timed(fn: Callable[[], object]) -> float:
    """Wall time of one call, waiting for queued GPU work to finish."""
    began = time.perf_counter()
    fn()
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return time.perf_counter() - began


def compare(contenders: Dict[str, Callable[[], object]], repeats: int) -> Dict[str, Optional[float]]:
    """Median seconds per contender, running them in alternating order after one warm-up each.

    A contender that raises is reported as None (e.g. Captum failing on a model)."""
    times: Dict[str, List[float]] = {name: [] for name in contenders}
    failed = set()
    for name, fn in contenders.items():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fn()
        except Exception as exc:  # noqa: BLE001 - a failing contender is a result, not a crash
            print(f"  {name} failed: {type(exc).__name__}: {str(exc)[:100]}")
            failed.add(name)
    for _ in range(repeats):
        for name, fn in contenders.items():
            if name not in failed:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    times[name].append(timed(fn))
    return {name: (None if name in failed else statistics.median(t)) for name, t in times.items()}


def ratio(a: Optional[float], b: Optional[float]) -> Optional[float]:
    return None if a is None or b is None else a / b


def fmt(value: Optional[float], digits: int = 3) -> str:
    return "failed" if value is None else f"{value:.{digits}f}"


def print_table(rows: List[dict], columns: List[str]) -> None:
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns))
    for r in rows:
        print("  ".join(str(r[c]).ljust(widths[c]) for c in columns))


def write_json(name: str, payload: dict) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {"torch": torch.__version__, "threads": torch.get_num_threads(), **payload}
    path.write_text(json.dumps(payload, indent=2))
    return path
