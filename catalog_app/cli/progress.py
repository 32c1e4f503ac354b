"""Progress of long jobs: a bar on a terminal (silent when output is not a terminal), or in
`--json` mode one JSON object a line on stderr, about once a second, so a script can follow
a long import or export while stdout keeps only the final result:

    {"progress": "import", "done": 1200, "total": 5000, "per_second": 712.4, "seconds_left": 5}
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from typing import TextIO

JSON_SECONDS = 1.0  # between two lines of progress in --json mode


class ProgressBar:
    def __init__(
        self, label: str, stream: TextIO | None = None, *, json_name: str | None = None
    ) -> None:
        """`json_name` (the command's name) asks for JSON lines instead of a bar."""
        self.label = label
        self.stream = stream or sys.stderr
        self.json_name = json_name
        self.enabled = json_name is not None or self.stream.isatty()
        self.started = time.monotonic()
        self._last_line = self.started
        self._shown = False

    def __call__(self, done: int, total: int) -> bool:
        if not self.enabled or total == 0:
            return True
        now = time.monotonic()
        rate = done / max(now - self.started, 1e-6)
        left = (total - done) / rate if rate else 0.0
        if self.json_name is not None:
            if now - self._last_line >= JSON_SECONDS:
                self._last_line = now
                line = {
                    "progress": self.json_name,
                    "done": done,
                    "total": total,
                    "per_second": round(rate, 1),
                    "seconds_left": round(left),
                }
                self.stream.write(json.dumps(line) + "\n")
                self.stream.flush()
            return True
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
