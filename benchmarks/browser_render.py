"""JobWidget of a 10,000-subjob job in JupyterLab and Debian's Chromium: time to render,
time per update and long tasks, measured in the page with the Performance API, against a
baseline measured in the same page.

Usage:  .venv/bin/python benchmarks/browser_render.py [--subjobs 10000] [--storm-seconds 1]

One notebook, run as a user would (Run All): Ganga splits a job into N subjobs (not
submitted), ``JobWidget(job)`` shows it. Then every subjob changes status through Ganga's
updateStatus within about --storm-seconds. Then the widget is closed and the baseline shows
the same job: one DOM row per subjob, one message per change (the monitors users know), and
every subjob changes status again. The page records User Timing entries (the widget writes
them when ``window.ganga_widgets_profile`` is set) and every long task (over 50 ms, the
browser's own threshold for an unresponsive page).
Results: printed as a markdown table and written to benchmarks/results/ as JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

import nbformat
from common import HERE, save

sys.path.insert(0, str(HERE.parent / "tests"))
from browser import CHROMIUM, CHROMIUM_ARGS, jupyter_server, run_all_cells

RECORDER = """
window.ganga_widgets_profile = true;
window.__longTasks = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__longTasks.push([e.startTime, e.duration]);
}).observe({ type: "longtask", buffered: true });
"""


def notebook(path: Path, n: int, flags: Path, seconds: float) -> None:
    cells = [
        f"import sys; sys.path.insert(0, {str(HERE)!r}); import kernel_side as k\n"
        f"k.setup({str(path.parent / 'gangadir')!r}); k.split_job({n}); job = k.SCALE_JOBS[{n}]\n"
        f"k.storms_on_flags(job, {str(flags)!r}, {seconds})",
        "from ganga_widgets import JobWidget\nw = JobWidget(job)\nw",
        f"k.wait_flag({str(flags / 'baseline')!r})\nw.close()\nk.DomBaseline(job)",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(nb, path)


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
    return {"since": since, "shown_after_s": (done - since) / 1e3}


def summary(durations: list[float], long: list[float]) -> dict[str, Any]:
    return {
        "updates": len(durations),
        "total_ms": sum(durations),
        "median_ms": statistics.median(durations) if durations else float("nan"),
        "max_ms": max(durations, default=float("nan")),
        "long_tasks": len(long),
        "longest_task_ms": max(long, default=0.0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subjobs", type=int, default=10_000)
    parser.add_argument("--storm-seconds", type=float, default=1.0)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    n = args.subjobs
    base = Path(tempfile.mkdtemp(prefix="gw-bench-browser-"))
    flags = base / "flags"
    flags.mkdir()
    nb = base / "scale.ipynb"
    notebook(nb, n, flags, args.storm_seconds)
    results: dict[str, Any] = {"subjobs": n, "storm_seconds": args.storm_seconds}
    with jupyter_server("lab", base / "server", [nb]) as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.add_init_script(RECORDER)
        page.goto(server.notebook_url(nb.name))
        run_all_cells(page)
        # Ganga splits first (about a minute at 10,000), then the view renders.
        page.wait_for_function(
            f"() => document.querySelector('.gw-grid')?.getAttribute('aria-label')"
            f" === '{n} subjobs'", timeout=900_000,
        )  # fmt: skip
        ours = {"render_ms": entries(page, "ganga_widgets:job:render")[0][1]}
        ours["render_long_tasks_ms"] = long_tasks(page, 0.0)
        state = json.dumps({"submitting": n}, separators=(",", ":"))  # as JSON.stringify
        run = storm(page, flags, "storm1",
                    f"() => document.querySelector('.gw-job')?.dataset.counts === '{state}'",
                    300)  # fmt: skip
        ours |= run | summary(
            [d for _, d in entries(page, "ganga_widgets:job:update", run["since"])],
            long_tasks(page, run["since"]),
        )
        results["ours"] = ours

        (flags / "baseline").touch()
        page.wait_for_selector(".gw-dom-baseline", timeout=300_000)
        rendered = entries(page, "baseline:render")
        baseline = {"render_ms": rendered[0][1]}
        run = storm(page, flags, "storm2",
                    f"() => document.querySelector('.gw-dom-baseline')?.dataset.changes"
                    f" === '{n}'", 900)  # fmt: skip
        baseline |= run | summary(
            [d for _, d in entries(page, "baseline:update", run["since"])],
            long_tasks(page, run["since"]),
        )
        results["baseline"] = baseline
        browser.close()

    save("browser", results)
    print(report(results))


def report(r: dict[str, Any]) -> str:
    o, b = r["ours"], r["baseline"]

    def row(what: str, key: str, fmt: str) -> str:
        ratio = f"{o[key] / b[key]:.3f}" if b[key] else "—"
        return f"| {what} | {fmt.format(o[key])} | {fmt.format(b[key])} | {ratio} |"

    return "\n".join([
        f"{r['subjobs']:,} subjobs in JupyterLab, Chromium; every subjob changes status "
        f"within ~{r['storm_seconds']:g} s:",
        "",
        "| | JobWidget (canvas, coalesced) | baseline (a DOM row per subjob, "
        "a message per change) | ratio |",
        "|---|---|---|---|",
        row("render", "render_ms", "{:.1f} ms"),
        row("updates drawn", "updates", "{:,}"),
        row("time per update, median", "median_ms", "{:.2f} ms"),
        row("time per update, max", "max_ms", "{:.1f} ms"),
        row("time drawing updates, in all", "total_ms", "{:,.0f} ms"),
        row("long tasks (> 50 ms) while updating", "long_tasks", "{:,}"),
        row("longest task while updating", "longest_task_ms", "{:.0f} ms"),
        row("final state shown after", "shown_after_s", "{:.2f} s"),
    ])  # fmt: skip


if __name__ == "__main__":
    main()
