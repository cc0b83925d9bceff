"""The same state as the widgets, drawn with rich: for IPython in a terminal, for the text
and HTML snapshots in every widget's display bundle (what nbconvert or a notebook viewer
shows where no widget frontend runs, see ``formats``), and for ``watch(job)`` (``watch``).
Drawing only: nothing here starts Ganga or waits on a job.

All job text goes in as ``rich.text.Text`` (never markup), and the HTML export escapes it.
"""

from __future__ import annotations

import time
from typing import Any

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..vocabulary.status import ORDER

STYLE = {
    "new": "grey62",
    "submitting": "yellow",
    "submitted": "yellow",
    "idle": "yellow",
    "held": "dark_orange",
    "suspended": "grey62",
    "running": "blue",
    "completing": "cyan",
    "completed": "green",
    "completed_frozen": "green",
    "failed": "red",
    "failed_frozen": "red",
    "killed": "grey50",
    "removed": "grey50",
    "unknown": "magenta",
    "unreadable": "magenta",
}
BAR_WIDTH = 40
TAIL_LINES = 10


def _when(epoch: float | None) -> str:
    return time.strftime("%H:%M:%S", time.localtime(epoch)) if epoch else "—"


def _duration(seconds: float | None) -> str:
    if seconds is None or seconds < 0:
        return "—"
    s = int(seconds)
    d, h, m = s // 86400, s % 86400 // 3600, s % 3600 // 60
    if d:
        return f"{d}d {h}h {m}m"
    return f"{h}h {m}m {s % 60}s" if h else (f"{m}m {s % 60}s" if m else f"{s % 60}s")


def _elapsed(times: dict) -> str:
    start = times.get("started") or times.get("resubmitted") or times.get("submitted")
    return _duration((times.get("finished") or time.time()) - start) if start else "—"


def badge(status: str) -> Text:
    return Text(f" {status} ", style=f"bold white on {STYLE.get(status, 'magenta')}")


def bar(counts: dict[str, int], width: int = BAR_WIDTH) -> Text:
    """The stacked subjob bar: one coloured block per share of subjobs in a status."""
    total = sum(counts.values())
    text = Text()
    if not total:
        return text
    order = [s for s in ORDER if counts.get(s)]
    widths = [max(1, round(width * counts[s] / total)) for s in order]
    for status, cells in zip(order, widths, strict=True):
        text.append("█" * cells, style=STYLE.get(status, "magenta"))
    return text


def job_view(view: dict[str, Any]) -> RenderableType:
    """A job panel from its view data (``JobModel.compute()``)."""
    s = view.get("summary") or {}
    counts = view.get("counts") or {}
    parts: list[RenderableType] = []
    said = (view.get("sharing") or {}).get("text")
    if said:  # read-only here: said once, first
        parts.append(Text(said, style="bold yellow"))
    head = Text()
    head.append(f"Job {s.get('fqid', '?')} ", style="bold")
    head.append(s.get("name", ""))
    where = " · ".join(x for x in (s.get("application"), s.get("backend"), s.get("files")) if x)
    head.append(f"  {where}  ", style="dim")
    head.append_text(badge(s.get("status", "unknown")))
    if s.get("submitting"):
        head.append(f"  {s['submitting']['text']}", style="bold")
    parts.append(head)
    times = s.get("times") or {}
    parts.append(
        Text(
            f"Submitted {_when(times.get('submitted'))}   "
            + (f"Resubmitted {_when(times['resubmitted'])}   " if times.get("resubmitted") else "")
            + f"Started {_when(times.get('started'))}   Finished {_when(times.get('finished'))}"
            f"   Elapsed {_elapsed(times)}",
            style="dim",
        )
    )
    if view.get("notice"):
        parts.append(Text(view["notice"], style="yellow"))
    if s.get("subjobs"):
        line = bar(counts)
        line.append("  " + ", ".join(f"{n} {k}" for k, n in counts.items()))
        line.append(f" of {s['subjobs']} subjobs", style="dim")
        parts.append(line)
    for f in view.get("failures") or []:
        error = f.get("call_error")
        what = (
            f"raised {error['type']}: {error['message']}"
            if error
            else f"exit code {f.get('exit_code')}"
        )
        line = Text(f"✗ subjob {f['fqid']}: ", style="bold red")
        line.append(what, style="red")
        parts.append(line)
        last = (f.get("tail") or "").strip().splitlines()[-1:] if not error else []
        if last:
            parts.append(Text("    " + last[0], style="dim"))
    for g in view.get("held") or []:
        line = Text(f"held ×{g['count']} (code {g['code']}): {g['reason']}", style="dark_orange")
        fix = g.get("fix") or {}
        if fix.get("kind") == "memory":
            peak = fix.get("peak_mb")
            measured = f"peaked at {peak:,.0f} MB" if peak is not None else "no usage measured"
            line.append(f"  → {measured}: resubmit asking for {fix['suggested_mb']:,} MB")
        elif fix.get("kind") == "missing_input":
            line.append(f"  → missing input file: {fix.get('path') or '(see the reason)'}")
        parts.append(line)
    d = view.get("detail") or {}
    if d:
        who = f"Subjob {d['fqid']}" if d.get("subjob") is not None else f"Job {d.get('fqid')}"
        info = " · ".join(x for x in (d.get("status", ""), d.get("host", "")) if x)
        parts.append(Text(f"{who}: {info}", style="bold"))
        parts += _condor_lines(d)
        stderr = d.get("stderr") or {}
        text = stderr.get("text") or stderr.get("error") or ""
        if text:
            tail = "\n".join(text.splitlines()[-TAIL_LINES:])
            parts.append(Text(tail, style="dim"))
    return Panel(Group(*parts), border_style=STYLE.get(str(s.get("status")), "white"), expand=False)


