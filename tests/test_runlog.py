"""A run's log keeps each line's start time beside its text (``runlog.RunLog``, ``store.logstamps``)."""

from __future__ import annotations

from runlab.runlog import RunLog
from runlab.store.logstamps import decode_stamps, line_starts


def test_each_line_gets_the_time_it_started_and_the_text_is_unchanged(monkeypatch):
    clock = iter([10.0, 11.0, 12.0, 13.0])
    monkeypatch.setattr("runlab.runlog.time.time", lambda: next(clock))
    log = RunLog()
    log.write("one\ntw")  # two lines start: at 10
    log.write("o\n")  # the second line goes on: no new start
    log.write("thré\nfour\n")  # two more: at 11
    offset, text, stamps = log.take()
    assert (offset, text) == (0, "one\ntwo\nthré\nfour\n")
    assert decode_stamps(stamps) == [10.0, 10.0, 11.0, 11.0]
    assert line_starts(text, stamps) == [(0, 10.0), (4, 10.0), (8, 11.0), (14, 11.0)]  # é is two bytes
    log.write("half")  # a line that goes on in the next chunk
    offset, text, stamps = log.take()
    assert (offset, text, decode_stamps(stamps)) == (19, "half", [12.0])
    log.write(" done\nlast")
    offset, text, stamps = log.take()
    assert (offset, decode_stamps(stamps)) == (23, [13.0])
    assert line_starts(text, stamps) == [(6, 13.0)]  # the chunk's first byte goes on the line before


def test_nothing_written_is_no_chunk_and_no_stamps():
    log = RunLog()
    assert log.take() is None
    assert line_starts("text\n", None) == []
