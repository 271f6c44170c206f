"""HTTP endpoints: pages, filters, uploads, estimates, and the error shape of bad requests."""

import base64
import io
import itertools

import numpy as np
import pytest
import torch
from PIL import Image

from insights import Batch, Limits
from insights.errors import InsightsError
from insights.schema import contract as c
from insights.example import services as example_services
from insights.server import create_app
from insights.server.pages import STATIC

from .conftest import AUTH, TOKEN, page_ids, tabular_service, wait_status


def post(client, path, body, **kw):
    return client.post(path, json=body, headers={**AUTH, **kw.pop("headers", {})}, **kw)


def assert_error(r, status, field=None):
    assert r.status_code == status, r.get_data(as_text=True)
    assert r.is_json, r.get_data(as_text=True)
    body = c.ErrorResponse.model_validate(r.json)
    assert body.error.message
    if field is not None:
        assert body.error.field == field, body
    return body.error


def test_description_and_index(client):
    assert "POST /api/w/<ws>/jobs" in client.get("/api", headers=AUTH).json["endpoints"]
    r = client.get("/", headers=AUTH)
    built = (STATIC / "index.html").is_file()  # the front end, when pip install built it
    assert r.status_code == 200 and ('id="root"' if built else "not built") in r.get_data(as_text=True)
    assert_error(client.get("/nope", headers=AUTH), 404)
    assert_error(client.get("/api/w/nope/info", headers=AUTH), 404, "workspace")


def test_pages_go_forward_and_back(client):
    first = page_ids(client, "signals", 4)
    second = page_ids(client, "signals", 4, page=1)
    assert len(second) == 4 and not set(first) & set(second)
    assert page_ids(client, "signals", 4, page=0) == first


def test_class_and_correctness_filters(client):
    r = post(client, "/api/w/sentiment/examples/page",
             {"page_size": 6, "filter": {"true_classes": ["positive"], "prediction": "correct"}})
    examples = r.json["examples"]
    assert examples and all(e["label_name"] == "positive" for e in examples)
    assert all(e["predictions"][0]["predicted"]["name"] == "positive" for e in examples)
    r = post(client, "/api/w/digits/examples/page", {"page_size": 4, "filter": {"predicted_classes": ["3"]}})
    assert all(e["predictions"][0]["predicted"]["name"] == "3" for e in r.json["examples"])


def test_incorrect_filter_on_a_model_that_is_never_wrong_ends(client, workspaces):
    # the signals model is right on every test example: Captum Insights loops forever here
    r = post(client, "/api/w/signals/examples/page", {"page_size": 4, "filter": {"prediction": "incorrect"}})
    assert r.status_code == 200 and r.json["examples"] == []
    assert r.json["has_more"] is False and "No examples match" in r.json["message"]
    store = workspaces["signals"].store  # it ended because it read the data set once, to its end
    assert store.exhausted and r.json["scanned"] == len(store.examples) > 0


def test_filter_on_an_endless_dataset_answers_after_the_scan_limit():
    endless = (Batch(torch.zeros(8, 4), torch.zeros(8, dtype=torch.long)) for _ in itertools.count())
    service = tabular_service(dataset=endless, limits=Limits(max_scan=200))
    page = service.page(c.PageRequest(filter=c.FilterSpec(true_classes=["high"])))
    assert page["examples"] == [] and page["scanned"] == 200 and page["has_more"]
    assert "ask again" in page["message"]
    service.jobs.shutdown()


@pytest.mark.parametrize("path,body,status,field", [
    ("/api/w/tabular/examples/page", [1, 2], 400, "body"),
    ("/api/w/tabular/examples/page", {"page_size": 0}, 400, "page_size"),
    ("/api/w/tabular/examples/page", {"page_size": 10_000}, 400, "page_size"),
    ("/api/w/tabular/examples/page", {"page": "two"}, 400, "page"),
    ("/api/w/tabular/examples/page", {"bogus": 1}, 400, "bogus"),
    ("/api/w/tabular/examples/page", {"filter": {"true_classes": ["nope"]}}, 400, "filter.true_classes"),
    ("/api/w/tabular/examples/page", {"filter": {"prediction": "maybe"}}, 400, "filter.prediction"),
    ("/api/w/tabular/examples/page", {"filter": {"model": 7}}, 400, "filter.model"),
    ("/api/w/tabular/estimate", {"examples": [], "method": "Saliency"}, 400, "examples"),
    ("/api/w/tabular/estimate", {"examples": ["x"], "method": "Nope"}, 400, "method"),
    ("/api/w/tabular/estimate", {"examples": ["x"], "method": "Saliency"}, 404, "examples"),
    ("/api/w/tabular/jobs", {"examples": ["x"]}, 400, "method"),
    ("/api/w/tabular/jobs/unknown", None, 404, "job_id"),
    ("/api/w/tabular/examples/upload", {"inputs": {"x": {"image": "abc"}}}, 400, "inputs.x"),
    ("/api/w/tabular/examples/upload", {"inputs": {"y": {"text": "abc"}}}, 400, "inputs"),
])
def test_malformed_requests_get_json_errors(client, path, body, status, field):
    r = client.get(path, headers=AUTH) if body is None else post(client, path, body)
    assert_error(r, status, field)


