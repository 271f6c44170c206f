"""Kernel SHAP (Lundberg & Lee, 2017): LIME with the Shapley kernel, whose weighted linear
fit estimates Shapley values."""

from __future__ import annotations

import warnings
from typing import Any, Callable, Iterator, Optional

import torch
from torch import Tensor
from torch.distributions import Categorical

from ..core.inputs import as_tuple
from ..core.registry import register
from .lime import Lime, construct_feature_mask, surrogate_params
from .linear_models import TorchLinearRegression

INF_WEIGHT = 1e6  # the weight of the empty and the full coalition (infinite in theory)


def _kernel_batched(original: Any, perturbed: Any, samples: Tensor, **kwargs: Any) -> Tensor:
    size = samples.sum(dim=1)
    edge = (size == 0) | (size == int(kwargs["num_interp_features"]))
    return torch.where(edge, torch.tensor(INF_WEIGHT), torch.tensor(1.0))


def kernel_shap_similarity_kernel(original: Any, perturbed: Any, interpretable_sample: Tensor,
                                  **kwargs: Any) -> Tensor:
    """Similarity of a coalition: sampling already follows the Shapley kernel, so every
    sample weighs 1 except the empty and the full coalition."""
    return _kernel_batched(original, perturbed, interpretable_sample.reshape(1, -1), **kwargs)


kernel_shap_similarity_kernel.batched = _kernel_batched


def kernel_shap_perturb_generator(original_inp: Any, **kwargs: Any) -> Iterator[Tensor]:
    """The full coalition, the empty one, then coalitions whose size is drawn from the
    Shapley kernel (a Categorical draw) and whose members are the largest of F normal draws."""
    device = as_tuple(original_inp)[0].device
    num_features = int(kwargs["num_interp_features"])
    sizes: Categorical = kwargs["num_select_distribution"]
    yield torch.ones(1, num_features, device=device, dtype=torch.long)
    yield torch.zeros(1, num_features, device=device, dtype=torch.long)
    while True:
        chosen = sizes.sample()
        scores = torch.randn(1, num_features)
        threshold = torch.kthvalue(scores, num_features - chosen).values.item()
        yield (scores > threshold).to(device=device).long()


@register("perturbation", params=surrogate_params("Coalitions sampled for the weighted linear fit."),
          baselines="optional", stochastic=True, progress=True)
class KernelShap(Lime):
    """Estimates Shapley values of the features in `feature_mask` by a weighted linear
    regression on sampled coalitions (absent features take the baseline).

    The regression is solved in closed form in torch (:class:`TorchLinearRegression`), the
    answer Captum gets from scikit-learn's ``LinearRegression``."""

    inf_weight = INF_WEIGHT

    def __init__(self, forward_func: Callable[..., Any]) -> None:
        super().__init__(forward_func, interpretable_model=TorchLinearRegression(),
                         similarity_func=kernel_shap_similarity_kernel,
                         perturb_func=kernel_shap_perturb_generator)

    def attribute(self, inputs, baselines=None, target=None,
                  additional_forward_args: Optional[object] = None, feature_mask=None,
                  n_samples: int = 25, perturbations_per_eval: Any = "auto",
                  return_input_shape: bool = True, show_progress: bool = False, **kwargs: Any):
        if "n_perturb_samples" in kwargs:
            warnings.warn("`n_perturb_samples` is deprecated; use `n_samples`",
                          DeprecationWarning, stacklevel=2)
            n_samples = kwargs.pop("n_perturb_samples")
        inputs_t = as_tuple(inputs)
        _, n_feat = construct_feature_mask(feature_mask, inputs_t)
        counts = torch.arange(n_feat, dtype=torch.float)
        probs = torch.tensor(float(n_feat - 1)) / (counts * (n_feat - counts))
        probs[0] = 0.0
        return self._attribute_kwargs(inputs, baselines, target, additional_forward_args,
                                      feature_mask, n_samples, perturbations_per_eval,
                                      return_input_shape, show_progress,
                                      num_select_distribution=Categorical(probs))
