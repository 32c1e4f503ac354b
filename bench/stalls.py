"""What the GUI thread was doing while its event loop paused: a sampler for the benches.

`StallSampler(ticks_age)` runs a thread that looks at the GUI thread's Python stack every
few milliseconds while `ticks_age()` (seconds since the GUI thread last turned its event
loop) is over a threshold, and notes each of the interpreter's garbage collections that took
long. `report()` gives, for the longest pauses, the stacks seen most often in them.

A stack that ends in the event loop's own call (processEvents, exec) means that Qt's C++ was
running (painting, layouts) with Python's lock let go; one that ends elsewhere is Python.
"""

from __future__ import annotations

import gc
import sys
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

SAMPLE_S = 0.002
STALL_S = 0.030  # a pause longer than this is sampled
FRAMES = 7  # innermost frames kept per sample


@dataclass
class _Stall:
    started: float
    seen: float = 0.0
    stacks: Counter[str] = field(default_factory=Counter)
    others: Counter[str] = field(default_factory=Counter)


def _stack(frame: object, depth: int = FRAMES) -> str:
    summary = traceback.extract_stack(frame)[-depth:]  # type: ignore[arg-type]
    return " > ".join(f"{s.name}@{s.filename.rsplit('/', 1)[-1]}:{s.lineno}" for s in summary)


class StallSampler:
    def __init__(self, ticks_age: Callable[[], float]) -> None:
        self._age = ticks_age
        self._main = threading.main_thread().ident or 0
        self._stop = threading.Event()
        self._stalls: list[_Stall] = []
        self._collections: list[tuple[str, int, float, float]] = []  # thread, gen, start, s
        self._gc_started: dict[int, float] = {}
        self._thread = threading.Thread(target=self._run, name="stall sampler", daemon=True)

    def __enter__(self) -> StallSampler:
        gc.callbacks.append(self._gc)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        gc.callbacks.remove(self._gc)

    def _gc(self, phase: str, info: dict[str, int]) -> None:
        ident, now = threading.get_ident(), time.perf_counter()
        if phase == "start":
            self._gc_started[ident] = now
            return
        started = self._gc_started.pop(ident, now)
        name = "GUI" if ident == self._main else threading.current_thread().name
        self._collections.append((name, info["generation"], started, now - started))

    def _run(self) -> None:
        current: _Stall | None = None
        while not self._stop.wait(SAMPLE_S):
            age = self._age()
            if age < STALL_S:
                if current is not None:
                    self._stalls.append(current)
                    current = None
                continue
            now = time.perf_counter()
            if current is None:
                current = _Stall(now - age)
            current.seen = now - current.started
            frames = sys._current_frames()
            main = frames.pop(self._main, None)
            if main is not None:
                current.stacks[_stack(main)] += 1
            for ident, frame in frames.items():
                if ident != threading.get_ident():
                    current.others[_stack(frame, 3)] += 1
        if current is not None:
            self._stalls.append(current)

    def report(self, longest: int = 5, stacks: int = 3) -> str:
        lines = []
        total_gc = sum(s for *_, s in self._collections)
        lines.append(
            f"garbage collections (any thread): {len(self._collections)}, "
            f"{total_gc * 1000:.0f} ms in all"
        )
        for stall in sorted(self._stalls, key=lambda s: -s.seen)[:longest]:
            end = stall.started + stall.seen
            during = [
                f"{name} gen {gen} {took * 1000:.0f} ms"
                for name, gen, began, took in self._collections
                if began < end and began + took > stall.started and took > 0.002
            ]
            lines.append(
                f"pause of at least {stall.seen * 1000:.0f} ms"
                + (f" (collections meanwhile: {', '.join(during)})" if during else "")
                + ":"
            )
            lines.extend(f"  {n:4d}× {s}" for s, n in stall.stacks.most_common(stacks))
            lines.extend(f"  other {n:4d}× {s}" for s, n in stall.others.most_common(stacks))
        return "\n".join(lines)
