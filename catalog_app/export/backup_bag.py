"""The BagIt form of a backup: a catalogue file and its store of originals as the payload.

    data/<catalogue file>                 the catalogue, as of one moment
    data/<store folder>/<ab>/<sha256>     each original it refers to, bit for bit
    bagit.txt, bag-info.txt, manifest-sha256.txt, tagmanifest-sha256.txt

The manifests are written from checksums computed while copying (the payload is read once to
copy it and once more to verify it, never a third time to describe it). Reading is done by
the Library of Congress `bagit` library, so any BagIt tool can check a backup too.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import bagit

from catalog_app.errors import CatalogError
from catalog_app.export.bag import ALGORITHM, BAGIT_VERSION, SOFTWARE
from catalog_app.file_modes import private_opener

PAYLOAD = "data"
MANIFEST = f"manifest-{ALGORITHM}.txt"
TAG_MANIFEST = f"tagmanifest-{ALGORITHM}.txt"
TAG_FILES = ("bagit.txt", "bag-info.txt", MANIFEST)
CATALOGUE_LABEL = "Catalogue-File"
STORE_LABEL = "Originals-Folder"
REVISION_LABEL = "Catalogue-Schema-Revision"
ORIGINALS_LABEL = "Originals-Count"
# The audit chain's seal (see storage.audit_seal) as the backup began: the catalogue's chain
# must go on extending it, and so must the backup's own copy.
SEAL_LABEL = "Catalogue-Seal"
# Store paths of originals that were missing or altered in the store when it was backed up.
NOT_BACKED_UP_LABEL = "Originals-Not-Backed-Up"


class BackupDamaged(CatalogError):
    """A backup whose files are missing, extra or changed, or that is not a backup at all."""


@dataclass(frozen=True)
class PayloadFile:
    sha256: str
    size: int


def _manifest_name(relative: str) -> str:
    # As bagit.py writes and reads them: CR and LF are the only characters encoded.
    return relative.replace("\r", "%0D").replace("\n", "%0A")


def _flushed(path: Path, text: str) -> None:
    """Write a tag file of a backup, readable by its owner only (as all of a backup is)."""
    with open(path, "w", encoding="utf-8", newline="\n", opener=private_opener) as writer:
        writer.write(text)
        writer.flush()
        os.fsync(writer.fileno())


def write_tags(
    root: Path,
    payload: Mapping[str, PayloadFile],
    *,
    catalogue_file: str,
    store_folder: str,
    schema_revision: str | None,
    originals: int,
    not_backed_up: Sequence[str] = (),
    seal: str | None = None,
) -> None:
    """Write the tag files of the bag at `root`, whose payload (relative POSIX paths under
    `data/`) is `payload`. Nothing local (no absolute path, no user name) goes in them."""
    manifest = "".join(
        f"{entry.sha256}  {_manifest_name(relative)}\n"
        for relative, entry in sorted(payload.items())
    )
    octets = sum(entry.size for entry in payload.values())
    info = {
        "Bagging-Date": datetime.now(UTC).date().isoformat(),
        "Bag-Software-Agent": SOFTWARE,
        "Payload-Oxum": f"{octets}.{len(payload)}",
        "External-Description": "A backup of a catalogue and the originals it refers to.",
        CATALOGUE_LABEL: catalogue_file,
        STORE_LABEL: store_folder,
        REVISION_LABEL: schema_revision or "none",
        ORIGINALS_LABEL: str(originals),
    }
    if seal:
        info[SEAL_LABEL] = seal
    if not_backed_up:
        info[NOT_BACKED_UP_LABEL] = " ".join(sorted(not_backed_up))
    _flushed(root / MANIFEST, manifest)
    _flushed(
        root / "bagit.txt",
        f"BagIt-Version: {BAGIT_VERSION}\nTag-File-Character-Encoding: UTF-8\n",
    )
    _flushed(root / "bag-info.txt", "".join(f"{k}: {v}\n" for k, v in info.items()))
    tags = "".join(
        f"{hashlib.new(ALGORITHM, (root / name).read_bytes()).hexdigest()}  {name}\n"
        for name in TAG_FILES
    )
    _flushed(root / TAG_MANIFEST, tags)


@dataclass(frozen=True)
class BackupContents:
    """What a backup's manifests promise, and how its folder differs from them."""

    root: Path
    info: dict[str, str]
    expected: dict[str, str]  # every listed file (payload and tag files) -> its SHA-256
    missing: tuple[str, ...]  # listed but not there
    unexpected: tuple[str, ...]  # there but not listed

    @property
    def not_backed_up(self) -> frozenset[str]:
        """Store paths of originals that were missing or altered when the backup was made."""
        return frozenset(self.info.get(NOT_BACKED_UP_LABEL, "").split())

    @property
    def catalogue_file(self) -> str:
        """The payload path of the catalogue file (data/<name>)."""
        name = self.info.get(CATALOGUE_LABEL, "")
        if name and "/" not in name and name not in (".", ".."):
            return f"{PAYLOAD}/{name}"
        top = [p for p in self.expected if p.count("/") == 1 and p.startswith(f"{PAYLOAD}/")]
        if len(top) != 1:
            raise BackupDamaged(f"{self.root} does not say which of its files is the catalogue.")
        return top[0]

    @property
    def store_folder(self) -> str | None:
        name = self.info.get(STORE_LABEL, "")
        return f"{PAYLOAD}/{name}" if name and "/" not in name and name not in (".", "..") else None


def read(path: Path) -> BackupContents:
    """Read the backup's manifests and compare them with its folder (no file is hashed)."""
    root = path.expanduser().absolute()
    if not root.is_dir():
        raise BackupDamaged(f"There is no backup at {root}: it is not a folder.")
    try:
        bag = bagit.Bag(str(root))
    except bagit.BagError as exc:
        raise BackupDamaged(
            f"{root} is not a backup made by this program (not a readable BagIt bag)."
        ) from exc
    if ALGORITHM not in bag.algorithms:
        raise BackupDamaged(f"The backup at {root} has no SHA-256 manifest.")
    expected: dict[str, str] = {}
    for relative, hashes in bag.entries.items():
        digest = hashes.get(ALGORITHM)
        if digest is not None:
            expected[Path(relative).as_posix()] = str(digest).lower()
    only_listed, only_present = bag.compare_manifests_with_fs()
    unexpected = {Path(p).as_posix() for p in only_present}
    known_top = {*TAG_FILES, TAG_MANIFEST, PAYLOAD}
    unexpected |= {entry.name for entry in root.iterdir() if entry.name not in known_top}
    info = {str(k): v if isinstance(v, str) else "; ".join(v) for k, v in bag.info.items()}
    return BackupContents(
        root=root,
        info=info,
        expected=expected,
        missing=tuple(sorted(Path(p).as_posix() for p in only_listed)),
        unexpected=tuple(sorted(unexpected)),
    )
