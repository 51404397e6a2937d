"""The start times of a log's lines, kept with each log chunk (``logs.stamps``) by ``runlog.RunLog``.

A chunk's text stays exactly what was written; its ``stamps`` list the times (epoch seconds, to the
millisecond, comma-separated) of the lines that start in it, in order. Whether the chunk's first byte starts a
line follows from the count: one time more than the line breaks inside the chunk (not at its end).
"""

from __future__ import annotations


def encode_stamps(times: list[float]) -> str | None:
    """Line start times as the store keeps them: comma-separated epoch seconds, to the millisecond."""
    return ",".join(f"{t:.3f}" for t in times) if times else None


def decode_stamps(stamps: str | None) -> list[float]:
    """The times ``encode_stamps`` wrote (none for a chunk written without them)."""
    return [float(t) for t in stamps.split(",")] if stamps else []


def line_starts(data: str, stamps: str | None) -> list[tuple[int, float]]:
    """The byte offsets (in ``data``, UTF-8) of the lines that start in a chunk, with their times. The chunk's
    first byte starts a line when it has one time more than the line breaks inside it (not at its end)."""
    times = decode_stamps(stamps)
    if not times:
        return []
    raw = data.encode("utf-8")  # a line break is one byte: UTF-8 never has it inside a character
    starts, at = [], raw.find(b"\n")
    while 0 <= at < len(raw) - 1:
        starts.append(at + 1)
        at = raw.find(b"\n", at + 1)
    if len(times) == len(starts) + 1:
        starts.insert(0, 0)
    return list(zip(starts, times, strict=False))
