"""Occlusion's window and strides in the dashboard: given along the axes a user thinks in (an
image's height and width, a series' time axis, a text's tokens), checked, and counted by the
estimate."""

from __future__ import annotations

import pytest
import torch

import attr_engine
from attr_engine import REGISTRY
from insights.schema import contract as c
from insights.serialization import decode_array

from .conftest import AUTH, page_ids, run_request
from .test_jobs import collect, start


def estimate(client, workspace, ids, **args):
    r = client.post(f"/api/w/{workspace}/estimate", headers=AUTH,
                    json={"examples": ids, "method": "Occlusion", "args": args})
    return r


def test_the_registry_takes_lists_of_positive_integers():
    window = REGISTRY["Occlusion"].param("sliding_window_shapes")
    assert window.validate([2, 3]) == (2, 3) and window.validate(None) is None
    with pytest.raises(TypeError):
        window.validate(3)
    with pytest.raises(ValueError):
        window.validate([2, 0])


def test_image_windows_count_the_passes_and_match_the_engine(client, sio, workspaces):
    ids = page_ids(client, "digits", 1)
    example = workspaces["digits"].store.get(ids[0])
    channels, height, width = example.inputs[0].shape
    r = estimate(client, "digits", ids, sliding_window_shapes=[4, 4], strides=[2, 2])
    assert r.status_code == 200, r.json
    windows = ((height - 4) // 2 + 1) * ((width - 4) // 2 + 1)
    assert r.json["per_example"] == windows + 1  # and the unperturbed pass
    s = sio()
    job = start(s, run_request("digits", examples=ids, method="Occlusion", use_cache=False,
                               args={"sliding_window_shapes": [4, 4], "strides": [2, 2]}))
    result = c.ResultEvent.model_validate(collect(s, job)[-1][1]).results[0]
    model = workspaces["digits"].models[0].module
    expected = attr_engine.Occlusion(model).attribute(
        example.inputs[0].unsqueeze(0), sliding_window_shapes=(channels, 4, 4), strides=(channels, 2, 2),
        target=result.target)
    shown = torch.from_numpy(decode_array(result.features[0].payload.attribution.model_dump()).copy())
    assert torch.allclose(shown.reshape(expected.shape), expected.float(), atol=1e-5)
    # what a script needs to repeat it: the engine's own window, channels included
    assert result.arguments == {"sliding_window_shapes": [channels, 4, 4], "strides": [channels, 2, 2]}


@pytest.mark.parametrize("args, message, field", [
    ({"sliding_window_shapes": [4]}, "give 2", "args.sliding_window_shapes"),
    ({"sliding_window_shapes": [4, 400]}, "exceeds", "args.sliding_window_shapes"),
    ({"sliding_window_shapes": [2, 2], "strides": [3, 3]}, "must not exceed the window", "args.strides"),
])
def test_bad_windows_are_refused_naming_the_argument(client, args, message, field):
    r = estimate(client, "digits", page_ids(client, "digits", 1), **args)
    assert r.status_code == 400 and r.json["error"]["field"] == field and message in r.json["error"]["message"]


def test_text_windows_are_in_tokens(client, sio):
    ids = page_ids(client, "sentiment", 1)
    s = sio()
    job = start(s, run_request("sentiment", examples=ids, method="Occlusion", use_cache=False,
                               args={"sliding_window_shapes": [2]}))
    result = c.ResultEvent.model_validate(collect(s, job)[-1][1]).results[0]
    assert result.features[0].payload.kind == "text"
