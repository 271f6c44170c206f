"""The dashboard as a Jupyter widget: anywidget's front end runs the React app's widget bundle,
which talks to the kernel through the widget's custom messages (see :mod:`.protocol`)."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any, Dict, List, Optional

import anywidget
import traitlets

from .protocol import Bridge
from .results import Attributions, results_from_json

BUNDLE = Path(__file__).resolve().parent.parent / "static" / "widget" / "index.js"
NOT_BUILT = """export default { render({ el }) {
  el.textContent = "The Insights widget's front end is not built: run `npm run build` in frontend/ "
    + "(pip install builds it).";
} };"""

log = logging.getLogger(__name__)


def bundle() -> str:
    """The widget's ES module (the React app built by ``frontend/vite.widget.config.ts``)."""
    if BUNDLE.is_file():
        return BUNDLE.read_text(encoding="utf-8")
    warnings.warn(f"the widget's front end is not built ({BUNDLE} is missing)", RuntimeWarning, stacklevel=3)
    return NOT_BUILT


class InsightsWidget(anywidget.AnyWidget):
    """``AttributionVisualizer.render()``'s widget: the dashboard in a notebook output.

    ``results`` holds the last finished run's attributions as tensors
    (:class:`~insights.widget.results.Attributions`); ``height`` is the dashboard's height in
    pixels (it scrolls inside); closing the widget cancels its jobs.
    """

    _esm = traitlets.Unicode().tag(sync=True)
    workspace = traitlets.Unicode("main").tag(sync=True)
    height = traitlets.Int(760).tag(sync=True)

    def __init__(self, services: Dict[str, Any], workspace: Optional[str] = None, debug: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(_esm=bundle(), workspace=workspace or next(iter(services)), **kwargs)
        self.bridge = Bridge(services, self._send_message, on_failure=self._log_failure if debug else None)
        self.on_msg(self._on_message)

    @property
    def results(self) -> Attributions:
        """The last finished run's attributions (empty before the first)."""
        last = self.bridge.last_result
        return results_from_json(last["results"]) if last else Attributions()

    def _on_message(self, _widget: Any, content: Any, buffers: List[Any]) -> None:
        self.bridge.handle(content, buffers)

    @staticmethod
    def _log_failure(exc: BaseException) -> None:
        log.error("the widget's request failed", exc_info=exc)

    def _send_message(self, content: Dict[str, Any], buffers: List[bytes]) -> None:
        if self.comm is not None:  # a closed widget has nowhere to send
            self.send(content, buffers)

    def close(self) -> None:
        """Cancel this widget's jobs and close it."""
        self.bridge.close()
        super().close()
