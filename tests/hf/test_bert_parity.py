"""LayerIntegratedGradients on the shipped BERT-style classifier's embedding layer, in parity
with Captum 0.9, with the inputs Captum's BERT tutorial uses: baselines keep [CLS]/[SEP] in
place and pad the rest, and the attention mask travels as an additional forward argument."""

import pytest
import torch

transformers = pytest.importorskip("transformers")

import attr_engine  # noqa: E402
import captum.attr  # noqa: E402
from example_models.bert_sentiment.model import load_model, load_tokenizer  # noqa: E402
from tests.parity import assert_close  # noqa: E402

TEXTS = ["the movie was not good", "a really excellent , superb film", "boring and dull"]


@pytest.fixture(scope="module")
def bert():
    return load_model(), load_tokenizer()


def logits(model):
    def forward(input_ids, attention_mask):
        return model(input_ids=input_ids, attention_mask=attention_mask).logits
    return forward


def encoded(tokenizer):
    """Token ids (padded: the texts differ in length), their attention mask, and baselines
    with [CLS]/[SEP] kept and every other position [PAD]."""
    batch = tokenizer(TEXTS, padding=True, return_tensors="pt")
    ids, mask = batch["input_ids"], batch["attention_mask"]
    keep = (ids == tokenizer.cls_token_id) | (ids == tokenizer.sep_token_id)
    return ids, mask, torch.where(keep, ids, torch.full_like(ids, tokenizer.pad_token_id))


def both(bert, init=None, **kwargs):
    model, tokenizer = bert
    ids, mask, baselines = encoded(tokenizer)
    target = logits(model)(ids, mask).argmax(1)
    results = []
    for lib in (attr_engine, captum.attr):
        method = lib.LayerIntegratedGradients(logits(model), model.get_input_embeddings(), **(init or {}))
        results.append(method.attribute(ids, baselines=baselines, target=target,
                                        additional_forward_args=(mask,), **kwargs))
    return results


@pytest.mark.parametrize("kwargs", [
    {"n_steps": 16},
    {"n_steps": 12, "method": "riemann_trapezoid", "internal_batch_size": 5},
    {"n_steps": 16, "return_convergence_delta": True},
])
def test_layer_integrated_gradients_on_the_embedding_matches_captum(bert, kwargs):
    ours, theirs = both(bert, **kwargs)
    assert_close(ours, theirs)


def test_without_multiplying_by_inputs_matches_captum(bert):
    assert_close(*both(bert, init={"multiply_by_inputs": False}, n_steps=8))


def test_attributions_are_complete_and_zero_where_input_equals_baseline(bert):
    model, tokenizer = bert
    ids, mask, baselines = encoded(tokenizer)
    forward = logits(model)
    target = forward(ids, mask).argmax(1)
    method = attr_engine.LayerIntegratedGradients(forward, model.get_input_embeddings())
    attr, delta = method.attribute(ids, baselines=baselines, target=target, additional_forward_args=(mask,),
                                   n_steps=48, return_convergence_delta=True)
    per_token = attr.sum(-1)
    assert torch.all(per_token[ids == baselines] == 0)  # [CLS], [SEP] and padding
    with torch.no_grad():
        change = (forward(ids, mask) - forward(baselines, mask)).gather(1, target[:, None])[:, 0]
    torch.testing.assert_close(per_token.sum(1), change, rtol=0, atol=1e-2 * change.abs().max().item())
    assert delta.abs().max() < 1e-2 * change.abs().max()
