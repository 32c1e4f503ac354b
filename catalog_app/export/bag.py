"""BagIt packages (RFC 8493) through the Library of Congress `bagit` library: naming payload
files, copying originals into a bag while checking them, making and checking a bag, and
finding a bag's files without ever trusting the paths written inside it.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import bagit

from catalog_app import __version__
from catalog_app.errors import CatalogError

BAGIT_VERSION = "1.0"
ALGORITHM = "sha256"
ORIGINALS = "originals"  # data/originals/<record uuid>/<file name>
METADATA = "metadata"  # data/metadata/records.json and the finding aids
RECORDS_FILE = "records.json"
SOFTWARE = f"catalog-app {__version__} (bagit.py {bagit.VERSION})"
_CHUNK = 1 << 20
# Characters that are unsafe in a file name on some system, or that BagIt manifests encode
# inconsistently between tools (%, CR, LF).
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|%]')
_MAX_NAME_BYTES = 200
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class BagDamaged(CatalogError):
    """A bag whose files do not match its manifests, or that is not a bag at all."""


class OriginalDamaged(CatalogError):
    """A stored original that no longer matches its checksum."""


# -- writing ---------------------------------------------------------------------------------


def safe_file_name(name: str, fallback: str) -> str:
    """`name` as one portable file name (no folders, no characters some system refuses)."""
    cleaned = _UNSAFE.sub("_", unicodedata.normalize("NFC", name)).strip(" .")
    while len(cleaned.encode("utf-8")) > _MAX_NAME_BYTES:
        stem, dot, suffix = cleaned.rpartition(".")
        cleaned = (stem[:-1] + dot + suffix) if dot and len(suffix) <= 10 else cleaned[:-1]
    return cleaned or fallback


def unique_name(name: str, taken: set[str]) -> str:
    """`name`, or `name (2)`, `name (3)`... so that no two files of one folder collide."""
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem:
        stem, dot, suffix = name, "", ""
    candidate, number = name, 1
    while candidate.casefold() in taken:
        number += 1
        candidate = f"{stem} ({number}){dot}{suffix}"
    taken.add(candidate.casefold())
    return candidate


def _chunks(source: Path) -> Iterator[bytes]:
    with source.open("rb") as reader:
        while chunk := reader.read(_CHUNK):
            yield chunk


def copy_verified(
    source: Path, target: Path, sha256: str, what: str, plain: Iterable[bytes] | None = None
) -> int:
    """Copy `source` to `target` while hashing it; refuse if the bytes are not `sha256`.

    `what` names the original in the message; `plain` gives the original's bytes when
    `source` holds them sealed (read from `source` as they reach it). Returns the number of
    bytes copied.
    """
    digest = hashlib.sha256()
    size = 0
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with target.open("wb") as writer:
            for chunk in _chunks(source) if plain is None else plain:
                digest.update(chunk)
                writer.write(chunk)
                size += len(chunk)
    except FileNotFoundError as exc:
        raise OriginalDamaged(
            f"The stored copy of {what} is missing ({source}); no bag was written."
        ) from exc
    except OSError as exc:
        raise OriginalDamaged(
            f"The stored copy of {what} cannot be read ({exc.strerror or exc}); no bag was written."
        ) from exc
    if digest.hexdigest() != sha256:
        raise OriginalDamaged(
            f"The stored copy of {what} no longer matches its SHA-256 (expected {sha256}, "
            f"found {digest.hexdigest()}); check the store's fixity. No bag was written."
        )
    return size


def make(folder: Path, info: dict[str, str]) -> bagit.Bag:
    """Turn `folder` (its contents become the payload) into a bag with SHA-256 manifests."""
    for label in info:
        if not label or ":" in label or any(c.isspace() for c in label):
            raise ValueError(f"'{label}' cannot be a bag-info label")
    info = {"Bag-Software-Agent": SOFTWARE, **info}
    made = bagit.make_bag(str(folder.absolute()), info, processes=1, checksums=[ALGORITHM])
    _declare_version(folder)
    return made


def _declare_version(folder: Path) -> None:
    """bagit.py writes version 0.97 of the draft; the bag it makes is also an RFC 8493
    (version 1.0) bag, so say so, and bring the tag manifest in step with bagit.txt."""
    (folder / "bagit.txt").write_bytes(
        f"BagIt-Version: {BAGIT_VERSION}\nTag-File-Character-Encoding: UTF-8\n".encode()
    )
    lines = []
    for path in sorted(folder.iterdir()):
        if path.is_file() and not path.name.startswith("tagmanifest-"):
            digest = hashlib.new(ALGORITHM, path.read_bytes()).hexdigest()
            lines.append(f"{digest} {path.name}\n")
    (folder / f"tagmanifest-{ALGORITHM}.txt").write_text("".join(lines), encoding="utf-8")


# -- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenedBag:
    """A bag that passed full validation: every file present, listed and unchanged."""

    root: Path
    info: dict[str, str]
    payload_by_sha256: dict[str, str]  # SHA-256 -> path relative to the bag (data/...)

    def payload_file(self, relative: str) -> Path:
        """The file at `relative` inside the bag's payload, refusing anything that leads
        outside it (.., absolute paths, links)."""
        data = (self.root / "data").resolve()
        candidate = self.root / relative
        if candidate.is_symlink() or not candidate.resolve().is_relative_to(data):
            raise BagDamaged(f"The bag's file {relative} lies outside its payload; it was refused.")
        if not candidate.is_file():
            raise BagDamaged(f"The bag has no file {relative}.")
        return candidate

    def original(self, sha256: str) -> Path:
        """The payload file holding the original with this SHA-256."""
        relative = self.payload_by_sha256.get(sha256) if _HEX64.match(sha256) else None
        if relative is None:
            raise BagDamaged(f"The bag does not hold the original with SHA-256 {sha256}.")
        return self.payload_file(relative)

    def metadata(self, name: str) -> Path:
        return self.payload_file(f"data/{METADATA}/{name}")


def open_valid(path: Path) -> OpenedBag:
    """Open the bag at `path` and check every checksum; refuse a bag that is damaged or was
    changed, naming the files at fault."""
    root = path.expanduser().absolute()
    if not root.is_dir():
        raise BagDamaged(f"There is no bag at {root}: it is not a folder.")
    try:
        bag = bagit.Bag(str(root))
    except bagit.BagError as exc:
        raise BagDamaged(f"{root} is not a usable BagIt bag: {exc}. Nothing was imported.") from exc
    if ALGORITHM not in bag.algorithms:
        raise BagDamaged(f"The bag at {root} has no SHA-256 manifest; nothing was imported.")
    try:
        bag.validate(processes=1)
    except bagit.BagError as exc:
        problems = list(_problems(bag, exc))
        raise BagDamaged(
            f"The bag at {root} is damaged or was changed after it was made, so nothing was "
            f"imported: {'; '.join(problems)}."
        ) from exc
    payload: dict[str, str] = {}
    for relative, hashes in bag.payload_entries().items():
        digest = str(hashes.get(ALGORITHM, "")).lower()
        posix = Path(relative).as_posix()
        if posix.startswith(f"data/{ORIGINALS}/"):
            payload.setdefault(digest, posix)
    info = {str(k): v if isinstance(v, str) else "; ".join(v) for k, v in bag.info.items()}
    return OpenedBag(root, info, payload)


def _problems(bag: bagit.Bag, error: bagit.BagError) -> Iterator[str]:
    """The bad files, in plain words. bagit's details name them for checksum failures, but a
    missing or extra file fails its Payload-Oxum check first, which names none."""
    details = getattr(error, "details", None) or []
    if details:
        for detail in details:
            yield _described(detail)
        return
    named = False
    only_in_manifest, only_on_disk = bag.compare_manifests_with_fs()
    for relative in sorted(only_in_manifest):
        named = True
        yield f"{relative} is listed in the manifest but missing"
    for relative in sorted(only_on_disk):
        named = True
        yield f"{relative} is in the bag but not in its manifest"
    for relative in sorted(_changed(bag)):
        named = True
        yield f"{relative} does not match its checksum"
    if not named:
        yield str(error)


def _described(detail: bagit.BagError) -> str:
    path = getattr(detail, "path", "?")
    if isinstance(detail, bagit.ChecksumMismatch):
        return f"{path} does not match its checksum"
    if isinstance(detail, bagit.FileMissing):
        return f"{path} is listed in the manifest but missing"
    if isinstance(detail, bagit.UnexpectedFile):
        return f"{path} is in the bag but not in its manifest"
    return str(detail)


def _changed(bag: bagit.Bag) -> Iterator[str]:
    root = Path(bag.path)
    for relative, hashes in bag.entries.items():
        candidate = root / relative
        if not candidate.is_file() or candidate.is_symlink():
            continue
        for algorithm, expected in hashes.items():
            digest = hashlib.new(algorithm)
            with candidate.open("rb") as reader:
                while chunk := reader.read(_CHUNK):
                    digest.update(chunk)
            if digest.hexdigest() != str(expected).lower():
                yield str(relative)
                break


def bag_folder_is_free(target: Path) -> bool:
    """A bag may be written where nothing is, or into an empty folder."""
    if not target.exists() and not target.is_symlink():
        return True
    if not target.is_dir() or target.is_symlink():
        return False
    with os.scandir(target) as entries:
        return not any(entries)
