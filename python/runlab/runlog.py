"""A run's log: everything the handler prints or logs, shown live and stored in chunks.

``capture_output`` tees ``sys.stdout``/``sys.stderr`` so a notebook cell still shows output as it
happens, while ``RunLog`` buffers the same text and writes it to the store at most every
``log_flush_interval`` seconds (and when the run commits or ends), so other kernels can follow it. Each
line's start time is kept with the chunk it starts in (``stamps``), so the log can be shown with timestamps
while its text stays exactly what was written.
"""

from __future__ import annotations

import io
import logging
import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO

from .store.logstamps import encode_stamps

LOG_FORMAT = "%(asctime)s [%(levelname)s] %(message)s"


LogChunk = tuple[int, str, str | None]
"""A piece of a run's log as the store keeps it: its byte offset in the log, its text, and the times (epoch
seconds) of the lines that start in it (``encode_stamps``; None: not recorded)."""


class RunLog:
    """Buffered log text of one run, with the byte offset of what has been handed to the store and the start
    time of each line (one ``time.time()`` per line: cheap next to the write itself)."""

    def __init__(self, flush: Callable[[int, str, str | None], None] | None = None, interval: float = 1.0) -> None:
        self._flush = flush
        self._interval = interval
        self._pending: list[str] = []
        self._times: list[float] = []
        self._line_start = True  # the next character written starts a line
        self._offset = 0
        self._last_flush = time.monotonic()
        self._lock = threading.Lock()

    def write(self, text: str) -> None:
        if not text:
            return
        with self._lock:
            self._pending.append(text)
            breaks = text.count("\n")
            starts = breaks - (1 if text[-1] == "\n" else 0) + (1 if self._line_start else 0)
            if starts:
                self._times.extend([time.time()] * starts)
            self._line_start = text[-1] == "\n"
        if self._flush is not None and time.monotonic() - self._last_flush >= self._interval:
            self.flush()

    def take(self) -> LogChunk | None:
        """Pending text, the offset it starts at and its lines' times; the caller stores it (e.g. in one
        transaction)."""
        with self._lock:
            if not self._pending:
                return None
            text = "".join(self._pending)
            stamps = encode_stamps(self._times)
            self._pending.clear()
            self._times.clear()
            start = self._offset
            self._offset += len(text.encode("utf-8"))
            self._last_flush = time.monotonic()
        return start, text, stamps

    def flush(self) -> None:
        chunk = self.take()
        if chunk is not None and self._flush is not None:
            self._flush(*chunk)


class _Tee(io.TextIOBase):
    """A text stream that writes to the original stream and to a ``RunLog``."""

    def __init__(self, original: TextIO, log: RunLog) -> None:
        self._original = original
        self._log = log

    def write(self, text: str) -> int:
        self._log.write(text)
        try:  # noqa: SIM105 - suppress() costs more than the write, and every print goes through here
            self._original.write(text)
        except (ValueError, OSError):  # the original stream closed (a kernel shutting down)
            pass
        return len(text)

    def flush(self) -> None:
        try:  # noqa: SIM105 - as in write
            self._original.flush()
        except (ValueError, OSError):
            pass

    def isatty(self) -> bool:
        return False

    def __del__(self) -> None:
        """Nothing to close (the original stream is not the tee's, and ``capture_output`` flushed it): without
        this, ``IOBase`` closes every tee it frees, flushing the original stream again, twice per run."""

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._original, "encoding", "utf-8") or "utf-8"


def screen_of(stream: TextIO) -> TextIO:
    """The stream a tee writes to besides the log (the cell or terminal): for what must not be logged,
    such as a progress bar."""
    return stream._original if isinstance(stream, _Tee) else stream


class capture_output:  # noqa: N801 - used as a function: ``with capture_output(log):``
    """Tee stdout and stderr into ``log`` for the duration of the block (only into ``log`` without
    ``echo``); ``as`` gives the stdout tee. (A class, not a generator: every run enters it.)"""

    def __init__(self, log: RunLog, echo: bool = True) -> None:
        self._log, self._echo = log, echo
        self._saved: tuple[TextIO, TextIO] = (sys.stdout, sys.stderr)

    def __enter__(self) -> TextIO:
        saved = self._saved = sys.stdout, sys.stderr
        sink = io.StringIO() if not self._echo else None
        sys.stdout = _Tee(sink or saved[0], self._log)  # type: ignore[assignment]
        sys.stderr = _Tee(sink or saved[1], self._log)  # type: ignore[assignment]
        return sys.stdout

    def __exit__(self, *exc_info: object) -> None:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except Exception:  # noqa: BLE001 - the handler may have left anything in sys.stdout
            pass
        sys.stdout, sys.stderr = self._saved  # type: ignore[misc]


class _StdoutHandler(logging.Handler):
    """Writes records to whatever ``sys.stdout`` is at emit time (the run's tee while it runs)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stdout.write(self.format(record) + "\n")
        except Exception:  # noqa: BLE001 - logging must never break the handler
            self.handleError(record)


def make_run_logger(name: str) -> logging.Logger:
    """A logger for one run, not registered globally (so thousands of runs leak no loggers)."""
    logger = logging.Logger(name, level=logging.INFO)
    handler = _StdoutHandler()
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    logger.addHandler(handler)
    return logger
