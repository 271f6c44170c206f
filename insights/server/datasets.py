"""Data-set jobs over HTTP and Socket.IO: start, list, status, summary (see insights.jobs).

A workspace's jobs write their stores under ``INSIGHTS_DATASET_ROOT/<workspace>/<name>``
(default: beside the result cache). Cancel a job like any other: ``cancel`` on the socket, or
``POST /api/w/<ws>/jobs/<job_id>/cancel``.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, jsonify, request

from ..errors import InsightsError
from ..schema import contract as c
from . import socketio
from .errors import json_body, parse, parse_event
from .workspaces import workspace_service

bp = Blueprint("datasets", __name__, url_prefix="/api/w/<ws>/datasets")
_LOCK = threading.Lock()
HTTP_SESSION = "http"


def dataset_jobs(workspace: str) -> Any:
    """The workspace's :class:`insights.jobs.dashboard.DatasetJobs`, made on first use."""
    from ..jobs.dashboard import DatasetJobs

    service = workspace_service(workspace)
    with _LOCK:
        registry = current_app.extensions.setdefault("insights_datasets", {})
        if workspace not in registry:
            root = current_app.config.get("INSIGHTS_DATASET_ROOT")
            if root is None:
                from ..api import default_cache_path

                root = default_cache_path().parent / "datasets"
            registry[workspace] = DatasetJobs(service, Path(root) / workspace)
        return registry[workspace]


def _int(name: str, default: int, low: int, high: int) -> int:
    value = request.args.get(name)
    try:
        number = default if value is None else int(value)
    except ValueError:
        raise InsightsError(f"{name} must be an integer", field=name) from None
    if not low <= number <= high:
        raise InsightsError(f"{name} must be between {low} and {high}", field=name)
    return number


@bp.post("")
def start(ws: str):
    req = parse(c.DatasetJobRequest, json_body())
    return jsonify(dataset_jobs(ws).start(HTTP_SESSION, req, lambda event, payload: None)), 202


@bp.get("")
def listing(ws: str):
    return jsonify(dataset_jobs(ws).list())


@bp.get("/<name>")
def status(ws: str, name: str):
    return jsonify(dataset_jobs(ws).status(name))


@bp.get("/<name>/summary")
def summary(ws: str, name: str):
    return jsonify(dataset_jobs(ws).summary(name, compare=request.args.get("compare") or None,
                                            top=_int("top", 10, 1, 100), worst=_int("worst", 10, 1, 100),
                                            sanity=_int("sanity", 0, 0, 16)))


@socketio.on("run_dataset")
def on_run_dataset(*args: Any):
    run = parse_event(c.RunDatasetRequest, args)
    sid = request.sid
    server = socketio.server

    def send(event: str, payload: dict) -> None:
        server.emit(event, payload, to=sid)

    return dataset_jobs(run.workspace).start(sid, run.request, send)
