"""What every widget of the package shares, so that JobWidget and JobTable only say what
differs: the lock, messages from the view routed to ``_on_<type>`` handlers, the changed
traits sent as one message, the record of the last action, and text/HTML/rich renderings
(what a notebook shows where no widget frontend runs)."""

from __future__ import annotations

import threading
import time
from typing import Any

import anywidget
import traitlets as t

from .. import session
from ..actions import Outcome
from ..kernel import kernel_id
from ..views import formats
from ..vocabulary import status
from . import heartbeat
from .assets import static_text
from .marimo_cells import close_with_cell


class ViewWidget(anywidget.AnyWidget):
    _css = static_text("widgets.css")

    action = t.Dict().tag(sync=True)  # outcome of the last action: seq, name, state, message
    clock = t.Float(0.0).tag(sync=True)  # kernel time of the update, to tick elapsed times
    # The kernel that made the widget: a notebook reopened with its widget state saved shows
    # its views as saved copies, not live (static/lib/live.js).
    kernel = t.Unicode(kernel_id()).tag(sync=True)
    # Statuses, their order and sets, as Python knows them: the view never restates them.
    vocabulary = t.Dict(status.vocabulary()).tag(sync=True)
    # The longest the kernel stays silent to an open view: three missed, the view says it is
    # not live (its kernel restarted or stopped; static/lib/live.js).
    beat = t.Float(heartbeat.BEAT).tag(sync=True)
    # Another Ganga session owns the gangadir: who, whether it has ended, what the view says
    # at its top ({} while this kernel owns it; see ganga_adapter.sharing).
    sharing = t.Dict().tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._lock = threading.RLock()  # trait writes: dispatcher thread vs. message handlers
        self.on_msg(self._on_msg)
        close_with_cell(self)

    # -- messages from the view ---------------------------------------------------------------

    def _on_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        """A message ``{"type": T, ...}`` goes to ``self._on_T(content)``; others are ignored."""
        kind = content.get("type") if isinstance(content, dict) else None
        if isinstance(kind, str) and kind.isidentifier():
            handler = getattr(self, f"_on_{kind}", None)
            if handler is not None:
                handler(content)

    def _on_take_over(self, content: dict) -> None:
        """The view's "Take over" button: this kernel becomes the gangadir's owner."""
        try:
            outcome = Outcome("done", session.take_over())
        except RuntimeError as err:
            outcome = Outcome("refused", str(err))
        self._record(content.get("seq"), "take_over", outcome)
        self.refresh()

    # -- state to the view --------------------------------------------------------------------

    def _send_changed(self, values: dict[str, Any], always: bool = False) -> dict[str, Any]:
        """Set the traits whose value changed, and the clock, as one message (``always``:
        even if none did); returns those that changed."""
        changed = {name: value for name, value in values.items() if getattr(self, name) != value}
        if changed or always:
            with self.hold_sync():
                for name, value in changed.items():
                    setattr(self, name, value)
                self.clock = time.time()
            self._sent_at = time.monotonic()
        return changed

    _sent_at = 0.0  # time.monotonic() of the last message its views count as a sign of life

    def send(self, content: dict, buffers: Any = None) -> None:
        super().send(content, buffers)
        self._sent_at = time.monotonic()

    def last_sent(self) -> float:
        """When its views last heard from it (a message, or a change of its clock)."""
        return self._sent_at

    def _record(self, seq: Any, name: str, outcome: Outcome, **target: Any) -> dict[str, Any]:
        """Show an action's outcome in the view (``seq``: the view's own number for it)."""
        result = {"seq": seq, "name": name, **target, **outcome.to_dict()}
        with self._lock:
            self.action = result
        return result

    # -- where no widget frontend runs ------------------------------------------------------

    def renderable(self) -> Any:
        """The view as a rich renderable, as the widget shows it now."""
        raise NotImplementedError

    def __rich__(self) -> Any:
        """rich's protocol: ``rich.print(w)`` and ``Console().print(w)`` draw the view."""
        return self.renderable()

    def text(self, width: int = 110) -> str:
        """The view as plain text."""
        return formats.to_text(self.__rich__(), width=width)

    # -- lifetime -------------------------------------------------------------------------

    _following = False  # subscribed to updates: from _follow() to close()

    def refresh(self) -> None:
        """Re-read everything the view shows, and send it."""
        raise NotImplementedError

    def _subscribe(self) -> None:
        """Subscribe to the changes of what the view shows (the dispatcher, the watcher)."""
        raise NotImplementedError

    def _unsubscribe(self) -> None:
        """Undo ``_subscribe``."""
        raise NotImplementedError

    def _follow(self, refresh: bool = True) -> None:
        """Subscribe, then (``refresh``) send everything: at creation, and when a closed
        widget is displayed again. Subscribed first, a change made during the first read is
        delivered, not lost."""
        self._following = True
        self._subscribe()
        heartbeat.follow(self)
        if refresh:
            self.refresh()

    def close(self) -> None:
        # Once: the watcher counts the widgets following a job, and a second close must not
        # take away another widget's.
        if self._following:
            self._following = False
            self._unsubscribe()
            heartbeat.unfollow(self)
        super().close()
        # ipywidgets makes a closed widget's display method None (displaying it raises
        # "'NoneType' object is not callable"): ours opens it anew instead.
        self.__dict__.pop("_repr_mimebundle_", None)

    def __del__(self) -> None:
        # ipywidgets' __del__ calls close(). The garbage collector runs it on whichever thread
        # allocates, also inside the dispatcher's or the watcher's lock, and _unsubscribe
        # takes those: the kernel deadlocked. Only a closed widget is collected (ipywidgets
        # holds open ones), so only ipywidgets' part of closing can be left to do.
        super().close()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        """The widget, and its state as text and HTML for where no widget frontend runs.
        A closed widget displayed again is live again, as a new model (its old views went
        with the old one)."""
        if self.comm is None:
            self._model_id = None
            self.open()
            self._follow()
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:  # ipywidgets' frontend-less case: nothing to add to
            return None
        data, metadata = bundle
        return formats.mimebundle(data, self.renderable()), metadata
