"""LLMAttribution and LLMGradientAttribution on a tiny causal LM trained here, in parity with
captum.attr's classes on the same model and inputs."""

import numpy as np
import pytest
import torch

import attr_engine
import attr_engine.interpretable as ours_interpretable
import captum.attr
from attr_engine.interpretable import LLMAttribution, LLMGradientAttribution, TextTemplateInput, TextTokenInput
from tests.layer.tiny_lm import trained_lm
from tests.parity import assert_same_llm_result


@pytest.fixture(scope="module")
def lm():
    model, tokenizer = trained_lm()
    torch.set_num_threads(1)  # the LM's tiny matrix products are fastest on one thread
    yield model, tokenizer
    torch.set_num_threads(2)


def inputs(lib, tokenizer, kind):
    lib = ours_interpretable if lib is attr_engine else lib
    if kind == "template":
        return lib.TextTemplateInput("{} {} eats", ["the dog", "in the park"], baselines=["a bird", "at home"])
    return lib.TextTokenInput("the dog in the park eats", tokenizer, baselines="<unk>", skip_tokens=["<bos>"])


def both(lm, method, kind, target, init=None, **kwargs):
    model, tokenizer = lm
    results = []
    for lib, llm in ((attr_engine, ours_interpretable), (captum.attr, captum.attr)):
        torch.manual_seed(0)
        np.random.seed(0)
        wrapper = llm.LLMAttribution(getattr(lib, method)(model), tokenizer, **(init or {}))
        results.append(wrapper.attribute(inputs(lib, tokenizer, kind), target=target, **kwargs))
    return results




@pytest.mark.parametrize("kind", ["template", "tokens"])
@pytest.mark.parametrize("method,kwargs", [
    ("FeatureAblation", {}),
    ("ShapleyValueSampling", {"n_samples": 3}),
    ("Lime", {"n_samples": 12}),
    ("KernelShap", {"n_samples": 12}),
])
def test_llm_attribution_parity(lm, kind, method, kwargs):
    ours, theirs = both(lm, method, kind, "meat", use_cached_outputs=False, **kwargs)
    assert_same_llm_result(ours, theirs)


def test_llm_attribution_options(lm):
    model, tokenizer = lm
    target = torch.tensor(tokenizer.encode("meat", add_special_tokens=False))
    assert_same_llm_result(*both(lm, "FeatureAblation", "tokens", target, init={"attr_target": "prob"},
                                 use_cached_outputs=False))
    assert_same_llm_result(*both(lm, "FeatureAblation", "template", "eats meat", forward_in_tokens=False,
                                 use_cached_outputs=False))
    result = both(lm, "FeatureAblation", "template", "meat", use_cached_outputs=False)[0]
    # the subject decides what the dog eats: ablating it costs more than ablating the place
    assert result.seq_attr[0] > result.seq_attr[1]
    assert set(result.seq_attr_dict) == {"the dog", "in the park"}


def test_llm_attribution_generates_the_target_when_none_is_given(lm):
    ours, theirs = both(lm, "FeatureAblation", "template", None, gen_args={"max_new_tokens": 2},
                        use_cached_outputs=False)
    assert len(ours.output_tokens) == 2
    assert_same_llm_result(ours, theirs)


def test_llm_gradient_attribution_parity(lm):
    model, tokenizer = lm
    results = []
    for lib in (attr_engine, captum.attr):
        llm = ours_interpretable if lib is attr_engine else captum.attr
        method = lib.LayerIntegratedGradients(model, model.embedding)
        wrapper = llm.LLMGradientAttribution(method, tokenizer)
        inp = inputs(lib, tokenizer, "tokens")
        results.append(wrapper.attribute(inp, target="eats meat", n_steps=10))
    ours, theirs = results
    assert ours.output_tokens == theirs.output_tokens == ["eats", "meat"]
    assert_same_llm_result(ours, theirs)


class WithoutGenerate(torch.nn.Module):
    def __init__(self, lm):
        super().__init__()
        self.lm = lm

    def forward(self, *args, **kwargs):
        return self.lm(*args, **kwargs)


def test_llm_errors(lm):
    model, tokenizer = lm
    with pytest.raises(TypeError, match="supports"):
        LLMAttribution(attr_engine.IntegratedGradients(model), tokenizer)
    with pytest.raises(ValueError, match="attr_target"):
        LLMAttribution(attr_engine.FeatureAblation(model), tokenizer, attr_target="logit")
    wrapper = LLMAttribution(attr_engine.FeatureAblation(WithoutGenerate(model)), tokenizer)
    with pytest.raises(ValueError, match="`target` is required"):
        wrapper.attribute(TextTemplateInput("{}", ["the dog"]))
    with pytest.raises(TypeError, match="does not support"):
        LLMGradientAttribution(attr_engine.LayerIntegratedGradients(model, model.embedding), tokenizer).attribute(
            TextTemplateInput("{}", ["the dog"]), target="eats")
    assert isinstance(TextTokenInput("the dog", tokenizer).to_tensor(), torch.Tensor)
