"""The shipped example models reach 90% on their held-out splits with the committed weights."""

import importlib

import pytest

from example_models.training import accuracy


@pytest.mark.parametrize("name", ["digits", "shapes", "sentiment", "signals"])
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


def test_attributions_on_the_shapes_land_on_the_object(workspaces):
    """Pointing game: the pixel with the largest attribution lies on the object's known mask."""
    import numpy as np

    from example_models.shapes.model import load_data
    from insights.schema import contract as c
    from insights.serialization import decode_array

    from .conftest import wait_status

    masks = load_data()[4]
    service = workspaces["shapes"]
    page = service.page(c.PageRequest(page_size=12))
    request = c.AttributionRequest(examples=[e["id"] for e in page["examples"]], method="IntegratedGradients",
                                   args={"n_steps": 32}, use_cache=False)
    state = wait_status(service, service.start_job("t", request, lambda *a: None)["job_id"])
    hits = []
    for example, result in zip(page["examples"], state["result"]["results"]):
        heat = np.abs(decode_array(result["features"][0]["payload"]["attribution"]))
        y, x = np.unravel_index(heat.argmax(), heat.shape)
        hits.append(bool(masks[example["index"]][y, x]))
    assert sum(hits) >= 0.9 * len(hits), hits
