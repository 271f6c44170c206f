"""The services an app serves, by workspace name (one per visualizer: models + features + data)."""

from __future__ import annotations

from typing import Any, List

from flask import current_app

from ..errors import not_found


def names() -> List[str]:
    return list(current_app.extensions["insights"])


def all_services() -> List[Any]:
    return list(current_app.extensions["insights"].values())


def workspace_service(name: str) -> Any:
    try:
        return current_app.extensions["insights"][name]
    except KeyError:
        raise not_found(f"unknown workspace {name!r}; workspaces are {names()}", "workspace") from None
