"""Property-based fuzzing of every HTTP route and Socket.IO event with invalid requests.

Bodies start from a valid request and get one mutation, generated from the JSON Schema the
contract exports (a value of another type, out of its bounds, not in its enum or pattern; a
required field removed; an unknown field added; deep nesting) or from what the service knows
(unknown methods, examples, classes, workspaces, jobs, layers; out-of-range neurons and models;
a method argument the registry refuses, NaN and infinities included). Whole bodies are junk
too: other JSON types, invalid JSON, other content types, no or two event arguments, unknown
events. Every answer must be a 4xx JSON error body naming a field, in time: never a 5xx, never a
hang, never an accepted job.

``HYPOTHESIS_PROFILE=slow`` runs many more examples per route than CI's fixed number.
"""

from __future__ import annotations

import base64
import copy
import io
import json
import math
import os
import re
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Dict, List, Sequence, Tuple
from urllib.parse import quote, urlencode

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from attr_engine import REGISTRY
from attr_engine.core.registry import MAX_INT
from insights.schema import contract as c
from insights.schema import json_schema
from insights.server import create_app, socketio

from .conftest import AUTH, CLASSES, TOKEN

EXAMPLES_PER_ROUTE = {"slow": 2000}.get(os.environ.get("HYPOTHESIS_PROFILE", ""), 200)
FUZZ = settings(max_examples=EXAMPLES_PER_ROUTE, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))
ANSWER_WITHIN_S = 30  # a request still unanswered then is a hang
SOCKET_CODES = {"bad_request", "not_found", "too_many_jobs", "conflict"}
DEEP = "\u0000deep\u0000"  # replaced by thousands of nested arrays in the JSON text sent
STATS = {"requests": 0, "seconds": 0.0}
DEFS = json_schema()["$defs"]


# --- values ---------------------------------------------------------------------------------------
TEXT = st.one_of(st.text(max_size=24), st.sampled_from(["", " ", "..", "../../etc/passwd", "%00", "\u202e",
                                                        "null", "NaN", "x" * 5000, "é" * 300]))
NOT_NUMBER = TEXT.map(lambda s: "x" + s)  # no lax parse makes it a number or a boolean
LISTS = st.lists(st.integers(-3, 3), max_size=3)
OBJECTS = st.dictionaries(st.text(max_size=5), st.integers(), max_size=2)
HUGE = st.sampled_from([10 ** 30, -10 ** 30, 10 ** 400])
NON_FINITE = st.sampled_from([math.inf, -math.inf, math.nan])
FRACTIONS = st.floats(allow_nan=True, allow_infinity=True).filter(lambda f: not float(f).is_integer())


def resolve(schema: Dict[str, Any]) -> Tuple[Dict[str, Any], bool]:
    """The schema behind ``$ref`` and ``Optional`` (and whether null is allowed)."""
    nullable = False
    while True:
        if "$ref" in schema:
            schema = DEFS[schema["$ref"].rsplit("/", 1)[1]]
        elif "anyOf" in schema and any(o.get("type") == "null" for o in schema["anyOf"]):
            nullable = True
            options = [o for o in schema["anyOf"] if o.get("type") != "null"]
            schema = options[0] if len(options) == 1 else {"anyOf": options}
        else:
            return schema, nullable


def invalid_for(schema: Dict[str, Any]) -> Any:
    """Values the schema refuses (null excluded when allowed); None for a union of scalars (a
    method's argument: the registry's strategies cover it)."""
    s, _ = resolve(schema)
    kind = s.get("type")
    if "anyOf" in s:
        return None
    if "enum" in s:
        return st.one_of(TEXT.filter(lambda v: v not in s["enum"]), st.integers(), LISTS, st.booleans())
    if kind == "string":
        wrong = st.one_of(st.integers(), st.floats(), st.booleans(), LISTS, OBJECTS)
        if "pattern" in s:
            wrong = st.one_of(wrong, TEXT.filter(lambda v: re.search(s["pattern"], v) is None))
        return wrong
    if kind in ("integer", "number"):
        bad = [NOT_NUMBER, LISTS, OBJECTS, NON_FINITE] + ([FRACTIONS] if kind == "integer" else [])
        if "minimum" in s:
            bad.append(st.integers(max_value=int(s["minimum"]) - 1))
        if "maximum" in s:
            bad += [st.integers(min_value=int(s["maximum"]) + 1), HUGE.filter(lambda v: v > 0)]
        return st.one_of(*bad)
    if kind == "boolean":
        return st.one_of(NOT_NUMBER, st.integers(min_value=2), st.floats(0.1, 0.9), LISTS, OBJECTS)
    if kind == "array":
        bad = [NOT_NUMBER, st.integers(), OBJECTS]
        items = invalid_for(s.get("items", {}))
        if items is not None:
            bad.append(st.lists(items, min_size=1, max_size=3))
        if s.get("minItems"):
            bad.append(st.just([]))
        return st.one_of(*bad)
    if kind == "object":
        return st.one_of(NOT_NUMBER, st.integers(), LISTS)
    return None


