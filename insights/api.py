"""The Python API, as in Captum Insights: ``AttributionVisualizer(...).serve()``."""

from __future__ import annotations

import os
import threading
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, Mapping, Optional, Sequence, Union

from torch import Tensor, nn

from .cache import ResultCache
from .errors import InsightsError
from .limits import Limits
from .schema import contract as c
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

    def render(self, debug: bool = True) -> Any:
        """The dashboard as a Jupyter widget (end a cell with it, or ``display`` it).

        It runs in the notebook's kernel, with no server or port; ``widget.results`` holds the
        last run's attributions as tensors. ``debug`` logs unexpected failures (as in Captum).
        """
        from .widget import InsightsWidget

        return InsightsWidget({"main": self.service}, debug=debug)

    def attribute(self, method: str = "IntegratedGradients", examples: Union[int, Sequence[str]] = 4, *,
                  models: Sequence[int] = (0,), args: Optional[Mapping[str, Any]] = None,
                  target: Optional[str] = None, baselines: Optional[Mapping[str, str]] = None,
                  layer: Optional[str] = None, neuron: Optional[Sequence[int]] = None,
                  faithfulness: bool = False, use_cache: bool = True, timeout: Optional[float] = None) -> Any:
        """The dashboard's attribution without a UI: returns :class:`~insights.widget.Attributions`
        (per-result tensors, ``.tensor(feature)`` stacked over examples, ``.figures()``).

        ``examples``: how many of the data set's first examples, or example ids (as the dashboard
        shows them); ``models``: model indices; ``args``: the method's arguments (checked against
        the registry's bounds); ``target``: ``"predicted"``, ``"label"`` or a class name (default
        as ``use_label_for_attr``); ``baselines``: ``{feature name: baseline option}``;
        ``layer``/``neuron``: for layer and neuron methods. Bad arguments raise ValueError; a
        failing model raises RuntimeError; past ``timeout`` seconds the run is cancelled and
        TimeoutError raised.
        """
        from .server.errors import parse
        from .widget.results import results_from_json

        try:
            ids = self._example_ids(examples)
            kind = target if target in (None, "predicted", "label") else "class"
            request = parse(c.AttributionRequest, dict(  # a bad value: ValueError naming its field
                examples=ids, models=list(models), method=method, args=dict(args or {}), layer=layer,
                neuron=list(neuron) if neuron is not None else None, baselines=dict(baselines or {}),
                target=None if kind is None else {"kind": kind, "class_name": target if kind == "class" else None},
                faithfulness=faithfulness, use_cache=use_cache))
            outcome: Dict[str, Any] = {}
            finished = threading.Event()

            def emit(event: str, payload: Dict[str, Any]) -> None:
                if event in ("result", "error", "cancelled"):
                    outcome[event] = payload
                    finished.set()

            job = self.service.start_job(f"python-{uuid.uuid4().hex[:12]}", request, emit)["job_id"]
        except InsightsError as exc:  # the request refused (4xx), or the model failed on the data set
            message = f"{exc.field}: {exc.message}" if exc.field else exc.message
            raise (ValueError if exc.code < 500 else RuntimeError)(message) from None
        try:
            if not finished.wait(timeout):
                self.service.cancel(job)
                raise TimeoutError(f"{method} did not finish within {timeout} s; the run was cancelled")
        except KeyboardInterrupt:
            self.service.cancel(job)
            raise
        if "error" in outcome:
            error = outcome["error"]["error"]
            raise (ValueError if error["code"] == "bad_request" else RuntimeError)(error["message"])
        if "cancelled" in outcome:
            raise RuntimeError(f"the {method} run was cancelled")
        return results_from_json(outcome["result"]["results"])

    def _example_ids(self, examples: Union[int, Sequence[str]]) -> list:
        if isinstance(examples, int):
            if examples < 1:
                raise ValueError("`examples` must be a positive count or a list of example ids")
            page = self.service.page(c.PageRequest(page_size=examples))
            if not page["examples"]:
                raise ValueError(page["message"] or "the data set has no examples")
            return [e["id"] for e in page["examples"]]
        if isinstance(examples, str):
            return [examples]
        return list(examples)
