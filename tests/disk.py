"""A small filesystem to fill up, for tests of what happens when the disk is full."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def small_filesystem(folder: Path, size_kib: int) -> Iterator[Path]:
    """A tmpfs of `size_kib` mounted on `folder` (which it makes); skips the test where
    mounting is not permitted (not root, or a container without the capability)."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a small filesystem needs root to mount one")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_kib}k", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small filesystem here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


def fill(folder: Path) -> Path:
    """Fill the filesystem holding `folder` to the last byte; returns the filler to delete."""
    filler = folder / "filler"
    with filler.open("wb", buffering=0) as out:
        block = b"\0" * 4096
        while block:
            try:
                out.write(block)
            except OSError:
                block = block[: len(block) // 2]
    return filler
