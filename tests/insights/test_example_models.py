"""The shipped example models reach 90% on their held-out splits with the committed weights."""

import importlib

import pytest

from example_models.training import accuracy


@pytest.mark.parametrize("name", ["digits", "sentiment", "signals"])
def test_example_model_accuracy(name):
    module = importlib.import_module(f"example_models.{name}.model")
    data = module.load_data()
    test_x, test_y = data[2], data[3]
    assert len(test_y) >= 300
    assert accuracy(module.load_model(), test_x, test_y) >= 0.9


def test_weights_are_small():
    from pathlib import Path

    import example_models

    for weights in Path(example_models.__file__).parent.glob("*/weights.pt"):
        assert weights.stat().st_size <= 2 * 2 ** 20
