"""What a fixity audit finds: each stored original re-hashed, and the store's leftovers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

MISSING = "missing"
ALTERED = "altered"
# How the Originals tab words a single check.
MATCHES = "matches its checksum"
CHANGED = "CHANGED or missing"


@dataclass(frozen=True)
class FixityResult:
    """The outcome of re-hashing one stored copy."""

    file_id: int
    expected: str
    actual: str | None  # None when the copy could not be read at all
    problem: str | None = None  # why it does not match, in plain words
    # A sealed copy (encrypted catalogue) that fails to open: altered, with no SHA-256 to show.
    unauthentic: bool = False

    @property
    def matches(self) -> bool:
        return self.actual == self.expected

    @property
    def status(self) -> str:
        return MATCHES if self.matches else CHANGED

    @property
    def kind(self) -> str | None:
        """None when it matches; else MISSING (unreadable or gone) or ALTERED."""
        if self.matches:
            return None
        return ALTERED if self.actual is not None or self.unauthentic else MISSING


@dataclass(frozen=True)
class StoredOriginal:
    """One original as the audit checks it: its record, its name and where its copy is."""

    file_id: int
    unit_id: int
    unit_uuid: str
    reference_code: str
    original_name: str
    stored_path: str | None  # relative to the store; None when no copy was recorded
    sha256: str
    size: int


@dataclass(frozen=True)
class FixityProblem:
    """A stored original that is missing or no longer matches its recorded SHA-256."""

    kind: str  # MISSING or ALTERED
    reference_code: str
    record_id: int
    record_uuid: str
    file_id: int
    original_name: str
    stored_path: str | None  # the copy's full path on disk
    expected_sha256: str
    actual_sha256: str | None  # for ALTERED only
    reason: str


@dataclass(frozen=True)
class OrphanedFile:
    """A file in the store that no record refers to (or an interrupted import's leftover)."""

    stored_path: str  # full path on disk
    size: int
    temporary: bool  # an unfinished copy left in the store's incoming folder


@dataclass(frozen=True)
class FixityReport:
    """One verification run: everything checked in it so far, including before a resume."""

    run_id: str
    collection: str | None  # the reference code the run was limited to; None: everything
    started_at: datetime
    finished_at: datetime | None  # None while the run is unfinished (interrupted, cancelled)
    checked: int
    ok: int
    missing: tuple[FixityProblem, ...]
    altered: tuple[FixityProblem, ...]
    orphaned: tuple[OrphanedFile, ...]  # only looked for in a whole-catalogue run
    seconds: float  # time spent in this invocation
    recorded: bool  # False when the catalogue is read-only and nothing could be written
    resumed: bool  # True when this invocation carried on an interrupted run

    @property
    def complete(self) -> bool:
        return self.finished_at is not None

    @property
    def problems(self) -> int:
        return len(self.missing) + len(self.altered) + len(self.orphaned)

    @property
    def all_ok(self) -> bool:
        return self.complete and not self.problems
