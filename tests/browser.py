"""A real JupyterLab 4 / Notebook 7 server and Debian's Chromium, driven by Playwright.

Each server runs with its own HOME and Jupyter directories (so no tab, setting or gangadir
of the developer leaks in or out) and is stopped through its API at the end.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from notebooks import kernel_env

CHROMIUM = os.environ.get("GW_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",  # this machine's closed network refuses them anyway
    "--disable-component-update",
    "--disable-sync",
]
NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook"
TOKEN = "ganga-widgets-test"


@dataclass
class Server:
    app: str  # "lab" or "notebook"
    url: str
    root: Path  # notebooks live here
    home: Path  # the server's (and so the kernels') HOME
    process: subprocess.Popen

    def notebook_url(self, name: str) -> str:
        path = "lab/tree" if self.app == "lab" else "notebooks"
        return f"{self.url}{path}/{name}?token={TOKEN}"

    def api(self, method: str, path: str) -> Any:
        """The server's REST API (``api/...``): the decoded answer, None when empty."""
        request = urllib.request.Request(
            f"{self.url}api/{path}?token={TOKEN}", method=method,
            data=b"" if method == "POST" else None,
        )  # fmt: skip
        with urllib.request.urlopen(request, timeout=30) as answer:
            body = answer.read()
        return json.loads(body) if body else None

    def shut_down_sessions(self) -> None:
        """Every notebook's session ends and its kernel with it, as at the end of a day."""
        for session in self.api("GET", "sessions"):
            self.api("DELETE", f"sessions/{session['id']}")


