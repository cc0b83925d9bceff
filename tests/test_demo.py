"""``./scripts/demo`` as a user starts it: JupyterLab comes up on the quick-start notebook
and the terminal shows one line of ours and JupyterLab's own start-up lines, nothing else (no
traceback, no warning, no Node.js stack); the clone is left as it was."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import urllib.request
from pathlib import Path
from typing import Any

from browser import TOKEN, _isolated_env, _wait_ready
from conditions import unavailable
from places import ROOT

# A Python traceback or warning, an error, a warning or error of Jupyter's log, Node.js' stack
NOT_TO_SEE = re.compile(
    r"Traceback|Error|Warning|WARNING|^\[[WE] |^\s+at \S.*:\d+:\d+\)?$|^Node\.js v\d"
)


def _clone_state() -> set[str]:
    """What git sees of the clone beyond its commits: changed, untracked and ignored paths."""
    return set(
        subprocess.run(
            ["git", "status", "--porcelain", "--ignored", "--untracked-files=all"],
            cwd=ROOT, capture_output=True, text=True, check=True,
        ).stdout.splitlines()
    )  # fmt: skip


def _get(url: str) -> Any:
    with urllib.request.urlopen(f"{url}?token={TOKEN}", timeout=60) as answer:
        return json.loads(answer.read())


def test_the_demo_starts_jupyterlab_saying_only_its_line_and_leaves_the_clone_as_it_was(
    tmp_path: Path,
) -> None:
    if not shutil.which("node"):  # JupyterLab runs Node.js scripts of its own when it finds it
        unavailable("no Node.js on PATH: the README's test command installs it")
    before = _clone_state()
    env = _isolated_env(tmp_path)
    env.pop("XDG_DATA_HOME", None)  # the demo's copy of the examples goes under this HOME
    env["PATH"] = os.environ["PATH"]  # a user's shell's, not this venv's first
    log = tmp_path / "demo.log"
    with open(log, "w") as out:
        demo = subprocess.Popen(
            [str(ROOT / "scripts" / "demo"), "--no-browser", "--ServerApp.port=0",
             f"--IdentityProvider.token={TOKEN}"],
            cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        # the demo execs JupyterLab: its pid names the file Jupyter writes when it listens
        url = _wait_ready(demo, Path(env["JUPYTER_RUNTIME_DIR"]), log, timeout=120)
        assert _get(f"{url}api/contents/quickstart.ipynb")["type"] == "notebook"
        # what the page asks as it opens: JupyterLab checks its build with Node.js
        assert _get(f"{url}lab/api/build")["status"] == "stable"
    finally:
        os.killpg(demo.pid, signal.SIGTERM)  # its process group: JupyterLab and any kernel
        try:
            demo.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(demo.pid, signal.SIGKILL)
            demo.wait()
    shown = log.read_text().splitlines()
    whole = "\n".join(line[:300] for line in shown)  # a line of Node's was 11,170 long

    ours = [line for line in shown if line.startswith("[ganga_widgets]")]
    assert len(ours) == 1 and "quickstart.ipynb" in ours[0], whole
    assert not [line for line in shown if NOT_TO_SEE.search(line)], whole
    # What the demo could leave: a new file (an ignored one too), or a changed example
    made = {e for e in _clone_state() - before if e[:2] in ("??", "!!") or "examples/" in e}
    assert not made, f"the demo left in the clone: {sorted(made)}"
