"""Pictures of attributions: Captum's matplotlib visualizations under its names, arguments and
defaults; text as HTML; and interactive Plotly counterparts drawn from the same normalisation.

The only part of ``attr_engine`` that imports matplotlib and plotly.
"""

from ._normalize import normalize_attr
from .image import visualize_image_attr, visualize_image_attr_multiple
from .interactive import feature_importance_figure, image_attr_figure, timeseries_attr_figure
from .text import VisualizationDataRecord, visualize_text
from .timeseries import visualize_timeseries_attr

__all__ = [
    "VisualizationDataRecord",
    "feature_importance_figure",
    "image_attr_figure",
    "normalize_attr",
    "timeseries_attr_figure",
    "visualize_image_attr",
    "visualize_image_attr_multiple",
    "visualize_text",
    "visualize_timeseries_attr",
]
