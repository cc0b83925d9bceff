"""``watch(job)``: a job drawn live in the terminal until it ends, redrawn as its changes
arrive (the dispatcher wakes it), at most once per interval."""

from __future__ import annotations

import sys
import time

from rich.live import Live

from .. import session
from ..dispatcher import wait_for
from ..ganga_adapter.resolve import resolve
from ..jobdata.model import snapshot
from ..vocabulary.protocols import GangaJob, fqid
from ..vocabulary.status import FINAL
from .terminal import job_view


def watch(job: GangaJob, interval: float = 1.0) -> None:
    """A live view of a job in the terminal until it ends. Ctrl-C stops watching, not the
    job."""
    try:
        session.start()
        follow(resolve(job), timeout=None, interval=interval)
    except KeyboardInterrupt:
        print("Stopped watching; the job goes on.", file=sys.stderr)


def follow(job: GangaJob, timeout: float | None, interval: float = 1.0) -> None:
    """Draw the job live until it ends (or ``timeout``); raises KeyboardInterrupt/TimeoutError."""
    master = job.master if job.master is not None else job
    last = 0.0
    with Live(job_view(snapshot(job)), auto_refresh=False, transient=False) as live:

        def redraw() -> None:
            nonlocal last
            if time.monotonic() - last >= interval:  # bounded: at most once per interval
                live.update(job_view(snapshot(job)), refresh=True)
                last = time.monotonic()

        wait_for(
            master.id,
            lambda: job.status in FINAL,
            timeout,
            f"job {fqid(job)} to end",
            on_wake=redraw,
        )
        live.update(job_view(snapshot(job)), refresh=True)
