"""Bad requests are refused before a job exists, with a 4xx naming the field in a user's words:
non-finite and huge numbers, deep nesting, broken images, wrong event arguments, unknown layers
and neurons, a value of the wrong kind for a feature, repeated models."""

import base64
import io
import json

import numpy as np
import pytest
from PIL import Image

from insights.schema import contract as c

from .conftest import AUTH, page_ids, run_request

NON_FINITE = ["Infinity", "-Infinity", "1e400", "-1e400", "NaN"]  # JSON text, as a client may send it


def raw_post(client, path, text):
    return client.post(path, data=text, headers={**AUTH, "Content-Type": "application/json"})


def error_of(r, status=400):
    assert r.status_code == status, r.get_data(as_text=True)
    return c.ErrorResponse.model_validate(r.json).error


@pytest.mark.parametrize("value", NON_FINITE)
@pytest.mark.parametrize("method,arg", [("IntegratedGradients", "n_steps"), ("IntegratedGradients",
                                                                             "internal_batch_size"),
                                        ("NoiseTunnel", "nt_samples"), ("NoiseTunnel", "stdevs")])
def test_non_finite_numbers_in_arguments_are_refused_on_every_route(client, sio, method, arg, value):
    ids = json.dumps(page_ids(client, "tabular", 1))
    body = f'{{"examples": {ids}, "method": "{method}", "args": {{"{arg}": {value}}}}}'
    for path in ("/api/w/tabular/estimate", "/api/w/tabular/jobs"):
        error = error_of(raw_post(client, path, body))
        assert error.field == f"args.{arg}" and "NaN or infinite" in error.message, error
    ack = sio().emit("run", {"workspace": "tabular", "request": json.loads(body)}, callback=True)
    assert ack["error"]["field"] == f"args.{arg}", ack


def test_huge_integers_are_refused_not_overflowed(client):
    ids = page_ids(client, "tabular", 1)
    for args, field in [({"internal_batch_size": 10 ** 40}, "args.internal_batch_size"),
                        ({"n_steps": 10 ** 300}, "args.n_steps")]:
        r = client.post("/api/w/tabular/estimate", headers=AUTH,
                        json={"examples": ids, "method": "IntegratedGradients", "args": args})
        assert error_of(r).field == field
    r = client.post("/api/w/tabular/estimate", headers=AUTH,
                    json={"examples": ids, "method": "NoiseTunnel", "args": {"stdevs": 10 ** 400}})
    assert error_of(r).field == "args.stdevs"


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


@pytest.mark.parametrize("path", ["/api/w/tabular/examples/page", "/api/w/tabular/examples/upload",
                                  "/api/w/tabular/estimate", "/api/w/tabular/jobs", "/api/w/tabular/datasets",
                                  "/api/w/tabular/jobs/nope/cancel"])
@pytest.mark.parametrize("where", ["body", "field"])
def test_deeply_nested_json_is_a_400_on_every_post_route(client, path, where):
    text = deep(5000) if where == "body" else f'{{"examples": {deep(5000)}, "method": "Saliency"}}'
    r = raw_post(client, path, text)
    assert r.status_code in (400, 404), r.get_data(as_text=True)  # cancel of an unknown job needs no body
    assert c.ErrorResponse.model_validate(r.json).error.field in ("body", "job_id")


def test_invalid_json_is_a_400_naming_the_body(client):
    for text in ("{", '{"page": }', "\xff\xfe", "[1, 2"):
        assert error_of(raw_post(client, "/api/w/tabular/examples/page", text)).field == "body"


@pytest.mark.parametrize("event", ["run", "cancel", "run_dataset"])
def test_deeply_nested_socket_events_get_an_error_answer(sio, event):
    s = sio()
    server = s.socketio.server
    server._handle_eio_message(s.eio_sid, f'21["{event}",{deep(5000)}]')  # an event with ack id 1
    assert s.acks is not None and s.acks["args"][0]["error"]["field"] == "body", s.acks
    assert s.get_received()[-1]["name"] == "error"


