"""Summaries from a store, each against a direct computation."""

from __future__ import annotations

import numpy as np
import pytest

from insights.jobs import Store, run_job, summarize
from insights.jobs.summaries import agreement, class_maps, faithfulness, sanity_check, top_tokens

from .models import CLASSES, FEATURES, Tabular, data


def run(path, method, **kwargs):
    run_job(Tabular(), FEATURES, data(), path, method=method, classes=CLASSES, shard_size=8, **kwargs)
    return Store(path)


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    root = tmp_path_factory.mktemp("summaries")
    return (run(root / "ig", "IntegratedGradients", args={"n_steps": 8}, faithfulness=True),
            run(root / "saliency", "Saliency"))


def test_class_maps_are_the_mean_signed_and_absolute_maps_per_target(stores):
    ig, _ = stores
    rows, maps = ig.rows(), ig.maps("x").astype(np.float64)
    summary = class_maps(ig, "x")
    assert sorted(summary) == sorted(rows["target"].unique().tolist())
    for c, entry in summary.items():
        chosen = maps[(rows["target"] == c).to_numpy()]
        assert entry["count"] == len(chosen)
        np.testing.assert_allclose(entry["mean"], chosen.mean(0))
        np.testing.assert_allclose(entry["mean_abs"], np.abs(chosen).mean(0))


def _ranks(x: np.ndarray) -> np.ndarray:
    return np.argsort(np.argsort(x)).astype(np.float64)


def test_agreement_is_the_rank_correlation_per_example(stores):
    ig, saliency = stores
    result = agreement(ig, saliency)
    a, b = ig.maps("x"), saliency.maps("x")
    expected = [np.corrcoef(_ranks(a[i]), _ranks(b[i]))[0, 1] for i in range(len(a))]
    np.testing.assert_allclose([r for _, r in result["per_example"]], expected, atol=1e-9)
    assert result["methods"] == ["IntegratedGradients", "Saliency"] and result["count"] == 40
    assert sum(result["histogram"]["counts"]) == 40 and result["histogram"]["edges"][0] == -1.0


def test_agreement_refuses_stores_of_different_data_sets(stores, tmp_path):
    ig, _ = stores
    other = Store(tmp_path / "other")
    run_job(Tabular(), FEATURES, data(n=40, size=5, poison=(0,)), other.path, method="Saliency", shard_size=8)
    with pytest.raises(ValueError, match="different data sets"):
        agreement(ig, other)


def test_faithfulness_distribution_and_worst_examples(stores):
    ig, _ = stores
    result = faithfulness(ig, worst=3)
    aucs = ig.rows().set_index("index")["deletion_auc"]
    assert result["count"] == 40 and result["quantiles"]["0.5"] == pytest.approx(float(aucs.median()))
    assert [w["index"] for w in result["worst"]] == aucs.sort_values(ascending=False).index[:3].tolist()
    assert all(w["example_id"] == ig.rows().set_index("index").loc[w["index"], "example_id"] for w in result["worst"])


def test_sanity_check_randomises_the_layers_from_the_output_down(stores):
    ig, _ = stores
    result = sanity_check(ig, Tabular(), FEATURES, data(), sample=6)
    assert result["layers"] == ["fc2", "fc1"] and result["sample"] == 6
    correlations = np.array(result["per_example"])
    assert correlations.shape == (2, 6) and np.all(np.abs(correlations) <= 1 + 1e-9)


def test_summarize_is_json_ready(stores):
    import json

    ig, saliency = stores
    summary = summarize(ig, other=saliency, model=Tabular(), features=FEATURES, dataset=data(), sample=4)
    text = json.dumps(summary)
    assert summary["done"] == 40 and summary["errors"] == 0
    assert summary["class_maps"]["x"][0]["mean"]["dtype"] == "float32"
    assert summary["agreement"]["count"] == 40 and summary["sanity"]["sample"] == 4 and "NaN" not in text


def test_top_tokens_rank_tokens_by_mean_attribution_per_class(tmp_path):
    from insights.example.workspaces import sentiment

    spec = sentiment()
    feature = spec["features"][0]
    run_job(spec["models"][0], spec["features"], spec["dataset"], tmp_path / "s", method="InputXGradient",
            classes=spec["classes"], limit=64, shard_size=32)
    store = Store(tmp_path / "s")
    result = top_tokens(store, "review", k=3, min_count=1, pad_id=feature.pad_token_id)
    rows, scores, tokens = store.rows(), store.maps("review"), store.maps("review.tokens")
    for c, entry in result.items():
        mask = (rows["target"] == c).to_numpy()
        best = entry["top"][0]
        hits = tokens[mask] == best["token"]
        assert best["mean"] == pytest.approx(float(scores[mask][hits].astype(np.float64).mean()))
        means = [t["mean"] for t in entry["top"]]
        assert means == sorted(means, reverse=True) and best["token"] != feature.pad_token_id
    words = summarize(store, features=spec["features"])["top_tokens"]["review"]
    assert words[1]["name"] == "positive" and words[1]["top"][0]["name"].isalpha()
