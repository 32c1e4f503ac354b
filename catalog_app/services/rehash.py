"""Re-hashing stored copies: the one rule that re-proves an original, and a threaded pass
over many of them.

Small files are handed to the threads in groups, so the cost of handing work over is paid
per few megabytes, not per file; hashlib releases the GIL while it hashes, so a few threads
keep the disk busy while others hash.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from catalog_app.domain.fixity import FixityResult, StoredOriginal
from catalog_app.ingest import store
from catalog_app.storage.types import utcnow

# A group ends at this many files or bytes, whichever comes first.
GROUP_FILES = 64
GROUP_BYTES = 8 << 20
# Groups queued per thread: enough to keep each busy, few enough to stop quickly.
QUEUED_PER_THREAD = 2
# What a sealed copy that fails to open is said to be (the audit's notes are read back by it).
UNAUTHENTIC = "fails its authenticity check (altered, cut off or replaced)"


def check_copy(
    root: Path,
    file_id: int,
    expected: str,
    stored_path: str | None,
    key: store.StoreKey | None = None,
) -> FixityResult:
    """Re-hash the stored copy of one original and compare it with its recorded SHA-256;
    a sealed copy (`key` given: an encrypted catalogue) is opened first, and one that fails
    to open is altered.

    The one place that re-proves a stored original (the Originals tab and the fixity audit
    both call it). Reads the whole file: call it off the GUI thread.
    """
    if stored_path is None:
        return FixityResult(file_id, expected, None, "no stored copy was recorded for it")
    path = root / stored_path
    try:
        actual = store.sha256_of(path, key=key)
    except store.NotAuthentic:
        problem = f"the stored copy {path} {UNAUTHENTIC}"
        return FixityResult(file_id, expected, None, problem, unauthentic=True)
    except FileNotFoundError:
        return FixityResult(file_id, expected, None, f"the stored copy {path} is missing")
    except OSError as exc:
        problem = f"the stored copy {path} cannot be read ({exc.strerror or exc})"
        return FixityResult(file_id, expected, None, problem)
    if actual != expected:
        problem = f"the stored copy {path} now has SHA-256 {actual}"
        return FixityResult(file_id, expected, actual, problem)
    return FixityResult(file_id, expected, actual)


@dataclass(frozen=True)
class Checked:
    original: StoredOriginal
    result: FixityResult
    at: datetime


def _check_group(
    root: Path, group: Sequence[StoredOriginal], key: store.StoreKey | None
) -> list[Checked]:
    return [
        Checked(o, check_copy(root, o.file_id, o.sha256, o.stored_path, key), utcnow())
        for o in group
    ]


def _groups(originals: Sequence[StoredOriginal]) -> Iterator[list[StoredOriginal]]:
    group: list[StoredOriginal] = []
    size = 0
    for original in originals:
        group.append(original)
        size += original.size
        if len(group) >= GROUP_FILES or size >= GROUP_BYTES:
            yield group
            group, size = [], 0
    if group:
        yield group


def rehash(
    root: Path,
    originals: Sequence[StoredOriginal],
    threads: int,
    take: Callable[[list[Checked]], bool],
    key: store.StoreKey | None = None,
) -> bool:
    """Check `originals` (sealed under `key`, when given), handing each group's outcomes to
    `take` in the given order.

    Returns False as soon as `take` does (groups already under way are dropped). If `take`
    or the caller is interrupted (KeyboardInterrupt), the groups under way are finished and
    handed over before the exception goes on, so no finished check is lost.
    """
    if threads <= 1:
        return all(take(_check_group(root, group, key)) for group in _groups(originals))
    in_flight: deque[Future[list[Checked]]] = deque()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        try:
            for group in _groups(originals):
                in_flight.append(pool.submit(_check_group, root, group, key))
                if len(in_flight) >= threads * QUEUED_PER_THREAD and not take(
                    in_flight.popleft().result()
                ):
                    return False
            while in_flight:
                if not take(in_flight.popleft().result()):
                    return False
            return True
        except BaseException:
            for future in in_flight:
                future.cancel()
            while in_flight and not in_flight[0].cancelled():
                take(in_flight.popleft().result())
            raise
        finally:
            for future in in_flight:
                future.cancel()
