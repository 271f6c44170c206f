"""HTTP routes: each parses its request model, calls one service method, returns JSON."""

from __future__ import annotations

from flask import Blueprint, jsonify

from ..schema import contract as c
from ..schema import json_schema
from .errors import json_body, parse
from .workspaces import names, workspace_service

bp = Blueprint("api", __name__, url_prefix="/api")

ENDPOINTS = {
    "GET /api": "this description",
    "GET /api/schema": "JSON Schema of every request, response and event",
    "GET /api/workspaces": "the workspaces served (one per visualizer: models, features, data set)",
    "GET /api/w/<ws>/info": "models, classes, features, methods (from the registry) and limits",
    "POST /api/w/<ws>/examples/page": "a page of examples with predictions (PageRequest)",
    "POST /api/w/<ws>/examples/upload": "add an input of your own (UploadRequest)",
    "GET /api/w/<ws>/examples/<id>": "one example reached before (ExampleView)",
    "GET /api/w/<ws>/examples/at/<index>": "the data set's index-th example, e.g. from a data-set job (ExampleView)",
    "POST /api/w/<ws>/estimate": "forward/backward passes and expected seconds (AttributionRequest)",
    "POST /api/w/<ws>/jobs": "start an attribution job without a socket (AttributionRequest)",
    "GET /api/w/<ws>/jobs/<job_id>": "a job's status, progress, result or error",
    "POST /api/w/<ws>/jobs/<job_id>/cancel": "cancel a job",
    "POST /api/w/<ws>/datasets": "start or resume a data-set job (DatasetJobRequest -> DatasetJobAccepted)",
    "GET /api/w/<ws>/datasets": "the workspace's data-set job stores (DatasetList)",
    "GET /api/w/<ws>/datasets/<name>": "a data-set job's progress (DatasetStatus)",
    "GET /api/w/<ws>/datasets/<name>/summary": "class maps, top tokens, faithfulness; ?compare=<name> method "
                                               "agreement, ?sanity=N model randomisation (DatasetSummary)",
}
EVENTS = {
    "client -> server": {"run": "RunRequest; acknowledged with JobAccepted or ErrorResponse",
                         "cancel": "CancelRequest; acknowledged with JobState or ErrorResponse",
                         "run_dataset": "RunDatasetRequest; acknowledged with DatasetJobAccepted or ErrorResponse"},
    "server -> client": {"progress": "ProgressEvent", "partial": "PartialEvent", "result": "ResultEvent",
                         "cancelled": "CancelledEvent", "error": "ErrorEvent",
                         "dataset_progress": "ProgressEvent (done/total: examples)",
                         "dataset_result": "DatasetResultEvent", "dataset_cancelled": "CancelledEvent",
                         "dataset_error": "ErrorEvent"},
}

HTTP_SESSION = "http"  # jobs started over plain HTTP, fetched by id


def service(workspace: str):
    return workspace_service(workspace)


@bp.get("")
def describe():
    return jsonify({"endpoints": ENDPOINTS, "socketio_events": EVENTS,
                    "auth": "?token=..., a Bearer/X-Insights-Token header, or the cookie ?token= sets"})


@bp.get("/schema")
def schema():
    return jsonify(json_schema())


@bp.get("/workspaces")
def workspaces():
    return jsonify({"workspaces": names()})


@bp.get("/w/<ws>/info")
def info(ws: str):
    return jsonify(service(ws).info())


@bp.post("/w/<ws>/examples/page")
def page(ws: str):
    return jsonify(service(ws).page(parse(c.PageRequest, json_body())))


@bp.get("/w/<ws>/examples/<example_id>")
def example(ws: str, example_id: str):
    return jsonify(service(ws).example(example_id=example_id))


@bp.get("/w/<ws>/examples/at/<int:index>")
def example_at(ws: str, index: int):
    return jsonify(service(ws).example(index=index))


@bp.post("/w/<ws>/examples/upload")
def upload(ws: str):
    return jsonify(service(ws).upload(parse(c.UploadRequest, json_body())))


@bp.post("/w/<ws>/estimate")
def estimate(ws: str):
    return jsonify(service(ws).estimate(parse(c.AttributionRequest, json_body())))


@bp.post("/w/<ws>/jobs")
def start_job(ws: str):
    req = parse(c.AttributionRequest, json_body())
    return jsonify(service(ws).start_job(HTTP_SESSION, req, lambda event, payload: None)), 202


@bp.get("/w/<ws>/jobs/<job_id>")
def job(ws: str, job_id: str):
    return jsonify(service(ws).job_state(job_id))


@bp.post("/w/<ws>/jobs/<job_id>/cancel")
def cancel(ws: str, job_id: str):
    return jsonify(service(ws).cancel(job_id))
