"""The transports' one error shape: ``{"error": {"code", "message", "field"}}``, and the reading
of request bodies and event arguments into request models, so that no body a client can send
(invalid or deeply nested JSON, a missing or extra argument) is anything but a 4xx naming a field."""

from __future__ import annotations

import json
import re
from typing import Any, Sequence, Type, TypeVar

from flask import Flask, jsonify, request
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import HTTPException

from ..errors import InsightsError

M = TypeVar("M", bound=BaseModel)


class Unreadable:
    """A message body that could not be decoded (see :class:`SafeJSON`); refused by :func:`parse`."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


TOO_DEEP = "the message is nested too deeply to read"
_EVENT = re.compile(r'\[\s*"([A-Za-z_]{1,64})"\s*,')  # a Socket.IO event's name, the array's first item


class SafeJSON:
    """The JSON module python-socketio decodes packets with. An event too deeply nested (or not
    valid JSON) to decode still reaches its handler (as :class:`Unreadable`), so the client gets
    an error answer to its ``run`` instead of waiting for one that never comes; a connect whose
    auth cannot be read is refused."""

    dumps = staticmethod(json.dumps)

    @staticmethod
    def loads(text: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return json.loads(text, *args, **kwargs)
        except (RecursionError, ValueError) as exc:
            reason = TOO_DEEP if isinstance(exc, RecursionError) else "the message is not valid JSON"
            event = _EVENT.match(text) if isinstance(text, str) else None
            if event is None:  # e.g. a connect's auth: refused, since it carries no token
                return Unreadable(reason)
            return [event.group(1), Unreadable(reason)]


def json_body() -> Any:
    """The request's JSON body; invalid or too deeply nested JSON is a 400 naming ``body``."""
    data = request.get_data(cache=True)
    try:
        return json.loads(data) if data else None
    except RecursionError:
        raise InsightsError(TOO_DEEP.replace("message", "body"), field="body") from None
    except ValueError:
        raise InsightsError("the body is not valid JSON", field="body") from None


def parse(model: Type[M], data: Any) -> M:
    """Validate a request body; the first problem becomes a 400 naming its field."""
    if isinstance(data, Unreadable):
        raise InsightsError(data.reason, field="body")
    if not isinstance(data, dict):
        raise InsightsError("the body must be a JSON object", field="body")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        what = " ".join(str(part).replace("_", " ") for part in first["loc"]) or "the body"
        message = first["msg"][:1].lower() + first["msg"][1:]
        raise InsightsError(f"{what}: {message}", field=where) from None
    except RecursionError:
        raise InsightsError(TOO_DEEP, field="body") from None


def parse_event(model: Type[M], args: Sequence[Any]) -> M:
    """A Socket.IO event's one argument, parsed; none or several are a 400 naming ``body``."""
    if len(args) != 1:
        raise InsightsError(f"this event takes one JSON object ({model.__name__}), not {len(args)} "
                            "arguments", field="body")
    return parse(model, args[0])


def error_body(exc: BaseException) -> tuple:
    """(JSON body, status) for any exception."""
    if isinstance(exc, InsightsError):
        return exc.to_json(), exc.code
    if isinstance(exc, HTTPException):  # routing and size errors: name what to change
        field = {404: "path", 405: "method", 413: "body"}.get(exc.code or 0, "request")
        code = (exc.name or "error").lower().replace(" ", "_")
        return {"error": {"code": code, "message": exc.description, "field": field}}, exc.code
    return {"error": {"code": "internal_error", "message": f"{type(exc).__name__}: {exc}", "field": None}}, 500


def init_app(app: Flask) -> None:
    @app.errorhandler(Exception)
    def _handle(exc: Exception):
        body, status = error_body(exc)
        if status >= 500:
            app.logger.exception("request failed", exc_info=exc)
        return jsonify(body), status
