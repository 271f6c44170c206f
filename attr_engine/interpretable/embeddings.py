"""Interpretable embeddings: attribute to embedding vectors instead of token indices.

An embedding layer is swapped for a pass-through module, so the model takes embedding
vectors as input (computed with :meth:`InterpretableEmbeddingBase.indices_to_embeddings`),
and any input-attribution method can attribute to their dimensions. Put the original layer
back with :func:`remove_interpretable_embedding_layer` when done.
"""

from __future__ import annotations

import warnings
from typing import Any, Optional

import torch
from torch import Tensor
from torch.nn import Module

from ..layer.layers import get_layer


class InterpretableEmbeddingBase(Module):
    """Stands in for an embedding layer and returns its (embedding vector) input unchanged."""

    def __init__(self, embedding: Module, full_name: str) -> None:
        super().__init__()
        self.num_embeddings = getattr(embedding, "num_embeddings", None)
        self.embedding_dim = getattr(embedding, "embedding_dim", None)
        self.embedding = embedding
        self.full_name = full_name

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        if inputs:
            return inputs[0]
        if kwargs:
            return next(iter(kwargs.values()))
        raise ValueError("InterpretableEmbeddingBase needs the embedding tensor as its first argument")

    def indices_to_embeddings(self, *inputs: Any, **kwargs: Any) -> Tensor:
        """The wrapped embedding layer's output for token indices."""
        return self.embedding(*inputs, **kwargs)


class TokenReferenceBase:
    """Reference (baseline) token sequences made of one token, e.g. padding."""

    def __init__(self, reference_token_idx: int = 0) -> None:
        self.reference_token_idx = reference_token_idx

    def generate_reference(self, sequence_length: int, device: Optional[torch.device] = None) -> Tensor:
        return torch.tensor([self.reference_token_idx] * sequence_length, device=device)


def _set_layer(model: Module, name: str, value: Module) -> None:
    parent, _, child = name.rpartition(".")
    setattr(get_layer(model, parent) if parent else model, child, value)


def configure_interpretable_embedding_layer(model: Module, embedding_layer_name: str = "embedding"
                                            ) -> InterpretableEmbeddingBase:
    """Replace the layer at the dotted name by an :class:`InterpretableEmbeddingBase`."""
    layer = get_layer(model, embedding_layer_name)
    if isinstance(layer, InterpretableEmbeddingBase):
        raise ValueError(f"layer {embedding_layer_name!r} is already an interpretable embedding")
    warnings.warn(f"The embedding layer {embedding_layer_name!r} is replaced by an interpretable "
                  "embedding that takes embedding vectors; call remove_interpretable_embedding_layer "
                  "when done to restore it.", stacklevel=2)
    interpretable = InterpretableEmbeddingBase(layer, embedding_layer_name)
    _set_layer(model, embedding_layer_name, interpretable)
    return interpretable


def remove_interpretable_embedding_layer(model: Module, interpretable_emb: InterpretableEmbeddingBase) -> None:
    """Put the original embedding layer back."""
    if not isinstance(interpretable_emb, InterpretableEmbeddingBase):
        raise TypeError("`interpretable_emb` must be the object configure_interpretable_embedding_layer "
                        f"returned, got {type(interpretable_emb).__name__}")
    _set_layer(model, interpretable_emb.full_name, interpretable_emb.embedding)
