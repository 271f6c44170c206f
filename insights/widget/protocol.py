"""The widget's message protocol: the HTTP + Socket.IO contract carried by Jupyter comm messages.

Front end -> kernel (anywidget ``model.send(content, callbacks, buffers)``); a request is
answered by the HTTP API's own routes (in process, nothing listens), run and cancel as the
socket's handlers answer them::

    {"kind": "request", "id": 7, "method": "GET" | "POST", "path": "/api/w/main/info", "body": {...}}
    {"kind": "run", "id": 8, "body": RunRequest}          # as the socket's ``run`` event
    {"kind": "cancel", "id": 9, "body": CancelRequest}    # as the socket's ``cancel`` event

Kernel -> front end (``send(content, buffers)``)::

    {"kind": "response", "id": 7, "status": 200, "body": ...}   # run answers JobAccepted, cancel JobState
    {"kind": "event", "event": "progress" | "partial" | "result" | "cancelled" | "error", "body": ...}

Bodies are the contract's JSON (:mod:`insights.schema.contract`) except for binary data: an
array payload's ``data`` (little-endian float32) and an image payload's ``png`` travel as raw
bytes in the message's buffers, their value replaced by ``{"$buffer": i}`` (the index into
the buffers; the front end puts them back where they were (frontend/src/widget/transport.ts).
In the other direction any ``{"$buffer": i}`` becomes the base64 string the contract expects
(an uploaded image). A run's events reach only the widget that started it, its response always
before its first event, and closing the widget cancels its runs. Jobs started with
``POST .../jobs`` behave as over HTTP: no events, their state is polled.
"""

from __future__ import annotations

import base64
import threading
import uuid
from contextlib import nullcontext
from typing import Any, Callable, Dict, List, Optional, Tuple

from ..errors import InsightsError
from ..schema import contract as c
from ..server.errors import TOO_DEEP, error_body, parse

Send = Callable[[Dict[str, Any], List[bytes]], None]
BUFFER = "$buffer"


# --- binary buffers ------------------------------------------------------------------------------
def _is_binary(holder: Dict[str, Any], key: str, value: Any) -> bool:
    return isinstance(value, str) and (
        (key == "data" and holder.get("dtype") == "float32") or (key == "png" and holder.get("kind") == "image"))


