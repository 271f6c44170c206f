"""Perturbation samples in chunks, grouped as Captum's metrics group them.

Each chunk covers every example ``k`` times (rows ordered example-major, as
``repeat_interleave`` orders them), so a seeded random perturbation function draws exactly the
numbers it draws under Captum. Chunks run through :func:`run_chunked`, which reports progress
and lands a cancel between chunks.
"""

from __future__ import annotations

import warnings
from typing import Callable, Optional

from ..core.batching import run_chunked


def check_positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"`{name}` must be a positive int, got {value!r}")
    return value


def samples_per_chunk(batch_size: int, n_perturb_samples: int, max_examples_per_batch: Optional[int]) -> int:
    """How many samples of every example one chunk holds (all of them when no limit is set)."""
    check_positive_int(n_perturb_samples, "n_perturb_samples")
    if max_examples_per_batch is None:
        return n_perturb_samples
    check_positive_int(max_examples_per_batch, "max_examples_per_batch")
    per_example = max_examples_per_batch // batch_size
    if per_example < 1 or per_example > n_perturb_samples:
        warnings.warn(
            f"`max_examples_per_batch` ({max_examples_per_batch}) should be between the batch size "
            f"({batch_size}) and batch size × n_perturb_samples ({batch_size * n_perturb_samples})",
            stacklevel=3)
    return min(max(per_example, 1), n_perturb_samples)


def over_samples(n_perturb_samples: int, per_chunk: int, work: Callable[[int], None], desc: str,
                 show_progress: bool = False) -> None:
    """Call ``work(k)`` for consecutive chunks of ``k`` samples until all are done."""
    run_chunked(n_perturb_samples, lambda start, stop: work(stop - start), fixed_rows=per_chunk,
                desc=desc, show_progress=show_progress)
