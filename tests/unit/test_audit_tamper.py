"""Someone with the catalogue file and an SQLite shell, but not the program, tampers with it:
`catalog check` finds each kind of change, against the seal or a backup where it must."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from catalog_app.cli import main
from catalog_app.domain.records import AgentName, NewAssessment, NewEvent
from catalog_app.domain.reliability import InformationCredibility, SourceReliability
from catalog_app.paths import HOME_ENV
from catalog_app.services import Catalogue


@contextmanager
def shell(path: Path) -> Iterator[sqlite3.Connection]:
    """A plain SQLite connection to the closed catalogue, committed at the end."""
    with closing(sqlite3.connect(path)) as db:
        yield db
        db.commit()


def recompute_chain_with_sha256(db: sqlite3.Connection) -> None:
    """What anyone who reads the source can do: rewrite every hash of a plain chain."""
    db.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    prev = "0" * 64
    columns = "id, at, actor, action, table_name, row_uuid, field, old_value, new_value, reason"
    for row in db.execute(f"SELECT {columns} FROM audit_log ORDER BY id").fetchall():
        at = datetime.fromisoformat(row[1]).replace(tzinfo=UTC).isoformat()
        payload = json.dumps([prev, at, *row[2:]], ensure_ascii=False, separators=(",", ":"))
        new = hashlib.sha256(payload.encode("utf-8")).hexdigest()
        db.execute("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?", (prev, new, row[0]))
        prev = new


def cut_newest_rows(db: sqlite3.Connection, count: int) -> None:
    """Remove the newest audit rows and set the row count in the file's header to match."""
    db.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    db.execute(
        "DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log ORDER BY id DESC LIMIT ?)",
        (count,),
    )
    (left,) = db.execute("SELECT count(*) FROM audit_log").fetchone()
    db.execute(f"PRAGMA user_version = {left}")


def check(path: Path, capsys: pytest.CaptureFixture[str], *options: str) -> tuple[int, str]:
    code = main(["--db", str(path), "check", *options])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def sealed(path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["--db", str(path), "seal", "--json"]) == 0
    seal = json.loads(capsys.readouterr().out)
    return str(seal["seal"])


