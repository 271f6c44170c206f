"""The one error type of the service layer; each transport turns it into its error shape."""

from __future__ import annotations

from typing import Any, Dict, Optional


class InsightsError(Exception):
    """A request the service refuses: ``code`` is an HTTP-like status, ``field`` the bad input."""

    def __init__(self, message: str, *, field: Optional[str] = None, code: int = 400,
                 kind: str = "bad_request") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code
        self.kind = kind

    def to_json(self) -> Dict[str, Any]:
        return {"error": {"code": self.kind, "message": self.message, "field": self.field}}


def not_found(message: str, field: Optional[str] = None) -> InsightsError:
    return InsightsError(message, field=field, code=404, kind="not_found")
