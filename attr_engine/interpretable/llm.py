"""Attribution for language models over interpretable inputs (``LLMAttribution`` for
perturbation methods, ``LLMGradientAttribution`` for layer-gradient methods).

The attributed quantity is the (log) probability of a target continuation given the prompt.
Perturbation methods switch interpretable features of the prompt off (template slots or
tokens) and watch that quantity; FeatureAblation and the Shapley methods also attribute each
target token separately. The model is called as ``model(input_ids=..., attention_mask=...)``
and must return an object with ``.logits`` (as Hugging Face causal LMs do).
"""

from __future__ import annotations

from copy import copy
from typing import Any, Dict, List, Optional, Union

import torch
from torch import Tensor, nn

from ..layer import LayerGradientShap, LayerGradientXActivation, LayerIntegratedGradients
from ..perturbation import FeatureAblation, KernelShap, Lime, ShapleyValues, ShapleyValueSampling
from .inputs import ImageMaskInput, InterpretableInput, TextTemplateInput, TextTokenInput
from .tokens import pretty_tokens

DEFAULT_GEN_ARGS: Dict[str, Any] = {"max_new_tokens": 25, "do_sample": False, "temperature": None, "top_p": None}


class LLMAttributionResult:
    """Attributions of a prompt's features: to the whole target (``seq_attr``, one value per
    input feature) and, where computed, to each target token (``token_attr``)."""

    def __init__(self, *, input_tokens: List[str], output_tokens: List[str], seq_attr: Any,
                 token_attr: Any = None, output_probs: Any = None,
                 inp: Optional[InterpretableInput] = None) -> None:
        self.input_tokens = input_tokens
        self.output_tokens = output_tokens
        self.seq_attr = torch.as_tensor(seq_attr)
        self.token_attr = None if token_attr is None else torch.as_tensor(token_attr)
        self.output_probs = None if output_probs is None else torch.as_tensor(output_probs)
        self.inp = inp
        if self.seq_attr.dim() != 1 or self.seq_attr.shape[0] != len(input_tokens):
            raise ValueError(f"`seq_attr` must have one value per input token ({len(input_tokens)}), "
                             f"got shape {tuple(self.seq_attr.shape)}")
        if self.token_attr is not None and self.token_attr.shape != (len(output_tokens), len(input_tokens)):
            raise ValueError(f"`token_attr` must have shape ({len(output_tokens)}, {len(input_tokens)}), "
                             f"got {tuple(self.token_attr.shape)}")

    @property
    def seq_attr_dict(self) -> Dict[str, float]:
        return dict(zip(self.input_tokens, self.seq_attr.cpu().tolist()))


def _model_device(model: Any) -> torch.device:
    device = getattr(model, "device", None)
    if isinstance(device, (torch.device, str)):
        return torch.device(device)
    return next(model.parameters()).device


class _LLMBase:
    SUPPORTED_METHODS: tuple = ()
    SUPPORTED_INPUTS: tuple = ()

    def __init__(self, attr_method: Any, tokenizer: Any) -> None:
        if not isinstance(attr_method, self.SUPPORTED_METHODS):
            names = ", ".join(m.__name__ for m in self.SUPPORTED_METHODS)
            raise TypeError(f"{type(self).__name__} supports {names}; got {type(attr_method).__name__}")
        self.model: nn.Module = attr_method.forward_func
        self._check_model()
        self.tokenizer = tokenizer
        self.device = _model_device(self.model)

    def _check_model(self) -> None:
        if not isinstance(self.model, nn.Module):
            raise TypeError("the attribution method's forward function must be the language model (an nn.Module)")

    def _target_tokens(self, inp: InterpretableInput, target, gen_args) -> Tensor:
        if not isinstance(inp, self.SUPPORTED_INPUTS):
            raise TypeError(f"{type(self).__name__} does not support inputs of type {type(inp).__name__}")
        if target is None:
            generate = getattr(self.model, "generate", None)
            if not callable(generate):
                raise ValueError("`target` is required: the model has no `generate` method to produce one")
            model_inp = self._model_input(inp.to_model_input())
            output = generate(**model_inp, **(gen_args or DEFAULT_GEN_ARGS))
            return output[0][model_inp["input_ids"].shape[1]:]
        if gen_args is not None:
            raise ValueError("`gen_args` is only used when no `target` is given")
        if isinstance(target, str):
            return torch.tensor(self.tokenizer.encode(target, add_special_tokens=False))
        if isinstance(target, Tensor):
            return target
        raise TypeError(f"`target` must be a string or a tensor of token ids, got {type(target).__name__}")

    def _model_input(self, model_input: Any) -> Dict[str, Any]:
        if isinstance(model_input, str):
            model_input = self.tokenizer.encode(model_input, return_tensors="pt")
        if isinstance(model_input, Tensor):
            return {"input_ids": model_input.to(self.device)}
        if isinstance(model_input, dict):
            return dict(model_input)
        raise TypeError(f"the interpretable input produced {type(model_input).__name__}; expected text, "
                        "token ids or a dict of model inputs")

    def _pretty(self, ids: Tensor) -> List[str]:
        return pretty_tokens(ids, self.tokenizer)


