"""Run each ``@pytest.mark.ganga`` test in a Python process of its own.

Ganga can be started only once per process and keeps one gangadir for its lifetime, so a
test that needs a fresh Ganga (its own gangadir, its own configuration) gets a fresh
process: the parent re-runs pytest on that one test in a child, and reports what the child
reported (through pytest's own report serialisation, as pytest-xdist does). The parent
never starts Ganga itself.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile

import pytest

CHILD = "GANGA_WIDGETS_TEST_REPORTS"  # set in a child: where to write its reports


def in_child() -> bool:
    return bool(os.environ.get(CHILD))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> bool | None:
    if in_child() or item.get_closest_marker("ganga") is None:
        return None
    item.ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
    for report in _run_in_child(item):
        item.ihook.pytest_runtest_logreport(report=report)
    # What the skipped runtest protocol would do: tear down the collectors (modules,
    # classes) that earlier in-process tests set up and the next item does not need.
    item.session._setupstate.teardown_exact(nextitem)
    item.ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)
    return True


# The parent's own pytest-timeout must not fire first: it would end the whole session, the
# child killed mid-test with its jobs left running. The child times out (its test reported
# failed), then the parent's wait for it (``CHILD_GRACE_S`` more), well before this.
CHILD_GRACE_S = 60
PARENT_GRACE_S = 180
_CHILD_TIMEOUT = pytest.StashKey[int]()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if in_child():
        return
    for item in items:
        if item.get_closest_marker("ganga") is None:
            continue
        item.stash[_CHILD_TIMEOUT] = child = _timeout(item)
        # first among its markers: the one pytest-timeout reads in this process
        item.own_markers.insert(0, pytest.mark.timeout(child + PARENT_GRACE_S).mark)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    path = os.environ.get(CHILD)
    if not path:
        return
    config = _config
    data = config.hook.pytest_report_to_serializable(config=config, report=report)
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(data) + "\n")


_config: pytest.Config
_exit_status = 0


def pytest_configure(config: pytest.Config) -> None:
    global _config
    _config = config


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    global _exit_status
    _exit_status = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """A child ends here, its reports written and its summary printed: Ganga's own exit
    would join its threads' sleeping loops (about 1.5 s a test) to tidy a gangadir that is
    thrown away with the test's directory."""
    if in_child():
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_exit_status)


def _run_in_child(item: pytest.Item) -> list[pytest.TestReport]:
    config = item.config
    timeout = item.stash.get(_CHILD_TIMEOUT, None) or _timeout(item)
    with tempfile.TemporaryDirectory(prefix="gw-test-") as tmp:
        reports_path = os.path.join(tmp, "reports.jsonl")
        home = os.path.join(tmp, "home")  # no ~/.gangarc or ~/gangadir of the developer's
        os.mkdir(home)
        env = {**os.environ, CHILD: reports_path, "HOME": home}
        command = [
            sys.executable, "-m", "pytest", item.nodeid,
            "-p", "no:cacheprovider", "-q", "-o", "addopts=",
            f"--timeout={timeout}", f"--basetemp={os.path.join(tmp, 'basetemp')}",
        ]  # fmt: skip
        try:
            proc = subprocess.run(
                command,
                cwd=str(config.rootpath),
                env=env,
                capture_output=True,
                text=True,
                timeout=timeout + CHILD_GRACE_S,
            )
            output = proc.stdout + proc.stderr
        except subprocess.TimeoutExpired as err:
            output = (
                f"child pytest did not finish in {timeout + CHILD_GRACE_S} s\n{err.stdout or ''}"
            )
        finally:
            left = _end_what_is_left(tmp)
        if left:
            output += f"\nleft running by the test, ended: {left}"
        reports = []
        if os.path.exists(reports_path):
            with open(reports_path, encoding="utf-8") as f:
                for line in f:
                    report = config.hook.pytest_report_from_serializable(
                        config=config, data=json.loads(line)
                    )
                    if report.skipped and isinstance(report.longrepr, list):
                        # JSON made the skip's (file, line, reason) a list: junitxml
                        # insists on a tuple
                        report.longrepr = tuple(report.longrepr)
                    reports.append(report)
    if left and reports:  # shown with the test's failure (or its call)
        shown = next((r for r in reports if r.failed), None) or next(
            (r for r in reports if r.when == "call"), reports[-1]
        )
        shown.sections.append(("left running by the test, ended", left))
    if not any(r.when == "call" or r.outcome != "passed" for r in reports):
        reports.append(
            pytest.TestReport(
                nodeid=item.nodeid,
                location=item.location,
                keywords={},
                outcome="failed",
                longrepr=f"the test's own process reported nothing; its output:\n{output}",
                when="call",
            )
        )
    return reports


def _end_what_is_left(tmp: str) -> str:
    """Whatever the test's outcome, nothing of it runs on: its processes (Local jobs, their
    job scripts: anything whose command line names its directory) are killed, and its
    HTCondor jobs (run in its directory) removed. Returns what was found, or ""."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                if tmp.encode() not in f.read():
                    continue
            os.kill(int(entry), signal.SIGKILL)
            found.append(entry)
        except OSError:
            continue
    text = f"processes {', '.join(found)}" if found else ""
    removed = remove_condor_jobs_under(tmp)
    if removed:
        text += ("; " if text else "") + f"{removed} HTCondor jobs"
    return text


def remove_condor_jobs_under(tmp: str) -> int:
    """Remove the pool's jobs that run in ``tmp`` (their Iwd); returns how many."""
    if not os.environ.get("CONDOR_CONFIG"):  # no pool configured for this run
        return 0
    try:
        import htcondor2 as htcondor
    except ImportError:
        try:
            import htcondor
        except ImportError:
            return 0
    try:
        schedd = htcondor.Schedd()
        constraint = f'regexp("^{tmp}", Iwd)'
        jobs = schedd.query(constraint, ["ClusterId"])
        if jobs:
            schedd.act(htcondor.JobAction.Remove, constraint)
        return len(jobs)
    except Exception:  # the pool down (a test stopped it): nothing of ours can run there
        return 0


def _timeout(item: pytest.Item) -> int:
    marker = item.get_closest_marker("timeout")
    if marker and marker.args:
        return int(marker.args[0])
    return int(item.config.getini("timeout") or 300)