def invalid_argument(param: Any) -> Any:
    """Values the registry refuses for one method argument."""
    empty = [] if param.nullable else [st.none()]
    if param.type == "bool":
        return st.one_of(st.integers(), st.floats(), TEXT, LISTS, *empty)
    if param.type == "choice":
        return st.one_of(TEXT.filter(lambda v: v not in param.choices), st.integers(), LISTS, *empty)
    if param.type == "str":
        return st.one_of(st.integers(), st.booleans(), LISTS, *empty)
    high = param.maximum if param.maximum is not None else (MAX_INT if param.type != "float" else None)
    numbers = [NON_FINITE, TEXT, LISTS, st.booleans(), *empty]
    if param.minimum is not None:
        numbers.append(st.floats(max_value=param.minimum, exclude_max=True, allow_nan=False))
    if high is not None:
        numbers.append(st.integers(min_value=int(high) + 1))
    if param.type == "float":
        numbers.append(st.just(10 ** 400))  # beyond any float
    else:
        numbers.append(FRACTIONS)
    if param.type == "ints":
        return st.one_of(st.just([]), TEXT, st.integers(), st.lists(st.one_of(*numbers[:2], *numbers[5:]),
                                                                      min_size=1, max_size=3))
    return st.one_of(*numbers)


def bad_args(method: str) -> Any:
    params = REGISTRY[method].params
    unknown = st.dictionaries(TEXT.map(lambda k: "zz" + k), st.integers(), min_size=1, max_size=2)
    if not params:
        return unknown
    return st.one_of(unknown, st.sampled_from(params).flatmap(
        lambda p: invalid_argument(p).map(lambda v, name=p.name: {name: v})))


# --- mutations ------------------------------------------------------------------------------------
def slots(body: Any, schema: Dict[str, Any], path: Tuple = ()) -> List[Tuple[Tuple, Dict[str, Any], bool]]:
    """(path, schema, required) of every value the request may hold inside its present objects."""
    s, _ = resolve(schema)
    out: List[Tuple[Tuple, Dict[str, Any], bool]] = []
    if s.get("type") == "object" and isinstance(body, dict):
        for name, sub in s.get("properties", {}).items():
            out.append((path + (name,), sub, name in s.get("required", ())))
            if name in body:
                out += slots(body[name], sub, path + (name,))
        extra = s.get("additionalProperties")
        if isinstance(extra, dict):
            for key in body:
                out.append((path + (key,), extra, False))
                out += slots(body[key], extra, path + (key,))
    elif s.get("type") == "array" and isinstance(body, list):
        for i, item in enumerate(body):
            out.append((path + (i,), s.get("items", {}), False))
            out += slots(item, s.get("items", {}), path + (i,))
    return out


def objects(body: Any, schema: Dict[str, Any], path: Tuple = ()) -> List[Tuple]:
    """Paths of the present objects, where an unknown key is refused."""
    s, _ = resolve(schema)
    if s.get("type") != "object" or not isinstance(body, dict):
        if s.get("type") == "array" and isinstance(body, list):
            return [p for i, item in enumerate(body) for p in objects(item, s.get("items", {}), path + (i,))]
        return []
    out = [path]
    for name, sub in s.get("properties", {}).items():
        if name in body:
            out += objects(body[name], sub, path + (name,))
    if isinstance(s.get("additionalProperties"), dict):
        for key in body:
            out += objects(body[key], s["additionalProperties"], path + (key,))
    return out


def put(body: Any, path: Tuple, value: Any) -> None:
    for key in path[:-1]:
        body = body[key]
    body[path[-1]] = value


