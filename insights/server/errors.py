"""The HTTP transport's one error shape: ``{"error": {"code", "message", "field"}}``."""

from __future__ import annotations

from typing import Any, Type, TypeVar

from flask import Flask, jsonify
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import HTTPException

from ..errors import InsightsError

M = TypeVar("M", bound=BaseModel)


def parse(model: Type[M], data: Any) -> M:
    """Validate a request body; the first problem becomes a 400 naming its field."""
    if not isinstance(data, dict):
        raise InsightsError("the body must be a JSON object", field="body")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        raise InsightsError(f"{where}: {first['msg']}", field=where) from None


def error_body(exc: BaseException) -> tuple:
    """(JSON body, status) for any exception."""
    if isinstance(exc, InsightsError):
        return exc.to_json(), exc.code
    if isinstance(exc, HTTPException):
        field = "body" if exc.code == 413 else None
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
