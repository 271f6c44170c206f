"""LLM attribution as Captum 0.9 users call it (issue 19, item 7): a tokenizer that follows
Captum's protocol only (``decode`` takes a tensor), remote models behind a provider (a fake
one here, no network), the vLLM provider's client handling, and images as inputs."""

import sys
import types
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from PIL import Image

import attr_engine
import attr_engine.interpretable as ours
import captum.attr
from captum.attr._core import remote_provider as captum_remote
from tests.layer.tiny_lm import WordTokenizer, trained_lm
from tests.parity import assert_same_llm_result


class ProtocolTokenizer(WordTokenizer):
    """Captum's TokenizerLike and nothing more: ``decode`` refuses anything but a tensor."""

    def decode(self, ids):
        if not isinstance(ids, torch.Tensor):
            raise TypeError(f"decode takes a tensor, got {type(ids).__name__}")
        return super().decode(ids)


@pytest.fixture(scope="module")
def lm():
    model, tokenizer = trained_lm()
    protocol = ProtocolTokenizer([])
    protocol.vocab, protocol.ids = tokenizer.vocab, tokenizer.ids
    torch.set_num_threads(1)
    yield model, protocol
    torch.set_num_threads(2)


def token_input(lib, tokenizer):
    return lib.TextTokenInput("the dog in the park eats", tokenizer, baselines="<unk>", skip_tokens=["<bos>"])


def template_input(lib, tokenizer):
    return lib.TextTemplateInput("{} {} eats", ["the dog", "in the park"], baselines=["a bird", "at home"])




@pytest.mark.parametrize("method", ["FeatureAblation", "KernelShap"])
@pytest.mark.parametrize("make_input", [token_input, template_input])
def test_protocol_tokenizer_matches_captum(lm, method, make_input):
    model, tokenizer = lm
    results = []
    for lib, llm in ((attr_engine, ours), (captum.attr, captum.attr)):
        torch.manual_seed(0)
        wrapper = llm.LLMAttribution(getattr(lib, method)(model), tokenizer)
        results.append(wrapper.attribute(make_input(llm, tokenizer), target="eats meat",
                                         use_cached_outputs=False,
                                         **({"n_samples": 8} if method == "KernelShap" else {})))
    assert_same_llm_result(*results)
    assert results[0].output_tokens == ["eats", "meat"]


def test_pretty_tokens_without_offsets_decode_one_tensor_at_a_time():
    class NoOffsets(ProtocolTokenizer):
        __call__ = None

    tokenizer = NoOffsets(["the cat eats fish"])
    ids = torch.tensor(tokenizer.encode("cat eats", add_special_tokens=False))
    from attr_engine.interpretable.tokens import pretty_tokens

    assert pretty_tokens(ids, tokenizer) == ["cat", "eats"]


# --- remote models -------------------------------------------------------------------------

class LocalProvider(ours.RemoteLLMProvider, captum_remote.RemoteLLMProvider):
    """A fake remote provider: scores with the tiny LM in this process and logs its calls."""

    api_url = "local://tiny-lm"

    def __init__(self, model, tokenizer):
        self.model, self.tokenizer, self.calls = model, tokenizer, []

    def generate(self, prompt, **gen_args):
        self.calls.append(("generate", prompt, gen_args))
        ids = self.tokenizer.encode(prompt, return_tensors="pt")
        out = self.model.generate(ids, max_new_tokens=2)
        return self.tokenizer.decode(out[0, ids.shape[1]:])

    def get_logprobs(self, input_prompt, target_str, tokenizer=None):
        self.calls.append(("logprobs", input_prompt, target_str))
        prompt = tokenizer.encode(input_prompt, return_tensors="pt")
        target = torch.tensor(tokenizer.encode(target_str, add_special_tokens=False))
        with torch.no_grad():
            logits = self.model(torch.cat([prompt, target.unsqueeze(0)], 1)).logits
        log_probs = torch.log_softmax(logits[0, prompt.shape[1] - 1:-1], -1)
        return log_probs[torch.arange(len(target)), target].tolist()


