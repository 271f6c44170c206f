"""``python -m insights.example``: the dashboard on the shipped example models.

Four workspaces: ``digits`` (CNN on scikit-learn's digits), ``shapes`` (colour shapes whose
object masks are known), ``sentiment`` (text through an embedding layer) and ``signals``
(Conv1d on 3-channel series). Models load at startup (small
weights); each data set is generated on its first page request.
"""

from __future__ import annotations

import argparse
from typing import Any, Callable, Dict, Iterator, List, Optional

import torch

from .cache import ResultCache
from .dataset import Batch
from .features import ImageFeature, TextFeature, TimeseriesFeature
from .limits import Limits
from .service import Service

EXAMPLES = ("digits", "shapes", "sentiment", "signals")


def _batches(x: torch.Tensor, y: torch.Tensor, size: int = 16) -> Callable[[], Iterator[Batch]]:
    return lambda: (Batch(x[i:i + size], y[i:i + size]) for i in range(0, len(y), size))


def _lazy(load: Callable[[], Any], size: int = 16) -> Callable[[], Iterator[Batch]]:
    """A data set generated on first use, then kept."""
    held: List[Any] = []

    def iterate() -> Iterator[Batch]:
        if not held:
            held.append(load())
        x, y = held[0]
        return _batches(x, y, size)()

    return iterate


def digits() -> Dict[str, Any]:
    from example_models.digits import model as m

    def data():
        _, _, x, y = m.load_data()
        return x, y

    return dict(models=[m.load_model()], classes=m.CLASSES, dataset=_lazy(data), model_names=["DigitsCNN"],
                features=[ImageFeature("digit", baseline_transforms=None, input_transforms=None)])


def shapes() -> Dict[str, Any]:
    from example_models.shapes import model as m

    def data():
        _, _, x, y, _ = m.load_data()
        return x, y

    return dict(models=[m.load_model()], classes=m.CLASSES, dataset=_lazy(data), model_names=["ShapesCNN"],
                features=[ImageFeature("image", baseline_transforms=None, input_transforms=None)])


def sentiment() -> Dict[str, Any]:
    from example_models.sentiment import model as m

    def data():
        _, _, x, y, _ = m.load_data()
        return x, y

    feature = TextFeature("review", None, None, m.decode, tokenizer=m.encode, pad_token_id=m.INDEX[m.PAD],
                          unk_token_id=m.INDEX[m.UNK], embedding_layer="embedding")
    return dict(models=[m.load_model()], classes=m.CLASSES, dataset=_lazy(data), features=[feature],
                model_names=["SentimentModel"])


def signals() -> Dict[str, Any]:
    from example_models.signals import model as m

    def data():
        _, _, x, y = m.load_data()
        return x, y

    feature = TimeseriesFeature("signal", channel_labels=m.CHANNELS, x_values=range(m.LENGTH))
    return dict(models=[m.load_model()], classes=m.CLASSES, dataset=_lazy(data), features=[feature],
                model_names=["SignalsCNN"])


BUILDERS = {"digits": digits, "shapes": shapes, "sentiment": sentiment, "signals": signals}


def services(names=EXAMPLES, cache: Optional[ResultCache] = None, limits: Optional[Limits] = None
             ) -> Dict[str, Service]:
    """One service per example, sharing the result cache."""
    out = {}
    for name in names:
        spec = BUILDERS[name]()
        out[name] = Service(spec["models"], spec["classes"], spec["features"], spec["dataset"],
                            _softmax, True,
                            model_names=spec["model_names"], limits=limits, cache=cache)
    return out


def _softmax(logits: torch.Tensor) -> torch.Tensor:
    return torch.softmax(logits, dim=-1)


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
    from .api import default_cache_path
    from .serving import Server

    args = parser().parse_args(argv)
    cache = None if args.no_cache else ResultCache(default_cache_path())
    server = Server(services(args.model or EXAMPLES, cache), host=args.host, port=args.port)
    server.start(blocking=True, open_browser=not args.no_browser)


if __name__ == "__main__":
    main()
