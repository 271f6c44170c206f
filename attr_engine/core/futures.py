"""``attribute_future``: attribution with a forward function that returns a
``torch.futures.Future`` (a remote or asynchronous model), as in Captum 0.9.

The method runs as usual on a copy whose forward function waits for each future it gets; the
result comes back as a completed Future. A failure inside a model future is set on the
returned Future (``wait()`` raises it); bad arguments raise at once, as for ``attribute``.
"""

from __future__ import annotations

import copy
from typing import Any, Callable

import torch
from torch.futures import Future


class _ModelFutureFailed(Exception):
    """A model future failed; carries its error out of the attribution loop."""


def _waiting(forward_func: Callable[..., Any]) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        out = forward_func(*args, **kwargs)
        if not isinstance(out, torch.Future):  # torch.futures.Future and chained futures
            raise TypeError("attribute_future needs a `forward_func` that returns a "
                            f"torch.futures.Future, got {type(out).__name__}")
        try:
            return out.wait()
        except Exception as err:  # noqa: BLE001 - handed to the caller through the Future
            raise _ModelFutureFailed(err) from err

    return call


def attribute_as_future(method: Any, *args: Any, **kwargs: Any) -> Future:
    """``method.attribute(*args, **kwargs)`` with a Future-returning forward function; the
    attributions as a completed Future."""
    waiting = copy.copy(method)
    waiting.forward_func = _waiting(method.forward_func)
    result: Future = Future()
    try:
        result.set_result(waiting.attribute(*args, **kwargs))
    except _ModelFutureFailed as failed:
        result.set_exception(failed.__cause__)
    return result
