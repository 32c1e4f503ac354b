"""Exports that were killed, failed or ran out of disk leave nothing behind them."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from catalog_app import staging
from catalog_app.cli import main
from catalog_app.services import Catalogue
from catalog_app.services.exports import ExportService
from tests.disk import fill, small_filesystem


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


@pytest.fixture
def described(catalogue: Catalogue) -> Catalogue:
    parent = catalogue.units.create({"title": "Testimonies", "level": "series"})
    for number in range(5):
        catalogue.units.create({"title": f"Testimony {number}"}, parent_id=parent.id)
    return catalogue


def test_the_next_export_removes_what_a_killed_one_left(
    described: Catalogue, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    pid = dead_pid()
    left_file = out / f".aid.csv.partial-{pid}-0123abcd"
    left_file.write_text("half a finding aid")
    left_sheet = out / f".book.xlsx.partial-{pid}-0123abcd.sheet.xml"
    left_sheet.write_text("<half/>")
    left_bag = out / f".bag.partial-{pid}-89abcdef"
    (left_bag / "data").mkdir(parents=True)
    copy = left_bag / "data" / "original.pdf"
    copy.write_bytes(b"%PDF-1.4")
    copy.chmod(stat.S_IRUSR)
    (left_bag / "data").chmod(stat.S_IRUSR | stat.S_IXUSR)
    running = out / ".other.csv.partial-1-0123abcd"  # pid 1 is alive: not ours to remove
    running.write_text("still being written")
    mine = out / "notes.partial-1234.txt"  # a person's file that only looks similar
    mine.write_text("keep me")

    ExportService(described).export("xlsx", out / "book.xlsx")

    remaining = sorted(p.name for p in out.iterdir())
    assert remaining == sorted(["book.xlsx", running.name, mine.name])
    load_workbook(out / "book.xlsx", read_only=True).close()  # a workbook, readable
    mode = (out / "book.xlsx").stat().st_mode
    assert mode & stat.S_IRGRP or mode & stat.S_IROTH or stat.S_IMODE(mode) == 0o600


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ead", "dc", "bag"])
def test_a_full_disk_gives_one_line_and_leaves_nothing(
    described: Catalogue, tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    with small_filesystem(tmp_path / "disk", 64) as disk:
        filler = fill(disk)
        target = disk / f"export-{fmt}"
        code = main(["--db", str(described.path), "export", fmt, str(target)])
        err = capsys.readouterr().err
        assert code == 1
        assert err.startswith("catalog: ")
        assert err.count("\n") == 1, err
        assert "space" in err
        assert "Traceback" not in err
        assert sorted(p.name for p in disk.iterdir()) == ["filler"]

        filler.unlink()
        assert main(["--db", str(described.path), "export", fmt, str(target)]) == 0
        assert target.exists()
        assert sorted(p.name for p in disk.iterdir()) == [target.name]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_a_killed_writer_not_yet_reaped_counts_as_gone() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    stat_file = Path(f"/proc/{child.pid}/stat")
    # Wait (on a condition) until it has exited but nobody has reaped it: a zombie.
    while stat_file.read_text().rsplit(")", 1)[1].split()[0] != "Z":
        os.sched_yield()
    try:
        assert not staging.process_alive(child.pid)
        assert staging.process_alive(os.getpid())
    finally:
        child.wait()
