"""The SQLite result cache: survives a restart, keys on the weights, honours its size cap."""

import torch

from insights.cache import ResultCache, result_key, weights_hash

from .conftest import Tabular


def test_results_survive_a_restart(tmp_path):
    path = tmp_path / "results.sqlite"
    cache = ResultCache(path)
    cache.put("k", {"value": [1, 2, 3]})
    cache.close()
    reopened = ResultCache(path)
    assert reopened.get("k") == {"value": [1, 2, 3]} and reopened.hits == 1
    assert reopened.get("missing") is None
    reopened.close()


def test_retrained_weights_change_the_key():
    model = Tabular()
    before = weights_hash(model)
    assert weights_hash(Tabular()) == before  # same weights, same key
    with torch.no_grad():
        model.linear.weight[0, 0] += 1e-6
    assert weights_hash(model) != before
    parts = dict(engine="0.1.0", example="e", method="IntegratedGradients", args={"n_steps": 5}, layer=None,
                 target=1, baselines=["zeros"])
    assert result_key(weights=before, **parts) != result_key(weights=weights_hash(model), **parts)
    assert result_key(weights=before, **parts) == result_key(weights=before, **dict(parts, args={"n_steps": 5}))


def test_size_cap_evicts_least_recently_used(tmp_path):
    cache = ResultCache(tmp_path / "c.sqlite", max_bytes=250)
    for key in "abc":
        cache.put(key, {"pad": "x" * 60})
    cache.get("a")  # a is now more recent than b
    cache.put("d", {"pad": "x" * 60})
    assert len(cache) == 3 and cache.get("b") is None and cache.get("a") is not None
    cache.close()
