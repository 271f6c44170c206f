"""The Python API, as in Captum Insights: ``AttributionVisualizer(...).serve()``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Optional, Sequence, Union

from torch import Tensor, nn

from .cache import ResultCache
from .limits import Limits
from .service import Service
from .serving import Server


def default_cache_path() -> Path:
    root = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(root) / "attr-insights" / "results.sqlite"


class AttributionVisualizer:
    """Explore a model's (or several models') attributions on a data set in the browser.

    ``models``: one model or a list compared side by side; ``classes``: class names;
    ``features``: one feature per model input; ``dataset``: an iterable (or a callable
    returning one) of :class:`Batch`; ``score_func`` maps model outputs to scores (e.g.
    softmax); ``use_label_for_attr``: attribute the true label (else the predicted class) by
    default. Keyword-only: ``model_names``, ``limits`` (a :class:`Limits`), ``cache`` (False
    disables the result cache), ``cache_path``.
    """

    def __init__(self, models: Union[nn.Module, Sequence[nn.Module]], classes: Sequence[str],
                 features: Union[Any, Sequence[Any]], dataset: Any,
                 score_func: Optional[Callable[[Tensor], Tensor]] = None, use_label_for_attr: bool = True,
                 *, model_names: Optional[Sequence[str]] = None, limits: Optional[Limits] = None,
                 cache: bool = True, cache_path: Optional[Union[str, Path]] = None) -> None:
        models = [models] if isinstance(models, nn.Module) else list(models)
        features = list(features) if isinstance(features, (list, tuple)) else [features]
        if not models:
            raise ValueError("`models` must contain at least one model")
        if not features:
            raise ValueError("`features` must contain at least one feature")
        store = ResultCache(Path(cache_path) if cache_path else default_cache_path()) if cache else None
        self.service = Service(models, classes, features, dataset, score_func, use_label_for_attr,
                               model_names=model_names, limits=limits, cache=store)
        self._server: Any = None
        self.url: Optional[str] = None

    def serve(self, blocking: bool = False, debug: bool = False, port: Optional[int] = None,
              bind_all: bool = False, open_browser: bool = False) -> int:
        """Start the web app and print its URL (with the access token); returns the port.

        Binds 127.0.0.1 unless ``bind_all``; the token is required either way.
        """
        self._server = Server({"main": self.service}, host="0.0.0.0" if bind_all else "127.0.0.1",
                              port=port, debug=debug)
        self.url = self._server.url
        self._server.start(blocking=blocking, open_browser=open_browser)
        return self._server.port

    def stop(self) -> None:
        """Stop the server started by :meth:`serve` and cancel its jobs."""
        if self._server is not None:
            self._server.stop()
            self._server = None
