"""The widget's message handler: the dashboard's requests, runs and cancels, over comm messages
with binary buffers, answered by the same service the web server uses."""

from __future__ import annotations

import base64
import io
import time
from typing import Any

import numpy as np
import pytest
import torch

from insights.schema import contract as c
from insights.widget.protocol import pack, unpack

from .conftest import Driver, floats

PNG = b"\x89PNG\r\n\x1a\n"
LONG = {"n_samples": 25, "perturbations_per_eval": 1}  # 400 calls of a 20 ms model: ~8 s


def test_info_and_a_page_of_examples_with_images_as_buffers(image_widget):
    _, _, drive = image_widget
    info, _ = drive.request("GET", "/api/w/main/info")
    assert info["status"] == 200
    assert c.AppInfo.model_validate(info["body"]).features[0].kind == "image"
    assert drive.request("GET", "/api/workspaces")[0]["body"] == {"workspaces": ["main"]}

    page, buffers = drive.request("POST", "/api/w/main/examples/page", {"page_size": 3})
    assert page["status"] == 200 and len(page["body"]["examples"]) == 3
    refs = [e["features"][0]["payload"]["png"] for e in page["body"]["examples"]]
    assert refs == [{"$buffer": 0}, {"$buffer": 1}, {"$buffer": 2}]  # no base64 in the JSON
    assert all(b.startswith(PNG) for b in buffers)
    c.PageResponse.model_validate(unpack(page["body"], buffers))  # reassembled: the contract's shape


def test_integrated_gradients_streams_progress_then_a_result_with_float32_buffers(image_widget):
    vis, widget, drive = image_widget
    ids = [e["id"] for e in drive.request("POST", "/api/w/main/examples/page", {"page_size": 2})[0]["body"]["examples"]]
    accepted, _ = drive.run(examples=ids, method="IntegratedGradients", args={"n_steps": 32})
    assert accepted["status"] == 200
    job = c.JobAccepted.model_validate(accepted["body"]).job_id
    result, buffers = drive.inbox.event("result", job)
    events = drive.inbox.events(job)
    assert events[0] == "progress" and events[-2:] == ["progress", "result"] and "partial" in events
    first = drive.inbox.messages.index(next(m for m in drive.inbox.messages if m[0].get("event")))
    assert drive.inbox.messages.index((accepted, [])) < first  # the response before any event

    rows = result["body"]["results"]
    assert [r["example_id"] for r in rows] == ids
    attribution = rows[0]["features"][0]["payload"]["attribution"]
    assert attribution["shape"] == [8, 8] and set(attribution["data"]) == {"$buffer"}
    heat = np.array(floats(buffers[attribution["data"]["$buffer"]]), dtype=np.float32).reshape(8, 8)
    c.ResultEvent.model_validate(unpack(result["body"], buffers))

    # widget.results: the same numbers as tensors, and the same as the UI-less API
    assert [r.example_id for r in widget.results] == ids
    assert torch.equal(widget.results[0].attributions["pixels"], torch.from_numpy(heat))
    assert widget.results.tensor("pixels").shape == (2, 8, 8)
    direct = vis.attribute("IntegratedGradients", ids, args={"n_steps": 32})
    torch.testing.assert_close(direct.tensor(), widget.results.tensor())
    assert abs(rows[0]["features"][0]["total"] - float(heat.sum())) < 1e-4


def test_cancel_stops_a_running_job(tabular_widget):
    _, _, drive = tabular_widget
    ids = [e["id"] for e in drive.request("POST", "/api/w/main/examples/page", {"page_size": 4})[0]["body"]["examples"]]
    job = drive.run(examples=ids, method="ShapleyValueSampling", args=LONG)[0]["body"]["job_id"]
    drive.inbox.event("progress", job)
    state, _ = drive.inbox.response(drive.send("cancel", body={"workspace": "main", "job_id": job}))
    assert state["status"] == 200 and state["body"]["job_id"] == job
    drive.inbox.event("cancelled", job)  # the run (about 8 s of work) ends cancelled, not with a result
    assert "result" not in drive.inbox.events(job)


