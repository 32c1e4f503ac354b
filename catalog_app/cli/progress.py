"""A progress bar for long jobs on a terminal; silent when output is not a terminal."""

from __future__ import annotations

import shutil
import sys
import time
from typing import TextIO


class ProgressBar:
    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self.started = time.monotonic()
        self._shown = False

    def __call__(self, done: int, total: int) -> bool:
        if not self.enabled or total == 0:
            return True
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = done / elapsed
        left = (total - done) / rate if rate else 0.0
        width = max(10, min(40, shutil.get_terminal_size().columns - 60))
        filled = int(width * done / total)
        bar = "#" * filled + "-" * (width - filled)
        self.stream.write(
            f"\r{self.label} [{bar}] {done:,}/{total:,}  {rate:,.0f}/s  "
            f"{int(left) // 60}:{int(left) % 60:02d} left "
        )
        self.stream.flush()
        self._shown = True
        return True

    def finish(self) -> None:
        if self._shown:
            self.stream.write("\n")
            self.stream.flush()
