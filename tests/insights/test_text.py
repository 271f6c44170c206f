"""Text attribution through the embedding layer: our embedding swap agrees with the engine's
layer method on that layer, and hook-based methods (DeepLift, guided backprop) reach the model."""

import pytest

from insights.schema import contract as c

from .conftest import wait_status


def run(service, ids, **request):
    job = service.start_job("text", c.AttributionRequest(examples=ids, use_cache=False, **request),
                            lambda *a: None)["job_id"]
    state = wait_status(service, job)
    assert state["status"] == "done", state["error"]
    return [r["features"][0] for r in state["result"]["results"]]


@pytest.fixture(scope="module")
def sentiment(workspaces):
    service = workspaces["sentiment"]
    ids = [e["id"] for e in service.page(c.PageRequest(page_size=3))["examples"]]
    return service, ids


def test_embedding_swap_matches_layer_integrated_gradients(sentiment):
    service, ids = sentiment
    ours = run(service, ids, method="IntegratedGradients", args={"n_steps": 32})
    engine = run(service, ids, method="LayerIntegratedGradients", layer="embedding", args={"n_steps": 32})
    for a, b in zip(ours, engine):
        assert a["kind"] == b["kind"] == "text" and a["payload"]["tokens"] == b["payload"]["tokens"]
        assert a["payload"]["scores"] == pytest.approx(b["payload"]["scores"], rel=1e-4, abs=1e-5)


@pytest.mark.parametrize("method", ["DeepLift", "GuidedBackprop", "FeatureAblation", "Occlusion"])
def test_methods_give_one_score_per_token(sentiment, method):
    service, ids = sentiment
    for feature, example_id in zip(run(service, ids, method=method), ids):
        tokens = feature["payload"]["tokens"]
        assert len(feature["payload"]["scores"]) == len(tokens) == len(service.store.get(example_id).raw[0]
                                                                         .ne(0).nonzero())


def test_ablating_a_token_matches_its_score(sentiment):
    """FeatureAblation's score for a token is the output change when that token's embedding
    becomes the pad embedding — checked by hand for the first token."""
    import torch

    service, ids = sentiment
    feature = run(service, ids[:1], method="FeatureAblation", target={"kind": "class", "class_name": "positive"})[0]
    model = service.models[0].module
    example = service.store.get(ids[0])
    ids_row = example.inputs[0].unsqueeze(0)
    with torch.no_grad():
        embedded = model.embedding(ids_row)
        ablated = embedded.clone()
        ablated[0, 0] = model.embedding.weight[0]
        handle = model.embedding.register_forward_hook(lambda m, i, o: ablated)
        try:
            changed = model(ids_row)[0, 1]
        finally:
            handle.remove()
        original = model(ids_row)[0, 1]
    assert feature["payload"]["scores"][0] == pytest.approx(float(original - changed), rel=1e-4, abs=1e-5)