def test_closing_the_widget_cancels_its_jobs(tabular_widget):
    vis, widget, drive = tabular_widget
    ids = [e["id"] for e in drive.request("POST", "/api/w/main/examples/page", {"page_size": 4})[0]["body"]["examples"]]
    job = drive.run(examples=ids, method="ShapleyValueSampling", args=LONG)[0]["body"]["job_id"]
    drive.inbox.event("progress", job)
    widget.close()  # nothing more reaches the browser; the job stops at its next chunk
    deadline = time.monotonic() + 5
    while vis.service.job_state(job)["status"] == "running" and time.monotonic() < deadline:
        time.sleep(0.02)
    assert vis.service.job_state(job)["status"] == "cancelled"


def test_errors_answer_with_the_contract_error_body(tabular_widget):
    vis, _, drive = tabular_widget
    missing, _ = drive.request("GET", "/api/w/main/nothing")
    assert missing["status"] == 404 and missing["body"]["error"]["code"] == "not_found"
    bad, _ = drive.request("POST", "/api/w/main/examples/page", {"page_size": 0})
    assert bad["status"] == 400 and bad["body"]["error"]["field"] == "page_size"
    assert drive.request("GET", "/api/w/other/info")[0]["status"] == 404
    kind = drive.inbox.response(drive.send("teleport"))[0]
    assert kind["status"] == 400 and kind["body"]["error"]["field"] == "kind"
    ids = [e["id"] for e in drive.request("POST", "/api/w/main/examples/page", {"page_size": 2})[0]["body"]["examples"]]
    unknown = drive.run(examples=ids, method="Nope")[0]
    assert unknown["status"] == 400 and unknown["body"]["error"]["field"] == "method"
    steps = drive.run(examples=ids, method="IntegratedGradients", args={"n_steps": 0})[0]
    assert steps["status"] == 400 and steps["body"]["error"]["field"] == "args.n_steps"

    # a model that fails: an error event with its message, and the widget keeps answering
    job = drive.run(examples=ids, models=[1], method="Saliency")[0]["body"]["job_id"]
    error, _ = drive.inbox.event("error", job)
    assert "boom" in error["body"]["error"]["message"]
    assert drive.request("GET", "/api/w/main/info")[0]["status"] == 200
    with pytest.raises(RuntimeError, match="boom"):
        vis.attribute("Saliency", ids, models=[1])


def test_events_reach_only_the_widget_that_ran_the_job(image_widget):
    vis, _, drive = image_widget
    other = Driver(vis.render())
    ids = [e["id"] for e in drive.request("POST", "/api/w/main/examples/page", {"page_size": 1})[0]["body"]["examples"]]
    job = drive.run(examples=ids, method="Saliency")[0]["body"]["job_id"]
    drive.inbox.event("result", job)
    assert other.inbox.messages == []
    refused = other.inbox.response(other.send("cancel", body={"workspace": "main", "job_id": job}))[0]
    assert refused["status"] == 404  # another widget's job is not found
    other.widget.close()


def test_an_uploaded_image_travels_as_a_buffer(image_widget):
    from PIL import Image

    _, _, drive = image_widget
    png = io.BytesIO()
    Image.fromarray((np.arange(64, dtype=np.uint8) * 4).reshape(8, 8)).save(png, format="PNG")
    view, buffers = drive.request("POST", "/api/w/main/examples/upload",
                                  {"inputs": {"pixels": {"image": {"$buffer": 0}}}}, buffers=[png.getvalue()])
    assert view["status"] == 200 and view["body"]["source"] == "upload"
    assert buffers[0].startswith(PNG)
    job = drive.run(examples=[view["body"]["id"]], method="InputXGradient")[0]["body"]["job_id"]
    drive.inbox.event("result", job)
    missing = drive.request("POST", "/api/w/main/examples/upload", {"inputs": {"pixels": {"image": {"$buffer": 3}}}})
    assert missing[0]["status"] == 400 and missing[0]["body"]["error"]["field"] == "buffers"