def pack(value: Any, buffers: List[bytes]) -> Any:
    """A contract body with its base64 arrays and PNGs moved into ``buffers`` as raw bytes."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if _is_binary(value, key, item):
                buffers.append(base64.b64decode(item))
                out[key] = {BUFFER: len(buffers) - 1}
            else:
                out[key] = pack(item, buffers)
        return out
    if isinstance(value, (list, tuple)):
        return [pack(item, buffers) for item in value]
    return value


def unpack(value: Any, buffers: List[Any]) -> Any:
    """A body from the front end with each ``{"$buffer": i}`` turned back into base64."""
    if isinstance(value, dict):
        if set(value) == {BUFFER}:
            index = value[BUFFER]
            if not isinstance(index, int) or not 0 <= index < len(buffers):
                raise InsightsError(f"buffer {index!r} was not sent with the message", field="buffers")
            return base64.b64encode(bytes(buffers[index])).decode("ascii")
        return {key: unpack(item, buffers) for key, item in value.items()}
    if isinstance(value, list):
        return [unpack(item, buffers) for item in value]
    return value


# --- the bridge: messages in, service calls, messages out ---------------------------------------
def api_app(workspaces: Any) -> Any:
    """The HTTP API's own blueprints on a Flask app of the widget's: requests are answered by
    the very routes the web server runs (no socket, token or host checks: nothing listens)."""
    from flask import Flask

    from ..server import datasets, errors, routes

    app = Flask("insights.widget", static_folder=None)
    app.config.update(JSON_SORT_KEYS=False)
    app.extensions["insights"] = workspaces
    errors.init_app(app)
    app.register_blueprint(routes.bp)
    app.register_blueprint(datasets.bp)
    return app


class Bridge:
    """Answers the front end's messages with ``{workspace: Service}``: requests through the HTTP
    routes, run and cancel as the socket handlers do; ``send`` delivers one message (content,
    buffers) to the front end."""

    def __init__(self, services: Dict[str, Any], send: Send, session: Optional[str] = None,
                 on_failure: Optional[Callable[[BaseException], None]] = None) -> None:
        from ..server import Workspaces

        self.workspaces = Workspaces(services)  # the same registry the routes look workspaces up in
        self.app = api_app(self.workspaces)
        self.session = session or f"widget-{uuid.uuid4().hex[:12]}"
        self.last_result: Optional[Dict[str, Any]] = None  # the last ``result`` event's body
        self._send = send
        self._on_failure = on_failure  # told of each unexpected (5xx) failure, e.g. to log it
        self._gate = threading.Lock()  # held while a job starts: its response goes before its events
        self._send_lock = threading.Lock()  # one message at a time

    # --- incoming -------------------------------------------------------------------------------
    def handle(self, content: Any, buffers: Optional[List[Any]] = None) -> None:
        """One message from the front end; every message gets one response (same ``id``)."""
        ident = content.get("id") if isinstance(content, dict) else None
        starts_job = isinstance(content, dict) and content.get("kind") == "run"
        with self._gate if starts_job else nullcontext():  # the job's events wait for this response
            try:
                answer, status = self._answer(content, list(buffers or []))
            except Exception as exc:
                answer, status = error_body(exc)
                if status >= 500 and self._on_failure is not None:
                    self._on_failure(exc)
            self._deliver({"kind": "response", "id": ident, "status": status, "body": answer})

    def _answer(self, content: Any, buffers: List[Any]) -> Tuple[Any, int]:
        try:
            return self._answer_readable(content, buffers)
        except RecursionError:  # a body too deeply nested to unpack, validate or re-encode
            raise InsightsError(TOO_DEEP, field="body") from None

    def _answer_readable(self, content: Any, buffers: List[Any]) -> Tuple[Any, int]:
        if not isinstance(content, dict):
            raise InsightsError("a message must be a JSON object", field="body")
        body = unpack(content.get("body"), buffers)
        kind = content.get("kind")
        if kind == "request":
            return self._request(str(content.get("method", "GET")).upper(), str(content.get("path", "")), body)
        if kind == "run":
            run = parse(c.RunRequest, body)
            return self.workspaces.get(run.workspace).start_job(self.session, run.request, self.emit), 200
        if kind == "cancel":
            req = parse(c.CancelRequest, body)
            return self.workspaces.get(req.workspace).cancel(req.job_id, self.session), 200
        raise InsightsError(f"unknown message kind {kind!r}; kinds are request, run, cancel", field="kind")

    def _request(self, method: str, path: str, body: Any) -> Tuple[Any, int]:
        """``method path`` (with its query string) answered by the HTTP API's routes, in process."""
        from werkzeug.test import EnvironBuilder

        if method not in ("GET", "POST"):
            raise InsightsError(f"method must be GET or POST, not {method!r}", field="method")
        builder = EnvironBuilder(path=path, method=method, json=body if method == "POST" else None)
        try:
            environ = builder.get_environ()
        finally:
            builder.close()
        with self.app.request_context(environ):
            response = self.app.full_dispatch_request()
        return response.get_json(), response.status_code

    # --- outgoing -------------------------------------------------------------------------------
    def emit(self, event: str, payload: Dict[str, Any]) -> None:
        """A job's event (called from the job's thread)."""
        if event == "result":
            self.last_result = payload
        with self._gate:
            self._deliver({"kind": "event", "event": event, "body": payload})

    def _deliver(self, message: Dict[str, Any]) -> None:
        buffers: List[bytes] = []
        message = {**message, "body": pack(message["body"], buffers)}
        with self._send_lock:
            self._send(message, buffers)

    def close(self) -> None:
        """Cancel this widget's jobs."""
        for service in self.workspaces.loaded():
            service.close_session(self.session)
