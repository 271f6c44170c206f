"""The wire contract (pydantic models) and its JSON Schema export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict

from pydantic.json_schema import models_json_schema

from .contract import CONTRACT

SCHEMA_PATH = Path(__file__).with_name("contract.json")


def json_schema() -> Dict[str, Any]:
    """One JSON Schema document defining every request, response and event."""
    _, schema = models_json_schema([(model, "validation") for model in CONTRACT],
                                   title="Insights wire contract")
    return schema


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"


def write_schema(path: Path = SCHEMA_PATH) -> Path:
    path.write_text(schema_text())
    return path
