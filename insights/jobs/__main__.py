"""``python -m insights.jobs run|status|summary``: data-set jobs on any workspace.

    python -m insights.jobs run --workspace mypackage.dashboard:make_visualizer \\
        --method IntegratedGradients --arg n_steps=25 --store runs/ig --executor local --workers 2
    python -m insights.jobs run --model digits --method Saliency --store runs/digits-saliency
    python -m insights.jobs status runs/digits-ig
    python -m insights.jobs summary runs/digits-ig --compare runs/digits-saliency --sanity 8

``run`` resumes the job already in ``--store``; Ctrl-C (or SIGTERM) cancels it cleanly, and the
same command continues it.
"""

from __future__ import annotations

import argparse
import importlib
import json
import signal
import sys
import time
from typing import Any, Dict, List, Optional

EXAMPLES = ("digits", "shapes", "sentiment", "signals")


def example(name: str) -> Dict[str, Any]:
    """The example workspace's model, classes, features and data set (as the dashboard serves them)."""
    from ..example.workspaces import BUILDERS, _softmax

    return {**BUILDERS[name](), "score_func": _softmax}


def workspace(spec: str) -> Dict[str, Any]:
    """The workspace a factory makes: ``package.module:factory`` (importable from ``sys.path``, the
    current folder included) names a function returning an AttributionVisualizer or its service."""
    from ..service import Service

    module_name, sep, name = spec.partition(":")
    if not sep or not module_name or not name:
        raise ValueError(f"`--workspace` takes package.module:factory, got {spec!r}")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ValueError(f"`--workspace`: cannot import {module_name!r} ({exc})") from None
    factory = getattr(module, name, None)
    if not callable(factory):
        raise ValueError(f"`--workspace`: {module_name} has no function {name!r}")
    made = factory()
    service = getattr(made, "service", made)
    if not isinstance(service, Service):
        raise TypeError(f"`--workspace`: {spec} returned {type(made).__name__}, not an AttributionVisualizer")
    return dict(models=[m.module for m in service.models], classes=service.classes, features=service.features,
                dataset=service.dataset, score_func=service.score_func)


