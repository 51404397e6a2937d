"""The clock thread: calls made when due, in order, cancelled ones never, a failing one not stopping the rest."""

from __future__ import annotations

import threading

from runlab import process
from runlab.runtimes import clock


def test_calls_are_made_in_the_order_they_fall_due():
    made, done = [], threading.Event()
    clock.call_later(0.2, lambda: (made.append("late"), done.set()))
    clock.call_later(0.05, lambda: made.append("soon"))
    clock.call_later(0.0, lambda: made.append("now"))
    assert done.wait(30)
    assert made == ["now", "soon", "late"]


def test_a_cancelled_call_is_never_made_and_the_others_are():
    made, done = [], threading.Event()
    dropped = clock.call_later(0.01, lambda: made.append("dropped"))
    clock.call_later(0.02, lambda: made.append("kept"))
    clock.cancel(dropped)
    clock.call_later(0.05, done.set)
    assert done.wait(30)
    assert made == ["kept"]
    clock.cancel(dropped)  # once past its time: still a no-op


def test_a_call_that_raises_does_not_stop_the_calls_after_it():
    done = threading.Event()

    def fail():
        raise RuntimeError("boom")

    clock.call_later(0.0, fail)
    clock.call_later(0.01, done.set)
    assert done.wait(30)


def test_a_reset_drops_the_calls_still_due_and_the_clock_goes_on():
    made, done = [], threading.Event()
    clock.call_later(0.05, lambda: made.append("before the reset"))
    process.reset("runtimes.clock")
    clock.call_later(0.1, done.set)
    assert done.wait(30)
    assert made == []
