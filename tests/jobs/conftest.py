"""Fixtures: one local Ray per test session (2 CPUs), and a comparison of two stores."""

from __future__ import annotations

import numpy as np
import pytest

from insights.jobs import Store


def pytest_configure(config):
    config.addinivalue_line("markers", "ray: needs Ray (the `ray` extra); starts one local Ray per session")


@pytest.fixture(scope="session")
def ray_local():
    ray = pytest.importorskip("ray")
    for attempt in range(2):
        try:
            ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
            break
        except Exception:  # on a loaded machine the raylet may time out waiting for its agent: once more
            ray.shutdown()
            if attempt:
                raise
    yield ray
    ray.shutdown()


def assert_same_store(a: Store, b: Store, exact: bool = True) -> None:
    """Same rows and same maps, example for example."""
    rows_a, rows_b = a.rows(), b.rows()
    assert list(rows_a["index"]) == list(range(len(rows_a))), "examples missing or repeated"
    if exact:
        assert rows_a.equals(rows_b)
    else:
        assert rows_a.drop(columns=["total", "delta", "deletion_auc"]).equals(
            rows_b.drop(columns=["total", "delta", "deletion_auc"]))
    assert a.map_keys() == b.map_keys()
    for key in a.map_keys():
        if exact:
            np.testing.assert_array_equal(a.maps(key), b.maps(key))
        else:
            np.testing.assert_allclose(a.maps(key), b.maps(key), rtol=1e-5, atol=1e-7)
