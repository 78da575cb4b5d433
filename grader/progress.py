"""A dependency-free progress bar on stderr (or any stream), throttled to ten updates a second."""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, total: int, stream=None, label: str = "grading", width: int = 28):
        self.total, self.done, self.label, self.width = total, 0, label, width
        self.stream = stream if stream is not None else sys.stderr
        self.started = time.perf_counter()
        self._last = 0.0

    def update(self, count: int = 1) -> None:
        self.done += count
        now = time.perf_counter()
        if self.done >= self.total or now - self._last >= 0.1:
            self._last = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        share = self.done / self.total if self.total else 1.0
        filled = int(self.width * share)
        rate = self.done / max(now - self.started, 1e-9)
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {self.done}/{self.total} {rate:5.0f}/s")
        self.stream.flush()

    def close(self) -> None:
        self._draw(time.perf_counter())
        self.stream.write("\n")
        self.stream.flush()
