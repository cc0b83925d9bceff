"""The dispatcher on its own: coalescing, weak subscriptions, errors contained."""

from __future__ import annotations

import gc
import itertools
import threading
import time
import weakref

import pytest
from conditions import wait_until

from ganga_widgets.dispatcher import Dispatcher

pytestmark = pytest.mark.pure


class Recorder:
    def __init__(self, tick: bool = False, fail: bool = False) -> None:
        self.calls: list[tuple[float, dict, bool]] = []
        self.tick = tick
        self.fail = fail

    def on_changes(self, changes: dict, tick: bool) -> None:
        self.calls.append((time.monotonic(), dict(changes), tick))
        if self.fail:
            raise RuntimeError("listener bug")

    def wants_tick(self) -> bool:
        return self.tick


def test_a_burst_of_changes_from_many_threads_reaches_a_listener_in_few_coalesced_calls() -> None:
    d = Dispatcher(min_interval=0.1, tick=60)
    r = Recorder()
    d.subscribe(1, r)

    def burst(offset: int) -> None:
        for i in range(offset, 1000, 4):
            d.notify(1, i, f"job {i}")

    threads = [threading.Thread(target=burst, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wait_until(
        lambda: len(set().union(*(c[1] for c in r.calls))) == 1000 if r.calls else False,
        5,
        "all 1000 changes",
    )
    seen = set().union(*(c[1] for c in r.calls))
    assert seen == set(range(1000))
    assert len(r.calls) <= 5, f"{len(r.calls)} calls for one burst"
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(r.calls)]
    assert all(g >= 0.09 for g in gaps), gaps


def test_changes_of_other_jobs_are_not_delivered_and_not_kept() -> None:
    d = Dispatcher(min_interval=0.01, tick=60)
    r = Recorder()
    d.subscribe(1, r)
    d.notify(2, 0, "other job")
    d.notify(1, 0, "mine")
    wait_until(lambda: r.calls, 60, "the change of job 1")
    assert all(set(c[1]) == {0} and c[1][0] == "mine" for c in r.calls)
    assert d._pending == {}


def test_unsubscribed_and_garbage_collected_listeners_get_nothing_and_are_not_kept() -> None:
    d = Dispatcher(min_interval=0.01, tick=60)
    gone, kept = Recorder(), Recorder()
    d.subscribe(1, gone)
    d.subscribe(1, kept)
    d.unsubscribe(1, gone)
    d.notify(1, None, "x")
    calls = kept.calls
    wait_until(lambda: calls, 60, "the kept listener to be called")
    assert gone.calls == []

    ref = weakref.ref(kept)
    del kept
    gc.collect()
    assert ref() is None, "the dispatcher kept a listener alive"
    assert d.listener_count() == 0


def test_a_failing_listener_does_not_stop_updates_and_ticks_reach_followers() -> None:
    d = Dispatcher(min_interval=0.01, tick=0.2)
    bad, follower = Recorder(fail=True), Recorder(tick=True)
    d.subscribe(1, bad)
    d.subscribe(2, follower)
    d.notify(1, None, "a")
    wait_until(lambda: bad.calls, 60, "the failing listener's first call")
    d.notify(1, None, "b")
    wait_until(lambda: len(bad.calls) >= 2, 60, "a second call after the first one raised")
    wait_until(lambda: sum(1 for c in follower.calls if c[2]) >= 2, 60, "two ticks")
    assert bad.calls and all(not c[2] or c[1] == {} for c in follower.calls)


class Dashboard:
    def __init__(self) -> None:
        self.calls: list[dict] = []

    def on_jobs_changed(self, changes: dict, tick: bool) -> None:
        self.calls.append({k: dict(v) for k, v in changes.items()})

    def wants_tick(self) -> bool:
        return False


def test_a_listener_to_every_job_gets_all_changes_grouped_by_job() -> None:
    d = Dispatcher(min_interval=0.05, tick=60)
    board = Dashboard()
    d.subscribe_all(board)
    for job_id in range(50):  # 50 jobs change at once
        d.notify(job_id, None, f"job {job_id}")
        d.notify(job_id, 0, f"subjob {job_id}.0")
    wait_until(lambda: board.calls and sum(len(c) for c in board.calls) >= 50, 60, "50 jobs")
    merged: dict = {}
    for call in board.calls:
        merged.update(call)
    assert set(merged) == set(range(50)) and merged[7] == {None: "job 7", 0: "subjob 7.0"}
    assert len(board.calls) <= 3
    d.unsubscribe_all(board)
    assert d.listener_count() == 0


def test_an_interrupt_while_a_wait_reads_the_job_lands_after_the_read_not_inside_it() -> None:
    """A Ctrl-C raised inside Ganga's code, between a lock's acquire and release, would
    leave the job locked; the wait holds it until its read of the job is over."""
    import os
    import signal

    from ganga_widgets.dispatcher import wait_for

    reads: list[str] = []

    def done() -> bool:  # stands for a read of Ganga's job, as run.wait()'s is
        reads.append("begun")
        if len(reads) == 3:
            os.kill(os.getpid(), signal.SIGINT)  # the user's Ctrl-C, now, mid-read
            deadline = time.monotonic() + 0.5  # Python runs handlers between bytecodes
            while time.monotonic() < deadline:
                pass
        reads.append("ended")
        return False

    handler = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt):
        wait_for(12345, done, 60, "nothing", on_wake=lambda: None)
    assert reads[-2:] == ["begun", "ended"], reads  # the read finished, then the interrupt
    assert len(reads) == 4, reads  # and it came at once, not at a later read
    assert signal.getsignal(signal.SIGINT) is handler  # the handler given back