def source(meta: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    """The workspace a stored job was run on, made again (None where it cannot be)."""
    if meta.get("example") in EXAMPLES:
        return example(meta["example"])
    return workspace(meta["workspace"]) if meta.get("workspace") else None


def _value(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _pairs(items: Optional[List[str]], flag: str) -> Dict[str, Any]:
    out = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise SystemExit(f"error: {flag} expects NAME=VALUE, got {item!r}")
        out[key] = _value(value)
    return out


class _Parser(argparse.ArgumentParser):
    """argparse whose errors are one line (and exit status 2), like every other error here."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"error: {message} (see {self.prog} --help)\n")


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m insights.jobs",
                                description="Attribute a whole data set into a resumable store, and summarise it.")
    sub = p.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run (or resume) a data-set job")
    where = run.add_mutually_exclusive_group(required=True)
    where.add_argument("--workspace", metavar="MODULE:FACTORY",
                       help="a function returning your AttributionVisualizer, e.g. mypackage.dashboard:visualizer")
    where.add_argument("--model", choices=EXAMPLES, help="an example workspace (its model and test data set)")
    run.add_argument("--model-index", type=int, default=0, help="which of the workspace's models (default 0)")
    run.add_argument("--method", required=True, help="a registered method, e.g. IntegratedGradients")
    run.add_argument("--arg", action="append", metavar="NAME=VALUE",
                     help="a method argument (repeatable; VALUE as JSON, e.g. n_steps=25)")
    run.add_argument("--target", default="label", help="label (default), predicted, or a class index or name")
    run.add_argument("--baseline", action="append", metavar="FEATURE=OPTION",
                     help="baseline option of a feature (repeatable), e.g. digit=dataset_mean")
    run.add_argument("--layer", help="layer (dotted module name) for layer and neuron methods")
    run.add_argument("--faithfulness", action="store_true", help="also score each example's deletion AUC")
    run.add_argument("--store", required=True, help="folder of the job's store (resumed when it exists)")
    run.add_argument("--executor", choices=("local", "ray"), default="local", help="where shards run")
    run.add_argument("--workers", type=int, default=1, help="local threads, or Ray CPUs for a local Ray")
    run.add_argument("--address", help="Ray cluster address to join (default: start a local Ray)")
    run.add_argument("--shard-size", type=int, default=64, help="examples per shard (default 64)")
    run.add_argument("--limit", type=int, help="attribute only the first LIMIT examples")
    run.add_argument("--dtype", choices=("float32", "float16"), default="float32", help="of the stored maps")
    run.add_argument("--seed", type=int, default=0, help="seed of stochastic methods (per shard: seed + shard)")
    run.add_argument("--quiet", action="store_true", help="no progress lines")
    status = sub.add_parser("status", help="progress of a job's store")
    status.add_argument("store")
    status.add_argument("--json", action="store_true", help="print JSON")
    summary = sub.add_parser("summary", help="class maps, top tokens, agreement, faithfulness, sanity check")
    summary.add_argument("store")
    summary.add_argument("--compare", metavar="STORE", help="another job's store on the same data set: "
                         "rank correlation per example")
    summary.add_argument("--top", type=int, default=10, help="tokens per class for text (default 10)")
    summary.add_argument("--worst", type=int, default=10, help="least faithful examples listed (default 10)")
    summary.add_argument("--sanity", type=int, default=0, metavar="N",
                         help="model-randomisation check over N examples (makes the job's workspace again)")
    summary.add_argument("--json", action="store_true", help="print the whole summary as JSON")
    return p


def cmd_run(a: argparse.Namespace) -> int:
    from attr_engine import Cancelled, ProgressMonitor

    from .runner import run_job

    spec = example(a.model) if a.model else workspace(a.workspace)
    if not 0 <= a.model_index < len(spec["models"]):
        raise ValueError(f"`--model-index` must be between 0 and {len(spec['models']) - 1}")
    last = [0.0]
    started = time.monotonic()
    resumed_at: list = []  # a resumed job first reports the examples already stored: not this run's speed

    def show(done: float, total: int) -> None:
        if not resumed_at:
            resumed_at.append(done)
        now = time.monotonic()
        if a.quiet or (now - last[0] < 1.0 and done < total):
            return
        last[0] = now
        rate = (done - resumed_at[0]) / (now - started) if now > started else 0.0
        eta = f"{(total - done) / rate:.0f}s" if rate > 0 and done < total else "-"
        print(f"{done:.0f}/{total} examples, ETA {eta}", file=sys.stderr, flush=True)

    monitor = ProgressMonitor(on_progress=show)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: monitor.cancel())
    try:
        with monitor:
            report = run_job(spec["models"][a.model_index], spec["features"], spec["dataset"], a.store, method=a.method,
                             args=_pairs(a.arg, "--arg"), target=_value(a.target) if a.target.isdigit() else a.target,
                             baselines={k: str(v) for k, v in _pairs(a.baseline, "--baseline").items()},
                             layer=a.layer, faithfulness=a.faithfulness, classes=spec["classes"],
                             score_func=spec["score_func"], shard_size=a.shard_size, limit=a.limit,
                             dtype=a.dtype, seed=a.seed, executor=a.executor, workers=a.workers,
                             address=a.address,
                             meta={"example": a.model} if a.model else {"workspace": a.workspace,
                                                                         "model_index": a.model_index})
    except Cancelled:
        print(f"cancelled; run the same command again to resume ({a.store})", file=sys.stderr)
        return 130
    print(json.dumps(report.to_json()))
    return 0


def _open(path: str) -> Any:
    """The store at ``path`` and its manifest (FileNotFoundError where no job was started)."""
    from .store import Store

    store = Store(path)
    return store, store.manifest()


def cmd_status(a: argparse.Namespace) -> int:
    store, manifest = _open(a.store)
    table = store.table()
    state = store.status() or {}
    info = {"store": str(store.path), "method": manifest["spec"]["method"], "example": manifest["meta"].get("example"),
            "done": table.num_rows, "total": manifest["total"],
            "errors": int(table.num_rows - table.column("error").null_count),
            "state": store.state(), "examples_per_s": state.get("examples_per_s"), "eta_s": state.get("eta_s")}
    if a.json:
        print(json.dumps(info))
    else:
        eta = f", ETA {info['eta_s']:.0f}s" if info["state"] == "running" and info["eta_s"] is not None else ""
        print(f"{info['method']} on {info['example'] or 'a data set'}: {info['done']}/{info['total']} examples, "
              f"{info['errors']} errors, {info['state'] or 'not started'}{eta}")
    return 0


def cmd_summary(a: argparse.Namespace) -> int:
    from .summaries import summarize

    store, manifest = _open(a.store)
    meta = manifest["meta"]
    spec = source(meta)  # its features name text tokens; its model serves the sanity check
    if a.sanity and spec is None:
        raise ValueError("--sanity needs a job run with --workspace or --model (this store names neither)")
    model = spec["models"][meta.get("model_index", 0)] if spec else None
    result = summarize(store, other=_open(a.compare)[0] if a.compare else None, top=a.top, worst=a.worst,
                       model=model, features=spec["features"] if spec else None,
                       dataset=spec["dataset"] if spec else None, sample=a.sanity, encode=a.json)
    print(json.dumps(result) if a.json else _text(result))
    return 0


def _text(s: Dict[str, Any]) -> str:
    lines = [f"{s['method']}: {s['done']}/{s['total']} examples, {s['errors']} errors"]
    for key, per_class in s["class_maps"].items():
        lines.append(f"[{key}] per class (target): count, mean signed total, mean |attribution|")
        for c in per_class:
            lines.append(f"  {c['name']:>20}  {c['count']:6d}  {c['mean'].sum():+10.4f}  {c['mean_abs'].mean():.5f}")
    for key, per_class in s["top_tokens"].items():
        lines.append(f"[{key}] top tokens per class (mean attribution)")
        for c in per_class:
            top = ", ".join(f"{t['name']} {t['mean']:+.3f}" for t in c["top"][:5])
            bottom = ", ".join(f"{t['name']} {t['mean']:+.3f}" for t in c["bottom"][:5])
            lines.append(f"  {c['name']}: for {top} | against {bottom}")
    if s["agreement"]:
        g = s["agreement"]
        q = g["quantiles"]
        lines.append(f"agreement {g['methods'][0]} vs {g['methods'][1]} (Spearman per example, n={g['count']}): "
                     f"mean {g['mean']:.3f}, median {q['0.5']:.3f}, 10% {q['0.1']:.3f}, 90% {q['0.9']:.3f}")
    if s["faithfulness"] and s["faithfulness"]["count"]:
        f = s["faithfulness"]
        q = f["quantiles"]
        lines.append(f"deletion AUC (lower is more faithful, n={f['count']}): median {q['0.5']:.4f}, "
                     f"90% {q['0.9']:.4f}; worst:")
        lines += [f"  #{w['index']} ({w['example_id']}) target {w['target']}: {w['deletion_auc']:.4f}"
                  for w in f["worst"]]
    if s["sanity"]:
        lines.append(f"model randomisation over {s['sanity']['sample']} examples "
                     "(mean Spearman with the trained model's maps; near 1 is suspicious):")
        lines += [f"  up to {layer}: {m:.3f}" for layer, m in zip(s["sanity"]["layers"], s["sanity"]["mean"])]
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    a = parser().parse_args(argv)
    try:
        return {"run": cmd_run, "status": cmd_status, "summary": cmd_summary}[a.command](a)
    except (ValueError, TypeError, ImportError, OSError) as exc:  # bad arguments, a missing or odd store
        print(f"error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
