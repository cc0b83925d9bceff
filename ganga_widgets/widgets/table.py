"""JobTable: a live dashboard of every job in the Ganga registry."""

from __future__ import annotations

import threading
import time
from typing import Any

import anywidget
import traitlets as t

from .. import actions, events, rows, session, state, terminal
from .job import JobWidget, static_text


class JobTable(anywidget.AnyWidget):
    """Every Ganga job, newest first, live: filter, search, sort, page, act on jobs.

    Only the page on screen is sent to the view (a 5,000-job registry costs one page), and
    when jobs change, only their rows. ``Open`` shows a job's full JobWidget below the table.
    """

    _esm = static_text("common.js") + static_text("table.js")
    _css = static_text("widgets.css")

    rows = t.List().tag(sync=True)  # the jobs on the current page, in order
    total = t.Int(0).tag(sync=True)  # jobs matching the query
    query = t.Dict().tag(sync=True)  # the query applied: filters, search, sort, page
    facets = t.Dict().tag(sync=True)  # filter values with their number of jobs
    totals = t.Dict().tag(sync=True)  # the summary line
    action = t.Dict().tag(sync=True)  # outcome of the last action
    detail = anywidget.WidgetTrait().tag(sync=True)  # the opened job's JobWidget
    clock = t.Float(0.0).tag(sync=True)  # kernel time, to tick durations in the view

    def __init__(self, page_size: int = 25, **kwargs: Any) -> None:
        if page_size not in rows.PAGE_SIZES:
            raise ValueError(f"page_size must be one of {rows.PAGE_SIZES}; got {page_size!r}")
        session.start()
        self._lock = threading.RLock()  # trait writes: dispatcher thread vs. message handlers
        self._unreadable: dict[int, dict] = {}  # rows of jobs Ganga failed to read: kept
        self._query = rows.Query(page_size=page_size)
        self._patched = False  # rows were patched since the page was last sent whole
        registry = session.registry_jobs()
        self._rows = self._read_all(registry)  # every job's row
        self._page, _, initial = self._page_state(registry)
        # The first page goes with the widget's opening message: one message, not two.
        super().__init__(**initial, clock=time.time(), **kwargs)
        self.on_msg(self._on_msg)
        events.dispatcher().subscribe_all(self)

    # -- updates ----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read every job again (from Ganga's index: nothing is loaded but the page)."""
        with self._lock:
            registry = session.registry_jobs()
            self._rows = self._read_all(registry)
            self._push(full=True, registry=registry)

    def _read_all(self, registry: dict[int, Any]) -> rows.RowSet:
        skip = self._skip()
        every = {i: rows.row(job, details=False) for i, job in registry.items() if i not in skip}
        every.update({i: self._unreadable_row(i) for i in skip})
        return rows.RowSet(every)

    def _unreadable_row(self, job_id: int) -> dict:
        return self._unreadable.get(job_id) or rows.unreadable(job_id, _DAMAGED)

    def _skip(self) -> set[int]:
        """Jobs never to be read again (see session.unreadable_ids)."""
        return set(self._unreadable) | session.unreadable_ids()

    def on_jobs_changed(self, changes: dict[int, events.Changes], tick: bool) -> None:
        """Called by the dispatcher with the jobs that changed (and each second, a tick)."""
        if self.comm is None:
            return
        with self._lock:
            registry = session.registry_jobs()
            changed = set(changes)
            skip = self._skip()
            if tick:  # jobs created or removed without a status change we saw
                changed |= set(registry) ^ set(self._rows)
                changed |= {
                    i
                    for i in self._page
                    if self._rows.get(i, {}).get("status") in state.SHOWN_ACTIVE
                }  # fmt: skip  (their durations tick)
            self._reread(changed, registry, skip)
            self._push(full=False, registry=registry, changed=changed, settle=tick)

    def _reread(self, ids: set[int], registry: dict[int, Any], skip: set[int]) -> None:
        """The rows of these jobs again (read whole if on the page); gone if removed."""
        for job_id in ids:
            job = registry.get(job_id)
            if job_id in skip:
                self._rows[job_id] = self._unreadable_row(job_id)
            elif job is None:
                self._rows.pop(job_id, None)  # removed
            else:
                self._rows[job_id] = rows.row(job, details=job_id in self._page)

    def wants_tick(self) -> bool:
        return True  # to notice new and removed jobs, and tick durations

    def _page_state(self, registry: dict[int, Any]) -> tuple[list[int], set[int], dict]:
        """The page for the query (its jobs read whole, for their times: ``fresh``) and the
        synced values that describe it."""
        page, total = rows.select(self._rows, self._query)
        fresh = {i for i in page if self._rows[i]["times"] is None and not self._rows[i]["error"]}
        for job_id in fresh:
            self._rows[job_id] = self._read(job_id, registry)
        return (
            page,
            fresh,
            {
                "rows": [self._rows[i] for i in page],
                "total": total,
                "query": self._query.to_dict(),
                "facets": rows.facets(self._rows),
                "totals": rows.totals(self._rows),
            },
        )

    def _push(self, full: bool, registry: dict[int, Any], changed: set[int] = frozenset(),
              settle: bool = False) -> None:  # fmt: skip
        """Recompute the page; send it whole if other jobs are on it now, else only the rows
        that changed. Summary, facets and total go when they changed. Patches reach only our
        view's code: what records synced state alone (nbclient saving a notebook, another
        frontend) gets the page whole once patching pauses (``settle``, each second) or at
        the next full push."""
        page, fresh, values = self._page_state(registry)
        page_rows = values["rows"]
        new_page = full or page != self._page
        if not new_page:
            del values["rows"]
        self._page = page
        changed_values = {k: v for k, v in values.items() if getattr(self, k) != v}
        patch = [] if new_page else [r for r in page_rows if r["id"] in changed | fresh
                                     and r not in self.rows]  # fmt: skip
        resync = self._patched and not patch and (full or settle) and "rows" not in changed_values
        if not changed_values and not patch and not resync:
            return
        with self.hold_sync():
            for name, value in changed_values.items():
                setattr(self, name, value)
            self.clock = time.time()
            if resync or "rows" in changed_values:
                self._patched = False
            if resync:
                self.send_state("rows")
        if patch:
            # Only the changed rows travel; the synced page is updated here without sending
            # it again, so a view opened later still gets the page as it is now.
            self._set_unsent("rows", page_rows)
            self.send({"type": "patch", "rows": patch})
            self._patched = True

    def _read(self, job_id: int, registry: dict[int, Any]) -> dict:
        job = registry.get(job_id)
        if job is None:
            return self._rows[job_id]
        row = rows.row(job, details=True)
        if row["error"]:  # Ganga dropped it from its registry: keep it listed, say why
            self._unreadable[job_id] = row
        return row

    def _set_unsent(self, name: str, value: Any) -> None:
        """Change a synced trait here without sending it (the view got a patch instead):
        ipywidgets does not send a value equal to the one it is told came from the view."""
        to_json = self.trait_metadata(name, "to_json", self._trait_to_json)
        with self._lock_property(**{name: to_json(value, self)}):
            setattr(self, name, value)

    # -- messages from the view -------------------------------------------------------------

    def _on_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind == "query":
            with self._lock:
                self._query = rows.Query.from_message(content, self._query)
                self._push(full=True, registry=session.registry_jobs())
        elif kind == "action":
            ids = content.get("ids")
            ids = [i for i in ids if isinstance(i, int)] if isinstance(ids, list) else []
            self.run_action(str(content.get("name")), ids, content.get("seq"))

    def run_action(self, name: str, ids: list[int], seq: Any = None) -> dict:
        """Run a view action on jobs by id: "kill", "resubmit", "remove", "open", "close"."""
        registry = session.registry_jobs()
        skip = self._skip()
        unreadable = [i for i in ids if i in skip]
        found = [registry[i] for i in ids if i in registry and i not in unreadable]
        missing = [i for i in ids if i not in registry and i not in unreadable]
        if name == "close":
            outcome = self._open(None)
        elif name == "open" and len(found) == 1 and len(ids) == 1:
            outcome = self._open(found[0])
        elif name in _BULK and found:
            action, verb = _BULK[name]
            outcome = actions.on_many(action, found, verb)
        else:
            outcome = actions.Outcome("refused", "" if missing or unreadable
                                      else f"cannot {name} jobs {ids}")  # fmt: skip
        notes = [outcome.message] if outcome.message else []
        if missing:
            notes.append(f"not in the registry: {_some(missing)}")
        if unreadable:
            notes.append(f"Ganga cannot read job {_some(unreadable)}: its files are left alone")
        outcome = actions.Outcome(outcome.state, "; ".join(notes))
        result = {"seq": seq, "name": name, "ids": ids, **outcome.to_dict()}
        with self._lock:
            self.action = result
            after = session.registry_jobs()  # show the effect now, not at the next flush
            self._reread(set(ids), after, skip)
            self._push(full=True, registry=after)
        return result

    def _open(self, job: Any) -> actions.Outcome:
        previous = self.detail
        try:
            self.detail = JobWidget(job) if job is not None else None
        except Exception as err:  # Ganga failed to read it since the row was made
            return actions.Outcome("failed", f"cannot show job {job.id}: {err}")
        if previous is not None:
            previous.close()  # no more updates for a view no longer shown
        return actions.Outcome("done", f"showing job {job.id}" if job is not None else "closed")

    # -- lifetime ---------------------------------------------------------------------------

    def close(self) -> None:
        events.dispatcher().unsubscribe_all(self)
        if self.detail is not None:
            self.detail.close()
        super().close()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        """The widget, and its page as text and HTML for where no widget frontend runs."""
        data, metadata = super()._repr_mimebundle_(**kwargs)
        return terminal.mimebundle(data, self.renderable()), metadata

    def renderable(self) -> Any:
        """The page as a rich table: ``rich.print(table.renderable())`` in a terminal."""
        return terminal.table_view(self.rows, self.totals, self.total, self.query)

    def text(self, width: int = 110) -> str:
        """The page as plain text, as the registry is now (a change the dispatcher has not
        flushed yet, within its ~100 ms, is read too)."""
        self.refresh()
        return terminal.to_text(self.renderable(), width=width)

    def __repr__(self) -> str:
        totals = self.totals or {}
        states = ", ".join(f"{n} {s}" for s, n in (totals.get("by_status") or {}).items())
        return f"JobTable({totals.get('jobs', 0)} jobs: {states})"


_DAMAGED = "its repository entry is damaged (Ganga's log says why)"


def _some(ids: list[int]) -> str:
    return ", ".join(map(str, ids[:10])) + (", ..." if len(ids) > 10 else "")


_BULK = {
    "kill": (actions.kill, "killed"),
    "resubmit": (actions.resubmit_failed, "resubmitted"),
    "remove": (actions.remove, "removed"),
}
