"""The service layer: everything the dashboard does, with no transport inside.

Routes and socket handlers parse a request model from :mod:`insights.schema.contract`, call
one method here, and serialise what it returns. State is per server (examples reached, model
calibrations, the result cache, jobs); per-user choices travel in each request, so browser tabs
never share settings, and jobs belong to the session (socket connection) that started them.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import torch
from torch import Tensor, nn

import attr_engine
from attr_engine import REGISTRY
from attr_engine.core.registry import ArgumentError

from .attribution import MethodOutput, layer_names, perturbed_units, run_method, stack_args
from .cache import ResultCache, result_key, weights_hash
from .dataset import Example, ExampleStore
from .errors import InsightsError
from .estimate import calibrate, passes_per_example
from .jobs import Emit, Job, JobRunner
from .jobs.pool import DATASET, INTERACTIVE
from .limits import Limits
from .results import feature_results, suggest_steps
from .schema import contract as c


PARTIAL_INTERVAL_S = 0.25  # streamed maps: a few per second, whatever the chunk rate
ROWS = 2  # how rows are computed, in the cache key: 2 = each example's own mean convergence delta
UPLOAD_KINDS = {"image": "image", "text": "text", "timeseries": "series", "general": "series"}  # feature -> upload


@dataclass
class ModelEntry:
    name: str
    module: nn.Module
    seconds_per_example: Optional[float] = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    value_shapes: Dict[Tuple, Dict[Tuple[str, bool], Any]] = field(default_factory=dict)  # see Service.check_layer

    @property
    def device(self) -> torch.device:
        for tensor in (*self.module.parameters(), *self.module.buffers()):
            return tensor.device
        return torch.device("cpu")


class Service:
    def __init__(self, models: Sequence[nn.Module], classes: Sequence[str], features: Sequence[Any],
                 dataset: Any, score_func: Optional[Callable[[Tensor], Tensor]] = None,
                 use_label_for_attr: bool = True, *, model_names: Optional[Sequence[str]] = None,
                 limits: Optional[Limits] = None, cache: Optional[ResultCache] = None,
                 workers: int = 2) -> None:
        names = list(model_names) if model_names else [type(m).__name__ for m in models]
        self.models = [ModelEntry(n, m.eval()) for n, m in zip(names, models)]
        self.classes = list(classes)
        self.features = list(features)
        self.score_func = score_func
        self.use_label_for_attr = use_label_for_attr
        self.limits = limits or Limits()
        self.cache = cache
        self.dataset = dataset  # as given: data-set jobs (insights.jobs) read it whole
        self.store = ExampleStore(dataset, self.features, self._predict, self.limits)
        self.jobs = JobRunner(workers, lanes={DATASET: 1})  # data-set jobs queue apart from interactive ones

    # --- description ---------------------------------------------------------------------------
    def info(self) -> Dict[str, Any]:
        return {
            "models": [{"index": i, "name": m.name, "device": str(m.device), "layers": layer_names(m.module),
                        "layer_shapes": self._layer_shapes(m)} for i, m in enumerate(self.models)],
            "classes": self.classes,
            "features": [f.describe() for f in self.features],
            "methods": [spec.to_json() for spec in REGISTRY.values()],
            "limits": self.limits.to_json(),
            "default_target": "label" if self.use_label_for_attr else "predicted",
            "engine_version": attr_engine.__version__,
            "cache": self.cache is not None,
        }

    # --- predictions and pages -------------------------------------------------------------------
    def _forward(self, entry: ModelEntry, examples: Sequence[Example]) -> Tensor:
        device = entry.device
        inputs = [torch.stack([e.inputs[i] for e in examples]).to(device) for i in range(len(self.features))]
        args = stack_args([e.additional_args for e in examples], device)
        with torch.inference_mode():
            out = entry.module(*inputs, *args)
            if not isinstance(out, Tensor):
                raise InsightsError(f"model {entry.name!r} returned {type(out).__name__}, not a tensor",
                                    code=500, kind="model_error")
            scores = self.score_func(out) if self.score_func is not None else out
        return scores.reshape(len(examples), -1).float().cpu()

    def _predict(self, examples: List[Example]) -> None:
        for group in _by_shape(examples):
            for index, entry in enumerate(self.models):
                try:
                    scores = self._forward(entry, group)
                except InsightsError:
                    raise
                except Exception as exc:
                    raise InsightsError(f"model {entry.name!r} failed on the data set: "
                                        f"{type(exc).__name__}: {exc}", code=500, kind="model_error") from exc
                for example, row in zip(group, scores):
                    example.predictions[index] = row

    def _class_index(self, name: str, field_name: str) -> int:
        try:
            return self.classes.index(name)
        except ValueError:
            raise InsightsError(f"there is no class {name[:64]!r}; the classes are {', '.join(self.classes)}",
                                field=field_name) from None

    def _model_index(self, index: int, field_name: str = "models") -> ModelEntry:
        if not 0 <= index < len(self.models):
            raise InsightsError(f"there is no model {index}; the models are numbered 0 to {len(self.models) - 1}",
                                field=field_name)
        return self.models[index]

    def page(self, req: c.PageRequest) -> Dict[str, Any]:
        if req.page_size > self.limits.max_page_size:
            raise InsightsError(f"a page shows at most {self.limits.max_page_size} examples", field="page_size")
        flt = req.filter
        self._model_index(flt.model, "filter.model")
        true = {self._class_index(n, "filter.true_classes") for n in flt.true_classes}
        predicted = {self._class_index(n, "filter.predicted_classes") for n in flt.predicted_classes}

        def matches(e: Example) -> bool:
            guess = int(e.predictions[flt.model].argmax())
            if true and e.label not in true:
                return False
            if predicted and guess not in predicted:
                return False
            if flt.prediction == "correct":
                return e.label is not None and guess == e.label
            if flt.prediction == "incorrect":
                return e.label is not None and guess != e.label
            return True

        key = (flt.prediction, tuple(sorted(true)), tuple(sorted(predicted)), flt.model)
        examples, more, scanned = self.store.page(matches, key, req.page, req.page_size)
        message = None
        if not examples:
            message = (f"No examples match this filter on page {req.page} "
                       f"({len(self.store.examples)} examples looked at"
                       + ("; the data set is exhausted)." if not more else "; ask again to look further)."))
        return {"page": req.page, "page_size": req.page_size, "has_more": more, "scanned": scanned,
                "message": message, "examples": [self.view(e, req.top_k) for e in examples]}

    def example(self, example_id: Optional[str] = None, index: Optional[int] = None) -> Dict[str, Any]:
        """One example's view, by id (reached before) or by its place in the data set."""
        return self.view(self.store.get(example_id) if example_id is not None else self.store.at(index))

    def view(self, e: Example, top_k: int = 3) -> Dict[str, Any]:
        predictions = []
        for index, scores in sorted(e.predictions.items()):
            k = min(top_k, scores.numel())
            values, rows = scores.topk(k)
            top = [{"index": int(r), "name": self._class_name(int(r)), "score": float(v)}
                   for v, r in zip(values, rows)]
            predictions.append({"model": index, "predicted": top[0], "top": top})
        return {"id": e.id, "source": e.source, "index": e.index, "label": e.label,
                "label_name": self._class_name(e.label) if e.label is not None else None,
                "features": [{"name": f.name, "payload": f.display(raw)} for f, raw in zip(self.features, e.raw)],
                "predictions": predictions}

    def _class_name(self, index: int) -> str:
        return self.classes[index] if 0 <= index < len(self.classes) else str(index)

    # --- a user's own input --------------------------------------------------------------------------
    def upload(self, req: c.UploadRequest) -> Dict[str, Any]:
        template = self.store.template()
        known = {f.name for f in self.features}
        unknown = set(req.inputs) - known
        if unknown:
            raise InsightsError(f"unknown feature(s) {sorted(unknown)}; features are {sorted(known)}",
                                field="inputs")
        raw = []
        for feature, example_raw in zip(self.features, template.raw):
            value = req.inputs.get(feature.name)
            if value is None:
                raise InsightsError(f"feature {feature.name!r} needs a value", field=f"inputs.{feature.name}")
            given = {"image": value.image, "text": value.text, "series": value.series}
            chosen = {k: v for k, v in given.items() if v is not None}
            if len(chosen) != 1:
                raise InsightsError("give exactly one of image, text or series", field=f"inputs.{feature.name}")
            (kind, content), = chosen.items()
            if not feature.accepts_upload:
                raise InsightsError(f"{feature.name} does not take inputs of your own", field=f"inputs.{feature.name}")
            expected = UPLOAD_KINDS[feature.kind]
            if kind != expected:
                raise InsightsError(f"{feature.name} takes {'an' if expected == 'image' else 'a'} {expected}, "
                                    f"not {'an' if kind == 'image' else 'a'} {kind}",
                                    field=f"inputs.{feature.name}.{kind}")
            raw.append(feature.parse_upload(content, example_raw, self.limits))
        label = self._class_index(req.label, "label") if req.label is not None else None
        example = self.store.add(tuple(raw), label, template.additional_args, source="upload")
        if len(example.predictions) < len(self.models):
            self._predict([example])
        return self.view(example)

    # --- attribution ----------------------------------------------------------------------------------
    def _plan(self, req: c.AttributionRequest) -> Tuple[Any, Dict[str, Any], Dict[str, Any], List[Example]]:
        """Validate a request before any job exists: method, its arguments, models, examples,
        baselines, target, layer and neuron; each refusal names its field."""
        spec = REGISTRY.get(req.method)
        if spec is None:
            raise InsightsError(f"there is no method {req.method[:64]!r}; the methods are "
                                f"{', '.join(sorted(REGISTRY))}", field="method")
        init, call = self.check_args(spec, req.args)
        if len(req.examples) > self.limits.max_examples_per_job:
            raise InsightsError(f"a run explains at most {self.limits.max_examples_per_job} examples; choose fewer",
                                field="examples")
        self.check_models(req.models)
        examples = self.store.get_many(req.examples)
        self.check_choices(req)
        self.check_layer(spec, req.layer, req.neuron, req.models, {**init, **call}, examples[0])
        return spec, init, call, examples

    def check_choices(self, req: c.MethodChoice) -> None:
        """A request's baselines (a known option of a known feature) and class target."""
        names = [f.name for f in self.features]
        bad = sorted(set(req.baselines) - set(names))
        if bad:
            raise InsightsError(f"there is no input named {bad[0]!r} to give a baseline; the inputs are {names}",
                                field="baselines")
        for f in self.features:
            option = req.baselines.get(f.name)
            if option is not None and option not in f.baseline_options():
                raise InsightsError(f"{f.name} has no baseline {option!r}; choose one of "
                                    f"{', '.join(f.baseline_options())}", field=f"baselines.{f.name}")
        if req.target is not None and req.target.kind == "class":
            if req.target.class_name is None:
                raise InsightsError("choose the class to explain", field="target.class_name")
            self._class_index(req.target.class_name, "target.class_name")

    @staticmethod
    def check_args(spec: Any, args: Dict[str, Any]) -> Tuple[Dict[str, Any], Dict[str, Any]]:
        """The method's (constructor, attribute) arguments, validated by the registry; a refusal
        in a dashboard user's words, naming ``args.<argument>``."""
        try:
            return spec.split_args(dict(args))
        except ArgumentError as exc:
            known = any(p.name == exc.argument for p in spec.params)
            raise InsightsError(spec.describe_error(exc), field=f"args.{exc.argument}" if known else "args") from None

    def check_models(self, indices: Sequence[int], field_name: str = "models") -> None:
        """Each model at most once, and only models that exist (so the list is capped by them)."""
        if len(set(indices)) != len(indices):
            raise InsightsError("choose each model at most once", field=field_name)
        for index in indices:
            self._model_index(index, field_name)

    def check_layer(self, spec: Any, layer: Optional[str], neuron: Optional[Sequence[int]],
                    models: Sequence[int], args: Dict[str, Any], example: Example) -> None:
        """A layer method's layer exists in every chosen model; a neuron method's neuron has one
        index per dimension of the layer's values (its output, or input with
        ``attribute_to_neuron_input``), each within its size."""
        if not (spec.needs_layer or spec.needs_neuron):
            return
        if not layer:
            raise InsightsError(f"{spec.label} explains a layer of the model: choose one", field="layer")
        for index in models:
            entry = self.models[index]
            if layer not in layer_names(entry.module):
                raise InsightsError(f"model {entry.name!r} has no layer {layer!r}; choose one of its layers",
                                    field="layer")
        if not spec.needs_neuron:
            return
        if not neuron:
            raise InsightsError(f"{spec.label} explains one neuron of the layer: give its index", field="neuron")
        use_input = bool(args.get("attribute_to_neuron_input", False))
        for index in models:
            shape = self._layer_shape(self.models[index], layer, use_input, example)
            if shape is None:  # several tensors, or none: the method says what it needs
                continue
            if len(neuron) > len(shape) or math.prod(shape[len(neuron):]) != 1:
                raise InsightsError(f"the layer {layer!r} has values of shape {list(shape)}: give the neuron as "
                                    f"{len(shape)} index(es), one per dimension", field="neuron")
            for i, (at, size) in enumerate(zip(neuron, shape)):
                if not 0 <= at < size:
                    raise InsightsError(f"neuron index {at} is out of range: dimension {i} of the layer "
                                        f"{layer!r} has {size} values (0 to {size - 1})", field="neuron")

    def _layer_shapes(self, entry: ModelEntry) -> Dict[str, List[int]]:
        """Each layer's output shape per example (the ones the neuron checks measure), so the
        neuron picker offers only neurons that exist; layers whose output is not one tensor are
        left out, and none where the data set or model cannot give an example (the picker then
        takes the neuron as text, and a run says what failed)."""
        try:
            example = self.store.template()
            shapes = {name: self._layer_shape(entry, name, False, example) for name in layer_names(entry.module)}
        except Exception:
            return {}
        return {name: list(shape) for name, shape in shapes.items() if shape}

    def _layer_shape(self, entry: ModelEntry, layer: str, use_input: bool, example: Example
                     ) -> Optional[Tuple[int, ...]]:
        """The per-example shape of a layer's output (or input): every layer's, measured by one
        forward pass per model and input shape, and kept (the model's lock is taken once)."""
        key = example.shape_key()
        if key not in entry.value_shapes:
            shapes: Dict[Tuple[str, bool], Optional[Tuple[int, ...]]] = {}

            def record(name: str) -> Callable[..., None]:
                def hook(_module: nn.Module, given: Tuple[Any, ...], output: Any) -> None:
                    for use, value in ((False, output), (True, given[0] if len(given) == 1 else None)):
                        shapes.setdefault((name, use), tuple(value.shape[1:]) if isinstance(value, Tensor) else None)
                return hook

            modules = [(name, module) for name, module in entry.module.named_modules() if name]
            handles = [module.register_forward_hook(record(name)) for name, module in modules]
            try:
                with entry.lock:
                    self._forward(entry, [example])
            except Exception as exc:
                raise InsightsError(f"model {entry.name!r} failed on the example: {type(exc).__name__}: {exc}",
                                    code=500, kind="model_error") from exc
            finally:
                for handle in handles:
                    handle.remove()
            entry.value_shapes[key] = shapes
        return entry.value_shapes[key].get((layer, use_input))

    def estimate(self, req: c.AttributionRequest) -> Dict[str, Any]:
        spec, _, _, examples = self._plan(req)
        sizes = [perturbed_units(x, f, spec, dict(req.args)) for f, x in zip(self.features, examples[0].inputs)]
        per_example = passes_per_example(spec, dict(req.args), sizes)
        passes = per_example * len(examples) * len(req.models)
        seconds = 0.0
        for index in req.models:
            seconds += per_example * len(examples) * self._seconds_per_example(self.models[index])
        within = passes <= self.limits.max_passes
        message = None if within else (f"This run needs about {passes:,} model evaluations, more than the "
                                       f"{self.limits.max_passes:,} allowed: choose fewer examples or models, "
                                       "or fewer steps or samples.")
        return {"passes": passes, "per_example": per_example, "seconds": round(seconds, 3),
                "within_limits": within, "message": message}

    def _seconds_per_example(self, entry: ModelEntry) -> float:
        if entry.seconds_per_example is None:
            sample = self.store.get_many([e.id for e in self.store.examples[:8]]) or [self.store.template()]
            sample = _by_shape(sample)[0]
            inputs = [torch.stack([e.inputs[i] for e in sample]).to(entry.device) for i in range(len(self.features))]
            with entry.lock:
                try:
                    entry.seconds_per_example = calibrate(
                        entry.module, inputs, stack_args([e.additional_args for e in sample], entry.device))
                except Exception:  # a model that fails here fails visibly when run
                    entry.seconds_per_example = 0.0
        return entry.seconds_per_example

    def start_job(self, session: str, req: c.AttributionRequest, emit: Emit) -> Dict[str, Any]:
        estimate = self.estimate(req)
        if not estimate["within_limits"]:
            raise InsightsError(estimate["message"], field="args")
        if len(self.jobs.active(session, INTERACTIVE)) >= self.limits.max_jobs_per_session:
            raise InsightsError(f"at most {self.limits.max_jobs_per_session} jobs may run at once; "
                                "cancel one first", code=429, kind="too_many_jobs")
        phases = 2 if req.faithfulness else 1  # attribution, then the faithfulness scores
        job = self.jobs.submit(session, lambda j: self._run(j, req), emit, units=len(req.models) * phases)
        return {"job_id": job.id, "estimate": estimate}

    def job_state(self, job_id: str, session: Optional[str] = None) -> Dict[str, Any]:
        return self.jobs.get(job_id, session).state()

    def cancel(self, job_id: str, session: Optional[str] = None) -> Dict[str, Any]:
        job = self.jobs.get(job_id, session)
        job.cancel()
        return job.state()

    def close_session(self, session: str) -> None:
        self.jobs.cancel_session(session)

    def _target(self, req: c.AttributionRequest, e: Example, model: int) -> int:
        kind = req.target.kind if req.target else ("label" if self.use_label_for_attr else "predicted")
        if kind == "class":
            return self._class_index(req.target.class_name, "target.class_name")
        if kind == "label" and e.label is not None:
            return e.label
        return int(e.predictions[model].argmax())

    def _baselines(self, req: c.AttributionRequest, examples: List[Example]) -> Tuple[Tensor, ...]:
        out = []
        for i, f in enumerate(self.features):
            option = req.baselines.get(f.name) or f.baseline_options()[0]
            inputs = torch.stack([e.inputs[i] for e in examples])
            mean = self.store.mean(i) if option == "dataset_mean" else None
            out.append(f.baseline(option, inputs, mean))
        return tuple(out)

    def _run(self, job: Job, req: c.AttributionRequest) -> Dict[str, Any]:
        spec, init, call, examples = self._plan(req)
        start, results, hits = time.perf_counter(), [], 0
        phases = 2 if req.faithfulness else 1
        for unit, index in enumerate(req.models):
            job.start_unit(unit * phases)
            entry = self.models[index]
            fingerprint = weights_hash(entry.module) if self.cache is not None else ""
            targets = [self._target(req, e, index) for e in examples]
            rows: Dict[int, Dict[str, Any]] = {}
            keys = {}
            for k, (e, t) in enumerate(zip(examples, targets)):
                keys[k] = result_key(rows=ROWS, weights=fingerprint, engine=attr_engine.__version__, example=e.id,
                                     method=spec.name, args=req.args, layer=req.layer, neuron=req.neuron,
                                     target=t, baselines=self._baseline_key(req, k, examples),
                                     faithfulness=req.faithfulness)
                cached = self.cache.get(keys[k]) if self.cache is not None and req.use_cache else None
                if cached is not None:
                    rows[k] = {**cached, "cached": True}
                    hits += 1
            todo = [k for k in range(len(examples)) if k not in rows]
            for ks in _group_by_shape(examples, todo):
                rows.update(self._attribute(job, entry, index, spec, init, call, req, ks, examples, targets,
                                            unit * phases))
                if self.cache is not None:
                    for k in ks:
                        self.cache.put(keys[k], rows[k])
            model_results = [rows[k] for k in range(len(examples))]
            job.partial({"model": index, "results": model_results})
            results.extend(model_results)
        return {"results": results, "seconds": round(time.perf_counter() - start, 4), "cache_hits": hits}

    def _baseline_key(self, req: c.AttributionRequest, k: int, examples: List[Example]) -> Any:
        key = []
        for f in self.features:
            option = req.baselines.get(f.name) or f.baseline_options()[0]
            # a distribution baseline (GradientShap) is drawn from every example of the run
            key.append([option, [e.id for e in examples]] if REGISTRY[req.method].baselines == "distribution"
                       else option)
        return key

    def _attribute(self, job: Job, entry: ModelEntry, index: int, spec: Any, init: Dict[str, Any],
                   call: Dict[str, Any], req: c.AttributionRequest, ks: List[int], examples: List[Example],
                   targets: List[int], unit: int) -> Dict[int, Dict[str, Any]]:
        group = [examples[k] for k in ks]
        inputs = tuple(torch.stack([e.inputs[i] for e in group]) for i in range(len(self.features)))
        with entry.lock:  # hooks on a shared module: one attribution per model at a time
            job.monitor.on_partial = self._partial_stream(job, index, spec, ks, examples, targets)
            try:
                out = run_method(entry.module, entry.device, self.features, spec, init, call, inputs,
                                 self._baselines(req, group), [e.additional_args for e in group],
                                 torch.tensor([targets[k] for k in ks]), req.layer, req.neuron,
                                 score_func=self.score_func)
            finally:
                job.monitor.on_partial = None
            auc = infidelity = None
            if req.faithfulness and out.deletion_auc is not None:
                job.start_unit(unit + 1)
                auc, infidelity = out.deletion_auc(), out.infidelity()
        job.check()
        rows = {}
        for row, k in enumerate(ks):
            shown = self._result(index, spec, examples[k], targets[k], out, row)
            delta = float(out.delta[row]) if out.delta is not None else None  # this example's own
            total = sum(f["total"] for f in shown["features"])
            rows[k] = {**shown, "delta": delta, "arguments": out.arguments,
                       "suggested_n_steps": suggest_steps(spec, req.args, delta, total, self.limits.delta_tolerance),
                       "deletion_auc": float(auc[row]) if auc is not None else None,
                       "infidelity": float(infidelity[row]) if infidelity is not None else None}
        return rows

    def _result(self, index: int, spec: Any, e: Example, target: int, out: MethodOutput, row: int
                ) -> Dict[str, Any]:
        """The part of an AttributionResult that streamed partial maps share with final ones."""
        return {"example_id": e.id, "model": index, "method": spec.name, "target": target,
                "target_name": self._class_name(target),
                "features": feature_results(self.features, out, e, row, spec.family == "perturbation"),
                "cached": False}

    def _partial_stream(self, job: Job, index: int, spec: Any, ks: List[int], examples: List[Example],
                        targets: List[int]) -> Optional[Callable[[str, Any], None]]:
        """A listener that sends the unfinished maps of an input perturbation method as
        ``partial`` events, at most every ``PARTIAL_INTERVAL_S``."""
        if spec.family != "perturbation" or spec.needs_layer or spec.needs_neuron:
            return None
        last = [time.monotonic()]

        def send(_method: str, attributions: Any) -> None:
            now = time.monotonic()
            if now - last[0] < PARTIAL_INTERVAL_S:
                return
            last[0] = now
            maps = tuple(a.detach().cpu() for a in (attributions if isinstance(attributions, tuple)
                                                    else (attributions,)))
            out = MethodOutput(maps, None, None)
            job.emit("partial", {"job_id": job.id, "model": index, "results": [
                {**self._result(index, spec, examples[k], targets[k], out, row), "partial": True}
                for row, k in enumerate(ks)]})

        return send

    def shutdown(self) -> None:
        self.jobs.shutdown()
        if self.cache is not None:
            self.cache.close()


def _by_shape(examples: Sequence[Example]) -> List[List[Example]]:
    """Examples grouped so that each group stacks into one batch."""
    return [[examples[k] for k in ks] for ks in _group_by_shape(examples, range(len(examples)))]


def _group_by_shape(examples: Sequence[Example], indices: Sequence[int]) -> List[List[int]]:
    groups: Dict[Tuple, List[int]] = {}
    for k in indices:
        groups.setdefault(examples[k].shape_key(), []).append(k)
    return list(groups.values())
