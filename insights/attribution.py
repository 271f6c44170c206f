"""Run one registered method on one model over a batch of examples.

Methods come from the engine's registry, so new methods need no change here. Which keyword
arguments a method gets (target, baselines, additional args, convergence delta, feature mask)
is read from its ``attribute`` signature.

Text features are attributed through their embedding layer (the engine's layer methods, e.g.
LayerIntegratedGradients on it, work the same way): the embeddings become the attributed
input, and the token ids travel as additional forward arguments — which every method expands
exactly like its inputs — so a forward hook can put the (scaled, noisy or ablated) embeddings
in place of the embedding layer's output while the rest of the model still sees the real ids
(padding masks keep working).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import torch
from torch import Tensor, nn

from .errors import InsightsError


@dataclass
class MethodOutput:
    attributions: Tuple[Tensor, ...]  # per feature (input methods) or per layer output
    delta: Optional[Tensor]  # one convergence delta per example (float64): see example_deltas
    layer: Optional[str]  # set for layer and neuron methods
    deletion_auc: Optional[Callable[[], Tensor]] = None  # input methods: faithfulness scores, on demand
    infidelity: Optional[Callable[[], Tensor]] = None
    text_feature: Optional[int] = None  # the text feature whose embedding layer was attributed
    arguments: Dict[str, Any] = field(default_factory=dict)  # what the method was called with (JSON)


def accepts(method: Any, name: str) -> bool:
    """Whether ``method.attribute`` takes the keyword ``name`` (looking through wrappers)."""
    params = inspect.signature(method.attribute).parameters
    if name in params:
        return True
    inner = getattr(method, "attribution_method", None)
    var_kw = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    return var_kw and inner is not None and accepts(inner, name)


def find_module(model: nn.Module, name: str, field: str = "layer") -> nn.Module:
    try:
        return model.get_submodule(name)
    except AttributeError:
        raise InsightsError(f"the model has no layer {name!r}", field=field) from None


def embedding_layer(model: nn.Module, feature: Any) -> nn.Module:
    if feature.embedding_layer:
        return find_module(model, feature.embedding_layer, field="features")
    for module in model.modules():
        if isinstance(module, nn.Embedding):
            return module
    raise InsightsError(f"text feature {feature.name!r}: the model has no nn.Embedding; "
                        "name its embedding layer with TextFeature(embedding_layer=...)", field="features")


def layer_names(model: nn.Module) -> List[str]:
    return [name for name, _ in model.named_modules() if name]


class EmbeddingForward(nn.Module):
    """``forward(*inputs, *token_ids, *args)`` where text inputs are embeddings: the embedding
    layer's output for each id tensor is replaced by the matching embeddings. A module, so that
    methods which hook the model's layers (DeepLift, guided backprop) find them inside."""

    def __init__(self, model: nn.Module, text: Dict[int, nn.Module], n_features: int) -> None:
        super().__init__()
        self.model, self.text, self.n = model, text, n_features

    def forward(self, *values: Any) -> Tensor:
        inputs, ids = list(values[: self.n]), values[self.n: self.n + len(self.text)]
        args = values[self.n + len(self.text):]
        swaps: Dict[nn.Module, List[Tuple[Tensor, Tensor]]] = {}
        for (i, layer), token_ids in zip(self.text.items(), ids):
            swaps.setdefault(layer, []).append((token_ids, inputs[i]))
            inputs[i] = token_ids

        def replace(module: nn.Module, given: Tuple[Tensor, ...], output: Tensor) -> Tensor:
            for token_ids, embedded in swaps[module]:
                if given[0] is token_ids or (given[0].shape == token_ids.shape and torch.equal(given[0], token_ids)):
                    return embedded
            raise InsightsError("the text feature's token ids did not reach its embedding layer; "
                                "name the layer with TextFeature(embedding_layer=...)", code=500)

        # first among the layer's hooks, so a layer method attributing the embedding layer sees
        # (and may in turn replace) the embeddings
        handles = [layer.register_forward_hook(replace, prepend=True) for layer in swaps]
        try:
            return self.model(*inputs, *args)
        finally:
            for handle in handles:
                handle.remove()


