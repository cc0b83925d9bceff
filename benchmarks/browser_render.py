"""JobWidget of a 10,000-subjob job and JobTable over 5,000 jobs, in JupyterLab and Debian's
Chromium: time to render, time per update and long tasks, measured in the page with the
Performance API, against baselines measured in the same page.

Usage:  .venv-3.11/bin/python benchmarks/browser_render.py [--subjobs 10000] [--storm-seconds 1]
                                                      [--jobs 5000] [--table-changes 25]

Three notebooks, each run as a user would (Run All):
- Ganga splits a job into N subjobs (not submitted), ``JobWidget(job)`` shows it, and every
  subjob changes status through Ganga's updateStatus within about --storm-seconds. Then the
  widget is closed and the baseline shows the same job: one DOM row per subjob, one message
  per change (the monitors users know), and every subjob changes status again.
- ``JobTable()`` over a registry of --jobs new jobs (built beforehand), and the newest
  --table-changes jobs change status one after another. Then the baseline: one DOM row per
  job, every row sent and drawn again on each change; and the same changes again.
- ``JobWidget(job)`` of a job whose N subjobs all ended, with their times; the user opens
  its statistics panel (the kernel idle). Baseline: the widget's own render in that page.
The page records User Timing entries (the views write them when
``window.ganga_widgets_profile`` is set) and every long task (over 50 ms, the browser's own
threshold for an unresponsive page).
Results: printed as markdown tables and written to benchmarks/results/ as JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import HERE, save
from render_notebooks import job_notebook, stats_notebook, table_notebook
from render_report import report

sys.path.insert(0, str(HERE.parent / "tests"))
from browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    TOKEN,
    jupyter_server,
    run_all_cells,
    wait_all_cells_done,
)

RECORDER = """
window.ganga_widgets_profile = true;
window.__longTasks = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__longTasks.push([e.startTime, e.duration]);
}).observe({ type: "longtask", buffered: true });
"""


def entries(page: Any, name: str, since: float = 0.0) -> list[tuple[float, float]]:
    return page.evaluate(
        "([name, since]) => performance.getEntriesByName(name)"
        ".filter(e => e.startTime >= since).map(e => [e.startTime, e.duration])",
        [name, since],
    )


def long_tasks(page: Any, since: float) -> list[float]:
    return [d for s, d in page.evaluate("window.__longTasks") if s + d >= since]


def storm(page: Any, flags: Path, flag: str, shown: str, timeout: float) -> dict[str, Any]:
    """Start a storm; wait until the page shows its end (``shown``: a JS condition)."""
    since = page.evaluate("performance.now()")
    (flags / flag).touch()
    page.wait_for_function(shown, timeout=timeout * 1000)
    done = page.evaluate("performance.now()")
    return {"since": since, "shown_after_s": (done - since) / 1e3, "lost": 0}


def summary(durations: list[float], long: list[float]) -> dict[str, Any]:
    return {
        "updates": len(durations),
        "total_ms": sum(durations),
        "median_ms": statistics.median(durations) if durations else float("nan"),
        "max_ms": max(durations, default=float("nan")),
        "long_tasks": len(long),
        "longest_task_ms": max(long, default=0.0),
    }


def alone(server: Any, name: str) -> str:
    """The notebook ``name``.ipynb in a JupyterLab workspace of its own: the default one
    would open every notebook seen before as well."""
    return f"{server.url}lab/workspaces/{name}/tree/{name}.ipynb?token={TOKEN}"


def job_phase(page: Any, url: str, n: int, flags: Path) -> dict[str, Any]:
    page.goto(url)
    run_all_cells(page)
    # Ganga splits first (about a minute at 10,000), then the view renders.
    page.wait_for_function(
        f"() => document.querySelector('.gw-grid')?.getAttribute('aria-label')"
        f" === '{n} subjobs'", timeout=900_000,
    )  # fmt: skip
    ours: dict[str, Any] = {"render_ms": entries(page, "ganga_widgets:job:render")[0][1]}
    state = json.dumps({"submitting": n}, separators=(",", ":"))  # as JSON.stringify
    run = storm(page, flags, "storm1",
                f"() => document.querySelector('.gw-job')?.dataset.counts === '{state}'",
                300)  # fmt: skip
    ours |= run | summary(
        [d for _, d in entries(page, "ganga_widgets:job:update", run["since"])],
        long_tasks(page, run["since"]),
    )
    baseline = baseline_phase(page, flags, "baseline", ".gw-dom-baseline", "storm2", n)
    return {"ours": ours, "baseline": baseline}


def stats_phase(page: Any, url: str, n: int) -> dict[str, Any]:
    """The user opens the statistics panel (the kernel idle, as it is between cells): the
    kernel reads every subjob once, the view draws the report. The widget's own render in
    the same page is the baseline."""
    page.goto(url)
    run_all_cells(page)
    page.wait_for_function(
        f"() => document.querySelector('.gw-grid')?.getAttribute('aria-label')"
        f" === '{n} subjobs'", timeout=900_000,
    )  # fmt: skip
    wait_all_cells_done(page, timeout=900)
    render_ms = entries(page, "ganga_widgets:job:render")[0][1]
    since = page.evaluate("performance.now()")
    page.locator(".gw-job .gw-stats-title").click()
    page.wait_for_function(f"() => document.querySelector('.gw-job')?.dataset.stats === '{n}'",
                           timeout=300_000)  # fmt: skip
    # the frame after the draw: what the user sees, layout included
    shown = page.evaluate("new Promise((ok) => requestAnimationFrame(() => ok(performance.now())))")
    draws = entries(page, "ganga_widgets:job:statistics", since)
    return {
        "render_ms": render_ms,
        "draw_ms": draws[-1][1],
        "shown_after_ms": shown - since,
        "long_tasks": len(long_tasks(page, since)),
        "longest_task_ms": max(long_tasks(page, since), default=0.0),
    }


def table_phase(page: Any, url: str, jobs: int, changes: int, flags: Path) -> dict[str, Any]:
    page.goto(url)  # a new document: a new performance timeline
    run_all_cells(page)
    page.wait_for_selector(f'.gw-table[data-total="{jobs}"]', timeout=120_000 + 60 * jobs)
    ours: dict[str, Any] = {"render_ms": entries(page, "ganga_widgets:table:render")[0][1]}
    shown = min(changes, 25)  # the first page: the newest 25 jobs
    run = storm(page, flags, "table1",
                "() => document.querySelectorAll('.gw-table tr.gw-row[data-status=\"submitting\"]')"
                f".length === {shown}", 300)  # fmt: skip
    ours |= run | summary(
        [d for _, d in entries(page, "ganga_widgets:table:update", run["since"])],
        long_tasks(page, run["since"]),
    )
    baseline = baseline_phase(page, flags, "table-baseline", ".gw-dom-table", "table2", changes)
    return {"ours": ours, "baseline": baseline}


def baseline_phase(page: Any, flags: Path, show: str, selector: str, flag: str, changes: int
                   ) -> dict[str, Any]:  # fmt: skip
    """Close ours, show the baseline (flag ``show``), then the same changes again. The
    baseline may never show them all: Jupyter's server drops a kernel's messages beyond
    1,000 a second (``iopub_msg_rate_limit``). So: wait until it has drawn every change, or
    until the kernel has made them all and nothing more has come for 5 s."""
    (flags / show).touch()
    page.wait_for_selector(selector, timeout=300_000)
    baseline: dict[str, Any] = {"render_ms": entries(page, "baseline:render")[-1][1]}
    since = page.evaluate("performance.now()")
    (flags / flag).touch()
    drawn, quiet_since, deadline = -1, time.monotonic(), time.monotonic() + 900
    while True:
        now_drawn = int(page.evaluate(f"document.querySelector('{selector}').dataset.changes"))
        if now_drawn != drawn:
            drawn, quiet_since = now_drawn, time.monotonic()
        done = (flags / f"{flag}-done").exists() and time.monotonic() - quiet_since > 5
        if drawn == changes or done:
            break
        if time.monotonic() > deadline:
            raise TimeoutError(f"the baseline drew {drawn} of {changes} changes in 900 s")
        time.sleep(0.25)
    updates = entries(page, "baseline:update", since)
    last = max((start + d for start, d in updates), default=since)
    return (
        baseline
        | {
            "since": since,
            "lost": changes - drawn,
            "shown_after_s": (last - since) / 1e3 if drawn == changes else None,
        }
        | summary([d for _, d in updates], long_tasks(page, since))
    )


PHASES = ("job", "table", "statistics")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subjobs", type=int, default=10_000)
    parser.add_argument("--storm-seconds", type=float, default=1.0)
    parser.add_argument("--jobs", type=int, default=5000, help="registry for JobTable")
    parser.add_argument("--table-changes", type=int, default=25, help="newest jobs changing")
    parser.add_argument("--table-seconds", type=float, default=2.5)
    parser.add_argument("--phases", nargs="+", choices=PHASES, default=list(PHASES))
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    base = Path(tempfile.mkdtemp(prefix="gw-bench-browser-"))
    flags = base / "flags"
    flags.mkdir()
    makers = {
        "job": lambda: job_notebook(base, args.subjobs, flags, args.storm_seconds),
        "table": lambda: table_notebook(base, args.jobs, args.table_changes, flags,
                                        args.table_seconds),
        "statistics": lambda: stats_notebook(base, args.subjobs),
    }  # fmt: skip
    phases = {
        "job": lambda page, url: job_phase(page, url, args.subjobs, flags),
        "table": lambda page, url: table_phase(page, url, args.jobs, args.table_changes, flags),
        "statistics": lambda page, url: stats_phase(page, url, args.subjobs),
    }
    chosen = [name for name in PHASES if name in args.phases]
    notebooks = [makers[name]() for name in chosen]
    results: dict[str, Any] = {"subjobs": args.subjobs, "storm_seconds": args.storm_seconds,
                               "jobs": args.jobs, "table_changes": args.table_changes,
                               "table_seconds": args.table_seconds}  # fmt: skip
    with jupyter_server("lab", base / "server", notebooks) as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.add_init_script(RECORDER)
        try:
            for name, path in zip(chosen, notebooks, strict=True):
                results[name] = phases[name](page, alone(server, path.stem))
        except Exception:
            page.screenshot(path=str(base / "failed.png"))
            print(f"failed; the page is in {base / 'failed.png'}", file=sys.stderr)
            raise
        browser.close()

    save("browser", results)
    print(report(results))


if __name__ == "__main__":
    main()
