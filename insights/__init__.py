"""Insights: an interactive dashboard for the attributions of PyTorch models.

    from insights import AttributionVisualizer, Batch, ImageFeature
    visualizer = AttributionVisualizer(model, classes, [ImageFeature("image", ...)], batches)
    visualizer.serve(blocking=True)
"""

from importlib import import_module
from typing import Any

# Imported on first use, so that ``python -m insights.example`` serves its page before torch loads.
_EXPORTS = {"AttributionVisualizer": "api", "Batch": "dataset", "BaseFeature": "features",
            "GeneralFeature": "features", "ImageFeature": "features", "TextFeature": "features",
            "TimeseriesFeature": "features", "Limits": "limits"}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'insights' has no attribute {name!r}")
    value = getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list:
    return sorted(set(globals()) | set(_EXPORTS))
