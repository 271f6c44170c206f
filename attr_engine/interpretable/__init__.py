"""Interpretable inputs and embeddings: attribute to features people understand."""

from .baselines import ProductBaselines
from .embeddings import (
    InterpretableEmbeddingBase,
    TokenReferenceBase,
    configure_interpretable_embedding_layer,
    remove_interpretable_embedding_layer,
)
from .inputs import InterpretableInput, TextTemplateInput, TextTokenInput
from .llm import LLMAttribution, LLMAttributionResult, LLMGradientAttribution

__all__ = [
    "InterpretableEmbeddingBase",
    "InterpretableInput",
    "LLMAttribution",
    "LLMAttributionResult",
    "LLMGradientAttribution",
    "ProductBaselines",
    "TextTemplateInput",
    "TextTokenInput",
    "TokenReferenceBase",
    "configure_interpretable_embedding_layer",
    "remove_interpretable_embedding_layer",
]
