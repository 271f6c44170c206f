"""Socket.IO handlers: authenticate the connection, run and cancel jobs for this client only.

Each connection is a session: its jobs stream their events to it alone, and its jobs are
cancelled when it disconnects.
"""

from __future__ import annotations

from typing import Any, Optional

from flask import current_app, request
from flask_socketio import emit

from ..errors import InsightsError
from ..schema import contract as c
from . import socketio
from .errors import error_body, parse_event
from .security import check_request
from .workspaces import all_services, workspace_service


@socketio.on("connect")
def on_connect(auth: Optional[Any] = None) -> None:
    """Refuse the connection unless the request passes every check. python-socketio accepts any
    outcome but ``False`` or ConnectionRefusedError, so every failure is turned into a refusal."""
    try:
        check_request(auth if isinstance(auth, dict) else None)
    except InsightsError as exc:
        raise ConnectionRefusedError(exc.to_json()["error"]) from None
    except Exception:
        current_app.logger.exception("socket connection check failed")
        raise ConnectionRefusedError({"code": "unauthorized", "message": "the connection was refused",
                                      "field": "token"}) from None


@socketio.on("disconnect")
def on_disconnect(reason: Optional[Any] = None) -> None:
    for service in all_services():
        service.close_session(request.sid)


@socketio.on("run")
def on_run(*args: Any):
    run = parse_event(c.RunRequest, args)
    service = workspace_service(run.workspace)
    sid = request.sid
    server = socketio.server

    def send(event: str, payload: dict) -> None:
        server.emit(event, payload, to=sid)

    return service.start_job(sid, run.request, send)


@socketio.on("cancel")
def on_cancel(*args: Any):
    req = parse_event(c.CancelRequest, args)
    return workspace_service(req.workspace).cancel(req.job_id, request.sid)


@socketio.on("*")
def on_unknown(event: Any, *args: Any):
    """Any other event is answered too (a client waiting for its acknowledgement never hangs)."""
    raise InsightsError(f"unknown event {str(event)[:64]!r}; the events are run, cancel and run_dataset",
                        field="event", code=404, kind="not_found")


@socketio.on_error_default
def on_error(exc: BaseException):
    """The socket transport's one error handler: an ``error`` event and the same body as ack."""
    if isinstance(exc, ConnectionRefusedError):  # a refused connection stays refused
        raise exc
    body, status = error_body(exc)
    if status >= 500:
        current_app.logger.exception("socket event failed", exc_info=exc)
    emit("error", {"job_id": None, **body})
    return body
