"""Insights: an interactive dashboard for the attributions of PyTorch models.

    from insights import AttributionVisualizer, Batch, ImageFeature
    visualizer = AttributionVisualizer(model, classes, [ImageFeature("image", ...)], batches)
    visualizer.serve(blocking=True)
"""

from .api import AttributionVisualizer
from .dataset import Batch
from .features import BaseFeature, GeneralFeature, ImageFeature, TextFeature, TimeseriesFeature
from .limits import Limits

__all__ = ["AttributionVisualizer", "BaseFeature", "Batch", "GeneralFeature", "ImageFeature", "Limits",
           "TextFeature", "TimeseriesFeature"]
