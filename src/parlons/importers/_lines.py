"""The line numbers of a JSON lines file's records, found by a byte pass beside DuckDB.

DuckDB's JSON reader gives one row per record of a JSON lines file, in order, on every core; but it
passes over blank lines (empty, or spaces, tabs and carriage returns only) without a row, so the
k-th row is not always on line k. :class:`LineMap` reads the file on a thread of its own, with numpy
(which leaves the interpreter free while it scans), and turns the place of a record among the
records (k, counted from 1) into its line: k plus the blank lines before it. A reader asks for the
lines of a batch as soon as it has one; it waits only if the pass has not yet gone that far (the
pass runs at several times DuckDB's speed: about 0.25 CPU-seconds for 1 GB).

Lines end at a line feed, as for DuckDB's JSON reader; a carriage return alone ends no line. The
memory held is 16 bytes per run of blank lines (none in a usual export).
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pyarrow as pa

__all__ = ["LineMap"]

CHUNK = 1 << 22
WHITE = np.zeros(256, dtype=bool)
WHITE[[ord(" "), ord("\t"), ord("\r")]] = True
"""The bytes a blank line may hold: JSON's whitespace but the line feed."""


class LineMap:
    """The line of each record of one JSON lines file, from a byte pass on a thread (see the module).

    :meth:`lines` maps records' places to their lines; :meth:`close` stops the pass. An error of the
    pass (the file unreadable) is raised by :meth:`lines`.
    """

    def __init__(self, path: Path, chunk_size: int = CHUNK) -> None:
        self.path, self.chunk_size = path, chunk_size
        self.records = 0
        """Records (non-blank lines) the pass has seen whole so far."""
        self.done = False
        self.error: BaseException | None = None
        self._starts: list[int] = []
        """For each run of blank lines, the records before it, increasing."""
        self._blanks: list[int] = []
        """For each run, the blank lines in it and in the runs before (the shift of the records after)."""
        self._ready = threading.Condition()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="parlons-line-map", daemon=True)
        self._thread.start()

    def lines(self, places: pa.Array) -> pa.Array:
        """The lines (int64, from 1) of the records at ``places`` (int64, from 1; no nulls).

        Waits until the pass has seen the largest place; returns ``places`` itself when no blank
        line comes before any of them.
        """
        if len(places) == 0:
            return places
        values = places.to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
        highest = int(values.max())
        starts, blanks = self._known(highest)
        if not starts or starts[0] >= highest:
            return places
        runs = np.searchsorted(np.asarray(starts, dtype=np.int64), values, side="left")
        shift = np.concatenate(([0], np.asarray(blanks, dtype=np.int64)))[runs]
        return pa.array(values + shift, pa.int64())

    def _known(self, highest: int) -> tuple[list[int], list[int]]:
        """The runs of blank lines once the pass has seen ``highest`` records (or the whole file)."""
        with self._ready:
            self._ready.wait_for(lambda: self.records >= highest or self.done)
            if self.error is not None:
                raise self.error
            return list(self._starts), list(self._blanks)

    def close(self) -> None:
        """Stop the pass (the read ended or failed) and wait for its thread."""
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            self._scan()
        except BaseException as exc:  # raised again on the reading thread by lines()
            self.error = exc
        finally:
            with self._ready:
                self.done = True
                self._ready.notify_all()

    def _scan(self) -> None:
        buffer = bytearray(self.chunk_size)
        open_blank = True  # the line begun and not yet ended holds whitespace only (or nothing)
        with open(self.path, "rb", buffering=0) as stream:
            while (size := stream.readinto(buffer)) and not self._stop.is_set():
                data = np.frombuffer(buffer, dtype=np.uint8, count=size)
                breaks = np.flatnonzero(data == 10)
                if not breaks.size:
                    open_blank = open_blank and bool(WHITE[data].all())
                    continue
                blank = self._blank_lines(data, breaks, open_blank)
                open_blank = bool(WHITE[data[breaks[-1] + 1:]].all())
                self._publish(blank)
        if not open_blank:  # a last line without a line feed
            with self._ready:
                self.records += 1

    @staticmethod
    def _blank_lines(data: np.ndarray, breaks: np.ndarray, open_blank: bool) -> np.ndarray:
        """Whether each line that ends in ``data`` (at ``breaks``) is blank; the first began before."""
        blank = np.empty(breaks.size, dtype=bool)
        blank[0] = open_blank and bool(WHITE[data[:breaks[0]]].all())
        starts, ends = breaks[:-1] + 1, breaks[1:]
        empty = starts == ends
        blank[1:] = empty
        maybe = np.flatnonzero(~empty & WHITE[data[np.minimum(starts, data.size - 1)]])
        for index in maybe:  # a line that starts with whitespace: rare in JSON lines
            blank[index + 1] = bool(WHITE[data[starts[index]:ends[index]]].all())
        return blank

    def _publish(self, blank: np.ndarray) -> None:
        """Count the lines of one chunk; note its runs of blank lines."""
        filled = ~blank
        if not blank.any():
            with self._ready:
                self.records += int(blank.size)
                self._ready.notify_all()
            return
        before = self.records + np.cumsum(filled) - filled  # the records before each line
        runs: list[tuple[int, int]] = []
        for at in before[blank].tolist():
            if runs and runs[-1][0] == at:
                runs[-1] = (at, runs[-1][1] + 1)
            else:
                runs.append((at, 1))
        with self._ready:
            for at, count in runs:
                total = (self._blanks[-1] if self._blanks else 0) + count
                if self._starts and self._starts[-1] == at:
                    self._blanks[-1] = total
                else:
                    self._starts.append(at)
                    self._blanks.append(total)
            self.records += int(filled.sum())
            self._ready.notify_all()
