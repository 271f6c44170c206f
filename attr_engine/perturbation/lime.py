"""LIME (Ribeiro et al., 2016): fit an interpretable surrogate to the model's outputs on
perturbed samples around the input, weighted by their similarity to it.

Samples are drawn first (the perturbation function is called once per sample, in Captum's
order), then the model runs on them in chunks. Functions may offer a batched form as their
``batched`` attribute, which the chunk loop then uses instead of calling them per sample;
the defaults here do.
"""

from __future__ import annotations

import importlib.util
import inspect
import math
import warnings
from typing import Any, Callable, List, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor
from torch.utils.data import DataLoader, TensorDataset

from ..core.base import PerturbationAttribution
from ..core.inputs import (
    as_tuple,
    broadcast_baselines,
    expand_additional_args,
    expand_target,
    format_additional_args,
    format_baselines,
    format_output,
    is_tuple,
    run_forward,
    take_target,
    validate_target,
)
from ..core.progress import task
from ..core.registry import Param, register
from ._common import (
    PPE_PARAM,
    NotBatchable,
    evaluate,
    format_feature_mask,
    forward,
    parse_ppe,
    progress_label,
    row_numel,
)
from .linear_models import Model, SkLearnLasso, TorchLasso


def _flat(inputs: Any, rows: int) -> Tensor:
    """Each of `rows` samples' tensors flattened and concatenated: (rows, D)."""
    return torch.cat([t.reshape(rows, t.numel() // rows).float() for t in as_tuple(inputs)], dim=1)


def get_exp_kernel_similarity_function(distance_mode: str = "cosine",
                                       kernel_width: float = 1.0) -> Callable[..., Any]:
    """``exp(-d^2 / (2 kernel_width^2))`` of the distance between the original and the
    perturbed input, flattened: ``"cosine"`` (1 - cosine similarity) or ``"euclidean"``."""
    if distance_mode not in ("cosine", "euclidean"):
        raise ValueError(f"`distance_mode` must be 'cosine' or 'euclidean', got {distance_mode!r}")

    def distances(original: Tensor, perturbed: Tensor) -> Tensor:
        if distance_mode == "cosine":
            return 1 - F.cosine_similarity(original.expand_as(perturbed), perturbed, dim=1)
        return torch.linalg.vector_norm(perturbed - original, dim=1)

    def batched(original_inp: Any, perturbed_inp: Any, interpretable: Tensor, **kwargs: Any) -> Tensor:
        rows = interpretable.shape[0]
        d = distances(_flat(original_inp, 1), _flat(perturbed_inp, rows))
        return torch.exp(-(d ** 2) / (2 * kernel_width ** 2))

    def default_exp_kernel(original_inp: Any, perturbed_inp: Any, interpretable: Any,
                           **kwargs: Any) -> float:
        d = distances(_flat(original_inp, 1), _flat(perturbed_inp, 1))
        return math.exp(-float(d[0]) ** 2 / (2 * kernel_width ** 2))

    default_exp_kernel.batched = batched
    return default_exp_kernel


def default_perturb_func(original_inp: Any, **kwargs: Any) -> Tensor:
    """A random binary vector (1, num_interp_features): each feature kept with probability 1/2."""
    if "num_interp_features" not in kwargs:
        raise ValueError("the default perturbation function needs `num_interp_features`")
    device = as_tuple(original_inp)[0].device
    probs = torch.ones(1, int(kwargs["num_interp_features"])) * 0.5
    return torch.bernoulli(probs).to(device=device).long()


def _batched_from_interp(samples: Tensor, original_inputs: Any, **kwargs: Any) -> Tuple[Tensor, ...]:
    """Rows of binary samples (k, F) → model inputs, each tensor (k * n, ...)."""
    inputs = as_tuple(original_inputs)
    masks = as_tuple(kwargs["feature_mask"], "feature_mask")
    baselines = kwargs["baselines"]
    baselines = baselines if isinstance(baselines, tuple) else (baselines,)
    out = []
    for inp, mask, base in zip(inputs, masks, baselines):
        keep = samples.to(inp.device)[:, mask.reshape((1,) * (inp.dim() - mask.dim()) + mask.shape)].bool()
        base = base.to(inp.device).unsqueeze(0) if isinstance(base, Tensor) else base
        blocks = torch.where(keep, inp.unsqueeze(0), base)
        out.append(blocks.reshape(blocks.shape[0] * blocks.shape[1], *inp.shape[1:]))
    return tuple(out)


def default_from_interp_rep_transform(curr_sample: Tensor, original_inputs: Any, **kwargs: Any):
    """One binary sample (1, F) → the input with the features that are 0 set to the baseline."""
    for key in ("feature_mask", "baselines"):
        if key not in kwargs:
            raise ValueError(f"the default interpretable transform needs `{key}`")
    result = _batched_from_interp(curr_sample.reshape(1, -1), original_inputs, **kwargs)
    return result if is_tuple(original_inputs) else result[0]


default_from_interp_rep_transform.batched = _batched_from_interp


def _cat_samples(samples: List[Any]) -> Any:
    if isinstance(samples[0], Tensor):
        return torch.cat(samples)
    return tuple(torch.cat(parts) for parts in zip(*samples))


def _row_slice(inputs: Any, start: int, stop: int) -> Any:
    if isinstance(inputs, Tensor):
        return inputs[start:stop]
    return tuple(t[start:stop] for t in inputs)


@register(
    "perturbation",
    params=(Param("n_samples", "int", 50, minimum=1, maximum=100000,
                  help="Perturbed samples the surrogate is fitted on."),
            PPE_PARAM),
    stochastic=True, progress=True,
    factory=lambda forward_func, layer=None, **kw: Lime(forward_func, **kw),
)
class LimeBase(PerturbationAttribution):
    """The general LIME procedure: sample, map between the interpretable and the input
    space, weight by similarity, fit `interpretable_model`, return its representation.
    (From the dashboard it runs as :class:`Lime`, which fills in every function.)"""

    def __init__(self, forward_func: Callable[..., Any], interpretable_model: Model,
                 similarity_func: Callable[..., Any], perturb_func: Callable[..., Any],
                 perturb_interpretable_space: bool,
                 from_interp_rep_transform: Optional[Callable[..., Any]],
                 to_interp_rep_transform: Optional[Callable[..., Any]]) -> None:
        super().__init__(forward_func)
        if perturb_interpretable_space and from_interp_rep_transform is None:
            raise ValueError("`from_interp_rep_transform` is needed when sampling in the "
                             "interpretable space")
        if not perturb_interpretable_space and to_interp_rep_transform is None:
            raise ValueError("`to_interp_rep_transform` is needed when sampling in the input space")
        self.interpretable_model = interpretable_model
        self.similarity_func = similarity_func
        self.perturb_func = perturb_func
        self.perturb_interpretable_space = perturb_interpretable_space
        self.from_interp_rep_transform = from_interp_rep_transform
        self.to_interp_rep_transform = to_interp_rep_transform

    @property
    def multiplies_by_inputs(self) -> bool:
        return False

    def attribute(self, inputs, target=None, additional_forward_args: Optional[object] = None,
                  n_samples: int = 50, perturbations_per_eval: Any = "auto",
                  show_progress: bool = False, **kwargs: Any) -> Tensor:
        """Fit the surrogate on `n_samples` perturbations of `inputs`; `kwargs` are passed to
        the perturbation, transform and similarity functions. ``n_perturb_samples`` is a
        deprecated alias of `n_samples`."""
        if "n_perturb_samples" in kwargs:
            warnings.warn("`n_perturb_samples` is deprecated; use `n_samples`",
                          DeprecationWarning, stacklevel=2)
            n_samples = kwargs.pop("n_perturb_samples")
        if isinstance(n_samples, bool) or not isinstance(n_samples, int) or n_samples < 1:
            raise ValueError(f"`n_samples` must be a positive integer, got {n_samples!r}")
        ppe = parse_ppe(perturbations_per_eval)
        args = format_additional_args(additional_forward_args)
        with torch.no_grad():  # inputs that require grad must not put the samples on a graph
            interp, model_inputs = self._draw(inputs, n_samples, kwargs)
        n_drawn = len(interp)
        interp_all = torch.cat([z.reshape(1, -1) for z in interp])
        rows_per_sample = as_tuple(inputs)[0].shape[0]
        outputs = torch.zeros(n_drawn, dtype=torch.float)
        weights = torch.zeros(n_drawn, dtype=torch.float)

        def work(start: int, stop: int) -> None:
            z = interp_all[start:stop]
            batch = self._model_inputs(z, interp[start:stop], model_inputs, start, stop, inputs, kwargs)
            k = stop - start
            with torch.inference_mode():
                out = run_forward(self.forward_func, as_tuple(batch), expand_target(target, k),
                                  expand_additional_args(args, k, batch_size=rows_per_sample))
            if not isinstance(out, Tensor):
                out = torch.tensor([float(out)])
            if out.numel() != k:
                if k > 1 and out.numel() == 1:
                    raise NotBatchable("one output for several samples")
                raise ValueError(f"the model returned {out.numel()} values for {k} perturbed "
                                 "samples; LIME needs one output per sample (use a `target`)")
            outputs[start:stop] = out.reshape(-1).float().cpu()
            weights[start:stop] = self._similarities(inputs, batch, z, interp[start:stop],
                                                     rows_per_sample, kwargs)

        with torch.no_grad():
            evaluate(n_drawn, work, ppe=ppe, batchable=True, row_numel=row_numel(as_tuple(inputs)),
                     device=as_tuple(inputs)[0].device, method=self,
                     show_progress=show_progress)
        data = TensorDataset(interp_all.float().cpu(), outputs, weights)
        self.interpretable_model.fit(DataLoader(data, batch_size=n_drawn))
        return self.interpretable_model.representation()

    def _draw(self, inputs: Any, n_samples: int, kwargs: dict) -> Tuple[List[Tensor], Optional[List[Any]]]:
        """All samples, before any forward pass: interpretable ones, and model inputs when
        sampling in the input space."""
        generator = self.perturb_func(inputs, **kwargs) if inspect.isgeneratorfunction(
            self.perturb_func) else None
        interp, model_inputs = [], []
        for _ in range(n_samples):
            try:
                sample = next(generator) if generator is not None else self.perturb_func(inputs, **kwargs)
            except StopIteration:
                warnings.warn("the perturbation generator ended before `n_samples` samples",
                              stacklevel=3)
                break
            if self.perturb_interpretable_space:
                interp.append(sample)
            else:
                model_inputs.append(sample)
                interp.append(self.to_interp_rep_transform(sample, inputs, **kwargs))
        if not interp:
            raise ValueError("the perturbation function produced no samples")
        return interp, None if self.perturb_interpretable_space else model_inputs

    def _model_inputs(self, z: Tensor, interp: List[Tensor], model_inputs: Optional[List[Any]],
                      start: int, stop: int, inputs: Any, kwargs: dict) -> Any:
        if model_inputs is not None:
            return _cat_samples(model_inputs[start:stop])
        batched = getattr(self.from_interp_rep_transform, "batched", None)
        if batched is not None:
            result = batched(z, inputs, **kwargs)
            return result if is_tuple(inputs) else result[0]
        return _cat_samples([self.from_interp_rep_transform(s, inputs, **kwargs) for s in interp])

    def _similarities(self, inputs: Any, batch: Any, z: Tensor, interp: List[Tensor],
                      rows: int, kwargs: dict) -> Tensor:
        batched = getattr(self.similarity_func, "batched", None)
        if batched is not None:
            return batched(inputs, batch, z, **kwargs).reshape(-1).float().cpu()
        values = [self.similarity_func(inputs, _row_slice(batch, j * rows, (j + 1) * rows),
                                       sample, **kwargs) for j, sample in enumerate(interp)]
        return torch.tensor([float(v) for v in values])


def _default_surrogate() -> Model:
    """Captum 0.9's default, ``SkLearnLasso(alpha=0.01)``; without scikit-learn the same
    objective solved in torch."""
    try:
        sklearn = importlib.util.find_spec("sklearn")
    except (ImportError, ValueError):
        sklearn = None
    return SkLearnLasso(alpha=0.01) if sklearn is not None else TorchLasso(alpha=0.01)


def construct_feature_mask(feature_mask: Any, inputs: Tuple[Tensor, ...]) -> Tuple[Tuple[Tensor, ...], int]:
    """Masks whose ids are shifted to start at 0 (with a warning, as Captum) and must then be
    consecutive; returns them and the number of interpretable features."""
    if feature_mask is not None:
        masks = as_tuple(feature_mask, "feature_mask")
        lowest = min(int(m.min()) for m in masks if m.numel())
        if lowest != 0 and not any(m.is_floating_point() or m.dtype is torch.bool for m in masks):
            warnings.warn("the smallest feature id is not 0; shifting the ids to start at 0",
                          stacklevel=3)
            feature_mask = tuple(m - lowest for m in masks)
    masks = format_feature_mask(feature_mask, inputs, contiguous=True)
    present = [int(m.max()) for m in masks if m.numel()]  # empty input tensors hold no features
    if not present:
        raise ValueError("the inputs hold no features to attribute to (every input tensor is empty)")
    return masks, max(present) + 1


def _select_example(arg: Any, index: int, n: int) -> Any:
    """Example `index` of each per-example tensor or list in `arg` (others unchanged)."""
    if arg is None:
        return None

    def one(a: Any) -> Any:
        if isinstance(a, (Tensor, list)) and (not isinstance(a, Tensor) or a.dim() > 0) and len(a) == n:
            return a[index:index + 1]
        return a

    return tuple(one(a) for a in arg) if isinstance(arg, tuple) else one(arg)


def surrogate_params(samples_help: str) -> Tuple[Param, ...]:
    """The user-settable arguments of Lime and of KernelShap (which differ in the help only)."""
    return (Param("n_samples", "int", 25, minimum=1, maximum=100000, help=samples_help),
            PPE_PARAM,
            Param("return_input_shape", "bool", True,
                  help="Attributions shaped like the inputs rather than one per feature."))


@register("perturbation", params=surrogate_params("Perturbed samples the surrogate is fitted on."),
          baselines="optional", stochastic=True, progress=True)
class Lime(LimeBase):
    """LIME with binary interpretable features given by `feature_mask` (features absent in a
    sample take the baseline). Defaults as Captum 0.9: ``SkLearnLasso(alpha=0.01)`` (the
    torch equivalent :class:`TorchLasso` without scikit-learn), an exponential cosine kernel,
    and each feature kept with probability 1/2. One surrogate per example; one for the whole
    batch when the model returns one value per batch."""

    def __init__(self, forward_func: Callable[..., Any], interpretable_model: Optional[Model] = None,
                 similarity_func: Optional[Callable[..., Any]] = None,
                 perturb_func: Optional[Callable[..., Any]] = None) -> None:
        super().__init__(
            forward_func,
            interpretable_model if interpretable_model is not None else _default_surrogate(),
            similarity_func if similarity_func is not None else get_exp_kernel_similarity_function(),
            perturb_func if perturb_func is not None else default_perturb_func,
            True, default_from_interp_rep_transform, None)

    def attribute(self, inputs, baselines=None, target=None,
                  additional_forward_args: Optional[object] = None, feature_mask=None,
                  n_samples: int = 25, perturbations_per_eval: Any = "auto",
                  return_input_shape: bool = True, show_progress: bool = False, **kwargs: Any):
        if "n_perturb_samples" in kwargs:
            warnings.warn("`n_perturb_samples` is deprecated; use `n_samples`",
                          DeprecationWarning, stacklevel=2)
            n_samples = kwargs.pop("n_perturb_samples")
        return self._attribute_kwargs(inputs, baselines, target, additional_forward_args,
                                      feature_mask, n_samples, perturbations_per_eval,
                                      return_input_shape, show_progress, **kwargs)

    def _attribute_kwargs(self, inputs, baselines, target, additional_forward_args, feature_mask,
                          n_samples, perturbations_per_eval, return_input_shape, show_progress,
                          **kwargs: Any):
        was_tuple = is_tuple(inputs)
        inputs_t = as_tuple(inputs)
        n = inputs_t[0].shape[0]
        baselines_t = broadcast_baselines(inputs_t, format_baselines(baselines, inputs_t))
        validate_target(target, n)
        ppe = parse_ppe(perturbations_per_eval)
        masks, n_feat = construct_feature_mask(feature_mask, inputs_t)
        if n_feat > 10000:
            warnings.warn(f"fitting a surrogate with {n_feat} features can be slow; group "
                          "features with `feature_mask`", stacklevel=3)
        args = format_additional_args(additional_forward_args)

        def fit(inps, tgt, add_args, bases, fmasks, ppe_here, show=False):
            return LimeBase.attribute(
                self, inps if was_tuple else inps[0], target=tgt, additional_forward_args=add_args,
                n_samples=n_samples, perturbations_per_eval=ppe_here, show_progress=show,
                baselines=bases if was_tuple else bases[0],
                feature_mask=fmasks if was_tuple else fmasks[0], num_interp_features=n_feat, **kwargs)

        def shaped(coefs: Tensor, inps: Tuple[Tensor, ...], fmasks: Tuple[Tensor, ...]) -> Tuple[Tensor, ...]:
            flat = coefs.reshape(-1).float()
            return tuple(flat.to(m.device)[m[0:1]].expand(1, *inp.shape[1:]).contiguous()
                         for m, inp in zip(fmasks, inps))

        if n > 1:
            test = forward(self.forward_func, inputs_t, target, args)
            if test.numel() == n:
                results = []
                with task(n, progress_label(self), show_progress) as progress:
                    for i in range(n):
                        pick = lambda a: _select_example(a, i, n)  # noqa: E731
                        inps = tuple(t[i:i + 1] for t in inputs_t)
                        fmasks = tuple(m[i:i + 1] if m.shape[0] == n else m for m in masks)
                        with progress.step(1):
                            coefs = fit(inps, take_target(target, torch.tensor([i])), pick(args),
                                        pick(baselines_t), fmasks, ppe)
                        results.append(shaped(coefs, inps, fmasks) if return_input_shape
                                       else (coefs.reshape(1, -1),))
                out = tuple(torch.cat(parts) for parts in zip(*results))
                return format_output(was_tuple, out) if return_input_shape else out[0]
            if test.numel() != 1:
                raise ValueError(f"the model returned {test.numel()} values for {n} examples; "
                                 "LIME needs one value per example (use `target`) or one per batch")
            if ppe is not None and ppe > 1:
                raise ValueError("`perturbations_per_eval` must be 1 when the model returns one "
                                 "value per batch")
            ppe = 1
        coefs = fit(inputs_t, target, args, baselines_t, masks, ppe, show_progress)
        if not return_input_shape:
            return coefs
        return format_output(was_tuple, shaped(coefs, inputs_t, masks))
