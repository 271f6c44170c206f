"""LLMAttribution and LLMGradientAttribution on the shipped GPT-2-style language model, in
parity with Captum 0.9, and against the model's own log-probabilities.

With transformers 5.x, Captum's cached path (``use_cached_outputs=True``, its default) scores
the second and later target tokens wrongly: it hands the model the whole sequence again with a
cache that already holds the prompt, so the context it scores is not the prompt and the
tokens before. The comparisons use Captum's ``use_cached_outputs=False`` path, and one test
shows the cached path's error against the true log-probabilities, which ours matches.
"""

import numpy as np
import pytest
import torch

transformers = pytest.importorskip("transformers")

import attr_engine  # noqa: E402
import attr_engine.interpretable as ours_interpretable  # noqa: E402
import captum.attr  # noqa: E402
from example_models.gpt2_agreement.model import load_model, load_tokenizer  # noqa: E402
from tests.parity import assert_same_llm_result  # noqa: E402

PROMPT, TARGET = "the big dog near the cats", "eats bones ."
WRONG = "eat fish ."  # the distractor's verb and food: log-probabilities far from 0


@pytest.fixture(scope="module")
def lm():
    return load_model(), load_tokenizer()


def tokens(llm, tokenizer):
    return llm.TextTokenInput(PROMPT, tokenizer)


def both(lm, method, inp=tokens, init=None, **kwargs):
    """Ours and Captum's LLMAttribution results around `method`, identically seeded."""
    model, tokenizer = lm
    results = []
    for lib, llm in ((attr_engine, ours_interpretable), (captum.attr, captum.attr)):
        wrapper = llm.LLMAttribution(getattr(lib, method)(model), tokenizer, **(init or {}))
        torch.manual_seed(0)
        np.random.seed(0)
        results.append(wrapper.attribute(inp(llm, lm[1]), **kwargs))
    return results




@pytest.mark.parametrize("method,kwargs", [
    ("FeatureAblation", {}),
    ("ShapleyValueSampling", {"n_samples": 3}),
])
def test_perturbation_over_tokens_matches_captum(lm, method, kwargs):
    ours, theirs = both(lm, method, target=TARGET, use_cached_outputs=False, **kwargs)
    assert ours.output_tokens == ["eats", "bones", "."]
    assert_same_llm_result(ours, theirs)


def test_feature_ablation_with_a_token_baseline_probabilities_and_one_pass_matches_captum(lm):
    def the(llm, tokenizer):
        return llm.TextTokenInput(PROMPT, tokenizer, baselines="Ġthe")
    assert_same_llm_result(*both(lm, "FeatureAblation", inp=the, init={"attr_target": "prob"}, target=TARGET,
                forward_in_tokens=False, use_cached_outputs=False))


def test_feature_ablation_over_words_of_a_template_matches_captum(lm):
    def words(llm, tokenizer):
        return llm.TextTemplateInput("the {} {} near the {}", ["big", "dog", "cats"],
                                     baselines=["old", "bird", "cows"])
    assert_same_llm_result(*both(lm, "FeatureAblation", inp=words, target=TARGET, use_cached_outputs=False))


def test_a_generated_target_matches_captum(lm):
    ours, theirs = both(lm, "FeatureAblation", target=None, gen_args={"max_new_tokens": 3},
                        use_cached_outputs=False)
    assert ours.output_tokens == ["eats", "bones", "."]  # the model continues the agreement
    assert_same_llm_result(ours, theirs)


@pytest.mark.parametrize("target,kwargs", [(TARGET, {"n_steps": 10}),
                                           (WRONG, {"n_steps": 8, "internal_batch_size": 3})])
def test_layer_integrated_gradients_on_the_embedding_matches_captum(lm, target, kwargs):
    model, tokenizer = lm
    results = []
    for llm, lib in ((ours_interpretable, attr_engine), (captum.attr, captum.attr)):
        method = lib.LayerIntegratedGradients(model, model.get_input_embeddings())
        wrapper = llm.LLMGradientAttribution(method, tokenizer)
        results.append(wrapper.attribute(llm.TextTokenInput(PROMPT, tokenizer), target=target, **kwargs))
    assert_same_llm_result(*results)


