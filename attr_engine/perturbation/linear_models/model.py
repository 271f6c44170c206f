"""The surrogate-model interface LIME fits, and a linear model that implements it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Callable, Dict, Optional, Tuple, Union

import torch
from torch import Tensor, nn
from torch.utils.data import DataLoader

NORMS = (None, "batch_norm", "layer_norm")


class Model(ABC):
    """A trainable interpretable model: ``fit`` on batched ``(x, y)`` or ``(x, y, w)``
    data, then ``representation`` describes it (for a linear model, its weights)."""

    @abstractmethod
    def fit(self, train_data: DataLoader, **kwargs: Any) -> Optional[Dict[str, Union[int, float, Tensor]]]:
        """Train on `train_data`; may return training statistics."""

    @abstractmethod
    def representation(self) -> Tensor:
        """A tensor describing the trained model."""


def collect(train_data: DataLoader) -> Tuple[Tensor, Tensor, Optional[Tensor]]:
    """All of a data loader's ``(x, y[, w])`` batches as single tensors."""
    xs, ys, ws = [], [], []
    for batch in train_data:
        if len(batch) not in (2, 3):
            raise ValueError(f"training batches must be (x, y) or (x, y, w), got {len(batch)} items")
        xs.append(batch[0])
        ys.append(batch[1])
        if len(batch) == 3:
            ws.append(batch[2])
    if not xs:
        raise ValueError("`train_data` is empty")
    return torch.cat(xs), torch.cat(ys), torch.cat(ws) if ws else None


class LinearModel(nn.Module, Model):
    """``y = linear(norm(x))``, trained by the function given as `train_fn`
    (called as ``train_fn(model, dataloader=..., construct_kwargs=..., **fit_kwargs)``)."""

    SUPPORTED_NORMS = NORMS

    def __init__(self, train_fn: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__()
        self.norm: Optional[nn.Module] = None
        self.linear: Optional[nn.Linear] = None
        self.train_fn = train_fn
        self.construct_kwargs = kwargs

    def _construct_model_params(self, in_features: Optional[int] = None,
                                out_features: Optional[int] = None, norm_type: Optional[str] = None,
                                affine_norm: bool = False, bias: bool = True,
                                weight_values: Optional[Tensor] = None,
                                bias_value: Optional[Tensor] = None,
                                classes: Optional[Tensor] = None) -> None:
        """Create the layers, from sizes or from given weights (``(out, in)`` or ``(in,)``)."""
        if norm_type not in NORMS:
            raise ValueError(f"`norm_type` must be one of {NORMS}, got {norm_type!r}")
        if weight_values is not None:
            in_features = weight_values.shape[-1]
            out_features = 1 if weight_values.dim() == 1 else weight_values.shape[0]
        if in_features is None or out_features is None:
            raise ValueError("give `in_features` and `out_features`, or `weight_values`")
        if norm_type == "batch_norm":
            self.norm = nn.BatchNorm1d(in_features, eps=1e-8, affine=affine_norm)
        elif norm_type == "layer_norm":
            self.norm = nn.LayerNorm(in_features, eps=1e-8, elementwise_affine=affine_norm)
        else:
            self.norm = None
        self.linear = nn.Linear(in_features, out_features, bias=bias)
        if weight_values is not None:
            self.linear.weight.data = weight_values.reshape(out_features, in_features)
        if bias_value is not None:
            if not bias:
                raise ValueError("`bias_value` given but `bias` is False")
            self.linear.bias.data = bias_value.reshape(out_features)
        self.linear.classes = classes

    def fit(self, train_data: DataLoader, **kwargs: Any):
        return self.train_fn(self, dataloader=train_data, construct_kwargs=self.construct_kwargs,
                             **kwargs)

    def forward(self, x: Tensor) -> Tensor:
        self._check_fitted()
        if self.norm is not None:
            x = self.norm(x)
        return self.linear(x)

    def representation(self) -> Tensor:
        """The weights, shape (out_features, in_features)."""
        self._check_fitted()
        return self.linear.weight.detach()

    def bias(self) -> Optional[Tensor]:
        if self.linear is None or self.linear.bias is None:
            return None
        return self.linear.bias.detach()

    def classes(self) -> Optional[Tensor]:
        if self.linear is None or getattr(self.linear, "classes", None) is None:
            return None
        return self.linear.classes.detach()

    def _check_fitted(self) -> None:
        if self.linear is None:
            raise RuntimeError("the model has not been fitted yet; call `fit` first")