def stack_args(rows: Sequence[Tuple[Any, ...]], device: torch.device) -> Tuple[Any, ...]:
    """Per-example additional forward args stacked into batch args (non-tensors taken once)."""
    if not rows or not rows[0]:
        return ()
    return tuple(torch.stack([r[k] for r in rows]).to(device) if isinstance(rows[0][k], Tensor) else rows[0][k]
                 for k in range(len(rows[0])))


def run_method(model: nn.Module, device: torch.device, features: Sequence[Any], spec: Any,
               init: Dict[str, Any], call: Dict[str, Any], inputs: Tuple[Tensor, ...],
               baselines: Tuple[Tensor, ...], args: Sequence[Tuple[Any, ...]], targets: Tensor,
               layer: Optional[str] = None, neuron: Optional[Sequence[int]] = None,
               score_func: Optional[Callable[[Tensor], Tensor]] = None) -> MethodOutput:
    """Attribute ``inputs`` (one stacked tensor per feature) with the registered method ``spec``;
    ``score_func`` (e.g. softmax) maps outputs to the scores the faithfulness metrics read."""
    inputs = tuple(x.to(device) for x in inputs)
    baselines = tuple(b.to(device) for b in baselines)
    extra = stack_args(args, device)
    internal = spec.needs_layer or spec.needs_neuron
    if internal and not layer:
        raise InsightsError(f"{spec.label} explains a layer of the model: choose one", field="layer")
    target_layer = find_module(model, layer) if internal else None
    text = {i: embedding_layer(model, f) for i, f in enumerate(features) if f.kind == "text"}
    with torch.no_grad():
        attr_inputs = tuple(text[i](x).detach() if i in text else x for i, x in enumerate(inputs))
        attr_baselines = tuple(text[i](b).detach() if i in text else b for i, b in enumerate(baselines))
    forward = EmbeddingForward(model, text, len(inputs)) if text else model
    method = spec.create(forward, target_layer, **init)
    forward_args = tuple(inputs[i] for i in text) + extra
    kwargs = dict(call)
    if neuron is not None and accepts(method, "neuron_selector"):
        kwargs["neuron_selector"] = tuple(neuron) if len(neuron) > 1 else neuron[0]
    if accepts(method, "target"):
        kwargs["target"] = targets.to(device)
    if spec.baselines != "none" and accepts(method, "baselines"):
        kwargs["baselines"] = attr_baselines
    if forward_args and accepts(method, "additional_forward_args"):
        kwargs["additional_forward_args"] = forward_args
    if not internal and "feature_mask" not in kwargs and accepts(method, "feature_mask") and any(
            f.kind == "text" for f in features):
        kwargs["feature_mask"] = token_masks(attr_inputs, features)
    if not internal and accepts(method, "sliding_window_shapes"):
        windows = [occlusion_window(tuple(x.shape[1:]), f, kwargs.get("sliding_window_shapes"), kwargs.get("strides"))
                   for x, f in zip(attr_inputs, features)]
        kwargs["sliding_window_shapes"] = tuple(w for w, _ in windows)
        kwargs["strides"] = tuple(s for _, s in windows)
    want_delta = spec.convergence_delta and accepts(method, "return_convergence_delta")
    if want_delta:
        kwargs["return_convergence_delta"] = True
    out = method.attribute(attr_inputs, **kwargs)
    delta = None
    if want_delta:
        out, delta = out
        delta = example_deltas(torch.as_tensor(delta), len(targets))
    out = tuple(o.detach() for o in (out if isinstance(out, tuple) else (out,)))
    scores = (forward, attr_inputs, out, attr_baselines, targets.to(device), forward_args, features)
    deletion = None if internal else partial(_deletion_auc, score_func, *scores)
    unfaithful = None if internal else partial(_infidelity, *scores)
    shown_as_text = next((i for i, module in text.items() if module is target_layer), None)
    arguments = script_arguments({**init, **kwargs}, len(attr_inputs))
    return MethodOutput(tuple(o.cpu() for o in out), delta, layer if internal else None, deletion, unfaithful,
                        shown_as_text, arguments)


