"""examples/widget.ipynb runs headless in a real kernel (its cells check their own results)."""

from __future__ import annotations

from pathlib import Path

import pytest

nbclient = pytest.importorskip("nbclient")
nbformat = pytest.importorskip("nbformat")
KernelManager = pytest.importorskip("jupyter_client").KernelManager

ROOT = Path(__file__).resolve().parents[2]


def test_the_example_notebook_runs(tmp_path):
    notebook = nbformat.read(ROOT / "examples" / "widget.ipynb", as_version=4)
    # IPC sockets: no TCP ports for the kernel to race other processes for
    kernel = KernelManager(kernel_name="python3", transport="ipc", ip=str(tmp_path / "kernel"))
    client = nbclient.NotebookClient(notebook, km=kernel, timeout=120, resources={"metadata": {"path": str(ROOT)}})
    client.execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    widget_views = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert widget_views, "the render() cell shows a widget"
    printed = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "200 200 ['progress'" in printed and "'partial', 'progress', 'result']" in printed
    assert "torch.Size([4, 16, 16])" in printed  # four digit maps (the digits are upsampled to 16 x 16)
    figure = notebook.cells[-1].outputs[0]["data"]
    assert "application/vnd.plotly.v1+json" in figure or "text/html" in figure
