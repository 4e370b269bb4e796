"""Alarms on synthetic metric series."""

from __future__ import annotations

from ftui.core.alarms import AlarmWatch, flat_loss, overfitting, stalled
from ftui.core.watch import MetricPoint


def series(train, valid=None):
    valid = valid or [None] * len(train)
    return [MetricPoint(step=i + 1, train_loss=t, valid_loss=v) for i, (t, v) in enumerate(zip(train, valid))]


def test_overfitting_when_valid_rises_and_train_falls():
    pts = series([2.0, 1.8, 1.6, 1.4, 1.2, 1.0], [2.1, 1.9, 1.95, 2.0, 2.1, 2.2])
    alarm = overfitting(pts)
    assert alarm is not None and alarm.kind == "overfitting" and alarm.step == 6


def test_no_overfitting_when_both_fall_or_both_rise():
    assert overfitting(series([2.0, 1.8, 1.6, 1.4, 1.2], [2.0, 1.9, 1.8, 1.7, 1.6])) is None
    assert overfitting(series([1.0, 1.1, 1.2, 1.3, 1.4], [1.0, 1.1, 1.2, 1.3, 1.4])) is None
    assert overfitting(series([2.0, 1.8, 1.6], [1.0, 1.1, 1.2])) is None  # too few points


def test_flat_loss():
    assert flat_loss(series([1.5] * 20)) is not None
    assert flat_loss(series([1.5] * 19)) is None
    assert flat_loss(series([2.0 - i * 0.05 for i in range(20)])) is None
    assert flat_loss(series([0.001] * 30)) is None  # converged, not stuck


def test_stalled_after_a_long_silence():
    times = [0, 10, 20, 30, 40]
    assert stalled(times, now=100) is None
    assert stalled(times, now=40 + 301) is not None
    assert stalled(times, now=40 + 61, min_seconds=0) is not None


def test_watch_reports_each_alarm_once_until_cleared():
    watch = AlarmWatch()
    flat = series([1.5] * 20)
    assert [a.kind for a in watch.check(flat)] == ["flat"]
    assert watch.check(flat) == []
    assert watch.check(series([2.0 - i * 0.05 for i in range(20)])) == []
    assert [a.kind for a in watch.check(flat)] == ["flat"]
