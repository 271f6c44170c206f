"""Interpretable inputs and embeddings: attribute to features people understand."""

from .baselines import ProductBaselines
from .embeddings import (
    InterpretableEmbeddingBase,
    TokenReferenceBase,
    configure_interpretable_embedding_layer,
    remove_interpretable_embedding_layer,
)
from .inputs import ImageMaskInput, InterpretableInput, TextTemplateInput, TextTokenInput
from .llm import LLMAttribution, LLMAttributionResult, LLMGradientAttribution
from .remote import RemoteLLMAttribution, RemoteLLMProvider, VLLMProvider

__all__ = [
    "ImageMaskInput",
    "InterpretableEmbeddingBase",
    "InterpretableInput",
    "LLMAttribution",
    "LLMAttributionResult",
    "LLMGradientAttribution",
    "ProductBaselines",
    "RemoteLLMAttribution",
    "RemoteLLMProvider",
    "TextTemplateInput",
    "TextTokenInput",
    "TokenReferenceBase",
    "VLLMProvider",
    "configure_interpretable_embedding_layer",
    "remove_interpretable_embedding_layer",
]
