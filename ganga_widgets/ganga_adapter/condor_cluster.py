"""A job made by ``submit()`` goes to HTCondor as one cluster, with one wrapper for every
subjob.

Ganga's Condor backend prepares every subjob on its own: a job configuration from the
application's runtime handler, an input sandbox, and a 6 KB Python wrapper written for the
subjob alone, 1.3 to 2 ms a subjob, more than HTCondor's whole submission of it. The
subjobs of a ``submit()`` job run one command that differs only in its arguments, so here
they share one wrapper, and each item of the one ``Schedd.submit`` carries the subjob's
arguments and output directory. The wrapper ends stdout with ``Exit code: <wait status>``,
as Ganga's does: Ganga's monitoring reads the subjob's outcome from that line.

Everything else is Ganga's own: ``Job.submit`` (status changes, splitting, registry
writes, rollback on failure), the common part of the submit description
(``cdfPreamble``: requirements, ``cdf_options``, ``getenv``...), and what is recorded per
subjob (HTCondor id, statuses, times, submit count). A resubmission, by Ganga anywhere, goes
through Ganga's own path, which writes that subjob's own wrapper.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_INSTALLED = "_ganga_widgets_one_cluster"
WRAPPER = "gw-condor-wrapper.py"

# Runs the subjob's command and reports as Ganga's Condor wrapper does: its last line of
# stdout is ``Exit code: `` and os.system's wait status. Python 3, as Ganga's wrapper needs.
WRAPPER_TEXT = """\
#!/usr/bin/env python3
# The wrapper of every subjob of a job made by ganga_widgets.submit(): HTCondor passes
# each subjob its command as arguments.
import subprocess, sys, time

FORMAT = "%a %d %b %H:%M:%S %Y"
start = time.strftime(FORMAT, time.gmtime())
sys.stdout.flush()
code = subprocess.call(sys.argv[1:])
status = code << 8 if code >= 0 else -code  # as os.system's: a signal in the low bits
print("\\nJob start: " + start)
print("Job end: " + time.strftime(FORMAT, time.gmtime()))
print("Exit code: %d" % status)
"""


class _Clusters(threading.local):
    def __init__(self) -> None:
        self.masters: set[int] = set()  # id() of the masters this thread submits this way


_clusters = _Clusters()


@contextmanager
def one_cluster(job: Any) -> Iterator[None]:
    """Within: this thread's submission of ``job`` (a split job of one command, which
    differs per subjob only in ``application.args``), if it goes to Condor, is one cluster
    with one wrapper."""
    key = id(job)
    _clusters.masters.add(key)
    try:
        yield
    finally:
        _clusters.masters.discard(key)


def install(job_class: Any) -> None:
    """Apply the guards once (idempotent)."""
    from GangaCore.Lib.Condor.Condor import Condor

    if job_class.__dict__.get(_INSTALLED):
        return
    original_configs = job_class._getJobSubConfig
    original_submit = Condor.master_submit

    def _getJobSubConfig(self: Any, subjobs: Any) -> Any:
        # what only Ganga's per-subjob preparation reads; made there if it is needed
        if id(self) in _clusters.masters and isinstance(self.backend, Condor):
            return [None] * len(subjobs)
        return original_configs(self, subjobs)

    def master_submit(self: Any, rjobs: Any, subjobconfigs: Any, masterjobconfig: Any,
                      *args: Any, **kwargs: Any) -> Any:  # fmt: skip
        master = self.getJobObject()
        if id(master) in _clusters.masters:
            _clusters.masters.discard(id(master))  # from here on, as Ganga does it
            if _one_command(master, rjobs):
                return _submit_cluster(self, master, rjobs, masterjobconfig)
            subjobconfigs = original_configs(master, rjobs)
        return original_submit(self, rjobs, subjobconfigs, masterjobconfig, *args, **kwargs)

    job_class._getJobSubConfig = _getJobSubConfig
    Condor.master_submit = master_submit
    setattr(job_class, _INSTALLED, True)


def _one_command(master: Any, rjobs: Any) -> bool:
    """Whether the subjobs need nothing of Ganga's wrapper but running their command: an
    ``Executable`` of a path, with no files to ship or environment of its own, and no
    container around it."""
    from GangaCore.Lib.Executable.Executable import Executable

    for job in (master, *rjobs):
        app = job.application
        if type(app) is not Executable or not isinstance(app.exe, str) or app.env:
            return False
        if job.inputfiles or job.inputsandbox or job.virtualization is not None:
            return False
    return bool(rjobs) and all(job.master is master for job in rjobs)


def _submit_cluster(backend: Any, master: Any, rjobs: Any, masterjobconfig: Any) -> int:
    """Ganga's ``Condor.master_submit``, with one wrapper for every subjob."""
    from GangaCore.GPIDev.Base.Proxy import stripProxy
    from GangaCore.GPIDev.Lib.File.FileBuffer import FileBuffer
    from GangaCore.Lib.Condor.Condor import BackendError

    # the bindings, and so the configuration, that Ganga's Condor backend uses
    htcondor = sys.modules[type(backend).__module__].htcondor
    description = backend.cdfPreamble(masterjobconfig)
    description["executable"] = master.getInputWorkspace().writefile(
        FileBuffer(WRAPPER, WRAPPER_TEXT), executable=1
    )
    environment = _environment(backend.env)
    if environment:
        description["environment"] = environment
    items = []
    for subjob in rjobs:
        subjob.updateStatus("submitting")
        outdir = subjob.getOutputWorkspace(create=False).getPath()
        os.makedirs(outdir, exist_ok=True)  # HTCondor writes the subjob's log there
        command = [subjob.application.exe, *subjob.application.args]
        items.append({"arguments": arguments(command), "initialdir": outdir})
    result = htcondor.Schedd().submit(htcondor.Submit(description), itemdata=iter(items))
    if result.num_procs() != len(rjobs):
        raise BackendError("Condor", "Some subjobs failed to submit! Check their status!")
    cluster, proc = result.cluster(), result.first_proc()
    for number, subjob in enumerate(rjobs, start=proc):  # as Ganga's master_submit
        subjob.backend.id = f"{cluster}.{number}"
        subjob.updateStatus("submitted")
        subjob.time.timenow("submitted")
        stripProxy(subjob.info).increment()
    return 1


def _environment(env: Any) -> str:
    """The backend's ``env`` as Ganga's Condor backend writes it into the description."""
    pairs = []
    for key, value in (env or {}).items():
        text = os.path.expandvars(value) if isinstance(value, str) else str(value)
        pairs.append(f"{key}={text}")
    return ";".join(pairs)


def arguments(command: list[Any]) -> str:
    """HTCondor's quoted form of an argument list: each argument in single quotes (a quote
    within doubled), the whole in double quotes (a double quote within doubled)."""
    quoted = ("'" + str(a).replace("'", "''") + "'" for a in command)
    return '"' + " ".join(quoted).replace('"', '""') + '"'