def test_pack_and_unpack_are_inverse():
    arr = np.arange(6, dtype="<f4")
    body = {"payload": {"kind": "image", "png": base64.b64encode(PNG).decode(), "height": 1, "width": 1,
                        "attribution": {"shape": [2, 3], "dtype": "float32",
                                        "data": base64.b64encode(arr.tobytes()).decode()}},
            "text": {"kind": "text", "tokens": ["data"], "png": "not an image payload's"}}
    buffers = []
    packed = pack(body, buffers)
    assert buffers == [PNG, arr.tobytes()] and packed["text"] == body["text"]
    assert unpack(packed, buffers) == body


def test_series_values_and_attributions_travel_as_float32_buffers():
    from torch import nn

    from insights import AttributionVisualizer, Batch, TimeseriesFeature

    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv1d(2, 3, 5, padding=2), nn.ReLU(), nn.Flatten(), nn.Linear(3 * 16, 3))
    x, y = torch.randn(4, 2, 16), torch.tensor([0, 1, 2, 0])
    vis = AttributionVisualizer(model, ["a", "b", "c"], TimeseriesFeature("signal", channel_labels=["p", "q"]),
                                [Batch(x, y)], cache=False)
    drive = Driver(vis.render())
    try:
        page, buffers = drive.request("POST", "/api/w/main/examples/page", {"page_size": 1})
        values = page["body"]["examples"][0]["features"][0]["payload"]["values"]
        assert values["shape"] == [2, 16]
        assert floats(buffers[values["data"]["$buffer"]]) == pytest.approx(x[0].flatten().tolist())
        job = drive.run(examples=[page["body"]["examples"][0]["id"]], method="Saliency")[0]["body"]["job_id"]
        result, buffers = drive.inbox.event("result", job)
        payload = result["body"]["results"][0]["features"][0]["payload"]
        heat = floats(buffers[payload["attribution"]["data"]["$buffer"]])
        assert len(heat) == 32 and torch.equal(drive.widget.results.tensor("signal")[0].flatten(), torch.tensor(heat))
        assert drive.widget.results[0].figure().data  # bands under each channel's line
    finally:
        drive.widget.close()
        vis.service.shutdown()


def test_every_api_route_of_the_web_server_is_answered_in_the_widget(image_widget, tmp_path):
    from insights.server import create_app

    _, widget, drive = image_widget
    web = create_app({"main": widget.bridge.workspaces.get("main")}, token="t")

    def api(app):
        return {(r.rule, m) for r in app.url_map.iter_rules() if r.rule.startswith("/api/w")
                for m in r.methods - {"HEAD", "OPTIONS"}}

    assert api(web) <= api(widget.bridge.app)
    # e.g. the data-set view's requests, query strings included
    widget.bridge.app.config["INSIGHTS_DATASET_ROOT"] = str(tmp_path)
    assert drive.request("GET", "/api/w/main/datasets")[0]["body"] == {"datasets": []}
    summary = drive.request("GET", "/api/w/main/datasets/none/summary?top=500")[0]
    assert summary["status"] == 400 and summary["body"]["error"]["field"] == "top"


@pytest.mark.parametrize("kind", ["request", "run", "cancel"])
def test_a_deeply_nested_message_is_a_400_naming_the_body(tabular_widget, kind):
    _, _, drive = tabular_widget
    deep: Any = 0
    for _ in range(5000):
        deep = [deep]
    fields = dict(method="POST", path="/api/w/main/examples/page") if kind == "request" else {}
    answer, _ = drive.inbox.response(drive.send(kind, body={"workspace": "main", "deep": deep}, **fields))
    assert answer["status"] == 400 and answer["body"]["error"]["field"] == "body"