@pytest.mark.parametrize("args,field", [
    ({"n_steps": 100_000}, "args.n_steps"),
    ({"n_steps": 0}, "args.n_steps"),
    ({"n_steps": 2.5}, "args.n_steps"),
    ({"method": "simpson"}, "args.method"),
    ({"unknown_argument": 1}, "args"),
])
def test_arguments_are_checked_against_the_registry(client, args, field):
    ids = page_ids(client, "tabular")
    r = post(client, "/api/w/tabular/jobs", {"examples": ids, "method": "IntegratedGradients", "args": args})
    assert_error(r, 400, field)


@pytest.mark.parametrize("extra,field", [
    ({"models": [5]}, "models"),
    ({"baselines": {"x": "plasma"}}, "baselines.x"),
    ({"baselines": {"nope": "zeros"}}, "baselines"),
    ({"target": {"kind": "class"}}, "target.class_name"),
    ({"target": {"kind": "class", "class_name": "giant"}}, "target.class_name"),
    ({"method": "LayerGradCam"}, "layer"),
    ({"method": "LayerGradCam", "layer": "no.such.layer"}, "layer"),
])
def test_bad_attribution_choices(client, workspaces, extra, field):
    ids = page_ids(client, "tabular")
    body = {"examples": ids, "method": "IntegratedGradients", **extra}
    r = post(client, "/api/w/tabular/jobs", body)
    assert_error(r, 400, field)  # checked before a job exists, the layer too
    assert workspaces["tabular"].jobs.active("http") == []


def test_oversized_body_is_refused_with_json(workspaces):
    app = create_app(workspaces, token=TOKEN, config={"MAX_CONTENT_LENGTH": 1000})
    r = app.test_client().post("/api/w/tabular/examples/page", data="x" * 5000, headers={
        **AUTH, "Content-Type": "application/json"})
    assert_error(r, 413, "body")


def test_estimate_counts_passes_and_enforces_the_limit(client, workspaces):
    ids = page_ids(client, "tabular", 3)
    r = post(client, "/api/w/tabular/estimate", {"examples": ids, "method": "IntegratedGradients",
                                                 "args": {"n_steps": 40}})
    estimate = c.Estimate.model_validate(r.json)
    assert estimate.passes == 120 and estimate.per_example == 40 and estimate.within_limits
    r = post(client, "/api/w/tabular/estimate", {"examples": ids, "method": "FeatureAblation", "models": [0, 1]})
    assert r.json["per_example"] == 5 and r.json["passes"] == 30
    strict = tabular_service(limits=Limits(max_passes=100))
    strict.store.template()
    request = c.AttributionRequest(examples=[strict.store.examples[0].id], method="IntegratedGradients",
                                   args={"n_steps": 500})
    with pytest.raises(InsightsError, match="more than the 100 allowed: choose fewer examples") as refused:
        strict.start_job("s", request, lambda *a: None)
    assert "Limits" not in refused.value.message and refused.value.field == "args"
    strict.jobs.shutdown()


def _png(array: np.ndarray) -> str:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def test_uploaded_image_is_attributed_end_to_end(client, workspaces):
    digit = np.zeros((32, 32), np.uint8)
    digit[6:26, 14:18] = 255  # a "1"
    r = post(client, "/api/w/digits/examples/upload", {"inputs": {"digit": {"image": _png(digit)}}, "label": "1"})
    example = c.ExampleView.model_validate(r.json)
    assert example.source == "upload" and example.label_name == "1"
    r = post(client, "/api/w/digits/jobs", {"examples": [example.id], "method": "IntegratedGradients",
                                            "args": {"n_steps": 20}, "use_cache": False})
    assert r.status_code == 202
    state = c.JobState.model_validate(wait_status(workspaces["digits"], r.json["job_id"]))
    assert state.status == "done"
    payload = state.result.results[0].features[0].payload
    assert payload.kind == "image" and payload.attribution.shape == [16, 16]


