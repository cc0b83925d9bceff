"""benchmarks/browser_render.py's results as markdown tables: ours against the baseline,
with their ratio, per phase (job, table, statistics)."""

from __future__ import annotations

from typing import Any


def report(r: dict[str, Any]) -> str:
    def rows(o: dict[str, Any], b: dict[str, Any]) -> list[str]:
        def row(what: str, key: str, fmt: str) -> str:
            if b[key] is None:  # the baseline never showed the final state
                return f"| {what} | {fmt.format(o[key])} | never ({b['lost']:,} lost) | — |"
            ratio = f"{o[key] / b[key]:.3f}" if b[key] else "—"
            return f"| {what} | {fmt.format(o[key])} | {fmt.format(b[key])} | {ratio} |"

        return [
            row("render", "render_ms", "{:.1f} ms"),
            row("updates drawn", "updates", "{:,}"),
            row("time per update, median", "median_ms", "{:.2f} ms"),
            row("time per update, max", "max_ms", "{:.1f} ms"),
            row("time drawing updates, in all", "total_ms", "{:,.0f} ms"),
            row("long tasks (> 50 ms) while updating", "long_tasks", "{:,}"),
            row("longest task while updating", "longest_task_ms", "{:.0f} ms"),
            row("changes never shown (lost)", "lost", "{:,}"),
            row("final state shown after", "shown_after_s", "{:.2f} s"),
        ]

    sections: list[str] = []
    if "job" in r:
        sections += [
            f"JobWidget, {r['subjobs']:,} subjobs, in JupyterLab and Chromium; every subjob "
            f"changes status within ~{r['storm_seconds']:g} s (or as fast as Ganga goes):",
            "",
            "| | JobWidget (canvas, coalesced) | baseline (a DOM row per subjob, "
            "a message per change) | ratio |",
            "|---|---|---|---|",
            *rows(r["job"]["ours"], r["job"]["baseline"]),
            "",
        ]
    if "table" in r:
        sections += [
            f"JobTable over {r['jobs']:,} jobs; the {r['table_changes']} newest change status "
            f"within ~{r['table_seconds']:g} s:",
            "",
            "| | JobTable (a page, changed rows) | baseline (a DOM row per job, every row sent "
            "and drawn per change) | ratio |",
            "|---|---|---|---|",
            *rows(r["table"]["ours"], r["table"]["baseline"]),
            "",
        ]
    if "statistics" in r:
        st = r["statistics"]
        sections += [
            f"Statistics panel opened with a click on a job of {r['subjobs']:,} ended subjobs "
            "(the kernel idle; it reads every subjob once, the view draws the report):",
            "",
            "| | statistics panel | the widget's own render (baseline) | ratio |",
            "|---|---|---|---|",
            f"| drawn in the view | {st['draw_ms']:.1f} ms | {st['render_ms']:.1f} ms "
            f"| {st['draw_ms'] / st['render_ms']:.2f} |",
            f"| click to drawn (the kernel's read and the message included) "
            f"| {st['shown_after_ms']:,.0f} ms | | |",
            f"| long tasks (> 50 ms), longest | {st['long_tasks']}, "
            f"{st['longest_task_ms']:.0f} ms | | |",
        ]
    return "\n".join(sections).rstrip()