def drop(body: Any, path: Tuple) -> None:
    for key in path[:-1]:
        body = body[key]
    del body[path[-1]]


def encode(body: Any) -> str:
    return json.dumps(body).replace(json.dumps(DEEP), "[" * 3000 + "]" * 3000)


JUNK_BODIES = st.one_of(st.integers(), st.floats(), TEXT, LISTS, st.none(), st.booleans()).map(json.dumps) | \
    st.sampled_from(["", "{", '{"a": }', "[1, 2", "{'single': 1}", "\xff", "NaN", "[" * 5000 + "]" * 5000,
                     '{"a": ' + "[" * 5000 + "]" * 5000 + "}"])


@st.composite
def invalid_body(draw: Any, base: Dict[str, Any], model: str, semantic: Dict[Tuple, Any]) -> str:
    """The JSON text of ``base`` (a valid ``model``) with one mutation that makes it invalid."""
    schema = {"$ref": f"#/$defs/{model}"}
    body = copy.deepcopy(base)
    settable = [(p, inv) for p, sub, _ in slots(body, schema) if (inv := invalid_for(sub)) is not None]
    required = [p for p, _, req in slots(body, schema) if req and _present(body, p)]
    kinds = ["set", "extra", "deep", "junk"] + (["delete"] if required else []) + (["semantic"] if semantic else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "junk":
        return draw(JUNK_BODIES)
    if kind == "set":
        path, values = draw(st.sampled_from(settable))
        put(body, path, draw(values))
    elif kind == "delete":
        drop(body, draw(st.sampled_from(required)))
    elif kind == "extra":
        path = draw(st.sampled_from(objects(body, schema)))
        put(body, path + ("zz" + draw(st.text(max_size=8)),), draw(st.one_of(st.integers(), TEXT, st.none())))
    elif kind == "deep":
        path = draw(st.sampled_from([p for p, _, _ in slots(body, schema)]))
        put(body, path, DEEP)
    else:
        path = draw(st.sampled_from(sorted(semantic, key=str)))
        put(body, path, draw(semantic[path]))
    return encode(body)


def _present(body: Any, path: Tuple) -> bool:
    for key in path:
        if not isinstance(body, (dict, list)) or (isinstance(body, dict) and key not in body):
            return False
        body = body[key]
    return True


# --- the server under test ------------------------------------------------------------------------
def _png() -> str:
    buffer = io.BytesIO()
    Image.fromarray((np.arange(32 * 32) % 251).astype(np.uint8).reshape(32, 32)).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


@pytest.fixture(scope="module")
def server(workspaces, tmp_path_factory):
    app = create_app(workspaces, token=TOKEN,
                     config={"INSIGHTS_DATASET_ROOT": str(tmp_path_factory.mktemp("fuzz-datasets"))})
    client = app.test_client()
    ids = [e["id"] for e in client.post("/api/w/tabular/examples/page", headers=AUTH,
                                        json={"page_size": 3}).json["examples"]]
    pool = ThreadPoolExecutor(1, thread_name_prefix="fuzz")
    before = {name: set(service.jobs._jobs) for name, service in workspaces.items()}
    yield {"app": app, "client": client, "ids": ids, "pool": pool}
    pool.shutdown(wait=False, cancel_futures=True)
    for name, service in workspaces.items():  # nothing the fuzz sent may have started a job
        assert set(service.jobs._jobs) <= before[name], "an invalid request started a job"
    print(f"\nfuzz: {STATS['requests']} generated requests in {STATS['seconds']:.1f} s")


def answered(server: Dict[str, Any], call: Callable[[], Any]) -> Any:
    """``call()`` on the fuzz thread: an answer within ANSWER_WITHIN_S, or the test fails (a hang)."""
    start = time.perf_counter()
    try:
        return server["pool"].submit(call).result(timeout=ANSWER_WITHIN_S)
    finally:
        STATS["requests"] += 1
        STATS["seconds"] += time.perf_counter() - start


def check_http(r: Any) -> None:
    text = r.get_data(as_text=True)
    assert 400 <= r.status_code < 500, (r.status_code, text[:400])
    error = c.ErrorResponse.model_validate(r.get_json()).error
    assert error.field, error
    assert "Traceback" not in text and TOKEN not in text


def post(server: Dict[str, Any], path: str, text: str, content_type: str = "application/json") -> None:
    r = answered(server, lambda: server["client"].post(path, data=text.encode("utf-8", "surrogatepass"),
                                                       headers={**AUTH, "Content-Type": content_type}))
    check_http(r)


def attribution_semantics(ids: Sequence[str], base: Dict[str, Any], prefix: Tuple = ()) -> Dict[Tuple, Any]:
    """What the service refuses in an attribution request on the tabular workspace."""
    known = set(ids)
    out = {
        prefix + ("method",): TEXT.filter(lambda m: m not in REGISTRY),
        prefix + ("examples",): st.one_of(st.lists(TEXT.filter(lambda i: i not in known), min_size=1, max_size=3),
                                          st.lists(st.sampled_from(list(ids)), min_size=33, max_size=40)),
        prefix + ("models",): st.one_of(st.just([0] * 6200), st.lists(st.integers(), min_size=1, max_size=4).filter(
            lambda m: len(set(m)) < len(m) or any(not 0 <= i < 2 for i in m))),
        prefix + ("target",): st.one_of(st.just({"kind": "class"}), TEXT.filter(lambda n: n not in CLASSES).map(
            lambda n: {"kind": "class", "class_name": n})),
        prefix + ("baselines",): st.one_of(
            st.dictionaries(TEXT.filter(lambda k: k != "x"), st.just("zeros"), min_size=1, max_size=2),
            TEXT.filter(lambda o: o not in ("zeros", "dataset_mean")).map(lambda o: {"x": o})),
        prefix + ("args",): bad_args(base["method"]),
    }
    if REGISTRY[base["method"]].needs_layer:
        out[prefix + ("layer",)] = TEXT.filter(lambda name: name != "linear")
    if REGISTRY[base["method"]].needs_neuron:
        out[prefix + ("neuron",)] = st.one_of(st.just([]), st.lists(st.integers(), min_size=1, max_size=3).filter(
            lambda n: not (len(n) == 1 and 0 <= n[0] < 3)))
    return out


def attribution_bases(ids: Sequence[str]) -> List[Dict[str, Any]]:
    return [{"examples": list(ids[:2]), "method": "Saliency", "models": [0, 1]},
            {"examples": list(ids[:1]), "method": "NeuronGradient", "layer": "linear", "neuron": [1]},
            {"examples": list(ids[:2]), "method": "IntegratedGradients", "args": {"n_steps": 8},
             "target": {"kind": "class", "class_name": "high"}, "baselines": {"x": "zeros"}},
            {"examples": list(ids[:1]), "method": "NoiseTunnel", "args": {"stdevs": 0.1, "nt_samples": 2}}]


DATASET_BASES = [{"name": "fuzz", "method": "Saliency", "limit": 2},
                 {"name": "fuzz-neuron", "method": "NeuronGradient", "layer": "linear", "neuron": [0], "limit": 2},
                 {"name": "fuzz-ig", "method": "IntegratedGradients", "args": {"n_steps": 4}, "limit": 2}]


def dataset_semantics(base: Dict[str, Any], prefix: Tuple = ()) -> Dict[Tuple, Any]:
    out = {k: v for k, v in attribution_semantics([], base, prefix).items() if k[-1] in ("method", "args", "layer",
                                                                                          "neuron", "target")}
    out[prefix + ("model",)] = st.integers(min_value=2)
    out[prefix + ("workers",)] = st.integers(min_value=5, max_value=256)
    out[prefix + ("baselines",)] = st.dictionaries(TEXT.filter(lambda k: k != "x"), st.just("zeros"), min_size=1,
                                                   max_size=2)
    return out


# --- the sanity of the generators: the bases are valid ---------------------------------------------
def test_the_bases_the_mutations_start_from_are_valid(server):
    client, ids = server["client"], server["ids"]
    for base in attribution_bases(ids):
        r = client.post("/api/w/tabular/estimate", headers=AUTH, json=base)
        assert r.status_code == 200 and r.json["within_limits"], (base, r.json)
    assert client.post("/api/w/tabular/examples/page", headers=AUTH, json=PAGE_BASE).status_code == 200
    c.UploadRequest.model_validate(upload_base())
    for base in DATASET_BASES:
        c.DatasetJobRequest.model_validate(base)


# --- HTTP ----------------------------------------------------------------------------------------
PAGE_BASE = {"page": 0, "page_size": 2, "top_k": 3,
             "filter": {"prediction": "all", "true_classes": ["low"], "predicted_classes": ["mid"], "model": 0}}
PAGE_SEMANTICS = {
    ("page_size",): st.integers(min_value=65),
    ("filter", "model"): st.integers(min_value=2),
    ("filter", "true_classes"): st.lists(TEXT.filter(lambda n: n not in CLASSES), min_size=1, max_size=2),
    ("filter", "predicted_classes"): st.lists(TEXT.filter(lambda n: n not in CLASSES), min_size=1, max_size=2),
}


@FUZZ
@given(data=st.data())
def test_page(server, data):
    post(server, "/api/w/tabular/examples/page", data.draw(invalid_body(PAGE_BASE, "PageRequest", PAGE_SEMANTICS)))


def upload_base() -> Dict[str, Any]:
    return {"inputs": {"digit": {"image": _png()}}, "label": "1"}


UPLOAD_SEMANTICS = {
    ("label",): TEXT.filter(lambda n: n not in [str(i) for i in range(10)]),
    ("inputs", "digit"): st.one_of(st.just({}), TEXT.map(lambda t: {"text": t}),
                                   st.lists(st.lists(st.floats(), max_size=3), max_size=2).map(lambda s: {"series": s}),
                                   TEXT.map(lambda t: {"image": _png(), "text": t})),
    ("inputs", "digit", "image"): st.one_of(TEXT, st.binary(max_size=64).map(lambda b: base64.b64encode(b).decode()),
                                            st.integers(0, len(base64.b64decode(_png())) - 30).map(  # cut in the rows
                                                lambda n: base64.b64encode(base64.b64decode(_png())[:n]).decode())),
}


@FUZZ
@given(data=st.data())
def test_upload(server, data):
    post(server, "/api/w/digits/examples/upload", data.draw(invalid_body(upload_base(), "UploadRequest",
                                                                         UPLOAD_SEMANTICS)))


@FUZZ
@given(data=st.data(), route=st.sampled_from(["estimate", "jobs"]))
def test_estimate_and_jobs(server, data, route):
    base = data.draw(st.sampled_from(attribution_bases(server["ids"])))
    text = data.draw(invalid_body(base, "AttributionRequest", attribution_semantics(server["ids"], base)))
    post(server, f"/api/w/tabular/{route}", text)


@FUZZ
@given(data=st.data())
def test_dataset_jobs(server, data):
    base = data.draw(st.sampled_from(DATASET_BASES))
    post(server, "/api/w/tabular/datasets", data.draw(invalid_body(base, "DatasetJobRequest",
                                                                   dataset_semantics(base))))


POST_ROUTES = ["/api/w/tabular/examples/page", "/api/w/digits/examples/upload", "/api/w/tabular/estimate",
               "/api/w/tabular/jobs", "/api/w/tabular/datasets", "/api/w/tabular/jobs/nope/cancel"]


@FUZZ
@given(path=st.sampled_from(POST_ROUTES), text=JUNK_BODIES,
       content_type=st.sampled_from(["text/plain", "application/x-www-form-urlencoded", "multipart/form-data",
                                     "application/xml", "", "application/json; charset=latin-1",
                                     "application/json"]))
def test_junk_bodies_and_other_content_types(server, path, text, content_type):
    post(server, path, text, content_type)


SEGMENT = TEXT.filter(lambda s: s.strip("./ ") != "" and s not in ("tabular", "digits"))


@FUZZ
@given(data=st.data())
def test_get_routes_with_unknown_ids_and_odd_values(server, data):
    segment = quote(data.draw(SEGMENT), safe="")
    query = {name: data.draw(st.one_of(TEXT, st.integers(-10 ** 6, 10 ** 6).map(str), HUGE.map(str)))
             for name in data.draw(st.lists(st.sampled_from(["top", "worst", "sanity", "compare"]), min_size=1,
                                            unique=True))}
    if not any(name in query and not _in_range(query[name], *bounds)
               for name, bounds in (("top", (1, 100)), ("worst", (1, 100)), ("sanity", (0, 16)))):
        query["top"] = "0"  # at least one bad value: the store name may not matter before it
    path = data.draw(st.sampled_from([
        f"/api/w/{segment}/info", f"/api/w/tabular/examples/{segment}", f"/api/w/tabular/examples/at/{segment}",
        f"/api/w/tabular/examples/at/{data.draw(st.integers(min_value=40))}", f"/api/w/tabular/jobs/{segment}",
        f"/api/w/tabular/datasets/{segment}", f"/api/w/tabular/datasets/{segment}/summary",
        f"/api/w/tabular/datasets/{segment}/summary?{urlencode(query)}", f"/api/{segment}",
        f"/api/w/{segment}/datasets"]))
    method = data.draw(st.sampled_from(["GET", "POST"]) if path.endswith("/cancel") else st.just("GET"))
    r = answered(server, lambda: server["client"].open(path, method=method, headers=AUTH))
    check_http(r)


def _in_range(text: str, low: int, high: int) -> bool:
    try:
        return low <= int(text) <= high
    except ValueError:
        return False


# --- Socket.IO -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sock(server):
    client = socketio.test_client(server["app"], query_string=f"token={TOKEN}")
    assert client.is_connected()
    yield client
    client.disconnect()


def check_ack(sock: Any, ack: Any) -> None:
    error = c.ErrorResponse.model_validate(ack).error
    assert error.code in SOCKET_CODES and error.field, error
    received = sock.get_received()
    assert received and received[-1]["name"] == "error", received


def emit_text(server: Dict[str, Any], sock: Any, event: str, text: str) -> Any:
    """An event whose one argument is the JSON ``text``, with acknowledgement id 1, as raw packet."""
    def send() -> Any:
        sock.acks = None
        socketio.server._handle_eio_message(sock.eio_sid, f'21["{event}",{text}]')
        return sock.acks["args"][0] if sock.acks else None

    return answered(server, send)


def run_semantics(ids: Sequence[str], base: Dict[str, Any]) -> Dict[Tuple, Any]:
    out = attribution_semantics(ids, base["request"], ("request",))
    out[("workspace",)] = TEXT.filter(lambda w: w not in ("digits", "shapes", "sentiment", "signals", "tabular"))
    return out


@FUZZ
@given(data=st.data())
def test_socket_run(server, sock, data):
    request = data.draw(st.sampled_from(attribution_bases(server["ids"])))
    base = {"workspace": "tabular", "request": request}
    check_ack(sock, emit_text(server, sock, "run", data.draw(invalid_body(base, "RunRequest",
                                                                        run_semantics(server["ids"], base)))))


@FUZZ
@given(data=st.data())
def test_socket_run_dataset(server, sock, data):
    request = data.draw(st.sampled_from(DATASET_BASES))
    base = {"workspace": "tabular", "request": request}
    semantics = dataset_semantics(request, ("request",))
    semantics[("workspace",)] = TEXT.filter(lambda w: w not in ("digits", "shapes", "sentiment", "signals",
                                                                "tabular"))
    check_ack(sock, emit_text(server, sock, "run_dataset", data.draw(invalid_body(base, "RunDatasetRequest",
                                                                                semantics))))


@FUZZ
@given(data=st.data())
def test_socket_cancel(server, sock, data):
    base = {"workspace": "tabular", "job_id": "0123456789abcdef"}
    semantics = {("job_id",): TEXT, ("workspace",): TEXT.filter(lambda w: w != "tabular")}
    check_ack(sock, emit_text(server, sock, "cancel", data.draw(invalid_body(base, "CancelRequest", semantics))))


@FUZZ
@given(event=st.one_of(st.sampled_from(["run", "cancel", "run_dataset"]), TEXT.filter(
    lambda e: e not in ("run", "cancel", "run_dataset", "connect", "disconnect", "message"))),
       args=st.lists(st.one_of(OBJECTS, st.integers(), TEXT, st.none(), LISTS), max_size=3))
def test_socket_events_with_any_arguments_or_unknown_names(server, sock, event, args):
    if event in ("run", "cancel", "run_dataset") and len(args) == 1 and isinstance(args[0], dict) and not args[0]:
        args = [{"zz": 1}]  # one empty object is refused too, but name a field that is surely wrong

    def send() -> Any:
        return sock.emit(event, *args, callback=True)

    check_ack(sock, answered(server, send))