def test_bad_uploads(client, workspaces):
    upload = "/api/w/digits/examples/upload"
    assert_error(post(client, upload, {"inputs": {"digit": {"image": "not base64!"}}}), 400, "image")
    assert_error(post(client, upload, {"inputs": {"digit": {"image": base64.b64encode(b"GIF89a junk").decode()}}}),
                 400, "image")
    assert_error(post(client, upload, {"inputs": {"digit": {"image": "a", "text": "b"}}}), 400, "inputs.digit")
    assert_error(post(client, upload, {"inputs": {}}), 400, "inputs.digit")
    strict = example_services(["digits"], limits=Limits(max_upload_pixels=100))
    strict_client = create_app(strict, token=TOKEN).test_client()
    assert_error(post(strict_client, upload, {"inputs": {"digit": {"image": _png(np.zeros((20, 20), np.uint8))}}}),
                 400, "image")
    strict["digits"].shutdown()
    series = "/api/w/signals/examples/upload"
    assert_error(post(client, series, {"inputs": {"signal": {"series": [[1.0, 2.0]]}}}), 400, "series")
    assert_error(post(client, "/api/w/sentiment/examples/upload", {"inputs": {"review": {"text": "  "}}}),
                 400, "text")


def test_a_broken_data_set_is_a_json_500_and_the_server_keeps_serving(workspaces):
    class Broken:
        def __iter__(self):
            raise RuntimeError("disk on fire")

    app = create_app({"broken": tabular_service(dataset=Broken()), "tabular": workspaces["tabular"]}, token=TOKEN)
    client = app.test_client()
    error = assert_error(post(client, "/api/w/broken/examples/page", {}), 500)
    assert error.code == "internal_error" and "disk on fire" in error.message
    assert post(client, "/api/w/tabular/examples/page", {}).status_code == 200
    assert_error(client.put("/api/w/tabular/estimate", json={}, headers=AUTH), 405)


def test_a_decompression_bomb_is_refused_from_its_header(client):
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 50_000, 50_000, 8, 0, 0, 0, 0)  # 2.5 gigapixels, declared only
    bomb = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")
    r = post(client, "/api/w/digits/examples/upload", {"inputs": {"digit": {"image": base64.b64encode(bomb).decode()}}})
    assert "pixels" in assert_error(r, 400, "image").message


def test_a_colour_upload_is_resized_and_recognised(client, workspaces):
    y, x = np.mgrid[:64, :64]
    image = np.zeros((64, 64, 3), np.uint8)
    image[(x - 30) ** 2 + (y - 34) ** 2 <= 14 ** 2] = (230, 60, 40)  # a red disc, twice the model's size
    r = post(client, "/api/w/shapes/examples/upload", {"inputs": {"image": {"image": _png(image)}}})
    example = c.ExampleView.model_validate(r.json)
    assert example.predictions[0].predicted.name == "circle"
    assert example.features[0].payload.height == 32
    r = post(client, "/api/w/shapes/jobs", {"examples": [example.id], "method": "IntegratedGradients",
                                            "baselines": {"image": "blur"}, "use_cache": False})
    state = wait_status(workspaces["shapes"], r.json["job_id"])
    assert state["status"] == "done" and state["result"]["results"][0]["target_name"] == "circle"


def test_one_example_by_id_or_by_its_place_in_the_data_set(client):
    ids = page_ids(client, "tabular", 3)
    by_id = client.get(f"/api/w/tabular/examples/{ids[2]}", headers=AUTH)
    assert by_id.status_code == 200 and c.ExampleView.model_validate(by_id.json).id == ids[2]
    far = client.get("/api/w/tabular/examples/at/37", headers=AUTH)  # beyond the pages read so far
    assert far.status_code == 200 and far.json["index"] == 37
    assert client.get("/api/w/tabular/examples/at/2", headers=AUTH).json == by_id.json
    assert_error(client.get("/api/w/tabular/examples/at/40", headers=AUTH), 404, "index")
    assert_error(client.get("/api/w/tabular/examples/nope", headers=AUTH), 404, "examples")
