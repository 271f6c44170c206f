"""The SQLite result cache: survives a restart, keys on the weights, honours its size cap."""

import pytest
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


def _junk(path, size=4096):
    path.write_bytes(b"this is not an SQLite database \x00\xff" * (size // 32))


def test_a_corrupt_cache_file_is_moved_aside_and_a_fresh_cache_started(tmp_path):
    path = tmp_path / "results.sqlite"
    _junk(path)
    junk = path.read_bytes()
    with pytest.warns(RuntimeWarning, match="moved it to"):
        cache = ResultCache(path)
    cache.put("k", {"value": 1})
    assert cache.get("k") == {"value": 1}
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("results.sqlite.corrupt-")]
    assert len(kept) == 1 and kept[0].read_bytes() == junk  # the user's file is kept, untouched
    cache.close()
    assert ResultCache(path).get("k") == {"value": 1}  # the fresh cache is a real database


def test_a_cache_corrupted_while_open_is_replaced_on_the_next_use(tmp_path):
    path = tmp_path / "results.sqlite"
    cache = ResultCache(path)
    cache.put("k", {"value": 1})
    _junk(path, size=1 << 16)
    with pytest.warns(RuntimeWarning, match="unreadable"):
        assert cache.get("k") is None
    cache.put("k", {"value": 2})
    assert cache.get("k") == {"value": 2}
    cache.close()


def test_a_workspace_serves_through_a_corrupt_cache(tmp_path):
    from insights import AttributionVisualizer, Batch, GeneralFeature

    path = tmp_path / "results.sqlite"
    _junk(path)
    model = Tabular()
    with pytest.warns(RuntimeWarning, match="result cache"):
        vis = AttributionVisualizer(models=[model], classes=["low", "mid", "high"],
                                    features=[GeneralFeature("x", ["f0", "f1", "f2", "f3"])],
                                    dataset=[Batch(torch.randn(4, 4), torch.tensor([0, 1, 0, 1]))],
                                    cache_path=path)
    result = vis.attribute("Saliency", 2)
    assert result.tensor("x").shape[0] == 2
