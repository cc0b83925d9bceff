"""The jobs ``submit()`` makes run one command in every subjob, differing only in its
arguments: here they are split and sent to HTCondor as such.

- **Split from one template.** Ganga's ``ArgSplitter`` builds each subjob anew and copies
  the application into it; its split loop then sets each subjob's id, status and times
  through the attribute machinery, and appends it with type checks: ~1.2 ms a subjob. Here
  Ganga makes the first subjob its own way, and every other one is a copy of it with its
  arguments, id, uuid and creation time: what Ganga's split gives, for ~0.25 ms.
- **One HTCondor cluster, one wrapper.** Ganga's Condor backend prepares every subjob on
  its own: a job configuration from the application's runtime handler, an input sandbox,
  and a 6 KB Python wrapper written for that subjob alone, 1.3 to 2 ms a subjob, more than
  HTCondor's whole submission of it. Here the subjobs share one wrapper, and each item of
  the one ``Schedd.submit`` carries the subjob's arguments and output directory. The
  wrapper ends stdout with ``Exit code: <wait status>``, as Ganga's does: Ganga's
  monitoring reads the subjob's outcome from that line.

- **Files shipped by name, without a shared filesystem.** With the backend's
  ``shared_filesystem`` False, every argument of the command that names a file here
  travels with HTCondor's file transfer, and the command names it as it arrives, beside
  the wrapper (the interpreter, ``exe``, is the execute node's own). What the command
  writes there comes back to the subjob's output directory. Ganga's own wrapper would open
  its input sandbox by this side's paths there, so resubmissions of such a subjob go this
  way too (in this process; a plain Ganga session's cannot run there).

Everything else is Ganga's own: ``Job.submit`` (status changes, registry writes, rollback
on failure), the common part of the submit description (``cdfPreamble``: requirements,
``cdf_options``, ``getenv``...), and what is recorded per subjob (HTCondor id, statuses,
times, submit count). Any other resubmission, by Ganga anywhere, goes through Ganga's own
path, which writes that subjob's own wrapper.
"""

from __future__ import annotations

import datetime
import os
import shutil
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..condor import bindings
from . import clones, submission_progress

_INSTALLED = "_ganga_widgets_one_command"
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


class _Scope(threading.local):
    def __init__(self) -> None:
        self.masters: set[int] = set()  # id() of the masters this thread submits so


_scope = _Scope()


@contextmanager
def scope(job: Any) -> Iterator[None]:
    """Within: this thread's submission of ``job``, split by an ``ArgSplitter`` into
    subjobs of one command that differ only in ``application.args``, goes as above."""
    key = id(job)
    _scope.masters.add(key)
    try:
        yield
    finally:
        _scope.masters.discard(key)


def install(job_class: Any) -> None:
    """Apply the guards once (idempotent)."""
    from GangaCore.Lib.Condor.Condor import Condor

    if job_class.__dict__.get(_INSTALLED):
        return
    original_split = job_class._doSplitting
    original_configs = job_class._getJobSubConfig
    original_submit = Condor.master_submit
    original_resubmit = Condor.resubmit

    def _doSplitting(self: Any) -> Any:
        if id(self) in _scope.masters:
            subjobs = _split_from_one_template(self)
            if subjobs is not None:
                return subjobs
        return original_split(self)

    def _getJobSubConfig(self: Any, subjobs: Any) -> Any:
        # what only Ganga's per-subjob preparation reads; made there if it is needed
        if id(self) in _scope.masters and isinstance(self.backend, Condor):
            return [None] * len(subjobs)
        return original_configs(self, subjobs)

    def master_submit(self: Any, rjobs: Any, subjobconfigs: Any, masterjobconfig: Any,
                      *args: Any, **kwargs: Any) -> Any:  # fmt: skip
        master = self.getJobObject()
        if id(master) in _scope.masters:
            _scope.masters.discard(id(master))  # from here on, as Ganga does it
            if _one_command(master, rjobs):
                return _submit_cluster(self, master, rjobs, masterjobconfig)
            subjobconfigs = original_configs(master, rjobs)
        return original_submit(self, rjobs, subjobconfigs, masterjobconfig, *args, **kwargs)

    def resubmit(self: Any) -> Any:
        job = self.getJobObject()
        master = job.master
        if self.shared_filesystem or master is None or not _one_command(master, [job]):
            return original_resubmit(self)
        outdir = job.getOutputWorkspace().getPath()  # emptied, as Ganga's resubmit does
        shutil.rmtree(outdir, ignore_errors=True)
        return _submit_cluster(self, master, [job], job._getJobMasterConfig())

    job_class._doSplitting = _doSplitting
    job_class._getJobSubConfig = _getJobSubConfig
    Condor.master_submit = master_submit
    Condor.resubmit = resubmit
    setattr(job_class, _INSTALLED, True)


