"""Jobs over Socket.IO: progress order, partial and final results, cancel, errors, isolation, cache."""

import time

import pytest

from insights.schema import contract as c

from .conftest import AUTH, collect, page_ids, run_request, wait_status

LONG_RUN = dict(method="IntegratedGradients", args={"n_steps": 2000, "internal_batch_size": 8}, use_cache=False)


def start(client, body):
    ack = client.emit("run", body, callback=True)
    assert "job_id" in ack, ack
    c.JobAccepted.model_validate(ack)
    return ack["job_id"]


def test_progress_partial_then_result(client, sio):
    ids = page_ids(client, "digits", 4)
    s = sio()
    job = start(s, run_request("digits", examples=ids, method="IntegratedGradients",
                               args={"n_steps": 400, "internal_batch_size": 16}, use_cache=False))
    events = collect(s, job)
    names = [name for name, _ in events]
    assert names[-1] == "result" and "partial" in names and names.count("progress") >= 3
    fractions = [p["fraction"] for name, p in events if name == "progress"]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert all(c.ProgressEvent.model_validate(p) for name, p in events if name == "progress")
    result = c.ResultEvent.model_validate(events[-1][1])
    assert [r.example_id for r in result.results] == ids
    first = result.results[0]
    assert first.delta is not None and first.features[0].payload.kind == "image"


LONG_ABLATION = dict(method="FeatureAblation", args={"perturbations_per_eval": 1}, use_cache=False)


@pytest.mark.parametrize("long_run", [LONG_RUN, LONG_ABLATION], ids=["IntegratedGradients", "FeatureAblation"])
def test_cancel_then_start_another(client, sio, workspaces, long_run):
    ids = page_ids(client, "digits", 16)
    s = sio()
    job = start(s, run_request("digits", examples=ids, **long_run))
    events = collect(s, job, until=("progress",))
    while not any(p["fraction"] > 0 for name, p in events if name == "progress"):  # the method reports
        events += collect(s, job, until=("progress",))
    ack = s.emit("cancel", {"workspace": "digits", "job_id": job}, callback=True)
    assert ack["job_id"] == job
    events = collect(s, job)
    assert events[-1][0] == "cancelled"
    assert workspaces["digits"].job_state(job)["status"] == "cancelled"
    again = start(s, run_request("digits", examples=ids[:2], method="Saliency", use_cache=False))
    assert collect(s, again)[-1][0] == "result"


def test_failing_model_gives_an_error_event_and_the_server_keeps_serving(client, sio):
    ids = page_ids(client, "tabular", 3)
    s = sio()
    job = start(s, run_request("tabular", examples=ids, models=[1], method="Saliency"))
    name, payload = collect(s, job)[-1]
    error = c.ErrorEvent.model_validate(payload).error
    assert name == "error" and error.code == "model_error" and "boom" in error.message
    job = start(s, run_request("tabular", examples=ids, models=[0], method="Saliency", use_cache=False))
    assert collect(s, job)[-1][0] == "result"
    assert client.get("/api/w/tabular/info", headers=AUTH).status_code == 200


def test_two_clients_get_only_their_own_events(client, sio):
    ids = page_ids(client, "signals", 4)
    a, b = sio(), sio()
    job_a = start(a, run_request("signals", examples=ids[:2], method="IntegratedGradients", use_cache=False))
    job_b = start(b, run_request("signals", examples=ids[2:], method="GradientShap", use_cache=False))
    results = {}
    for s, job in ((a, job_a), (b, job_b)):
        deadline, seen = time.monotonic() + 30, []
        while time.monotonic() < deadline and not any(p["name"] == "result" for p in seen):
            seen.extend(s.get_received())
            time.sleep(0.01)
        assert {p["args"][0]["job_id"] for p in seen} == {job}
        results[job] = next(p["args"][0] for p in seen if p["name"] == "result")
    assert [r["method"] for r in results[job_a]["results"]] == ["IntegratedGradients"] * 2
    assert [r["method"] for r in results[job_b]["results"]] == ["GradientShap"] * 2


def test_disconnect_cancels_the_clients_jobs(client, sio, workspaces):
    ids = page_ids(client, "digits", 16)
    s = sio()
    job = start(s, run_request("digits", examples=ids, **LONG_RUN))
    collect(s, job, until=("progress",))
    s.disconnect()
    assert wait_status(workspaces["digits"], job)["status"] == "cancelled"


def test_repeated_request_is_answered_from_the_cache_without_the_model(client, sio, workspaces):
    ids = page_ids(client, "tabular", 4)
    model = workspaces["tabular"].models[0].module
    body = run_request("tabular", examples=ids, method="IntegratedGradients", args={"n_steps": 17})
    s = sio()
    first = collect(s, start(s, body))[-1][1]
    assert first["cache_hits"] == 0 and not any(r["cached"] for r in first["results"])
    calls = model.calls
    second = collect(s, start(s, body))[-1][1]
    assert second["cache_hits"] == 4 and all(r["cached"] for r in second["results"])
    assert model.calls == calls
    strip = lambda rs: [{k: v for k, v in r.items() if k != "cached"} for r in rs]  # noqa: E731
    assert strip(second["results"]) == strip(first["results"])
    other_baseline = run_request("tabular", examples=ids, method="IntegratedGradients", args={"n_steps": 17},
                                 baselines={"x": "dataset_mean"})
    assert collect(s, start(s, other_baseline))[-1][1]["cache_hits"] == 0
    labels = [workspaces["tabular"].store.get(i).label for i in ids]
    by_class = run_request("tabular", examples=ids, method="IntegratedGradients", args={"n_steps": 17},
                           target={"kind": "class", "class_name": "high"})  # same target as a label: a hit
    assert collect(s, start(s, by_class))[-1][1]["cache_hits"] == labels.count(2)


