"""Ganga inside the running Python process or Jupyter kernel, live.

``import ganga_widgets`` does not start Ganga; the first widget, ``submit()`` or an explicit
:func:`start` does (see ``ganga_adapter.startup``), and starts following Ganga's active
Condor jobs through their event logs. ``gpi()`` is Ganga's own API, ready to use.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..condor import bindings
from ..condor.watcher import watcher
from ..ganga_adapter import registry, startup
from ..ganga_adapter.startup import Session, current
from . import condor_news

__all__ = ["Session", "current", "gpi", "start", "take_over"]


def start(
    gangadir: str | None = None,
    poll: Mapping[str, float] | None = None,
    console: bool | None = None,
) -> Session:
    """Start Ganga in this process, or adopt the one already running, and make it live.

    ``gangadir``: where Ganga keeps its jobs (default: the user's configuration, else
    ``~/gangadir``). ``poll``: poll period in seconds per backend name, e.g.
    ``{"Local": 2}``; explicit values win over the configuration files.
    ``console``: whether Ganga's own messages are printed too. In a notebook they are not
    (default): each job's widget shows its own in a "Ganga log" panel, and all of them go to
    ``<gangadir>/ganga_widgets/ganga.log``; ``console=True`` prints them in the cells again.
    Calling it again is cheap and returns the same session; asking for a different
    ``gangadir`` once Ganga runs is an error, as Ganga cannot switch in a running process.
    """
    session = startup.start(gangadir, poll, console)
    condor_news.connect(watcher())
    if bindings.installed():
        watcher().start()  # follows Ganga's active Condor jobs, widget or not
    return session


def take_over() -> str:
    """Make this kernel the owner of a gangadir it followed read-only, once the Ganga
    session that owned it has ended (closed, or dead for 45 s): jobs are read again from
    disk and Ganga's monitoring runs here. RuntimeError while that session still runs."""
    start()
    return startup.take_over()


def gpi() -> Any:
    """Ganga's public interface module (``Job``, ``jobs``, ``Local``, ...), started."""
    start()
    return registry.gpi()
