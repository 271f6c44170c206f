"""``python -m insights.schema``: rewrite contract.json from the pydantic models."""

from . import write_schema

print(f"wrote {write_schema()}")
