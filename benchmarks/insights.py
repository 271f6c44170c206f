"""Insights server timings on the example digits model, through the real server process.

Measures: launch of ``python -m insights.example`` to its page (HTML) and to its first page of
examples (torch and the model load in the background meanwhile); then, for
IntegratedGradients (n_steps 50) on 4 images, the time from the ``run`` request to the first
progress event and to the result (median of repeats, cache off). Captum Insights (removed from
Captum 0.9) is not installed, so its numbers from the issue are printed for reference only.

    python -m benchmarks.insights [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import time
import urllib.request

from benchmarks.common import RESULTS
from insights.serving import free_port
from tests.insights.test_real_server import SocketIO, http

CAPTUM_INSIGHTS_FETCH_IG25_S = 0.9  # measured in the issue: /fetch blocks, 4 images, small CNN


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    port = free_port()
    began = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "insights.example", "--no-browser", "--no-cache",
                                "--model", "digits", "--port", str(port)], stdout=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        token = re.search(r"token=(\S+)", line).group(1)
        base = f"http://127.0.0.1:{port}"
        urllib.request.urlopen(f"{base}/?token={token}").read()
        html = time.perf_counter() - began
        status, page = http(f"{base}/api/w/digits/examples/page", {"page_size": 4}, token)
        first_page = time.perf_counter() - began
        ids = [e["id"] for e in page["examples"]]
        sio = SocketIO(port, token)
        to_progress, to_result = [], []
        for _ in range(args.repeats + 1):  # the first run warms up
            sio.events = []
            start = time.perf_counter()
            sio.call("run", {"workspace": "digits", "request": {
                "examples": ids, "method": "IntegratedGradients", "args": {"n_steps": 50}, "use_cache": False}})
            first = sio.until(lambda kind, data: kind == "event" and data[0] == "progress")
            t_progress = time.perf_counter() - start
            assert first[0] == "progress"
            sio.until(lambda kind, data: kind == "event" and data[0] in ("result", "error"))
            to_progress.append(t_progress)
            to_result.append(time.perf_counter() - start)
        sio.ws.close()
    finally:
        process.terminate()
        process.wait(timeout=10)
    report = {
        "launch_to_html_page_s": round(html, 3),
        "launch_to_first_page_s": round(first_page, 3),
        "ig50_4_images_to_first_progress_s": round(statistics.median(to_progress[1:]), 4),
        "ig50_4_images_to_result_s": round(statistics.median(to_result[1:]), 4),
        "captum_insights_fetch_ig25_s_reference": CAPTUM_INSIGHTS_FETCH_IG25_S,
        "repeats": args.repeats,
    }
    for key, value in report.items():
        print(f"{key:45s} {value}")
    print(f"result time vs Captum Insights' blocking /fetch (IG-25): "
          f"{CAPTUM_INSIGHTS_FETCH_IG25_S / report['ig50_4_images_to_result_s']:.1f}x faster")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "insights.json").write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
