"""Attribution for language models served elsewhere: a :class:`RemoteLLMProvider` returns
the log-probabilities of a target text after a prompt (as vLLM's completions API does), and
:class:`RemoteLLMAttribution` runs a perturbation method on them. Names and arguments as in
Captum 0.9.
"""

from __future__ import annotations

import logging
import os
from abc import ABC, abstractmethod
from typing import Any, List, Optional, Union

import torch
from torch import Tensor

from .inputs import InterpretableInput
from .llm import DEFAULT_GEN_ARGS, LLMAttribution

logger = logging.getLogger(__name__)


class RemoteLLMProvider(ABC):
    """A language model behind an API that can generate text and score a target text."""

    api_url: str

    @abstractmethod
    def generate(self, prompt: str, **gen_args: Any) -> str:
        """The text the model generates after `prompt`."""

    @abstractmethod
    def get_logprobs(self, input_prompt: str, target_str: str,
                     tokenizer: Optional[Any] = None) -> List[float]:
        """The log-probability of each of the target's tokens after the prompt (one per token
        of `target_str` under `tokenizer`)."""


class VLLMProvider(RemoteLLMProvider):
    """A model served by vLLM's OpenAI-compatible API (the ``openai`` client package is
    needed; ``OPENAI_API_KEY`` is used when set). Without `model_name`, the server's first
    model is used."""

    model_name: str

    def __init__(self, api_url: str, model_name: Optional[str] = None) -> None:
        try:
            from openai import OpenAI
        except ImportError:
            raise ImportError("VLLMProvider needs the 'openai' client package: "
                              "pip install openai") from None
        if not isinstance(api_url, str) or not api_url.strip():
            raise ValueError("`api_url` is required, e.g. 'http://localhost:8000/v1'")
        self.api_url = api_url
        self.client = OpenAI(base_url=api_url, api_key=os.getenv("OPENAI_API_KEY", "EMPTY"))
        if model_name is None:
            models = self.client.models.list().data
            if not models:
                raise ValueError(f"the vLLM server at {api_url} lists no models")
            model_name = models[0].id
            logger.info("VLLMProvider: no model_name given, using %s", model_name)
        self.model_name = model_name

    def generate(self, prompt: str, **gen_args: Any) -> str:
        """``max_new_tokens`` (default 25) becomes the API's ``max_tokens``; ``do_sample`` is
        dropped (the API samples by temperature)."""
        args = dict(gen_args)
        args.setdefault("max_tokens", args.pop("max_new_tokens", 25))
        args.pop("do_sample", None)
        response = self.client.completions.create(model=self.model_name, prompt=prompt, **args)
        if not getattr(response, "choices", None):
            raise KeyError("the vLLM response has no 'choices'")
        return response.choices[0].text

    def get_logprobs(self, input_prompt: str, target_str: str,
                     tokenizer: Optional[Any] = None) -> List[float]:
        """Scores prompt + target in one request (``prompt_logprobs``) and keeps the last
        ``len(tokenizer.encode(target_str))`` positions."""
        if tokenizer is None:
            raise ValueError("`tokenizer` is required to count the target's tokens")
        if not target_str:
            raise ValueError("`target_str` must not be empty")
        n_target = len(tokenizer.encode(target_str, add_special_tokens=False))
        response = self.client.completions.create(
            model=self.model_name, prompt=input_prompt + target_str, temperature=0.0,
            max_tokens=1, extra_body={"prompt_logprobs": 0})
        if not getattr(response, "choices", None):
            raise KeyError("the vLLM response has no 'choices'")
        scored = getattr(response.choices[0], "prompt_logprobs", None)
        if not scored:
            raise KeyError("the vLLM response has no 'prompt_logprobs'")
        values = []
        for position in scored[-n_target:]:
            if not position or len(position) != 1:
                raise ValueError(f"expected one scored token per position, got {position!r}")
            values.append(float(next(iter(position.values()))["logprob"]))
        if len(values) != n_target:
            raise ValueError(f"the server scored {len(values)} target tokens, expected {n_target}")
        return values


class _PlaceholderModel:
    """Stands in for the model in the perturbation method a RemoteLLMAttribution wraps:
    ``FeatureAblation(RemoteLLMAttribution.placeholder_model)``."""

    def __init__(self) -> None:
        self.device = torch.device("cpu")

    def __call__(self, *args: Any, **kwargs: Any) -> int:
        return 0


class RemoteLLMAttribution(LLMAttribution):
    """LLMAttribution whose log-probabilities come from a :class:`RemoteLLMProvider`; the
    perturbation method is built on :attr:`placeholder_model` (or any callable)."""

    placeholder_model = _PlaceholderModel()

    def __init__(self, attr_method: Any, tokenizer: Any, provider: RemoteLLMProvider,
                 attr_target: str = "log_prob") -> None:
        if not isinstance(provider, RemoteLLMProvider):
            raise TypeError(f"`provider` must be a RemoteLLMProvider, got {type(provider).__name__}")
        super().__init__(attr_method, tokenizer, attr_target)
        self.provider = provider
        self.attr_method.forward_func = self._remote_forward

    def _check_model(self) -> None:
        """The model is remote: the method's forward function is only a placeholder."""

    def _prompt(self, model_input: Union[str, Tensor]) -> str:
        return self.tokenizer.decode(model_input.flatten()) if isinstance(model_input, Tensor) \
            else model_input

    def _target_tokens(self, inp: InterpretableInput, target, gen_args) -> Tensor:
        if target is not None:
            return super()._target_tokens(inp, target, gen_args)
        if not isinstance(inp, self.SUPPORTED_INPUTS):
            raise TypeError(f"{type(self).__name__} does not support inputs of type {type(inp).__name__}")
        text = self.provider.generate(self._prompt(inp.to_model_input()), **(gen_args or DEFAULT_GEN_ARGS))
        return self.tokenizer.encode(text, return_tensors="pt", add_special_tokens=False)[0]

    def _remote_forward(self, perturbed: Tensor, inp: InterpretableInput, target_ids: List[int],
                        use_cached_outputs: bool = False, forward_in_tokens: bool = False) -> Tensor:
        """One row per perturbed prompt, as :meth:`LLMAttribution._forward` (the provider
        scores the whole target in one request whatever `forward_in_tokens` says)."""
        target = torch.tensor(target_ids)
        target_str = self.tokenizer.decode(target)
        rows = []
        for row in perturbed.split(1):
            scores = self.provider.get_logprobs(input_prompt=self._prompt(inp.to_model_input(row)),
                                                target_str=target_str, tokenizer=self.tokenizer)
            if len(scores) != len(target_ids):
                raise ValueError(f"the provider returned {len(scores)} log-probabilities for "
                                 f"{len(target_ids)} target tokens")
            rows.append(self._row(torch.tensor(scores, dtype=torch.float)))
        values = torch.stack(rows).to(perturbed.device)
        return values if self.attr_target == "log_prob" else torch.exp(values)


__all__ = ["RemoteLLMAttribution", "RemoteLLMProvider", "VLLMProvider"]
