"""The widget's message protocol: the HTTP + Socket.IO contract carried by Jupyter comm messages.

Front end -> kernel (anywidget ``model.send(content, callbacks, buffers)``)::

    {"kind": "request", "id": 7, "method": "GET" | "POST", "path": "/api/w/main/info", "body": {...}}
    {"kind": "run", "id": 8, "body": RunRequest}          # as the socket's ``run`` event
    {"kind": "cancel", "id": 9, "body": CancelRequest}    # as the socket's ``cancel`` event

Kernel -> front end (``send(content, buffers)``)::

    {"kind": "response", "id": 7, "status": 200, "body": ...}   # run answers JobAccepted, cancel JobState
    {"kind": "event", "event": "progress" | "partial" | "result" | "cancelled" | "error", "body": ...}

Bodies are the contract's JSON (:mod:`insights.schema.contract`) except for binary data: an
array payload's ``data`` (little-endian float32) and an image payload's ``png`` travel as raw
bytes in the message's buffers, their value replaced by ``{"$buffer": i}`` (the index into
the buffers). The front end reads float32 buffers as ``Float32Array`` views and PNGs as blobs;
in the other direction any ``{"$buffer": i}`` becomes the base64 string the contract expects
(an uploaded image). The job's events reach only the widget that started it, the run's
response always before its first event, and closing the widget cancels its jobs.
"""

from __future__ import annotations

import base64
import re
import threading
import uuid
from contextlib import nullcontext
from typing import Any, Callable, Dict, List, Optional, Tuple

from ..errors import InsightsError, not_found
from ..schema import contract as c
from ..server.errors import error_body, parse

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
class Bridge:
    """Answers the front end's messages with ``{workspace: Service}``, as the Flask routes and
    socket handlers do; ``send`` delivers one message (content, buffers) to the front end."""

    def __init__(self, services: Dict[str, Any], send: Send, session: Optional[str] = None,
                 on_failure: Optional[Callable[[BaseException], None]] = None) -> None:
        self.services = dict(services)
        self.session = session or f"widget-{uuid.uuid4().hex[:12]}"
        self.last_result: Optional[Dict[str, Any]] = None  # the last ``result`` event's body
        self._send = send
        self._on_failure = on_failure  # told of each unexpected (5xx) failure, e.g. to log it
        self._gate = threading.Lock()  # held while a job starts: its response goes before its events
        self._send_lock = threading.Lock()  # one message at a time
        self._routes: List[Tuple[str, "re.Pattern[str]", Callable[..., Tuple[Any, int]]]] = [
            ("GET", re.compile(r"/api/workspaces"), lambda body: ({"workspaces": list(self.services)}, 200)),
            ("GET", re.compile(r"/api/w/([^/]+)/info"), lambda ws, body: (self.service(ws).info(), 200)),
            ("POST", re.compile(r"/api/w/([^/]+)/examples/page"),
             lambda ws, body: (self.service(ws).page(parse(c.PageRequest, body)), 200)),
            ("POST", re.compile(r"/api/w/([^/]+)/examples/upload"),
             lambda ws, body: (self.service(ws).upload(parse(c.UploadRequest, body)), 200)),
            ("POST", re.compile(r"/api/w/([^/]+)/estimate"),
             lambda ws, body: (self.service(ws).estimate(parse(c.AttributionRequest, body)), 200)),
            ("POST", re.compile(r"/api/w/([^/]+)/jobs"),
             lambda ws, body: (self._start(ws, parse(c.AttributionRequest, body)), 202)),
            ("GET", re.compile(r"/api/w/([^/]+)/jobs/([^/]+)"),
             lambda ws, job, body: (self.service(ws).job_state(job, self.session), 200)),
            ("POST", re.compile(r"/api/w/([^/]+)/jobs/([^/]+)/cancel"),
             lambda ws, job, body: (self.service(ws).cancel(job, self.session), 200)),
        ]

    def service(self, workspace: str) -> Any:
        try:
            return self.services[workspace]
        except KeyError:
            raise not_found(f"unknown workspace {workspace!r}; workspaces are {list(self.services)}",
                            "workspace") from None

    # --- incoming -------------------------------------------------------------------------------
    def handle(self, content: Any, buffers: Optional[List[Any]] = None) -> None:
        """One message from the front end; every message gets one response (same ``id``)."""
        ident = content.get("id") if isinstance(content, dict) else None
        starts_job = isinstance(content, dict) and (content.get("kind") == "run" or (
            content.get("kind") == "request" and str(content.get("path", "")).rstrip("/").endswith("/jobs")))
        with self._gate if starts_job else nullcontext():  # the job's events wait for this response
            try:
                answer, status = self._answer(content, list(buffers or []))
            except Exception as exc:
                answer, status = error_body(exc)
                if status >= 500 and self._on_failure is not None:
                    self._on_failure(exc)
            self._deliver({"kind": "response", "id": ident, "status": status, "body": answer})

    def _answer(self, content: Any, buffers: List[Any]) -> Tuple[Any, int]:
        if not isinstance(content, dict):
            raise InsightsError("a message must be a JSON object", field="body")
        body = unpack(content.get("body"), buffers)
        kind = content.get("kind")
        if kind == "request":
            return self._route(str(content.get("method", "GET")).upper(), str(content.get("path", "")), body)
        if kind == "run":
            run = parse(c.RunRequest, body)
            return self._start(run.workspace, run.request), 200
        if kind == "cancel":
            req = parse(c.CancelRequest, body)
            return self.service(req.workspace).cancel(req.job_id, self.session), 200
        raise InsightsError(f"unknown message kind {kind!r}; kinds are request, run, cancel", field="kind")

    def _route(self, method: str, path: str, body: Any) -> Tuple[Any, int]:
        path = path.split("?", 1)[0].rstrip("/")
        for verb, pattern, handler in self._routes:
            match = pattern.fullmatch(path)
            if match and verb == method:
                return handler(*match.groups(), body if body is not None else {})
        raise not_found(f"no route {method} {path}", "path")

    def _start(self, workspace: str, request: c.AttributionRequest) -> Dict[str, Any]:
        return self.service(workspace).start_job(self.session, request, self.emit)

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
        for service in self.services.values():
            service.close_session(self.session)
