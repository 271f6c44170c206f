"""``python -m insights.jobs run|status|summary`` on the example models."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from insights.jobs.__main__ import main

ROOT = Path(__file__).resolve().parents[2]


def test_run_status_summary_on_the_digits_model(tmp_path, capsys):
    store = tmp_path / "digits"
    command = [sys.executable, "-m", "insights.jobs", "run", "--model", "digits", "--method", "Saliency",
               "--store", str(store), "--limit", "24", "--shard-size", "8", "--faithfulness", "--quiet"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["done"] == report["total"] == 24 and report["state"] == "done"

    assert main(["status", str(store), "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["done"] == 24 and status["state"] == "done" and status["method"] == "Saliency"

    assert main(["run", "--model", "digits", "--method", "IntegratedGradients", "--arg", "n_steps=4",
                 "--store", str(tmp_path / "ig"), "--limit", "24", "--shard-size", "8", "--quiet"]) == 0
    capsys.readouterr()
    assert main(["summary", str(store), "--compare", str(tmp_path / "ig"), "--sanity", "2"]) == 0
    text = capsys.readouterr().out
    assert "Saliency: 24/24 examples, 0 errors" in text and "agreement Saliency vs IntegratedGradients" in text
    assert "deletion AUC" in text and "model randomisation over 2 examples" in text
    assert main(["summary", str(store), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["class_maps"]["digit"][0]["mean"]["shape"] == [1, 16, 16]


@pytest.mark.parametrize("argv, message", [
    (["run", "--model", "digits", "--method", "Nope", "--store", "{tmp}/x"], "`method`"),
    (["run", "--model", "digits", "--method", "Saliency", "--target", "seven", "--store", "{tmp}/x"], "`target`"),
    (["run", "--model", "digits", "--method", "IntegratedGradients", "--arg", "n_steps=-1", "--store", "{tmp}/x"],
     "n_steps"),
    (["status", "{tmp}/missing"], "no data-set job store"),
    (["summary", "{tmp}/missing"], "no data-set job store"),
])
def test_bad_arguments_exit_with_a_message(tmp_path, capsys, argv, message):
    assert main([a.format(tmp=tmp_path) for a in argv]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("argv", [
    ["run", "--model", "digits", "--method", "Saliency", "--store", "{file}"],  # a file, not a folder
    ["run", "--model", "digits", "--method", "Saliency", "--store", "{file}/under"],  # under a file
    ["run", "--model", "digits", "--method", "Saliency", "--store", "{tmp}/x", "--shard-size", "0"],
    ["run", "--model", "digits", "--method", "Saliency", "--store", "{tmp}/x", "--workers", "many"],
    ["run", "--model", "digits", "--method", "Saliency", "--store", "{tmp}/x", "--arg", "n_steps"],
    ["run", "--model", "digits", "--method", "Saliency", "--store", "{tmp}/x", "--dtype", "int8"],
    ["run", "--model", "nothing", "--method", "Saliency", "--store", "{tmp}/x"],
    ["run", "--model", "digits", "--store", "{tmp}/x"],  # no method
    ["run", "--model", "digits", "--method", "Saliency", "--store", "{tmp}/x", "--frobnicate"],
    ["status", "{file}"],
    ["status", "{file}/under"],
    ["summary", "{file}", "--json"],
    ["summary", "{tmp}/missing", "--compare", "{file}"],
    ["launch"],
    [],
])
def test_every_bad_argument_is_one_line_and_a_non_zero_exit(tmp_path, argv):
    """Run as a user runs it (a process), so argparse's own exits are covered too."""
    file = tmp_path / "a-file.txt"
    file.write_text("not a store")
    command = [sys.executable, "-m", "insights.jobs", *[a.format(tmp=tmp_path, file=file) for a in argv]]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert file.read_text() == "not a store"



def test_run_and_summarise_a_workspace_of_ones_own(tmp_path, capsys):
    """Any model: a factory on the import path that returns an AttributionVisualizer."""
    store = tmp_path / "own"
    command = [sys.executable, "-m", "insights.jobs", "run", "--workspace", "tests.jobs.models:workspace",
               "--method", "IntegratedGradients", "--arg", "n_steps=8", "--store", str(store), "--faithfulness",
               "--quiet"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["done"] == 40
    from insights.jobs import Store

    meta = Store(store).manifest()["meta"]
    assert meta == {"workspace": "tests.jobs.models:workspace", "model_index": 0}
    rows = Store(store).rows()
    assert rows["deletion_auc"].between(0, 1).all()  # on the workspace's score_func (softmax)
    assert main(["summary", str(store), "--sanity", "2"]) == 0
    assert "model randomisation over 2 examples" in capsys.readouterr().out


@pytest.mark.parametrize("spec, message", [
    ("tests.jobs.models", "package.module:factory"),
    ("tests.jobs.models:nothing", "no function 'nothing'"),
    ("no_such_package.models:workspace", "cannot import"),
    ("tests.jobs.models:data", "not an AttributionVisualizer"),
])
def test_a_bad_workspace_is_one_line(tmp_path, capsys, spec, message):
    assert main(["run", "--workspace", spec, "--method", "Saliency", "--store", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
