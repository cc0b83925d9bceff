"""Ganga's own tests as a gate: with our guards installed, every test ends as on plain Ganga.

Usage: .venv-3.11/bin/python scripts/ganga_own_tests.py --source GANGA_SOURCE_TREE
           [--modes plain guarded] [-- PYTEST_ARGS]

A subset of Ganga's GPI tests (``SUBSET``: the parts of Ganga our guards change: its job
registry, slices and XML repository, lazy loading, monitoring and status time stamps,
splitting, subjobs and their submission, submission in parallel, mergers and checkers,
GangaList, templates, and the bugs reported against them) runs on the
installed Ganga twice, each in a pytest process of its own, as Ganga's CI runs them: plain,
then with ganga_widgets' guards installed each time Ganga's harness has started Ganga
(scripts/ganga_own_tests_plugin.py). Every test's outcome with the guards must be its
outcome on plain Ganga: any difference fails (exit 1), and is listed.

Plain runs every time, beside the guarded run, as the reference: an outcome that depends
on this machine (a test that cannot pass here, for want of a service or of time) then is
the same in both, and the reference is always that of the tests given and the Ganga
installed. A list of plain outcomes kept in the repository would be of one Ganga, one
checkout of its tests and one machine.

Ganga's tests are in its source tree only (its distributions on PyPI carry none of them):
``--source`` (or ``$GANGA_SOURCE``) is a checkout of Ganga at the release installed, e.g.
``git clone --depth 1 --branch 8.7.12 https://github.com/ganga-devs/ganga``. The subset is
copied under test-artifacts/ganga-own-tests/ with each run's gangadirs, logs and reports.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "test-artifacts" / "ganga-own-tests"
# Under ganga/GangaCore/test/GPI of Ganga's source tree.
SUBSET = [
    "Bugs",
    "Checkers",
    "GangaList",
    "Internals",
    "Loading",
    "Mergers",
    "Monitoring",
    "Parallel",
    "newXMLTest",
    "TestArgSplitter.py",
    "TestJob.py",
    "TestJobTemplates.py",
    "TestPersistency.py",
    "TestSJSubmit.py",
    "TestSlices.py",
    "TestSplitter.py",
    "TestSubjobs.py",
    "TestTimeStamps.py",
]
MODES = {"plain": [], "guarded": ["--guards"]}
TIMEOUT_S = 3600  # a whole run; a hung test ends it


def copy_subset(source: Path, into: Path) -> Path:
    """The subset of Ganga's GPI tests, copied fresh under ``into`` (a package ``GPI``, as
    in Ganga's tree: its tests import their helpers relatively)."""
    gpi = source / "ganga" / "GangaCore" / "test" / "GPI"
    missing = [name for name in SUBSET if not (gpi / name).exists()]
    if missing:
        sys.exit(
            f"[ganga_own_tests] {source} is not a source tree of Ganga with its GPI tests "
            f"(no ganga/GangaCore/test/GPI/{missing[0]}): see --help"
        )
    shutil.rmtree(into, ignore_errors=True)
    (into / "GPI").mkdir(parents=True)
    shutil.copy2(gpi / "__init__.py", into / "GPI" / "__init__.py")
    for name in SUBSET:
        if (gpi / name).is_dir():
            shutil.copytree(gpi / name, into / "GPI" / name)
        else:
            shutil.copy2(gpi / name, into / "GPI" / name)
    # Ganga's own pytest settings (its setup.cfg): every module of the tree may hold tests;
    # this file also keeps ganga_widgets' pytest configuration out.
    (into / "pytest.ini").write_text("[pytest]\npython_files = Test*.py\n")
    return into


def run(mode: str, tests: Path, extra: list[str]) -> tuple[dict[str, str], float, Path]:
    """One pytest run of the tests: (outcome of each test, seconds, its log)."""
    out = WORK / mode
    shutil.rmtree(out, ignore_errors=True)
    (out / "home").mkdir(parents=True)
    log, report = out / "pytest.log", out / "junit.xml"
    command = [
        *(sys.executable, "-m", "pytest", "-p", "ganga_own_tests_plugin", "-p", "no:cacheprovider"),
        # options as "--name=value": pytest takes a separate value for a path before it
        # knows a plugin's options, and would look for its configuration around it
        *(f"-c={tests / 'pytest.ini'}", f"--rootdir={tests}", f"--gangadirs={out}"),
        *(*MODES[mode], "-rfE", f"--junitxml={report}"),
        *(str(tests / "GPI"), *extra),
    ]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(ROOT / "scripts"), os.environ.get("PYTHONPATH")])
        ),
        "HOME": str(out / "home"),  # Ganga's files of a user (~/.ganga.log, ...) kept here
    }
    print(f"[ganga_own_tests] {mode}: running (log: {log.relative_to(ROOT)})", flush=True)
    began = time.monotonic()
    with open(log, "w") as f:
        subprocess.run(
            command,
            cwd=tests,
            env=env,
            stdout=f,
            stderr=subprocess.STDOUT,
            timeout=TIMEOUT_S,
            check=False,
        )
    took = time.monotonic() - began
    if not report.exists():
        sys.exit(f"[ganga_own_tests] {mode}: pytest wrote no report; its log: {log}")
    return outcomes(report), took, log


def outcomes(report: Path) -> dict[str, str]:
    """Each test of a JUnit report ("classname::name") and how it ended."""
    found = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        ended = "passed"
        for kind in ("failure", "error", "skipped"):
            if case.find(kind) is not None:
                ended = kind
        found[f"{case.get('classname')}::{case.get('name')}"] = ended
    return found


def summary(ended: dict[str, str]) -> str:
    counts = {k: sum(v == k for v in ended.values()) for k in ("passed", "failure", "error")}
    skipped = sum(v == "skipped" for v in ended.values())
    failed = counts["failure"] + counts["error"]
    return f"{counts['passed']} passed, {failed} failed" + (
        f", {skipped} skipped" if skipped else ""
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--source",
        default=os.environ.get("GANGA_SOURCE"),
        help="a source tree of Ganga (default: $GANGA_SOURCE)",
    )
    parser.add_argument("--modes", nargs="+", choices=list(MODES), default=list(MODES))
    parser.add_argument("pytest_args", nargs="*", help="after --: passed to pytest")
    args = parser.parse_args()
    if not args.source:
        parser.error("--source (or $GANGA_SOURCE): a source tree of Ganga, with its tests")
    tests = copy_subset(Path(args.source).resolve(), WORK / "tests")
    ended = {}
    for mode in args.modes:
        ended[mode], took, log = run(mode, tests, args.pytest_args)
        print(f"[ganga_own_tests] {mode}: {summary(ended[mode])} in {took:.0f} s", flush=True)
        for test, how in sorted(ended[mode].items()):
            if how in ("failure", "error"):
                print(f"    {how}: {test}")
        if not ended[mode]:
            print(f"[ganga_own_tests] {mode}: no test ran; its log: {log}", file=sys.stderr)
            return 1
    if len(ended) < 2:
        return 0
    plain, guarded = ended["plain"], ended["guarded"]
    differ = sorted(
        (test, plain.get(test, "not run"), guarded.get(test, "not run"))
        for test in plain.keys() | guarded.keys()
        if plain.get(test) != guarded.get(test)
    )
    if differ:
        print(f"[ganga_own_tests] {len(differ)} test(s) end otherwise with the guards:")
        for test, was, now in differ:
            print(f"    {test}: plain {was}, guarded {now}")
        return 1
    print(f"[ganga_own_tests] all {len(plain)} tests end with the guards as on plain Ganga")
    return 0


if __name__ == "__main__":
    sys.exit(main())
