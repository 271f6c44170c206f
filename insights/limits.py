"""Request limits a caller can raise in ``AttributionVisualizer(limits=Limits(...))``."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Dict


@dataclass(frozen=True)
class Limits:
    max_examples_per_job: int = 32
    max_page_size: int = 64
    max_scan: int = 5000  # examples a page request may look at before answering
    max_examples_bytes: int = 2 ** 30  # tensors of data-set examples kept in memory (LRU beyond it)
    max_passes: int = 200_000  # estimated example-evaluations a job may cost
    max_upload_bytes: int = 5 * 2 ** 20
    max_upload_pixels: int = 4096 * 4096
    max_text_chars: int = 10_000
    max_request_bytes: int = 16 * 2 ** 20
    max_jobs_per_session: int = 4  # queued or running, of each kind (attribution, data-set jobs)
    max_dataset_passes: int = 20_000_000  # estimated example-evaluations a data-set job may cost
    max_dataset_workers: int = 4  # local threads one data-set job may use
    delta_tolerance: float = 1e-2  # relative convergence error (|delta| / max(|total|, 1)) that suggests more steps

    def to_json(self) -> Dict[str, Any]:
        return asdict(self)