@pytest.mark.parametrize("method,make_input,attr_target", [
    ("FeatureAblation", token_input, "log_prob"),
    ("FeatureAblation", template_input, "prob"),
    ("ShapleyValues", template_input, "log_prob"),
    ("Lime", token_input, "log_prob"),
])
def test_remote_attribution_matches_captum(lm, method, make_input, attr_target):
    model, tokenizer = lm
    results = []
    for lib, llm in ((attr_engine, ours), (captum.attr, captum.attr)):
        torch.manual_seed(0)
        attr_method = getattr(lib, method)(llm.RemoteLLMAttribution.placeholder_model)
        wrapper = llm.RemoteLLMAttribution(attr_method, tokenizer, LocalProvider(model, tokenizer),
                                           attr_target=attr_target)
        results.append(wrapper.attribute(make_input(llm, tokenizer), target="eats meat",
                                         **({"n_samples": 8} if method == "Lime" else {})))
    assert_same_llm_result(*results)


def test_remote_attribution_equals_local_attribution(lm):
    model, tokenizer = lm
    provider = LocalProvider(model, tokenizer)
    remote = ours.RemoteLLMAttribution(attr_engine.FeatureAblation(ours.RemoteLLMAttribution.placeholder_model),
                                       tokenizer, provider)
    local = ours.LLMAttribution(attr_engine.FeatureAblation(model), tokenizer)
    a = remote.attribute(template_input(ours, tokenizer), target="eats meat")
    b = local.attribute(template_input(ours, tokenizer), target="eats meat", forward_in_tokens=False)
    assert_same_llm_result(a, b)
    assert provider.calls and all(call[0] == "logprobs" for call in provider.calls)


def test_remote_attribution_generates_its_target(lm):
    model, tokenizer = lm
    provider = LocalProvider(model, tokenizer)
    wrapper = ours.RemoteLLMAttribution(attr_engine.FeatureAblation(ours.RemoteLLMAttribution.placeholder_model),
                                        tokenizer, provider)
    result = wrapper.attribute(template_input(ours, tokenizer))
    assert provider.calls[0][:2] == ("generate", "the dog in the park eats")
    assert len(result.output_tokens) == 2 and result.token_attr.shape == (2, 2)


def test_remote_attribution_checks_the_provider(lm):
    model, tokenizer = lm
    with pytest.raises(TypeError, match="provider"):
        ours.RemoteLLMAttribution(attr_engine.FeatureAblation(model), tokenizer, object())

    class Short(LocalProvider):
        def get_logprobs(self, input_prompt, target_str, tokenizer=None):
            return super().get_logprobs(input_prompt, target_str, tokenizer)[:1]

    wrapper = ours.RemoteLLMAttribution(attr_engine.FeatureAblation(ours.RemoteLLMAttribution.placeholder_model),
                                        tokenizer, Short(model, tokenizer))
    with pytest.raises(ValueError, match="log-probabilities"):
        wrapper.attribute(template_input(ours, tokenizer), target="eats meat")


# --- the vLLM provider -------------------------------------------------------------------------

def test_vllm_provider_without_openai_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "openai", None)
    with pytest.raises(ImportError, match="pip install openai"):
        ours.VLLMProvider("http://localhost:8000/v1")


@pytest.fixture
def fake_openai(monkeypatch):
    """An ``openai`` module whose client answers like a vLLM server, and records requests."""
    requests = []

    class Completions:
        def create(self, **kwargs):
            requests.append(kwargs)
            if "extra_body" in kwargs:  # prompt scoring: one {token: {logprob}} per position
                n = len(kwargs["prompt"].split())
                scored = [None] + [{str(i): {"logprob": -0.1 * i}} for i in range(1, n)]
                return SimpleNamespace(choices=[SimpleNamespace(text="", prompt_logprobs=scored)])
            return SimpleNamespace(choices=[SimpleNamespace(text=" eats meat")])

    class OpenAI:
        def __init__(self, base_url, api_key):
            self.base_url, self.api_key = base_url, api_key
            self.completions = Completions()
            self.models = SimpleNamespace(list=lambda: SimpleNamespace(data=[SimpleNamespace(id="tiny")]))

    module = types.ModuleType("openai")
    module.OpenAI = OpenAI
    monkeypatch.setitem(sys.modules, "openai", module)
    return requests


