"""``python -m insights.example``: the dashboard on the shipped example models.

Four workspaces: ``digits`` (CNN on scikit-learn's digits), ``shapes`` (colour shapes whose
object masks are known), ``sentiment`` (text through an embedding layer) and ``signals``
(Conv1d on 3-channel series). The server answers at once; torch and each workspace's model
load in the background (or on first use), so the page is up while they do.
"""

from __future__ import annotations

import argparse
from typing import Any, Dict, List, Optional, Sequence

EXAMPLES = ("digits", "shapes", "sentiment", "signals")


def services(names: Sequence[str] = EXAMPLES, cache: Any = None, limits: Any = None) -> Dict[str, Any]:
    """One ready service per example, sharing the result cache."""
    from .workspaces import service

    return {name: service(name, cache, limits) for name in names}


def lazy_services(names: Sequence[str], use_cache: bool) -> Dict[str, Any]:
    """One workspace per example, each loaded when first needed (torch imports in the first)."""
    from ..server.workspaces import Lazy

    shared: List[Any] = []

    def cache() -> Any:
        if use_cache and not shared:
            from ..api import default_cache_path
            from ..cache import ResultCache

            shared.append(ResultCache(default_cache_path()))
        return shared[0] if shared else None

    def loader(name: str) -> Lazy:
        def load() -> Any:
            from .workspaces import service

            return service(name, cache())

        return Lazy(load)

    return {name: loader(name) for name in names}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m insights.example",
                                description="Serve the Insights dashboard on the example models.")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1; 0.0.0.0 listens on all interfaces, "
                        "the access token is still required)")
    p.add_argument("--port", type=int, default=None, help="port to listen on (default: a free port)")
    p.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    p.add_argument("--no-cache", action="store_true", help="do not read or write the result cache")
    p.add_argument("--model", choices=EXAMPLES, action="append",
                   help="serve only this example (repeatable; default: all of them)")
    return p


def main(argv: Optional[List[str]] = None) -> None:
    from ..serving import Server

    args = parser().parse_args(argv)
    names = list(dict.fromkeys(args.model or EXAMPLES))
    server = Server(lazy_services(names, use_cache=not args.no_cache), host=args.host, port=args.port)
    server.start(blocking=True, open_browser=not args.no_browser)