class LLMAttribution(_LLMBase):
    """A perturbation method (FeatureAblation, ShapleyValueSampling, ShapleyValues, Lime,
    KernelShap) applied to a language model's probability of a target text."""

    SUPPORTED_METHODS = (FeatureAblation, ShapleyValueSampling, ShapleyValues, Lime, KernelShap)
    PER_TOKEN_METHODS = (FeatureAblation, ShapleyValueSampling, ShapleyValues)
    SUPPORTED_INPUTS = (TextTemplateInput, TextTokenInput, ImageMaskInput)

    def __init__(self, attr_method: Any, tokenizer: Any, attr_target: str = "log_prob") -> None:
        super().__init__(attr_method, tokenizer)
        if attr_target not in ("log_prob", "prob"):
            raise ValueError(f"`attr_target` must be 'log_prob' or 'prob', got {attr_target!r}")
        self.attr_target = attr_target
        self.include_per_token_attr = isinstance(attr_method, self.PER_TOKEN_METHODS)
        self.attr_method = copy(attr_method)
        self.attr_method.forward_func = self._forward

    def _log_probs(self, model_input: Dict[str, Any], target_tokens: Tensor, forward_in_tokens: bool) -> Tensor:
        """Log-probability of each target token after the prompt (and the target tokens before
        it); model inputs besides the token ids (an image's pixels) pass through."""
        input_ids = model_input["input_ids"]
        target = target_tokens.to(input_ids.device)
        if forward_in_tokens:  # one token at a time, as generation would see it
            values, ids = [], input_ids
            for token in target:
                logits = self.model.forward(**{**model_input, "input_ids": ids,
                                               "attention_mask": torch.ones_like(ids)},
                                            use_cache=False).logits
                logits = logits[:, 0] if logits.dim() == 4 else logits
                values.append(torch.log_softmax(logits[:, -1], dim=1)[0, token])
                ids = torch.cat([ids, token.view(1, 1)], dim=1)
            return torch.stack(values).detach()
        combined = torch.cat([input_ids, target.unsqueeze(0)], dim=1)
        logits = self.model.forward(**{**model_input, "input_ids": combined,
                                       "attention_mask": torch.ones_like(combined)}).logits
        logits = logits[:, 0] if logits.dim() == 4 else logits
        n = input_ids.shape[1]
        log_probs = torch.log_softmax(logits[:, n - 1:n - 1 + len(target)], dim=2)
        return log_probs[0, torch.arange(len(target)), target].detach()

    def _forward(self, perturbed: Tensor, inp: InterpretableInput, target_ids: List[int],
                 use_cached_outputs: bool = True, forward_in_tokens: bool = True) -> Tensor:
        """One row of values per perturbed row: the total (and, per token) target log-probability.

        The target travels as a list so that batching perturbations never repeats it."""
        target_tokens = torch.tensor(target_ids)
        rows = []
        for row in perturbed.split(1):
            model_input = self._model_input(inp.to_model_input(row))
            rows.append(self._row(self._log_probs(model_input, target_tokens, forward_in_tokens)))
        values = torch.stack(rows)
        return values if self.attr_target == "log_prob" else torch.exp(values)

    def _row(self, per_token: Tensor) -> Tensor:
        """One perturbed prompt's values: the total, then (per-token methods) each token's."""
        total = per_token.sum()
        return torch.cat([total.view(1), per_token]) if self.include_per_token_attr else total

    def attribute(self, inp: InterpretableInput, target: Union[str, Tensor, None] = None, num_trials: int = 1,
                  gen_args: Optional[Dict[str, Any]] = None, use_cached_outputs: bool = True,
                  forward_in_tokens: bool = True, **kwargs: Any) -> LLMAttributionResult:
        """`kwargs` go to the perturbation method (e.g. ``n_samples``, ``perturbations_per_eval``)."""
        if isinstance(num_trials, bool) or not isinstance(num_trials, int) or num_trials < 1:
            raise ValueError(f"`num_trials` must be a positive int, got {num_trials!r}")
        target_tokens = self._target_tokens(inp, target, gen_args)
        rows = 1 + len(target_tokens) if self.include_per_token_attr else 1
        total = torch.zeros(rows, inp.n_itp_features, device=self.device)
        for _ in range(num_trials):
            attr = self.attr_method.attribute(
                inp.to_tensor().to(self.device),
                additional_forward_args=(inp, target_tokens.tolist(), use_cached_outputs, forward_in_tokens),
                **kwargs)
            total += attr.reshape(total.shape)
        attr = inp.format_attr(total / num_trials)
        return LLMAttributionResult(
            seq_attr=attr[0], token_attr=attr[1:] if self.include_per_token_attr else None,
            input_tokens=inp.values, output_tokens=self._pretty(target_tokens), inp=inp)