def example_deltas(delta: Tensor, n: int) -> Tensor:
    """One convergence delta per example of a batch of ``n``, from what a method returned: one
    per example, one for all, or one per drawn sample or baseline (GradientShap, DeepLiftShap:
    ``n * k``, example-major, each example's ``k`` together) — then an example's delta is the
    signed mean of its own samples' deltas, never another example's sample. The dashboard's
    rows and the data-set job's rows both take it from here."""
    d = delta.detach().cpu().double().reshape(-1)
    if d.numel() == 1:
        return d.expand(n).clone()
    if n == 0 or d.numel() % n:
        raise InsightsError(f"the method returned {d.numel()} convergence deltas for {n} examples", code=500)
    return d.reshape(n, -1).mean(1)


PER_CALL = ("target", "baselines", "additional_forward_args", "return_convergence_delta", "feature_mask")
_SKIP = object()  # a value a script cannot write down (a tensor, a callable) or an unset one


def script_arguments(kwargs: Dict[str, Any], n_inputs: int) -> Dict[str, Any]:
    """The method's arguments as a script would write them (JSON: tuples become lists), without
    the per-call tensors (target, baselines, ...) and unset ones; a single input's per-input
    values unwrapped."""

    def plain(value: Any) -> Any:
        if isinstance(value, (bool, int, float, str)):
            return value
        if isinstance(value, (tuple, list)):
            items = [plain(v) for v in value]
            return _SKIP if any(i is _SKIP for i in items) else items
        return _SKIP  # tensors, callables, None

    out = {}
    for name, value in kwargs.items():
        value = plain(value)
        if name in PER_CALL or value is _SKIP:
            continue
        if n_inputs == 1 and isinstance(value, list) and len(value) == 1 and isinstance(value[0], list):
            value = value[0]
        out[name] = value
    return out



def _deletion_auc(score_func: Optional[Callable[[Tensor], Tensor]], forward: Callable[..., Tensor],
                  inputs: Tuple[Tensor, ...], attributions: Tuple[Tensor, ...], baselines: Tuple[Tensor, ...],
                  targets: Tensor, forward_args: Tuple[Any, ...], features: Sequence[Any]) -> Tensor:
    """Area under the target's score (``score_func`` of the output, e.g. its probability) as the
    most-attributed features are deleted, each point as a share of the intact input's score and
    clipped to [0, 1]: 0 when the score falls at once, 1 when it never falls, on the same scale
    for every example and model (lower: more faithful). Text tokens are deleted whole. Without a
    ``score_func`` the score is the softmax of the output (a share of a raw logit, which may be
    negative, would mean nothing)."""
    from attr_engine.metrics import deletion_curve

    def scored(*args: Any) -> Tensor:
        out = forward(*args)
        return score_func(out) if score_func is not None else out.softmax(-1)

    mask = token_masks(inputs, features) if any(f.kind == "text" for f in features) else None
    curve = deletion_curve(scored, inputs, attributions, baselines=baselines, target=targets,
                           additional_forward_args=forward_args or None, feature_mask=mask, n_steps=20)
    kept = (curve.scores / curve.scores[:, :1].clamp_min(1e-12)).clamp(0.0, 1.0)
    return torch.trapezoid(kept, curve.fractions, dim=1).float().detach().cpu()


INFIDELITY_SAMPLES = 10
INFIDELITY_NOISE = 0.1  # noise std, relative to each example's input std


def _infidelity(forward: Callable[..., Tensor], inputs: Tuple[Tensor, ...], attributions: Tuple[Tensor, ...],
                baselines: Tuple[Tensor, ...], targets: Tensor, forward_args: Tuple[Any, ...],
                features: Sequence[Any]) -> Tensor:
    """Normalised infidelity under small Gaussian noise (lower: more faithful): how far the
    attributions' dot product with the noise is from the change it makes to the target score.
    The noise is seeded, so a result is reproducible (and cacheable)."""
    from attr_engine.metrics import infidelity

    generator = torch.Generator(device=inputs[0].device).manual_seed(0)

    def perturb(given: Any) -> Tuple[Tuple[Tensor, ...], Tuple[Tensor, ...]]:
        xs = given if isinstance(given, tuple) else (given,)
        noise = tuple(torch.randn(x.shape, generator=generator, device=x.device, dtype=x.dtype)
                      * INFIDELITY_NOISE * x.flatten(1).std(1).clamp_min(1e-6).view(-1, *([1] * (x.dim() - 1)))
                      for x in xs)
        return noise, tuple(x - n for x, n in zip(xs, noise))

    return infidelity(forward, perturb, inputs, attributions, additional_forward_args=forward_args or None,
                      target=targets, n_perturb_samples=INFIDELITY_SAMPLES, normalize=True).detach().cpu()


