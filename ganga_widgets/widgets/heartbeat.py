"""A small sign of life from the kernel to every open view, so a view can tell it is not live.

After a kernel restart (or stop, or a lost connection) a view stays on the page as it was:
its clock ticked on, its buttons looked usable. Each open widget therefore hears from the
kernel at least every ``BEAT`` seconds: an update of its own counts, else a ``{"type":
"beat"}`` message (a few bytes). The view says "not live" once three beats are missed
(static/lib/live.js), and live again if they resume. One daemon thread for all widgets;
it runs whether a cell runs or not, as the dispatcher's does.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from typing import Any, Protocol

log = logging.getLogger("ganga_widgets")

BEAT = 2.0  # seconds; the views learn it from each widget's `beat` trait


class Beating(Protocol):
    comm: Any

    def last_sent(self) -> float: ...  # time.monotonic() of its last message

    def send(self, content: dict, buffers: Any = None) -> None: ...


_lock = threading.Lock()
_widgets: weakref.WeakSet = weakref.WeakSet()
_thread: threading.Thread | None = None


def follow(widget: Beating) -> None:
    """Keep ``widget``'s views hearing from this kernel while it is open."""
    global _thread
    with _lock:
        _widgets.add(widget)
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_run, name="ganga_widgets-heartbeat", daemon=True)
            _thread.start()


def unfollow(widget: Beating) -> None:
    with _lock:
        _widgets.discard(widget)


def _run() -> None:
    while True:
        time.sleep(BEAT / 2)  # a view hears at most BEAT s apart, whatever the phase
        _beat()


def _beat() -> None:
    """One round. Its own frame: no widget stays referenced between rounds (a closed one
    would never be freed)."""
    with _lock:
        widgets = list(_widgets)
    now = time.monotonic()
    for widget in widgets:
        try:
            if widget.comm is not None and now - widget.last_sent() >= BEAT / 2:
                widget.send({"type": "beat"})
        except Exception:  # a widget closing meanwhile: the others still beat
            log.debug("ganga_widgets: heartbeat to %r failed", widget, exc_info=True)