def _condor_lines(detail: dict[str, Any]) -> list[Text]:
    """What HTCondor says of the job in the detail panel, as the widget's view says it."""
    c = detail.get("condor")
    if not c:
        return []
    said = [f"HTCondor {detail.get('backend_id') or ''}: {c.get('status')}"]
    if c.get("idle_for") is not None:
        said[0] += f" for {_duration(c['idle_for'])}"
    if c.get("slot") or c.get("host"):
        said.append(f"on {c.get('slot') or c.get('host')}")
    if c.get("memory_mb") is not None:
        said.append(f"memory {c['memory_mb']} MB")
    if c.get("cpu_s") is not None:
        said.append(f"CPU {_duration(c['cpu_s'])}")
    if c.get("memory_request_mb") is not None:
        said.append(f"requested {c['memory_request_mb']:g} MB")
    if c.get("evictions"):
        said.append(f"evicted {c['evictions']}×")
    if c.get("note") and c.get("disconnected_at") is None:
        said.append(c["note"])
    lines = [Text(" · ".join(said), style="dim")]
    if c.get("disconnected_at") is not None:
        gives_up = c.get("gives_up_at")
        lease = "" if gives_up is None else f"; HTCondor gives up at {_when(gives_up)}"
        lines.append(Text(f"Disconnected since {_when(c['disconnected_at'])}{lease}",
                          style="dark_orange"))  # fmt: skip
    if c.get("history"):
        story = " · ".join(f"{_when(when)} {what}" for when, what in c["history"])
        lines.append(Text(story, style="dim"))
    if c.get("status") == "held":
        code = "" if c.get("hold_code") is None else f" (code {c['hold_code']})"
        reason = c.get("hold_reason") or "no reason given"
        lines.append(Text(f"Held{code}: {reason}", style="dark_orange"))
    return lines


def table_view(
    rows: list[dict],
    totals: dict[str, Any],
    total: int,
    query: dict[str, Any],
    sharing: dict[str, Any] | None = None,
) -> RenderableType:
    """The dashboard's page as a rich table, with its summary line, fitted to the width it
    is drawn in (and first, where the gangadir is followed read-only, who owns it)."""
    table = _JobsTable(rows, totals, total, query)
    said = (sharing or {}).get("text")
    return Group(Text(said, style="bold yellow"), table) if said else table


_COLUMNS = ("ID", "Name", "Application", "Backend", "Status", "Subjobs", "Submitted", "Duration")
# Columns a narrow console leaves out, widest first, and below which width: rich would
# otherwise give Name, the only column that wraps, no width at all (at 80 columns).
_DROPPED_BELOW = {"Application": 100, "Submitted": 90}


class _JobsTable:
    def __init__(
        self, rows: list[dict], totals: dict[str, Any], total: int, query: dict[str, Any]
    ) -> None:
        self.rows, self.totals, self.total, self.query = rows, totals, total, query

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.table(options.max_width)

    def table(self, width: int) -> Table:
        columns = [c for c in _COLUMNS if width >= _DROPPED_BELOW.get(c, 0)]
        table = Table(show_edge=False, header_style="bold dim")
        for column in columns:
            table.add_column(column, no_wrap=column != "Name")
        for r in self.rows:
            times = r.get("times") or {}
            done = r["counts"].get("completed", 0) + r["counts"].get("completed_frozen", 0)
            cells = {
                "ID": Text(str(r["id"])),
                "Name": Text(r["error"] or r["name"]),
                "Application": Text(r["application"]),
                "Backend": Text(r["backend"]),
                "Status": badge(r["status"]),
                "Subjobs": bar(r["counts"], 12 if width >= 80 else 6)
                + Text(f" {done}/{r['subjobs']}")
                if r["subjobs"]
                else "",
                "Submitted": Text(_when(times.get("submitted")) if times else ""),
                "Duration": Text(_elapsed(times) if times else ""),
            }
            table.add_row(*(cells[c] for c in columns))
        totals = self.totals
        by_status = ", ".join(f"{n} {s}" for s, n in (totals.get("by_status") or {}).items())
        page = self.query.get("page", 0) + 1
        pages = max(1, -(-self.total // max(1, self.query.get("page_size", 25))))
        running, queued = totals.get("subjobs_running", 0), totals.get("subjobs_queued", 0)
        table.caption = (
            f"{count_jobs(totals.get('jobs', 0))} ({by_status}) · subjobs: {running} "
            f"running, {queued} queued · page {page} of {pages}"
        )
        return table


def count_jobs(n: int) -> str:
    """A count of jobs as read: 1 job, 3 jobs."""
    return f"{n} job" if n == 1 else f"{n} jobs"