def _isolated_env(base: Path) -> dict[str, str]:
    home = base / "home"
    dirs = {
        "HOME": home,
        "JUPYTER_CONFIG_DIR": base / "jupyter-config",
        "JUPYTER_DATA_DIR": base / "jupyter-data",
        "JUPYTER_RUNTIME_DIR": base / "jupyter-runtime",
        "JUPYTERLAB_SETTINGS_DIR": base / "lab-settings",
        "JUPYTERLAB_WORKSPACES_DIR": base / "lab-workspaces",
        "IPYTHONDIR": base / "ipython",
        "TMPDIR": base / "tmp",
    }
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    # Lab's "official Jupyter news?" toast would cover the page.
    news = dirs["JUPYTERLAB_SETTINGS_DIR"] / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True, exist_ok=True)
    (news / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    env = {**os.environ, **{k: str(v) for k, v in dirs.items()}, "JUPYTER_PLATFORM_DIRS": "1"}
    env = kernel_env(env)
    env.pop("GANGA_WIDGETS_TEST_REPORTS", None)
    # Kernels are started by the server with its environment: the venv's Python first.
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    return env


@contextmanager
def jupyter_server(
    app: str, base: Path, notebooks: list[Path], python: str = sys.executable,
    user_data_dir: bool = False, save_widget_state: bool = False,
    jupyter_path: Path | None = None,
) -> Iterator[Server]:  # fmt: skip
    """A server run by ``python`` (another environment's, as on SWAN). ``user_data_dir``:
    Jupyter's data directory is the user's own ``~/.local/share/jupyter``, where
    ``pip install --user`` puts kernelspecs and labextensions. ``save_widget_state``:
    *Settings > Save Widget State Automatically* is on (saves keep the widgets' state).
    ``jupyter_path``: a further Jupyter directory the server reads (``JUPYTER_PATH``)."""
    env = _isolated_env(base)
    if user_data_dir:
        env.pop("JUPYTER_DATA_DIR")
    env["PATH"] = os.path.dirname(python) + os.pathsep + env["PATH"]
    root = base / "notebooks"
    root.mkdir(exist_ok=True)
    for nb in notebooks:
        shutil.copy(nb, root / nb.name)
    if jupyter_path is not None:
        env["JUPYTER_PATH"] = str(jupyter_path)
    if save_widget_state:
        settings = Path(env["JUPYTERLAB_SETTINGS_DIR"]) / "@jupyter-widgets" / "jupyterlab-manager"
        settings.mkdir(parents=True, exist_ok=True)
        (settings / "plugin.jupyterlab-settings").write_text(json.dumps({"saveState": True}))
    log = open(base / f"jupyter-{app}.log", "a")  # closed in the finally below
    process = subprocess.Popen(
        [
            python,
            "-m",
            {"lab": "jupyterlab", "notebook": "notebook"}[app],  # not `jupyter lab`: PATH
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            "--ServerApp.port=0",  # the system's choice: no port picked here, then raced for
            "--ServerApp.allow_root=True",
            f"--IdentityProvider.token={TOKEN}",
            f"--ServerApp.root_dir={root}",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        url = _wait_ready(process, Path(env["JUPYTER_RUNTIME_DIR"]), base / f"jupyter-{app}.log")
        yield Server(app=app, url=url, root=root, home=Path(env["HOME"]), process=process)
    finally:
        try:
            request = urllib.request.Request(
                f"{url}api/shutdown?token={TOKEN}", method="POST", data=b""
            )
            urllib.request.urlopen(request, timeout=10).close()
            process.wait(timeout=20)
        except Exception:
            _stop(process)
        log.close()


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM, and SIGKILL if that does not end it within 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def _wait_ready(process: subprocess.Popen, runtime: Path, log: Path, timeout: float = 60) -> str:
    """The server's URL once it answers: its port is in the file it writes in Jupyter's
    runtime directory (``jpserver-<pid>.json``) once it listens."""
    deadline = time.monotonic() + timeout
    info = runtime / f"jpserver-{process.pid}.json"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"jupyter exited with {process.returncode}:\n{log.read_text()}")
        try:
            port = json.loads(info.read_text())["port"]
            url = f"http://127.0.0.1:{port}/"
            with urllib.request.urlopen(f"{url}api/status?token={TOKEN}", timeout=2) as r:
                if r.status == 200:
                    return url
        except (OSError, ValueError, KeyError):
            pass  # not written yet (or half), or not answering yet
        time.sleep(0.2)
    raise RuntimeError(f"jupyter did not answer within {timeout} s:\n{log.read_text()}")


def run_all_cells(page: Any, tries: int = 3) -> None:
    """Open the Run menu and run every cell, as a user would, once a kernel is idle.

    A click on the menu can be lost while the page still settles (seen once in Notebook 7:
    every prompt stayed "[ ]"), so it is tried again until a cell has started."""
    page.wait_for_selector(NOTEBOOK, timeout=60_000)
    wait_kernel_idle(page)
    for attempt in range(tries):
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).first.click()
        try:
            page.wait_for_function(
                """(sel) => [...document.querySelectorAll(sel + ' .jp-InputArea-prompt')]
                    .some(p => /\\[(\\*|\\d+)\\]/.test(p.textContent))""",
                arg=NOTEBOOK,
                timeout=15_000,
            )
            return
        except Exception:
            if attempt == tries - 1:
                raise AssertionError(f"Run All Cells started no cell ({tries} tries)") from None
            page.keyboard.press("Escape")  # close a menu left open


def wait_kernel_idle(page: Any, timeout: float = 60) -> None:
    """A kernel exists (the toolbar names it) and says it is idle."""
    page.wait_for_function(
        """() => {
            const name = document.querySelector(
                '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-KernelName, .jp-KernelName');
            const busy = document.querySelector(
                '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator');
            return name && !/No Kernel|Connecting|Starting/i.test(name.textContent)
                && busy && busy.getAttribute('data-status') === 'idle';
        }""",
        timeout=timeout * 1000,
    )


def wait_all_cells_done(page: Any, timeout: float = 120) -> None:
    """Every code cell shows an execution count (none is queued or running: "[*]")."""
    page.wait_for_function(
        """(sel) => {
            const sel2 = sel + ' .jp-CodeCell .jp-InputArea-prompt';
            const prompts = [...document.querySelectorAll(sel2)];
            return prompts.length > 0
                && prompts.every(p => /^\\[\\d+\\]:$/.test(p.textContent.trim()));
        }""",
        arg=NOTEBOOK,
        timeout=timeout * 1000,
    )


def outputs_text(page: Any) -> str:
    """Text of every cell output: shows a traceback when a cell failed."""
    return page.locator(NOTEBOOK + " .jp-OutputArea-output").all_inner_texts().__str__()


# What of a view passes its own box or the output's right edge, or needs a sideways scroll:
# a list of sentences, empty when it all fits. Its argument: a selector of the output that
# holds the view (looked for up its ancestors, across a shadow root's host).
_OVERFLOW = """(root, output) => {
  const described = (e) => e.tagName.toLowerCase()
    + (typeof e.className === "string" && e.className
      ? "." + e.className.trim().split(/\\s+/).join(".") : "")
    + ` "${(e.textContent || "").trim().slice(0, 30)}"`;
  const box = root.getBoundingClientRect();
  const found = [];
  let edge = root;
  while (edge && !(edge instanceof Element && edge.matches(output))) {
    edge = edge.parentNode || edge.host;
  }
  const right = edge && edge.getBoundingClientRect().right;
  if (!edge) found.push(`no ${output} around the view`);
  else if (box.right > right + 0.5) found.push(`the view ends at ${box.right}, past ${right}`);
  for (const e of [root, ...root.querySelectorAll("*")]) {
    if (e.scrollWidth > e.clientWidth + 0.5 && getComputedStyle(e).overflowX !== "visible") {
      found.push(`${described(e)} scrolls sideways: ${e.scrollWidth} px in ${e.clientWidth}`);
    }
    const r = e.getBoundingClientRect();
    if ((r.width || r.height) && (r.left < box.left - 0.5 || r.right > box.right + 0.5)) {
      found.push(`${described(e)} spans ${r.left}-${r.right}, out of ${box.left}-${box.right}`);
    }
  }
  return found;
}"""


def assert_fits(view: Any, output: str, timeout: float = 10) -> None:
    """Nothing of ``view`` (a locator) passes its box or the right edge of the output that
    holds it (``output``, a selector), and nothing in it scrolls sideways. A page just resized
    lays out again: it is asked until it fits, for ``timeout`` seconds at most."""
    deadline = time.monotonic() + timeout
    while (found := view.evaluate(_OVERFLOW, output)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not found, "\n".join(found[:20])


def assert_shown_whole(page: Any, element: Any) -> None:
    """``element`` (a locator: a menu, a popup) is inside the window and on top of whatever
    is there: its corners are its own, not clipped by a box around it or covered."""
    box = element.bounding_box()
    view = page.viewport_size
    assert box and box["x"] >= 0 and box["y"] >= 0, box
    assert box["x"] + box["width"] <= view["width"], (box, view)
    assert box["y"] + box["height"] <= view["height"], (box, view)
    hidden = element.evaluate("""e => {
      const r = e.getBoundingClientRect(), at = e.getRootNode();
      return [[r.left + 2, r.top + 2], [r.right - 2, r.top + 2], [r.left + 2, r.bottom - 2],
              [r.right - 2, r.bottom - 2]]
        .filter(([x, y]) => !e.contains(at.elementFromPoint(x, y)));
    }""")
    assert not hidden, f"corners of the element not shown: {hidden}"


@contextmanager
def _serving(command: list[str], env: dict[str, str], cwd: Path, log: Path,
             said: str, probe: bool) -> Iterator[str]:  # fmt: skip
    """Run a server that prints its URL (``said``: a pattern with the URL as its group)
    and yield the URL (``probe``: once a GET of it answers); stop it at the end."""
    out = open(log, "a")  # closed in the finally below
    process = subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        url = ""
        while True:
            if not url and (found := re.search(said, log.read_text())):
                url = found.group(1)
            if url and not probe:
                break
            if url:
                try:  # marimo prints its URL as it starts to listen
                    urllib.request.urlopen(url, timeout=10).close()
                    break
                except OSError:
                    pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{command[2]} did not start or answer:\n{log.read_text()}")
            time.sleep(0.2)
        yield url
    finally:
        _stop(process)
        out.close()


@contextmanager
def marimo_server(mode: str, base: Path, notebook: Path) -> Iterator[str]:
    """``marimo edit`` or ``marimo run`` serving ``notebook`` headless, with its own HOME
    (and so its own gangadir); its cells run as soon as a page connects. Yields the URL it
    prints (marimo picks its port itself: it has no port 0)."""
    env = _isolated_env(base)
    env["_MARIMO_CONFIG_OVERLOAD_RUNTIME_AUTO_INSTANTIATE"] = "true"  # edit: run on open
    env["MARIMO_SKIP_UPDATE_CHECK"] = "1"  # no look for a newer marimo (`run` has no flag)
    command = [sys.executable, "-m", "marimo", mode, str(notebook), "--headless", "--no-token"]
    with _serving(command, env, notebook.parent, base / f"marimo-{mode}.log",
                  r"URL: (http://\S+)", probe=True) as url:  # fmt: skip
        yield url


@contextmanager
def voila_server(base: Path, notebook: Path) -> Iterator[str]:
    """``voila notebook.ipynb`` as a user runs it, with its own HOME (and so its own
    gangadir) and Jupyter directories. Yields the URL it prints: Voilà binds the first free
    port from 8866 on itself and says which (its port 0 would print 0)."""
    command = [sys.executable, "-m", "voila", notebook.name, "--no-browser",
               "--Voila.ip=127.0.0.1"]  # fmt: skip
    with _serving(command, _isolated_env(base), notebook.parent, base / "voila.log",
                  # once it has said so it listens; a GET would run the notebook
                  r"Voilà is running at:\s*(http://\S+)", probe=False) as url:  # fmt: skip
        yield url
