"""What the pool says of its execute slots, and one small job run on one of them."""

from __future__ import annotations

import os
import time
from typing import Any

from . import bindings, schedd

# How long a probe job may take before the pool counts as unable to run it now.
PROBE_TIMEOUT = 300.0


def shares_filesystem(requirements: str) -> bool | None:
    """Whether the slots a job with these Requirements can match see the submit side's
    files: HTCondor's own declaration, each slot's FileSystemDomain against this side's
    FILESYSTEM_DOMAIN. True if all of them do, False if any does not, None if the pool
    cannot tell (no such slot, no answer from the collector)."""
    htcondor = bindings.bindings()
    local = htcondor.param.get("FILESYSTEM_DOMAIN")
    ads = slots(requirements, ["FileSystemDomain"])
    domains = {bindings.value(ad, "FileSystemDomain") for ad in ads or []}
    if not domains or not local:
        return None
    return domains == {local}


def slots(constraint: str, projection: list[str]) -> list[Any] | None:
    """The execute slots' ads that match ``constraint``; None without an answer."""
    htcondor = bindings.bindings()
    ad_type = getattr(htcondor, "AdType", None) or htcondor.AdTypes
    try:
        return list(
            htcondor.Collector().query(
                ad_type.Startd, constraint=constraint or "true", projection=projection
            )
        )
    except htcondor.HTCondorException:
        return None


class ProbeFailed(RuntimeError):
    """The probe job did not give an answer; the message says why and what to do."""


def run_probe(description: dict[str, str], directory: str, timeout: float = PROBE_TIMEOUT) -> str:
    """Run one job of ``description`` (its files in ``directory``) and return what it
    printed. It leaves the queue whatever happens; ProbeFailed says why it gave nothing."""
    htcondor = bindings.bindings()
    description = {
        **description,
        "initialdir": directory,
        "output": "probe.out",
        "error": "probe.err",
        "log": "probe.log",
        "should_transfer_files": "YES",
        "when_to_transfer_output": "ON_EXIT",
    }
    result = htcondor.Schedd().submit(htcondor.Submit(description))
    job = f"{result.cluster()}.0"
    deadline = time.monotonic() + timeout
    try:
        while True:
            ads = htcondor.Schedd().query(
                constraint=f"ClusterId == {result.cluster()}",
                projection=["JobStatus", "HoldReason"],
            )
            if not ads:  # it ended: its output came back before it left the queue
                break
            if bindings.value(ads[0], "JobStatus") == 5:
                reason = bindings.value(ads[0], "HoldReason")
                raise ProbeFailed(f"the check job {job} was held: {reason}")
            if time.monotonic() > deadline:
                why = schedd.analyze(job)[-2000:] or "the pool gave no reason"
                raise ProbeFailed(f"the check job {job} did not run within {timeout:.0f} s: {why}")
            time.sleep(0.5)
    finally:
        schedd.act("remove", [job], "ganga_widgets: the check job is over")  # gone already: fine
    out, err = (_read(os.path.join(directory, name), size) for name, size in
                (("probe.out", 1 << 20), ("probe.err", 4096)))  # fmt: skip
    if not out.strip():
        raise ProbeFailed(f"the check job {job} printed nothing; its stderr: {err or '(none)'}")
    return out


def _read(path: str, size: int) -> str:
    """At most ``size`` characters of a file the probe job brought back ('' if none came)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read(size).strip()
    except OSError:  # it left the queue without (removed by hand, say)
        return ""