class _TargetTokenLogProb(nn.Module):
    """The model's log-probability of target token `index`, after the prompt and the target
    tokens before it, for each (perturbed) prompt row."""

    def __init__(self, owner: "LLMGradientAttribution") -> None:
        super().__init__()
        self.owner = owner
        self.model = owner.model

    def forward(self, perturbed: Tensor, inp: InterpretableInput, target_ids: List[int], index: int) -> Tensor:
        target_tokens = torch.tensor(target_ids)
        ids = self.owner._model_input(inp.to_model_input(perturbed))["input_ids"]
        if index:
            before = target_tokens[:index].unsqueeze(0).expand(ids.shape[0], -1).to(ids.device)
            ids = torch.cat([ids, before], dim=1)
        log_probs = torch.log_softmax(self.model(ids).logits[:, -1], dim=1)
        return log_probs[..., target_tokens[index]]


class LLMGradientAttribution(_LLMBase):
    """A layer-gradient method (LayerIntegratedGradients, LayerGradientXActivation,
    LayerGradientShap), usually on the embedding layer, applied to each target token's
    log-probability; attributions are summed over the embedding dimensions."""

    SUPPORTED_METHODS = (LayerIntegratedGradients, LayerGradientXActivation, LayerGradientShap)
    SUPPORTED_INPUTS = (TextTokenInput,)

    def __init__(self, attr_method: Any, tokenizer: Any) -> None:
        super().__init__(attr_method, tokenizer)
        self.attr_method = copy(attr_method)
        self.attr_method.forward_func = _TargetTokenLogProb(self)

    def attribute(self, inp: InterpretableInput, target: Union[str, Tensor, None] = None,
                  gen_args: Optional[Dict[str, Any]] = None, **kwargs: Any) -> LLMAttributionResult:
        target_tokens = self._target_tokens(inp, target, gen_args)
        rows = []
        for index in range(len(target_tokens)):
            attr = self.attr_method.attribute(inp.to_tensor().to(self.device),
                                              additional_forward_args=(inp, target_tokens.tolist(), index),
                                              **kwargs)
            attr = attr.detach()
            if index:
                attr = attr[:, :-index]  # drop the target tokens appended to the prompt
            rows.append(attr.sum(-1))
        attr = torch.cat(rows, dim=0)
        if inp.itp_mask is not None:
            attr = attr[inp.itp_mask.to(attr.device).expand_as(attr)].view(attr.shape[0], -1)
        return LLMAttributionResult(seq_attr=attr.sum(0), token_attr=attr, input_tokens=inp.values,
                                    output_tokens=self._pretty(target_tokens), inp=inp)
