"""`catalog verify`: re-proving every stored original, recording each check, resuming."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from catalog_app.cli import main
from catalog_app.cli.progress import ProgressBar
from catalog_app.ingest import store
from catalog_app.services import Catalogue
from catalog_app.services import fixity as fixity_module
from catalog_app.services import rehash as rehash_module
from catalog_app.services.rehash import check_copy

DOCUMENTS = 12


def make_catalogue(tmp_path: Path, documents: int = DOCUMENTS) -> Path:
    """A catalogue with a collection (CAT-0001) holding `documents` imported text files."""
    db = tmp_path / "cat.sqlite"
    source = tmp_path / "captures"
    (source / "series").mkdir(parents=True)
    for number in range(documents):
        folder = source / "series" if number % 2 else source
        (folder / f"doc{number:03}.txt").write_text(
            f"Testimony {number}: گزارش شاهدان از خاوران {number}", encoding="utf-8"
        )
    with Catalogue.open(db, create=True, actor="tester") as catalogue:
        report = catalogue.imports.run([source], recursive=True, workers=1)
        assert report.count("imported") == documents
    return db


def stored_copies(db: Path) -> list[Path]:
    return sorted(p for p in store.store_root(db).glob("??/*") if p.is_file())


def writable(path: Path) -> Path:
    path.chmod(stat.S_IRUSR | stat.S_IWUSR)  # stored copies are read-only
    return path


def verify_json(
    db: Path, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, dict[str, Any]]:
    code = main(["--db", str(db), "verify", "--json", *extra])
    out = capsys.readouterr().out
    return code, json.loads(out)


def fixity_events(db: Path) -> list[tuple[int, str, str]]:
    with Catalogue.open(db, actor="tester") as catalogue, catalogue.db.read() as session:
        rows = session.connection().exec_driver_sql(
            "SELECT file_id, outcome, tool FROM provenance_events "
            "WHERE event_type = 'fixity check' ORDER BY id"
        )
        return [(int(r[0]), str(r[1]), str(r[2])) for r in rows]


def audit_rows(db: Path) -> int:
    with Catalogue.open(db, actor="tester") as catalogue:
        return catalogue.stats().counts["audit_log"]


def test_an_intact_store_verifies_with_one_event_per_original_and_few_audit_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = make_catalogue(tmp_path)
    before = audit_rows(db)
    code, result = verify_json(db, capsys)
    assert code == 0
    assert set(result) >= {"checked", "ok", "missing", "altered", "orphaned", "seconds"}
    assert (result["checked"], result["ok"]) == (DOCUMENTS, DOCUMENTS)
    assert result["missing"] == result["altered"] == result["orphaned"] == []
    assert result["complete"]
    assert result["recorded"]
    assert not result["resumed"]
    events = fixity_events(db)
    assert sorted(file_id for file_id, _, _ in events) == list(range(1, DOCUMENTS + 1))
    assert {outcome for _, outcome, _ in events} == {"success"}
    # Not one audit row per event: the run's start, one per batch, and its end.
    assert audit_rows(db) - before <= 4
    assert main(["--db", str(db), "check"]) == 0


def test_a_flipped_byte_a_deleted_original_and_orphans_are_caught(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = make_catalogue(tmp_path)
    flipped, deleted, *_ = stored_copies(db)
    data = bytearray(flipped.read_bytes())
    data[3] ^= 0x01
    writable(flipped).write_bytes(bytes(data))
    deleted.unlink()
    root = store.store_root(db)
    stray = root / "ab" / "not-an-original"
    stray.parent.mkdir(exist_ok=True)
    stray.write_bytes(b"left here")
    leftover = root / store.INCOMING / "0123abcd.part"
    leftover.parent.mkdir(exist_ok=True)
    leftover.write_bytes(b"half a copy")

    code, result = verify_json(db, capsys)
    assert code == 1
    assert (result["checked"], result["ok"]) == (DOCUMENTS, DOCUMENTS - 2)
    (altered,) = result["altered"]
    assert altered["stored_path"] == str(flipped)
    assert altered["expected_sha256"] == flipped.name
    assert altered["actual_sha256"] == store.sha256_of(flipped)
    assert altered["original_name"].startswith("doc")
    assert altered["reference_code"].startswith("CAT-")
    assert {"id", "uuid", "file_id"} <= set(altered)
    (missing,) = result["missing"]
    assert missing["stored_path"] == str(deleted)
    assert missing["expected_sha256"] == deleted.name
    assert "actual_sha256" not in missing
    orphans = {o["stored_path"]: o["temporary"] for o in result["orphaned"]}
    assert orphans == {str(stray): False, str(leftover): True}
    failures = [outcome for _, outcome, _ in fixity_events(db) if outcome == "failure"]
    assert len(failures) == 2

    main(["--db", str(db), "verify"])
    text = capsys.readouterr().out
    assert f"altered: {altered['reference_code']}" in text
    assert f"missing: {missing['reference_code']}" in text
    assert f"orphaned: {stray}" in text


def test_an_interrupted_run_is_recorded_and_resumed_not_restarted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_catalogue(tmp_path)
    monkeypatch.setattr(fixity_module, "REPORT_FILES", 1)
    monkeypatch.setattr(rehash_module, "GROUP_FILES", 1)
    monkeypatch.setattr(fixity_module, "BATCH", 4)
    reports = 0

    def ctrl_c_after_five(self: ProgressBar, done: int, total: int) -> bool:
        nonlocal reports
        reports += 1
        if reports == 5:
            raise KeyboardInterrupt
        return True

    monkeypatch.setattr(ProgressBar, "__call__", ctrl_c_after_five)
    assert main(["--db", str(db), "verify"]) == 130
    assert "interrupted" in capsys.readouterr().err
    first = fixity_events(db)
    assert 0 < len(first) < DOCUMENTS  # what was checked before Ctrl-C is recorded
    (run_tool,) = {tool for _, _, tool in first}

    monkeypatch.setattr(ProgressBar, "__call__", lambda self, done, total: True)
    code, result = verify_json(db, capsys)
    assert code == 0
    assert result["resumed"]
    assert result["complete"]
    assert result["checked"] == DOCUMENTS
    events = fixity_events(db)
    assert len(events) == DOCUMENTS  # only the rest was checked, each original once
    assert sorted(file_id for file_id, _, _ in events) == list(range(1, DOCUMENTS + 1))
    assert {tool for _, _, tool in events} == {run_tool}

    # Once finished, the next run is a new one.
    code, result = verify_json(db, capsys)
    assert code == 0
    assert not result["resumed"]
    assert len(fixity_events(db)) == 2 * DOCUMENTS


def test_a_cancelled_run_stops_after_recording_and_carries_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_catalogue(tmp_path)
    monkeypatch.setattr(fixity_module, "REPORT_FILES", 1)
    monkeypatch.setattr(rehash_module, "GROUP_FILES", 1)
    with Catalogue.open(db, actor="tester") as catalogue:
        stopped = catalogue.fixity.verify(report=lambda done, total: done < 3)
        assert not stopped.complete
        assert 3 <= stopped.checked < DOCUMENTS
        assert catalogue.fixity.last() is None  # nothing finished yet
        finished = catalogue.fixity.verify()
        assert finished.resumed
        assert finished.all_ok
        assert finished.checked == DOCUMENTS
        last = catalogue.fixity.last()
        assert last is not None
        assert last.run_id == finished.run_id
        assert last.checked == DOCUMENTS
        assert last.finished_at is not None
    assert len(fixity_events(db)) == DOCUMENTS


def test_collection_limits_the_run_and_skips_orphans(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = make_catalogue(tmp_path)
    with Catalogue.open(db, actor="tester") as catalogue:
        units = [catalogue.units.get(i) for i in catalogue.browse.ids(None, recursive=True)]
        (series,) = [u for u in units if u.title == "series"]
        below = catalogue.browse.ids(series.id, recursive=True)
        inside = {f.sha256 for unit_id in below for f in catalogue.units.get(unit_id).files}
    assert len(inside) == DOCUMENTS // 2
    outside = next(p for p in stored_copies(db) if p.name not in inside)
    outside.unlink()  # not in the collection: not reported
    (store.store_root(db) / "ab").mkdir(exist_ok=True)
    (store.store_root(db) / "ab" / "stray").write_bytes(b"x")

    code, result = verify_json(db, capsys, "--collection", series.reference_code)
    assert code == 0
    assert result["checked"] == DOCUMENTS // 2
    assert result["collection"] == series.reference_code
    assert result["missing"] == result["orphaned"] == []

    code, result = verify_json(db, capsys)  # the whole catalogue is another run
    assert code == 1
    assert not result["resumed"]
    assert [m["stored_path"] for m in result["missing"]] == [str(outside)]
    assert len(result["orphaned"]) == 1

    assert main(["--db", str(db), "verify", "--collection", "NOPE"]) == 1
    assert capsys.readouterr().err.strip() == (
        "catalog: No record has the id or reference code 'NOPE'."
    )
    assert main(["--db", str(db), "verify", "--bogus"]) == 2


def test_check_still_passes_after_verify_and_still_catches_tampering(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = make_catalogue(tmp_path)
    assert main(["--db", str(db), "verify"]) == 0
    assert main(["--db", str(db), "check"]) == 0
    capsys.readouterr()
    with closing(sqlite3.connect(db)) as connection:
        connection.execute("DROP TRIGGER audit_log_no_update")
        connection.execute(
            "UPDATE audit_log SET new_value = replace(new_value, '\"ok\"', '\"OK\"') "
            "WHERE table_name = 'provenance_events' AND field = 'fixity check'"
        )
        connection.commit()
    assert main(["--db", str(db), "check", "--json"]) == 1
    assert any(
        "audit log was altered" in p for p in json.loads(capsys.readouterr().out)["problems"]
    )


def test_check_catches_a_deleted_audit_row_of_a_verify_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = make_catalogue(tmp_path)
    assert main(["--db", str(db), "verify"]) == 0
    with closing(sqlite3.connect(db)) as connection:
        connection.execute("DROP TRIGGER audit_log_no_delete")
        connection.execute(
            "DELETE FROM audit_log WHERE table_name = 'provenance_events' "
            "AND field = 'fixity check'"
        )
        connection.commit()
    capsys.readouterr()
    assert main(["--db", str(db), "check"]) == 1
    assert "audit log was altered" in capsys.readouterr().out


def test_a_read_only_catalogue_is_verified_but_nothing_is_recorded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = make_catalogue(tmp_path)
    writable(stored_copies(db)[0]).write_bytes(b"changed")
    db.chmod(stat.S_IRUSR | stat.S_IRGRP)
    before = audit_rows(db)
    code = main(["--db", str(db), "verify", "--json"])
    captured = capsys.readouterr()
    assert code == 1
    result = json.loads(captured.out)
    assert result["checked"] == DOCUMENTS
    assert len(result["altered"]) == 1
    assert result["recorded"] is False
    assert "could not be recorded" in captured.err
    assert fixity_events(db) == []
    assert audit_rows(db) == before


def test_the_originals_tab_check_and_the_audit_share_one_rule(tmp_path: Path) -> None:
    db = make_catalogue(tmp_path, documents=1)
    with Catalogue.open(db, actor="tester") as catalogue:
        (unit_id,) = [
            u for u in catalogue.browse.ids(None, recursive=True) if catalogue.units.get(u).files
        ]
        (file,) = catalogue.units.get(unit_id).files
        from catalog_app.services.originals import OriginalsService

        single = OriginalsService(catalogue).verify(file.id)
        root = catalogue.fixity.store_root
        assert single == check_copy(root, file.id, file.sha256, file.stored_path)


def test_a_stray_file_whose_name_is_not_utf8_is_named_with_escapes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], isolated_home: Path
) -> None:
    db = make_catalogue(tmp_path, 2)
    folder = stored_copies(db)[0].parent
    stray = os.fsencode(folder) + b"/stray\xff.bin"
    Path(os.fsdecode(stray)).write_bytes(b"left here")
    code, result = verify_json(db, capsys)
    assert code == 1
    assert [o["stored_path"] for o in result["orphaned"]] == [
        os.fsdecode(stray).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    ]
    assert main(["--db", str(db), "check"]) == 0
    log = (isolated_home / "logs" / "catalog.log").read_text(encoding="utf-8")
    assert "verify: orphaned file in the store: " in log
