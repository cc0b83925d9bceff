"""Run statistics: quantiles, bins, right-sizing and the timeline, kept up to date one
subjob at a time (pure: no Ganga)."""

from __future__ import annotations

import random
import statistics as stdlib

import numpy as np
import pytest

from ganga_widgets.jobdata.sample import Sample, nice_width
from ganga_widgets.jobdata.statistics import Figures, Statistics, right_size

pytestmark = pytest.mark.pure


def test_quantiles_are_numpys_linear_ones_through_any_sequence_of_updates() -> None:
    rng = random.Random(7)
    sample, truth = Sample(), {}
    for step in range(3000):
        index = rng.randrange(400)
        value = None if rng.random() < 0.1 else round(rng.lognormvariate(5, 1), 1)
        sample.set(index, value)
        if value is None:
            truth.pop(index, None)
        else:
            truth[index] = value
        if step % 250 == 0 and len(truth) > 1:
            values = list(truth.values())
            for q in (0.05, 0.5, 0.95):
                assert sample.quantile(q) == pytest.approx(np.quantile(values, q))
            assert sample.quantile(0.5) == pytest.approx(stdlib.median(values))
    assert len(sample) == len(truth)
    top = sample.largest(3)
    assert [v for _, v in top] == sorted(truth.values(), reverse=True)[:3]
    assert all(truth[i] == v for i, v in top)


def test_bins_have_one_nice_width_cover_every_value_and_stay_few() -> None:
    assert [nice_width(x) for x in (0.7, 1, 1.2, 3, 7, 42, 0.013)] == [1, 1, 2, 5, 10, 50, 0.02]
    sample = Sample()
    values = [3.0, 3.5, 17.2, 99.9, 100.0, 250.0]
    for i, v in enumerate(values):
        sample.set(i, v)
    hist = sample.histogram(max_bins=10)
    assert hist is not None and hist["width"] == 50 and hist["start"] == 0
    assert hist["counts"] == [3, 1, 1, 0, 0, 1]  # [0,50) [50,100) [100,150) ... [250,300)
    for n in (1, 2, 10_000):
        many = Sample()
        for i in range(n):
            many.set(i, 1.5 + i * 0.37)
        h = many.histogram()
        assert h is not None and sum(h["counts"]) == n and len(h["counts"]) <= 26
    # whole seconds, over 2 s: whole bins (not 0.1 s bins of which most are empty)
    seconds = Sample()
    for i, v in enumerate([1, 1, 1, 2, 3, 3]):
        seconds.set(i, v)
    h = seconds.histogram()
    assert h is not None and (h["width"], h["start"], h["counts"], h["whole"]) == (
        1,
        1,
        [3, 1, 2],
        True,
    )


def test_a_subjob_that_changes_replaces_what_it_counted() -> None:
    stats = Statistics()
    stats.update(0, Figures(runtime_s=10, ended_at=600, host="a", memory_peak_mb=100,
                            memory_request_mb=2000))  # fmt: skip
    stats.update(1, Figures(runtime_s=30, ended_at=660, host="a", memory_peak_mb=300,
                            memory_request_mb=2000))  # fmt: skip
    stats.update(0, Figures(queue_s=5, host="b"))  # resubmitted: running again, on b
    report = stats.report()
    assert report["runtime"]["count"] == 1 and report["runtime"]["median"] == 30
    assert report["queue"]["count"] == 1
    assert report["hosts"]["top"] == [{"host": "a", "subjobs": 1}, {"host": "b", "subjobs": 1}]
    assert report["throughput"]["counts"] == [1]
    assert report["slowest"] == [{"subjob": 1, "runtime_s": 30}]
    stats.update(1, None)
    report = stats.report()
    assert report["runtime"] is None and report["memory"] is None
    assert report["throughput"] is None


def test_right_sizing_says_the_request_to_make_and_only_when_it_matters() -> None:
    peaks = Sample()
    for i in range(100):
        peaks.set(i, 400 + 2 * i)  # p95 = 588.1 MB
    advice = right_size(peaks, 2000)
    assert advice is not None and advice["suggested_mb"] == 650 and advice["lower"]
    assert (
        advice["text"] == "Requested 2,000 MB; 95% of subjobs peaked under 589 MB → request ~650 MB"
    )
    assert right_size(peaks, 700) is None  # it fits: nothing to say
    raised = right_size(peaks, 500)  # too little: held or killed for memory
    assert raised is not None and not raised["lower"] and raised["suggested_mb"] == 650
    few = Sample()
    few.set(0, 100)
    assert right_size(few, 2000) is None  # too few subjobs to say


def test_the_timeline_counts_ends_per_minute_in_at_most_sixty_points() -> None:
    stats = Statistics()
    for i in range(300):  # one end every 20 s for 100 minutes
        stats.update(i, Figures(runtime_s=1, ended_at=6000 + 20 * i))
    line = stats.report()["throughput"]
    assert line["start"] == 6000 and line["minutes_per_point"] == 2
    assert sum(line["counts"]) == 300 and len(line["counts"]) <= 60
    assert set(line["counts"]) == {6}


def test_the_report_is_bounded_whatever_the_number_of_subjobs() -> None:
    import json

    stats = Statistics()
    for i in range(20_000):
        figures = Figures(runtime_s=i % 977, queue_s=i % 13, ended_at=i * 7.0,
                          host=f"node{i % 300}", memory_peak_mb=100 + i % 50,
                          memory_request_mb=1000, cpu_efficiency=(i % 100) / 100)  # fmt: skip
        stats.update(i, figures)
    report = stats.report()
    assert len(json.dumps(report)) < 8_000
    assert report["hosts"]["count"] == 300 and len(report["hosts"]["top"]) == 8
    assert report["hosts"]["others"] == 20_000 - sum(h["subjobs"] for h in report["hosts"]["top"])
