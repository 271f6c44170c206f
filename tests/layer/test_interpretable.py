"""Interpretable inputs, product baselines and interpretable embeddings, against the seeds'
examples and captum.attr's classes."""

import random

import pytest
import torch
from torch import nn

import attr_engine
import captum.attr
from attr_engine.interpretable import (
    InterpretableEmbeddingBase,
    ProductBaselines,
    TextTemplateInput,
    TextTokenInput,
    TokenReferenceBase,
    configure_interpretable_embedding_layer,
    remove_interpretable_embedding_layer,
)
from tests.layer.models import WordTokenizer, text_case
from tests.parity import assert_close


def test_text_template_input_docs_example():
    text = TextTemplateInput(template="{} feels {} right now", values=["He", "depressed"],
                             baselines=["It", "neutral"])
    assert torch.equal(text.to_tensor(), torch.tensor([[1.0, 1.0]]))
    assert text.to_model_input(torch.tensor([[0, 1]])) == "It feels depressed right now"
    assert text.to_model_input(torch.tensor([[1, 0]])) == "He feels neutral right now"
    assert text.to_model_input() == "He feels depressed right now"


def test_text_template_input_dict_values_callable_template_and_mask():
    values = {"who": "He", "how": "very", "mood": "sad"}
    ours = TextTemplateInput(lambda who, how, mood: f"{who} is {how} {mood}", values,
                             baselines={"who": "She", "how": "not", "mood": "happy"},
                             mask={"who": 3, "how": 7, "mood": 7})
    theirs = captum.attr.TextTemplateInput(lambda who, how, mood: f"{who} is {how} {mood}", values,
                                           baselines={"who": "She", "how": "not", "mood": "happy"},
                                           mask={"who": 3, "how": 7, "mood": 7})
    assert ours.n_itp_features == theirs.n_itp_features == 2
    for perturbed in ([[1, 0]], [[0, 1]], [[0, 0]]):
        t = torch.tensor(perturbed)
        assert ours.to_model_input(t) == theirs.to_model_input(t)
    attr = torch.tensor([[0.25, -1.0], [2.0, 3.0]])
    assert_close(ours.format_attr(attr), theirs.format_attr(attr))


def test_product_baselines_in_both_forms():
    choices = {"who": ["She", "They"], ("how", "mood"): [("not", "happy"), ("so", "calm")]}
    for spec in (choices, [["She", "They"], ["x", "y", "z"]]):
        random.seed(4)
        ours = [ProductBaselines(spec)() for _ in range(6)]
        random.seed(4)
        theirs = [captum.attr.ProductBaselines(spec)() for _ in range(6)]
        assert ours == theirs
    sample = ProductBaselines(choices).sample()
    assert set(sample) == {"who", "how", "mood"}
    text = TextTemplateInput("{who} is {how} {mood}", {"who": "He", "how": "very", "mood": "sad"},
                             baselines=ProductBaselines(choices))
    random.seed(1)
    assert text.to_model_input(torch.tensor([[1, 0, 1]])) in ("He is not sad", "He is so sad")
    with pytest.raises(ValueError, match="non-empty"):
        ProductBaselines([["a"], []])


@pytest.mark.parametrize("skip", [None, ["<bos>"], [1]])
@pytest.mark.parametrize("baseline", [0, "<unk>", "movie"])
def test_text_token_input(skip, baseline):
    tokenizer = WordTokenizer(["a", "good", "movie", "bad"])
    ours = TextTokenInput("a good movie", tokenizer, baselines=baseline, skip_tokens=skip)
    theirs = captum.attr.TextTokenInput("a good movie", tokenizer, baselines=baseline, skip_tokens=skip)
    assert ours.values == theirs.values and ours.n_itp_features == theirs.n_itp_features
    assert torch.equal(ours.to_tensor(), theirs.to_tensor())
    perturbed = torch.tensor([[1] * ours.n_itp_features, [0] + [1] * (ours.n_itp_features - 1)])
    assert torch.equal(ours.to_model_input(perturbed), theirs.to_model_input(perturbed))
    assert torch.equal(ours.to_model_input(), tokenizer.encode("a good movie", return_tensors="pt"))


def test_text_input_errors():
    with pytest.raises(TypeError, match="values"):
        TextTemplateInput("{}", "word")
    with pytest.raises(TypeError, match="baselines"):
        TextTemplateInput("{} {}", {"a": "x", "b": "y"}, baselines=["p", "q"])
    with pytest.raises(ValueError, match="mask"):
        TextTemplateInput("{} {}", ["x", "y"], mask=[0])
    with pytest.raises(TypeError, match="baselines"):
        TextTokenInput("a", WordTokenizer(["a"]), baselines=1.5)


class Wrapped(nn.Module):
    """The text classifier one level down, so its embedding has a dotted name."""

    def __init__(self, inner):
        super().__init__()
        self.encoder = inner

    def forward(self, x):
        return self.encoder(x)


@pytest.mark.filterwarnings("ignore:The embedding layer")
def test_integrated_gradients_on_interpretable_embedding_equals_layer_ig():
    inner, tokens = text_case()
    model = Wrapped(inner)
    reference = TokenReferenceBase(reference_token_idx=0).generate_reference(tokens.shape[1], device=tokens.device)
    assert torch.equal(reference, torch.zeros(tokens.shape[1], dtype=torch.long))
    references = reference.unsqueeze(0).expand_as(tokens)
    expected = attr_engine.LayerIntegratedGradients(model, inner.embedding).attribute(
        tokens, references, target=1, n_steps=16)
    before = model(tokens)
    original = inner.embedding
    interpretable = configure_interpretable_embedding_layer(model, "encoder.embedding")
    try:
        assert isinstance(inner.embedding, InterpretableEmbeddingBase)
        with pytest.raises(ValueError, match="already"):
            configure_interpretable_embedding_layer(model, "encoder.embedding")
        embedded = interpretable.indices_to_embeddings(tokens)
        baselines = interpretable.indices_to_embeddings(references)
        attributions = attr_engine.IntegratedGradients(model).attribute(embedded, baselines, target=1, n_steps=16)
    finally:
        remove_interpretable_embedding_layer(model, interpretable)
    assert inner.embedding is original
    assert torch.equal(model(tokens), before)
    assert_close(attributions, expected, atol=1e-6)
    with pytest.raises(ValueError, match="no layer"):
        configure_interpretable_embedding_layer(model, "encoder.missing")