def perturbed_units(x: Tensor, feature: Any, spec: Any, args: Optional[Dict[str, Any]] = None) -> int:
    """How many features a perturbation method perturbs in one example's input ``x``."""
    if spec.name == "Occlusion":
        args = args or {}
        window, stride = occlusion_window(tuple(x.shape), feature, args.get("sliding_window_shapes"),
                                          args.get("strides"))
        return int(torch.Size([(d - w) // s + 1 for d, w, s in zip(x.shape, window, stride)]).numel())
    if feature.kind == "text":
        return int(x.shape[0])
    return x.numel()


OCCLUSION_WORDS = {"sliding_window_shapes": "window", "strides": "stride"}  # as a dashboard user says them


def occlusion_window(shape: Tuple[int, ...], feature: Any, window: Optional[Sequence[int]] = None,
                     stride: Optional[Sequence[int]] = None) -> Tuple[Tuple[int, ...], Tuple[int, ...]]:
    """Occlusion's window and strides for one example of ``shape``, from sizes given along the
    axes a user thinks in (an image's height and width, a series' time axis, a text's tokens;
    channels and embeddings are covered whole). By default the window is about an eighth of
    each axis (one token for text) and moves by 1."""
    if feature.kind in ("image", "timeseries") and len(shape) >= 2:
        lead, axes, trail = shape[:1], shape[1:], ()
    elif feature.kind == "text":
        lead, axes, trail = (), shape[:1], shape[1:]
    else:
        lead, axes, trail = (), shape, ()
    names = "its tokens" if feature.kind == "text" else f"{len(axes)} axes of size {list(axes)}"

    def along_axes(given: Optional[Sequence[int]], default: Tuple[int, ...], name: str) -> Tuple[int, ...]:
        what = f"{OCCLUSION_WORDS[name]} ({name})"
        if given is None:
            return default
        if len(given) != len(axes):
            raise InsightsError(f"Occlusion: the {what} has {len(given)} size(s) but {feature.name} is covered "
                                f"along {names}: give {len(axes)}", field=f"args.{name}")
        if any(g > d for g, d in zip(given, axes)):
            raise InsightsError(f"Occlusion: the {what} {list(given)} exceeds the size of {feature.name}, "
                                f"{list(axes)}", field=f"args.{name}")
        return tuple(int(g) for g in given)

    default = tuple(1 for _ in axes) if feature.kind == "text" or not lead else tuple(max(d // 8, 1) for d in axes)
    chosen = along_axes(window, default, "sliding_window_shapes")
    moves = along_axes(stride, tuple(1 for _ in axes), "strides")
    if any(m > w for m, w in zip(moves, chosen)):
        raise InsightsError(f"Occlusion: the stride (strides) {list(moves)} must not exceed the window {list(chosen)}",
                            field="args.strides")
    return lead + chosen + trail, lead + moves + trail


def token_masks(inputs: Tuple[Tensor, ...], features: Sequence[Any]) -> Tuple[Tensor, ...]:
    """Feature masks that ablate a token's whole embedding together (others: each element alone)."""
    masks, offset = [], 0
    for x, f in zip(inputs, features):
        if f.kind == "text":
            ids = torch.arange(x.shape[1], device=x.device).view(1, -1, *([1] * (x.dim() - 2)))
            mask = ids.expand(1, *x.shape[1:])
        else:
            mask = torch.arange(x[0].numel(), device=x.device).view(1, *x.shape[1:])
        masks.append(mask + offset)
        offset += int(mask.max()) + 1
    return tuple(masks)