def test_malformed_socket_requests_get_the_error_shape(sio):
    s = sio()
    for body, field in [({"workspace": "tabular"}, "request"),
                        (run_request("tabular", examples=["x"], method="Saliency"), "examples"),
                        (run_request("tabular", examples=["x"], method="IntegratedGradients",
                                     args={"n_steps": 100_000}), "args.n_steps"),
                        (run_request("nowhere", examples=["x"], method="Saliency"), "workspace"),
                        ("not an object", "body")]:
        ack = s.emit("run", body, callback=True)
        assert c.ErrorResponse.model_validate(ack).error.field == field, ack
        events = s.get_received()
        assert events[-1]["name"] == "error" and events[-1]["args"][0]["error"] == ack["error"]
    ack = s.emit("cancel", {"workspace": "tabular", "job_id": "nope"}, callback=True)
    assert ack["error"]["code"] == "not_found"


def test_steps_out_of_bounds_refused_before_running(client, sio):
    ids = page_ids(client, "tabular", 1)
    ack = sio().emit("run", run_request("tabular", examples=ids, method="IntegratedGradients",
                                        args={"n_steps": 100_000}), callback=True)
    assert ack["error"]["field"] == "args.n_steps"
    assert ack["error"]["message"] == "Integrated Gradients: steps must be a whole number between 1 and 2000"


def test_typed_text_is_attributed_end_to_end(client, sio):
    r = client.post("/api/w/sentiment/examples/upload", headers=AUTH,
                    json={"inputs": {"review": {"text": "the plot was not good but the acting was superb"}}})
    example = r.json
    assert [t for t in example["features"][0]["payload"]["tokens"]][:4] == ["the", "plot", "was", "not"]
    s = sio()
    job = start(s, run_request("sentiment", examples=[example["id"]], method="IntegratedGradients",
                               target={"kind": "class", "class_name": "positive"}))
    result = c.ResultEvent.model_validate(collect(s, job)[-1][1]).results[0]
    payload = result.features[0].payload
    assert payload.kind == "text" and len(payload.scores) == len(payload.tokens) == 10
    scores = dict(zip(payload.tokens, payload.scores))
    assert scores["superb"] > 0 and scores["superb"] > abs(scores["the"])


def test_http_jobs_can_be_polled_and_cancelled(client, workspaces):
    ids = page_ids(client, "digits", 16)
    r = client.post("/api/w/digits/jobs", headers=AUTH, json={"examples": ids, **LONG_RUN})
    assert r.status_code == 202
    job = r.json["job_id"]
    state = client.post(f"/api/w/digits/jobs/{job}/cancel", headers=AUTH, json={}).json
    assert c.JobState.model_validate(state).status in ("queued", "running", "cancelled")
    assert wait_status(workspaces["digits"], job)["status"] == "cancelled"
    assert c.JobState.model_validate(client.get(f"/api/w/digits/jobs/{job}", headers=AUTH).json)


def test_faithfulness_score_on_request(client, sio):
    ids = page_ids(client, "signals", 3)
    s = sio()
    body = dict(examples=ids, method="IntegratedGradients", faithfulness=True, use_cache=False)
    events = collect(s, start(s, run_request("signals", **body)))
    results = c.ResultEvent.model_validate(events[-1][1]).results
    assert all(r.deletion_auc is not None and r.infidelity >= 0 for r in results)
    assert max(p["unit"] for name, p in events if name == "progress") == 1  # the deletion curve's own phase
    plain = collect(s, start(s, run_request("signals", **dict(body, faithfulness=False))))[-1][1]
    assert all(r["deletion_auc"] is None and r["infidelity"] is None for r in plain["results"])


def test_a_large_convergence_delta_comes_with_a_step_suggestion(client, sio):
    ids = page_ids(client, "digits", 2)
    s = sio()
    job = start(s, run_request("digits", examples=ids, method="IntegratedGradients",
                               args={"n_steps": 2, "method": "riemann_left"}, use_cache=False))
    for r in c.ResultEvent.model_validate(collect(s, job)[-1][1]).results:
        total = sum(f.total for f in r.features)
        assert abs(r.delta) / max(abs(total), 1) > 0.01 and r.suggested_n_steps > 2


def test_a_small_relative_delta_needs_no_suggestion(client, sio):
    ids = page_ids(client, "digits", 2)
    s = sio()
    job = start(s, run_request("digits", examples=ids, method="IntegratedGradients", args={"n_steps": 300},
                               use_cache=False))
    for r in c.ResultEvent.model_validate(collect(s, job)[-1][1]).results:
        assert r.suggested_n_steps is None, (r.delta, sum(f.total for f in r.features))