@pytest.fixture(scope="module")
def archive_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A closed catalogue that has seen creates, edits, deletes, a withdrawal undone, an
    imported original and a fixity check (its events recorded by one audit row)."""
    folder = tmp_path_factory.mktemp("archive")
    catalogue_path = folder / "catalogue.sqlite"
    source = tmp_path_factory.mktemp("sources") / "testimony.txt"
    source.write_text("What the witness saw that night.", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(HOME_ENV, str(tmp_path_factory.mktemp("home")))
        _fill(catalogue_path, source)
    return catalogue_path


def _fill(catalogue_path: Path, source: Path) -> None:
    with Catalogue.open(catalogue_path, create=True, actor="tester") as cat:
        cat.imports.run([source], workers=1)
        fonds = cat.units.create({"title": "Testimonies", "level": "fonds"})
        unit = cat.units.create({"title": "Interview 1"}, parent_id=fonds.id)
        gone = cat.units.create({"title": "Duplicate"}, parent_id=fonds.id)
        cat.units.update(unit.id, {"title": "Interview with a witness", "languages": ["fa"]})
        cat.units.update(unit.id, {"scope_content": "About the night of the arrest."})
        agent = cat.agents.create("Amnesty International", kind="organisation")
        cat.agents.add_name(agent.id, AgentName("AI", "variant", None))
        cat.agents.update(agent.id, {"history": "Founded 1961"})
        cat.units.link_agent(unit.id, agent.id, "publisher")
        cat.units.link_agent(unit.id, agent.id, "subject")
        cat.units.unlink_agent(unit.id, agent.id, "subject")
        cat.units.link_place(unit.id, cat.terms.place("Evin").id)
        cat.units.link_subject(unit.id, cat.terms.subject("Arrests").id)
        cat.terms.place("Evin", variants=["Evin Prison"])
        event = cat.provenance.record(unit.id, NewEvent("capture", note="phone"))
        cat.provenance.update(event.id, {"note": "phone, then USB stick"})
        cat.reliability.assess(
            unit.id, NewAssessment(SourceReliability.B, InformationCredibility.PROBABLY_TRUE)
        )
        cat.relations.relate(gone.id, unit.id, "cites")
        cat.units.withdraw(unit.id)
        cat.units.reinstate(unit.id)
        cat.units.delete(gone.id)
        cat.set_setting("reference_code_prefix", "IR-HRD")
        assert cat.fixity.verify().all_ok


@pytest.fixture
def archive(archive_template: Path, tmp_path: Path) -> Path:
    """A copy of the archive (and its originals) for one test to tamper with."""
    folder = tmp_path / "archive"
    shutil.copytree(archive_template.parent, folder)
    return folder / archive_template.name


def reference_of(path: Path, title: str) -> str:
    with closing(sqlite3.connect(path)) as db:
        (code,) = db.execute(
            "SELECT reference_code FROM units WHERE title = ?", (title,)
        ).fetchone()
    return str(code)


def test_an_untouched_catalogue_passes_every_check(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Catalogue.open(archive) as cat:
        cat.backup(tmp_path / "backup")
    seal = sealed(archive, capsys)
    code, out = check(archive, capsys, "--seal", seal, "--against-backup", str(tmp_path / "backup"))
    assert (code, out.count("problem:")) == (0, 0), out
    assert "records against their audit trail, the seal, the backup" in out


def test_a_title_changed_in_sql_is_reported_with_its_reference_code(
    archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = reference_of(archive, "Interview with a witness")
    with shell(archive) as db:
        db.execute("UPDATE units SET title = 'Nothing to see' WHERE reference_code = ?", (code,))
    exit_code, out = check(archive, capsys)
    assert exit_code == 1
    assert out.splitlines() == [
        f"problem: record {code} title: differs from its audit trail (changed without an audit row)"
    ]


@pytest.mark.parametrize(
    ("tampering", "reported"),
    [
        (
            "UPDATE agents SET history = 'Founded 1970'",
            "history: differs from its audit trail",
        ),
        ("UPDATE provenance_events SET note = 'none'", "note: differs from its audit trail"),
        ("DELETE FROM unit_places", "place: link removed without an audit row"),
        ("DELETE FROM agent_names", "name (variant): link removed without an audit row"),
        (
            "INSERT INTO unit_subjects SELECT u.id, s.id FROM units u, subjects s "
            "WHERE u.level = 'fonds'",
            "subject: link added without an audit row",
        ),
        (
            "UPDATE settings SET value = 'XX' WHERE key = 'reference_code_prefix'",
            "setting reference_code_prefix: differs from its audit trail",
        ),
        ("UPDATE files SET size = 1", "size: differs from its audit trail"),
        (
            "UPDATE files SET extracted_text = 'Nothing was seen.'",
            "extracted_text: differs from its audit trail",
        ),
        (
            "UPDATE provenance_events SET outcome = 'failure' WHERE event_type = 'fixity check'",
            "events recorded by one audit row do not match it: they were changed",
        ),
        (
            "DELETE FROM provenance_events WHERE event_type = 'fixity check'",
            "events recorded by one audit row do not match it: some were removed",
        ),
        ("DELETE FROM reliability_assessments", "was removed without an audit row"),
        (
            "INSERT INTO places (uuid, name, variants) VALUES ('p-1', 'Nowhere', '[]')",
            "place p-1: was added without an audit row",
        ),
    ],
)
def test_other_records_changed_in_sql_are_reported(
    archive: Path, capsys: pytest.CaptureFixture[str], tampering: str, reported: str
) -> None:
    with shell(archive) as db:
        assert db.execute(tampering).rowcount > 0
    exit_code, out = check(archive, capsys)
    assert exit_code == 1
    assert reported in out


def test_cut_off_rows_with_the_count_fixed_are_reported_against_the_seal_and_a_backup(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Catalogue.open(archive) as cat:
        cat.units.create({"title": "Names of the detained"})
        cat.backup(tmp_path / "backup")
    seal = sealed(archive, capsys)
    with shell(archive) as db:  # the record and every trace of it go
        db.execute("DELETE FROM units WHERE title = 'Names of the detained'")
        cut_newest_rows(db, 1)
    exit_code, out = check(archive, capsys, "--seal", seal)
    assert exit_code == 1
    assert "fewer than the" in out
    assert "rows were removed" in out
    exit_code, out = check(archive, capsys, "--against-backup", str(tmp_path / "backup"))
    assert exit_code == 1
    assert f"in the backup at {tmp_path / 'backup'}: rows were removed" in out


def test_a_rewritten_and_recomputed_chain_is_reported_against_the_seal_and_a_backup(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Catalogue.open(archive) as cat:
        cat.backup(tmp_path / "backup")
    seal = sealed(archive, capsys)
    with shell(archive) as db:  # history rewritten consistently: record and trail agree
        (edited,) = db.execute(
            "SELECT count(*) FROM audit_log WHERE id <= (SELECT id FROM audit_log "
            "WHERE field = 'title' AND new_value = 'Interview with a witness')"
        ).fetchone()
        db.execute("DROP TRIGGER audit_log_no_update")
        db.execute(
            "UPDATE audit_log SET new_value = 'Interview with a journalist' "
            "WHERE field = 'title' AND new_value = 'Interview with a witness'"
        )
        db.execute("UPDATE units SET title = 'Interview with a journalist' WHERE title LIKE 'Int%'")
        recompute_chain_with_sha256(db)
    exit_code, out = check(archive, capsys)
    assert exit_code == 0, out  # a plain chain: only an anchor outside the file shows this
    exit_code, out = check(archive, capsys, "--seal", seal)
    assert exit_code == 1
    assert "does not extend the one the seal" in out
    exit_code, out = check(archive, capsys, "--against-backup", str(tmp_path / "backup"))
    assert exit_code == 1
    assert f"row {edited} differs, so its history was rewritten" in out


def test_a_backup_records_the_seal_and_its_own_altered_copy_is_found(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = tmp_path / "backup"
    with Catalogue.open(archive) as cat:
        cat.backup(backup)
    seal = sealed(archive, capsys)
    assert f"Catalogue-Seal: {seal}\n" in (backup / "bag-info.txt").read_text()
    with shell(backup / "data" / archive.name) as db:
        recompute_chain_with_sha256(db)  # unchanged content, so the same hashes...
        db.execute("DROP TRIGGER audit_log_no_delete")
        db.execute("DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)")
    exit_code, out = check(archive, capsys, "--against-backup", str(backup))
    assert exit_code == 1
    assert "does not match the seal it records" in out


def test_a_mistyped_seal_gets_one_line(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seal = sealed(archive, capsys)
    typo = seal[:-1] + ("0" if seal[-1] != "0" else "1")
    exit_code, out = check(archive, capsys, "--seal", typo)
    assert exit_code == 1
    assert out.strip().splitlines() == [
        f"catalog: The seal '{typo}' has a typing mistake in it (its last group does not match "
        "the others); copy it again from where it was noted."
    ]
    exit_code, out = check(archive, capsys, "--seal", "not a seal")
    assert exit_code == 1
    assert "is not a catalogue seal" in out
    # As a person may copy it: capitals, spaces for dashes, a thousands separator.
    loose = seal.upper().replace("-", " ")
    assert check(archive, capsys, "--seal", loose)[0] == 0


def test_seal_prints_the_code_and_its_parts(
    archive: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", str(archive), "seal", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    with closing(sqlite3.connect(archive)) as db:
        rows, head = db.execute(
            "SELECT count(*), (SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1) FROM audit_log"
        ).fetchone()
    assert (data["rows"], data["head"]) == (rows, head)
    groups = data["seal"].split(":")[1].split("-")
    assert data["seal"].startswith(f"{rows}:")
    assert [len(g) for g in groups] == [4] * 5
    assert "".join(groups[:4]) == head[:16]
    assert main(["--db", str(archive), "seal"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == data["seal"]