def _split_from_one_template(master: Any) -> list[Any] | None:
    """``Job._doSplitting`` for an ``ArgSplitter`` of plain string arguments: the first
    subjob as Ganga makes it, the others copies of it; None where Ganga must split."""
    from GangaCore.GPIDev.Lib.GangaList.GangaList import GangaList
    from GangaCore.Lib.Splitters.ArgSplitter import ArgSplitter
    from GangaCore.Utility.Config import getConfig

    splitter = master.splitter
    if type(splitter) is not ArgSplitter or splitter.append or master.master is not None:
        return None
    args = [list(arg) for arg in splitter.args]
    if not args or not all(type(a) is str for arg in args for a in arg):
        return None
    if not isinstance(master.subjobs, GangaList) or len(master.subjobs):
        return None
    # Ganga's own split of the first item: the template, validated as Ganga does
    first = ArgSplitter()
    first.args = args[:1]
    [template] = first.validatedSplit(master)
    made = []
    for index, arg in enumerate(args):
        subjob = template if index == 0 else clones.clone(template)
        if index:
            listed = clones.clone(template.application._data_dict["args"])
            listed._data_dict["_list"] = arg
            listed._parent = subjob.application
            subjob.application._data_dict["args"] = listed
        # what Ganga's split loop sets on each subjob
        subjob.info._data_dict["uuid"] = str(uuid.uuid4())
        subjob._data_dict["status"] = "new"
        subjob.time._data_dict["timestamps"]["new"] = datetime.datetime.utcnow()
        subjob._data_dict["id"] = index
        subjob._parent = master
        subjob._dirty = True
        made.append(subjob)
        if index:  # the template was counted as Ganga made it
            submission_progress.advance(master, "splitting", len(args))
    master.subjobs._list.extend(made)
    master._setDirty()
    if getConfig("Configuration")["autoGenerateJobWorkspace"]:
        for subjob in made:
            subjob._init_workspace()
    return master.subjobs


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

    htcondor = bindings.bindings()
    description = backend.cdfPreamble(masterjobconfig)
    description["executable"] = master.getInputWorkspace().writefile(
        FileBuffer(WRAPPER, WRAPPER_TEXT), executable=1
    )
    environment = _environment(backend.env)
    if environment:
        description["environment"] = environment
    # every subjob's output directory is <workspace>/<master id>/<subjob id>/output
    first = rjobs[0].getOutputWorkspace(create=False).getPath()
    workspace = os.path.dirname(os.path.dirname(os.path.normpath(first)))
    items = []
    for subjob in rjobs:
        subjob.updateStatus("submitting")
        outdir = os.path.join(workspace, str(subjob.id), "output", "")
        os.makedirs(outdir, exist_ok=True)  # HTCondor writes the subjob's log there
        app = subjob.application._data_dict  # read as held: the subjob is this thread's
        item = {"initialdir": outdir}
        command = [app["exe"], *app["args"]]
        if not backend.shared_filesystem:
            command, item["transfer_input_files"] = _shipped(command)
        item["arguments"] = arguments(command)
        items.append(item)
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


def _shipped(command: list[Any]) -> tuple[list[Any], str]:
    """The command as it runs where it is shipped to, and HTCondor's list of what to ship:
    every argument naming a file here, named there by its base name."""
    from GangaCore.Lib.Condor.Condor import BackendError

    shipped: dict[str, str] = {}
    there = [command[0]]
    for arg in command[1:]:
        text = str(arg)
        if os.path.isabs(text) and os.path.isfile(text):
            name = os.path.basename(text)
            if shipped.setdefault(name, text) != text:
                raise BackendError("Condor", f"two files to ship are both named {name}")
            if "," in text:  # HTCondor's list separator
                raise BackendError("Condor", f"cannot ship {text}: its path has a comma")
            text = name
        there.append(text)
    return there, ",".join(shipped.values())


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