def test_vllm_provider_requests(fake_openai, lm):
    _, tokenizer = lm
    provider = ours.VLLMProvider("http://vllm:8000/v1")
    assert provider.model_name == "tiny" and provider.api_url == "http://vllm:8000/v1"
    assert provider.generate("the dog", max_new_tokens=3, do_sample=False) == " eats meat"
    assert fake_openai[-1] == {"model": "tiny", "prompt": "the dog", "max_tokens": 3}
    scores = provider.get_logprobs("the dog in the park ", "eats meat", tokenizer)
    assert scores == pytest.approx([-0.5, -0.6])
    assert fake_openai[-1]["extra_body"] == {"prompt_logprobs": 0} and fake_openai[-1]["max_tokens"] == 1
    with pytest.raises(ValueError, match="tokenizer"):
        provider.get_logprobs("the dog", "eats")
    with pytest.raises(ValueError, match="api_url"):
        ours.VLLMProvider("  ")


# --- images --------------------------------------------------------------------------------------

def image():
    pixels = np.arange(4 * 6 * 3, dtype=np.uint8).reshape(4, 6, 3) * 3
    return Image.fromarray(pixels)


MASK = torch.tensor([[0, 0, 0, 1, 1, 1]] * 2 + [[2, 2, 2, 1, 1, 1]] * 2)


@pytest.mark.parametrize("masks", ["mask", "mask_list", "none"])
def test_image_mask_input_matches_captum(masks):
    kwargs = {"mask": {"mask": MASK}, "mask_list": {"mask_list": [MASK == 0, MASK != 2]}, "none": {}}[masks]
    a = ours.ImageMaskInput(image(), baseline=(1, 2, 3), **kwargs)
    b = captum.attr.ImageMaskInput(image(), baseline=(1, 2, 3), **kwargs)
    assert a.n_itp_features == b.n_itp_features and a.values == b.values
    torch.testing.assert_close(a.to_tensor(), b.to_tensor())
    off = torch.ones(1, a.n_itp_features)
    off[0, 0] = 0
    assert np.array_equal(np.array(a.to_model_input(off)), np.array(b.to_model_input(off)))
    assert a.to_model_input() is a.image
    attr = torch.arange(1.0, a.n_itp_features + 1).unsqueeze(0)
    torch.testing.assert_close(a.format_pixel_attr(attr), b.format_pixel_attr(attr))
    assert all(torch.equal(x, y) for x, y in zip(a.get_mask_list(), b.get_mask_list()))


def test_image_mask_input_checks_the_mask_shape():
    with pytest.raises(ValueError, match="mask"):
        ours.ImageMaskInput(image(), mask=torch.zeros(6, 4, dtype=torch.long))


def test_llm_attribution_over_image_segments_matches_captum(lm):
    """A processor turns the (perturbed) image into a prompt: each segment's brightness picks a word."""
    model, tokenizer = lm
    words = ["the", "dog", "cat", "in", "park"]

    def processor(img):
        pixels = torch.from_numpy(np.array(img)).float().mean(-1)
        ids = [tokenizer.ids[words[int(pixels[MASK == k].mean()) % len(words)]] for k in range(3)]
        return {"input_ids": torch.tensor([[1] + ids])}

    results = []
    for lib, llm in ((attr_engine, ours), (captum.attr, captum.attr)):
        wrapper = llm.LLMAttribution(lib.FeatureAblation(model), tokenizer)
        inp = llm.ImageMaskInput(image(), mask=MASK, processor_fn=processor)
        results.append(wrapper.attribute(inp, target="eats meat", use_cached_outputs=False))
    assert_same_llm_result(*results)


@pytest.mark.parametrize("masks", [{"mask": MASK}, {"mask_list": [MASK == 0, MASK != 2]}])
def test_image_mask_overlay_plot(masks):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    inp = ours.ImageMaskInput(image(), **masks)
    fig, ax = inp.plot_mask_overlay(border_width=1)
    try:
        assert len(ax.images) == 1 + 2 * inp.n_itp_features  # image, tints, edges
        assert sorted(t.get_text() for t in ax.texts) == [str(m) for m in sorted(inp.mask_id_to_idx)]
        edge = ax.images[2].get_array()[..., 3]
        assert edge.sum() > 0 and edge.sum() < ax.images[1].get_array()[..., 3].astype(bool).sum()
    finally:
        plt.close(fig)