def true_log_probs(lm, prompt_ids, target):
    """The model's log-probability of each target token after the prompt and the target
    tokens before it, from one forward pass over prompt + target."""
    model, tokenizer = lm
    target_ids = torch.tensor([tokenizer.encode(target, add_special_tokens=False)])
    with torch.no_grad():
        logits = model(input_ids=torch.cat([prompt_ids, target_ids], 1)).logits
    n = prompt_ids.shape[1]
    return logits[0, n - 1:-1].log_softmax(-1).gather(1, target_ids.T)[:, 0]


class _Scored(Exception):
    """Stops Captum after it scored the unperturbed prompt (its first evaluation)."""


def captum_scores(lm, use_cached_outputs):
    """The log-probability of each WRONG token that Captum's LLMAttribution scores for the
    unperturbed prompt, read from its `_inspect_forward` callback."""
    model, tokenizer = lm

    def inspect(prompt, response, probs):
        raise _Scored(probs)

    wrapper = captum.attr.LLMAttribution(captum.attr.FeatureAblation(model), tokenizer)
    with pytest.raises(_Scored) as scored:
        wrapper.attribute(captum.attr.TextTokenInput(PROMPT, tokenizer), target=WRONG,
                          use_cached_outputs=use_cached_outputs, _inspect_forward=inspect)
    return torch.tensor(scored.value.args[0][1:]).log()  # [total, *per token] as probabilities


def test_ours_scores_the_true_log_probabilities_where_captums_cached_path_does_not(lm):
    """Ours: Shapley value samples add up to f(prompt) − f(every token ablated) for each
    target token, with f the model's true log-probabilities. Captum's uncached path scores
    the true values; its cached path only the first target token's (here the total is −13.68
    where the model gives −12.86)."""
    model, tokenizer = lm
    prompt = tokenizer(PROMPT, return_tensors="pt")["input_ids"]
    truth = true_log_probs(lm, prompt, WRONG)
    change = truth - true_log_probs(lm, torch.zeros_like(prompt), WRONG)
    ours = ours_interpretable.LLMAttribution(attr_engine.ShapleyValueSampling(model), tokenizer).attribute(
        ours_interpretable.TextTokenInput(PROMPT, tokenizer), target=WRONG, n_samples=1)
    torch.testing.assert_close(ours.token_attr.sum(1), change, rtol=1e-4, atol=1e-4)
    torch.testing.assert_close(ours.seq_attr.sum(), change.sum(), rtol=1e-4, atol=1e-4)

    torch.testing.assert_close(captum_scores(lm, use_cached_outputs=False), truth, rtol=1e-4, atol=1e-4)
    cached = captum_scores(lm, use_cached_outputs=True)
    torch.testing.assert_close(cached[0], truth[0], rtol=1e-4, atol=1e-4)
    assert not torch.isclose(cached[1:], truth[1:], rtol=1e-4, atol=1e-4).any()
    assert abs(cached.sum() - truth.sum()) > 0.5


@pytest.mark.parametrize("method,kwargs", [("FeatureAblation", {}), ("ShapleyValueSampling", {"n_samples": 5}),
                                           ("LayerIntegratedGradients", {})])
def test_the_food_is_attributed_to_the_subject_not_the_distractor(lm, method, kwargs):
    """The corpus decides the food by the subject (`dog` → `bones`), whatever the other animal."""
    model, tokenizer = lm
    if method == "LayerIntegratedGradients":
        wrapper = ours_interpretable.LLMGradientAttribution(
            attr_engine.LayerIntegratedGradients(model, model.get_input_embeddings()), tokenizer)
    else:
        wrapper = ours_interpretable.LLMAttribution(getattr(attr_engine, method)(model), tokenizer)
    inp = ours_interpretable.TextTokenInput(PROMPT, tokenizer, baselines="Ġthe")  # ablated: a word
    result = wrapper.attribute(inp, target=TARGET, **kwargs)
    food = result.token_attr[result.output_tokens.index("bones")]
    assert result.input_tokens[int(food.argmax())] == "Ġdog"
    assert food[result.input_tokens.index("Ġcats")] < food.max() / 2
