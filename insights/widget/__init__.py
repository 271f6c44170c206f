"""The Insights dashboard as a Jupyter widget (anywidget), and its results as tensors."""

from .results import Attributions, Result
from .widget import InsightsWidget

__all__ = ["Attributions", "InsightsWidget", "Result"]