@pytest.mark.parametrize("event", ["run", "cancel", "run_dataset"])
@pytest.mark.parametrize("args", [(), ({"workspace": "tabular"}, {"workspace": "tabular"})], ids=["none", "two"])
def test_socket_events_with_no_or_two_arguments_get_a_400(sio, event, args):
    s = sio()
    ack = s.emit(event, *args, callback=True)
    error = c.ErrorResponse.model_validate(ack).error
    assert error.code == "bad_request" and error.field == "body" and "one JSON object" in error.message
    assert s.get_received()[-1]["name"] == "error"


def _png(size: int = 32) -> bytes:
    buffer = io.BytesIO()
    pixels = (np.arange(size * size * 3) * 37 % 256).astype(np.uint8).reshape(size, size, 3)
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def _corrupted(data: bytes) -> bytes:
    at = data.index(b"IDAT") + 12
    return data[:at] + bytes(b ^ 0x5A for b in data[at:at + 40]) + data[at + 40:]


@pytest.mark.parametrize("data", [_png()[: len(_png()) // 2], _png()[:70], _corrupted(_png())],
                         ids=["half", "header-only", "corrupted"])
def test_a_truncated_or_corrupt_png_is_a_400(client, data):
    r = client.post("/api/w/digits/examples/upload", headers=AUTH,
                    json={"inputs": {"digit": {"image": base64.b64encode(data).decode()}}})
    error = error_of(r)
    assert error.field == "image" and "damaged" in error.message


@pytest.mark.parametrize("workspace,feature,value", [
    ("sentiment", "review", {"image": base64.b64encode(_png()).decode()}),
    ("sentiment", "review", {"series": [[1.0, 2.0]]}),
    ("digits", "digit", {"text": "a digit"}),
    ("digits", "digit", {"series": [[0.0]]}),
    ("signals", "signal", {"text": "1 2 3"}),
    ("signals", "signal", {"image": base64.b64encode(_png()).decode()}),
])
def test_a_value_of_another_kind_than_the_feature_is_refused(client, workspace, feature, value):
    r = client.post(f"/api/w/{workspace}/examples/upload", headers=AUTH, json={"inputs": {feature: value}})
    error = error_of(r)
    assert error.field == f"inputs.{feature}.{next(iter(value))}", error
    assert f"{feature} takes a" in error.message


LAYER_CASES = [
    ({"method": "LayerGradCam", "layer": "no.such.layer"}, "layer"),
    ({"method": "LayerGradCam", "layer": ""}, "layer"),
    ({"method": "LayerGradCam"}, "layer"),
    ({"method": "LayerConductance", "layer": "__class__"}, "layer"),
    ({"method": "NeuronGradient", "layer": "linear"}, "neuron"),
    ({"method": "NeuronGradient", "layer": "linear", "neuron": []}, "neuron"),
    ({"method": "NeuronGradient", "layer": "linear", "neuron": [3]}, "neuron"),
    ({"method": "NeuronGradient", "layer": "linear", "neuron": [-1]}, "neuron"),
    ({"method": "NeuronGradient", "layer": "linear", "neuron": [0, 0]}, "neuron"),
    ({"method": "NeuronIntegratedGradients", "layer": "linear", "neuron": [4],
      "args": {"attribute_to_neuron_input": True}}, "neuron"),
]


@pytest.mark.parametrize("choice,field", LAYER_CASES)
def test_layer_and_neuron_are_checked_before_a_job_exists(client, sio, workspaces, choice, field):
    ids = page_ids(client, "tabular", 2)
    body = {"examples": ids, **choice}
    for path in ("/api/w/tabular/estimate", "/api/w/tabular/jobs"):
        assert error_of(client.post(path, headers=AUTH, json=body)).field == field
    ack = sio().emit("run", run_request("tabular", **body), callback=True)
    assert ack["error"]["field"] == field, ack
    assert workspaces["tabular"].jobs.active("http") == []


def test_a_neuron_within_the_layer_is_accepted(client):
    ids = page_ids(client, "tabular", 2)
    for neuron, args in (([2], {}), ([3], {"attribute_to_neuron_input": True})):  # output 3 values, input 4
        r = client.post("/api/w/tabular/estimate", headers=AUTH, json={
            "examples": ids, "method": "NeuronIntegratedGradients", "layer": "linear", "neuron": neuron,
            "args": args})
        assert r.status_code == 200 and r.json["within_limits"], r.json



def test_info_gives_each_layers_shape_for_the_neuron_picker(client):
    shapes = client.get("/api/w/digits/info", headers=AUTH).json["models"][0]["layer_shapes"]
    assert shapes["conv2"] == [32, 8, 8] and shapes["fc2"] == [10]
    assert client.get("/api/w/tabular/info", headers=AUTH).json["models"][0]["layer_shapes"] == {"linear": [3]}

@pytest.mark.parametrize("models", [[0, 0], [1, 0, 1], [0] * 6200])
def test_repeated_models_are_refused(client, models):
    ids = page_ids(client, "tabular", 2)
    for path in ("/api/w/tabular/estimate", "/api/w/tabular/jobs"):
        error = error_of(client.post(path, headers=AUTH, json={"examples": ids, "method": "Saliency",
                                                               "models": models}))
        assert error.field == "models" and "at most once" in error.message


@pytest.mark.parametrize("args,message", [
    ({"n_steps": 0}, "Integrated Gradients: steps must be a whole number between 1 and 2000"),
    ({"n_steps": 2.5}, "Integrated Gradients: steps must be a whole number between 1 and 2000"),
    ({"method": "simpson"}, "Integrated Gradients: method must be one of riemann_left, riemann_right, "
                            "riemann_middle, riemann_trapezoid, gausslegendre"),
    ({"internal_batch_size": 0}, "Integrated Gradients: internal batch size must be a whole number of at least 1"),
    ({"steps": 3}, "Integrated Gradients has no setting 'steps'; its settings are: steps, method, internal batch "
                   "size, multiply by inputs"),
])
def test_argument_errors_speak_the_users_words_and_name_the_field(client, args, message):
    ids = page_ids(client, "tabular", 1)
    r = client.post("/api/w/tabular/estimate", headers=AUTH,
                    json={"examples": ids, "method": "IntegratedGradients", "args": args})
    error = error_of(r)
    assert error.message == message and "`" not in error.message
    assert error.field == (f"args.{next(iter(args))}" if "steps" not in args else "args")


def test_unknown_paths_and_methods_name_what_to_change(client):
    assert error_of(client.get("/api/nope", headers=AUTH), 404).field == "path"
    assert error_of(client.get("/api/w/tabular//info", headers=AUTH), 404).field == "path"  # not a redirect
    assert error_of(client.get("/api/w/tabular/examples/at/minus-one", headers=AUTH), 404).field == "path"
    assert error_of(client.put("/api/w/tabular/jobs", json={}, headers=AUTH), 405).field == "method"


def test_an_unknown_socket_event_is_answered_not_left_waiting(sio):
    s = sio()
    ack = s.emit("rnu", {"workspace": "tabular"}, callback=True)
    error = c.ErrorResponse.model_validate(ack).error
    assert error.code == "not_found" and error.field == "event" and "run, cancel and run_dataset" in error.message
    assert s.get_received()[-1]["name"] == "error"


def test_an_invalid_json_socket_packet_gets_an_error_answer(sio):
    s = sio()
    s.socketio.server._handle_eio_message(s.eio_sid, '21["run",{"workspace": ]')
    assert s.acks["args"][0]["error"] == {"code": "bad_request", "message": "the message is not valid JSON",
                                          "field": "body"}
