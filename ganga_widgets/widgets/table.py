"""JobTable: a live dashboard of every job in the Ganga registry."""

from __future__ import annotations

import time
from typing import Any

import anywidget
import traitlets as t

from .. import actions, session
from ..actions import Outcome
from ..dispatcher import Changes, dispatcher
from ..ganga_adapter import sharing
from ..ganga_adapter.registry import registry_jobs, unreadable_ids
from ..jobdata import rows as table_rows
from ..jobdata.query import PAGE_SIZES, Query, select
from ..views import terminal
from ..vocabulary.status import SHOWN_ACTIVE
from .assets import esm
from .base import ViewWidget
from .job import JobWidget


class JobTable(ViewWidget):
    """Every Ganga job, newest first, live: filter, search, sort, page, act on jobs.

    Only the page on screen is sent to the view (a 5,000-job registry costs one page), and
    when jobs change, only their rows. ``Open`` shows a job's full JobWidget below the table.
    """

    _esm = esm("table/index.js")

    rows: t.List[dict] = t.List().tag(sync=True)  # the jobs on the current page, in order
    total = t.Int(0).tag(sync=True)  # jobs matching the query
    query = t.Dict().tag(sync=True)  # the query applied: filters, search, sort, page
    facets = t.Dict().tag(sync=True)  # filter values with their number of jobs
    totals = t.Dict().tag(sync=True)  # the summary line
    detail = anywidget.WidgetTrait().tag(sync=True)  # the opened job's JobWidget
    page_sizes = t.List(list(PAGE_SIZES)).tag(sync=True)  # what the view offers

    def __init__(self, page_size: int = 25, **kwargs: Any) -> None:
        if page_size not in PAGE_SIZES:
            raise ValueError(f"page_size must be one of {PAGE_SIZES}; got {page_size!r}")
        session.start()
        self._unreadable: dict[int, dict] = {}  # rows of jobs Ganga failed to read: kept
        self._query = Query(page_size=page_size)
        self._patched = False  # rows were patched since the page was last sent whole
        jobs = registry_jobs()
        self._rows = self._read_all(jobs)  # every job's row
        self._page, _, initial = self._page_state(jobs)
        # The first page goes with the widget's opening message: one message, not two.
        super().__init__(**initial, clock=time.time(), **kwargs)
        self._follow(refresh=False)

    # -- updates ----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read every job again (from Ganga's index: nothing is loaded but the page)."""
        with self._lock:
            registry = registry_jobs()
            self._rows = self._read_all(registry)
            self._push(full=True, registry=registry)

    def _read_all(self, registry: dict[int, Any]) -> table_rows.RowSet:
        skip = self._skip()
        every = {
            i: table_rows.row(job, details=False) for i, job in registry.items() if i not in skip
        }
        every.update({i: self._unreadable_row(i) for i in skip})
        return table_rows.RowSet(every)

    def _unreadable_row(self, job_id: int) -> dict:
        return self._unreadable.get(job_id) or table_rows.unreadable(job_id, _DAMAGED)

    def _skip(self) -> set[int]:
        """Jobs never to be read again (see ganga_adapter.registry.unreadable_ids)."""
        return set(self._unreadable) | unreadable_ids()

    def on_jobs_changed(self, changes: dict[int, Changes], tick: bool) -> None:
        """Called by the dispatcher with the jobs that changed (and each second, a tick)."""
        if self.comm is None:
            return
        with self._lock:
            registry = registry_jobs()
            changed = set(changes)
            skip = self._skip()
            if tick:  # jobs created or removed without a status change we saw
                changed |= set(registry) ^ set(self._rows)
                changed |= {
                    i for i in self._page if self._rows.get(i, {}).get("status") in SHOWN_ACTIVE
                }  # their durations tick
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
                before = self._rows.get(job_id, {}).get("status", "")
                self._rows[job_id] = table_rows.row(job, job_id in self._page, before)

    def wants_tick(self) -> bool:
        return True  # to notice new and removed jobs, and tick durations

    def _page_state(self, registry: dict[int, Any]) -> tuple[list[int], set[int], dict]:
        """The page for the query (its jobs read whole, for their times: ``fresh``) and the
        synced values that describe it."""
        page, total = select(self._rows, self._query)
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
                "facets": table_rows.facets(self._rows),
                "totals": table_rows.totals(self._rows),
                "sharing": sharing.current().to_dict(),
            },
        )

    def _push(
        self,
        full: bool,
        registry: dict[int, Any],
        changed: frozenset[int] | set[int] = frozenset(),
        settle: bool = False,
    ) -> None:
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
        patch = (
            []
            if new_page
            else [r for r in page_rows if r["id"] in changed | fresh and r not in self.rows]
        )
        resync = self._patched and not patch and (full or settle) and "rows" not in changed_values
        if not changed_values and not patch and not resync:
            return
        with self.hold_sync():
            self._send_changed(changed_values, always=True)
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
        row = table_rows.row(job, True, self._rows.get(job_id, {}).get("status", ""))
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

    def _on_query(self, content: dict) -> None:
        with self._lock:
            self._query = Query.from_message(content, self._query)
            self._push(full=True, registry=registry_jobs())

    def _on_action(self, content: dict) -> None:
        ids = content.get("ids")
        ids = [i for i in ids if isinstance(i, int)] if isinstance(ids, list) else []
        self.run_action(str(content.get("name")), ids, content.get("seq"))

    def run_action(self, name: str, ids: list[int], seq: Any = None) -> dict:
        """Run a view action on jobs by id: "kill", "resubmit", "remove", "open", "close"."""
        registry = registry_jobs()
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
            refused = "" if missing or unreadable else f"cannot {name} jobs {ids}"
            outcome = Outcome("refused", refused)
        notes = [outcome.message] if outcome.message else []
        if missing:
            notes.append(f"not in the registry: {_some(missing)}")
        if unreadable:
            notes.append(f"Ganga cannot read job {_some(unreadable)}: its files are left alone")
        result = self._record(seq, name, Outcome(outcome.state, "; ".join(notes)), ids=ids)
        with self._lock:
            after = registry_jobs()  # show the effect now, not at the next flush
            self._reread(set(ids), after, skip)
            self._push(full=True, registry=after)
        return result

    def _open(self, job: Any) -> Outcome:
        previous = self.detail
        try:
            self.detail = JobWidget(job) if job is not None else None
        except Exception as err:  # Ganga failed to read it since the row was made
            return Outcome("failed", f"cannot show job {job.id}: {err}")
        if previous is not None:
            previous.close()  # no more updates for a view no longer shown
        return Outcome("done", f"showing job {job.id}" if job is not None else "closed")

    # -- lifetime ---------------------------------------------------------------------------

    def _subscribe(self) -> None:
        dispatcher().subscribe_all(self)

    def _unsubscribe(self) -> None:
        dispatcher().unsubscribe_all(self)
        opened, self.detail = self.detail, None  # displayed again, the table opens none
        if opened is not None:
            opened.close()

    def renderable(self) -> Any:
        return terminal.table_view(self.rows, self.totals, self.total, self.query, self.sharing)

    def __rich__(self) -> Any:
        """The page as the registry is now (a change the dispatcher has not flushed yet,
        within its ~100 ms, is read too): for ``rich.print(table)`` and ``text()``."""
        self.refresh()
        return self.renderable()

    def __repr__(self) -> str:
        totals = self.totals or {}
        states = ", ".join(f"{n} {s}" for s, n in (totals.get("by_status") or {}).items())
        return f"JobTable({terminal.count_jobs(totals.get('jobs', 0))}: {states})"


_DAMAGED = "its repository entry is damaged (Ganga's log says why)"


def _some(ids: list[int]) -> str:
    return ", ".join(map(str, ids[:10])) + (", ..." if len(ids) > 10 else "")


_BULK = {
    "kill": (actions.kill, "killed"),
    "resubmit": (actions.resubmit_failed, "resubmitted"),
    "remove": (actions.remove, "removed"),
}
