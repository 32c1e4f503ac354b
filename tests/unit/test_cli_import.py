"""`catalog import` as scripts and people use it."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

import pytest

from catalog_app.cli import main, progress
from tests.documents import ARABIC, ENGLISH, PERSIAN, html_page

CAPTURES = {
    "000.txt": "The regime tried to justify its crime by pretending the executed were drug "
    "smugglers, which is an odd claim.\n\n" + ENGLISH,
    "001.txt": "News : Human rights\n\nWho Were the Ayyaran in Iran?\n\n" + ENGLISH,
    "002.txt": "Posts Tagged ‘1988 Massacre’\n\nA post. July 15, 2019\n\n" + ENGLISH,
    "003.txt": PERSIAN + "\n\n" + PERSIAN * 5,
    "004.html": html_page().decode(),
}


@pytest.fixture
def captures(tmp_path: Path) -> Path:
    folder = tmp_path / "captures"
    folder.mkdir()
    for name, text in CAPTURES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main([*args, "--json"])
    captured = capsys.readouterr()
    # No progress bar or chatter in --json mode: at most progress as JSON lines.
    for line in captured.err.splitlines():
        assert json.loads(line)["progress"] == "import"
    return code, json.loads(captured.out)


def test_json_mode_reports_progress_on_stderr_one_object_a_line(
    tmp_path: Path,
    captures: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(progress, "JSON_SECONDS", 0.0)  # a line at every step, however fast
    db = str(tmp_path / "cat.sqlite")
    assert main(["--db", db, "init"]) == 0
    capsys.readouterr()
    code = main(["--db", db, "import", str(captures), "--json"])
    captured = capsys.readouterr()
    assert code == 0
    lines = [json.loads(line) for line in captured.err.splitlines()]
    assert lines, "no progress was reported"
    assert {line["progress"] for line in lines} == {"import"}
    assert all(line["total"] == len(CAPTURES) for line in lines)
    done = [line["done"] for line in lines]
    assert done == sorted(done)
    assert done[-1] == len(CAPTURES)
    assert json.loads(captured.out)["imported"] == len(CAPTURES)  # stdout: the result alone


def test_importing_a_folder_of_captures_then_again(
    tmp_path: Path, captures: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "cat.sqlite")
    assert main(["--db", db, "init"]) == 0
    capsys.readouterr()
    code, first = run_json(capsys, "--db", db, "import", str(captures))
    assert code == 0
    assert (first["imported"], first["duplicates"], first["failed"]) == (5, 0, 0)
    items = first["items"]
    assert isinstance(items, list)
    assert [Path(i["path"]).name for i in items] == sorted(CAPTURES)
    assert all(i["outcome"] == "imported" and i["id"] and i["reference_code"] for i in items)

    titles = {}
    for item in items:
        assert main(["--db", db, "show", item["reference_code"], "--json"]) == 0
        record = json.loads(capsys.readouterr().out)
        source = captures / Path(item["path"]).name
        assert record["files"][0]["sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
        titles[source.name] = (record["title"], record["languages"])
    assert titles["001.txt"] == ("Who Were the Ayyaran in Iran?", ["en"])
    assert titles["002.txt"] == ("Posts Tagged ‘1988 Massacre’", ["en"])
    assert titles["003.txt"][1] == ["fa"]
    # Its Persian paragraph is an eighth of its letters: a real share (ingest.languages).
    assert titles["004.html"] == ("Families gather at Khavaran", ["en", "fa"])

    code, again = run_json(capsys, "--db", db, "import", str(captures))
    assert code == 0
    assert (again["imported"], again["duplicates"], again["failed"]) == (0, 5, 0)
    assert [i["reference_code"] for i in again["items"]] == [i["reference_code"] for i in items]
    assert main(["--db", db, "stats", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["counts"]["units"] == 5


def test_some_failures_exit_1_after_cataloguing_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "cat.sqlite")
    main(["--db", db, "init"])
    capsys.readouterr()
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "ok.txt").write_text(ARABIC)
    code, result = run_json(
        capsys,
        "--db",
        db,
        "import",
        str(tmp_path / "empty.txt"),
        str(tmp_path / "ok.txt"),
        str(tmp_path / "missing.txt"),
    )
    assert code == 1
    assert [(i["outcome"], i["reason"]) for i in result["items"]] == [
        ("failed", "no such file or folder"),
        ("failed", "the file is empty (0 bytes)"),
        ("imported", None),
    ]


def test_the_human_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "cat.sqlite")
    main(["--db", db, "init"])
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "ok.txt").write_text(ENGLISH)
    capsys.readouterr()
    assert main(["--db", db, "import", str(tmp_path / "empty.txt"), str(tmp_path / "ok.txt")]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"failed: {tmp_path / 'empty.txt'}: the file is empty (0 bytes)",
        "1 imported, 0 duplicate(s), 1 failed",
    ]


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(tmp_path / "c.sqlite"), "import"]) == 2
    assert main(["--db", str(tmp_path / "c.sqlite"), "import", "x", "--workers", "two"]) == 2


def test_an_unknown_collection_is_one_line(
    tmp_path: Path, captures: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "cat.sqlite")
    main(["--db", db, "init"])
    capsys.readouterr()
    assert main(["--db", db, "import", str(captures), "--collection", "NOPE"]) == 1
    assert capsys.readouterr().err.strip() == (
        "catalog: No record has the id or reference code 'NOPE'."
    )


def _units_in(db: str) -> int:
    import sqlite3

    try:
        connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            return int(connection.execute("SELECT count(*) FROM units").fetchone()[0])
        finally:
            connection.close()
    except sqlite3.Error:
        return 0


def test_ctrl_c_stops_cleanly_and_running_again_finishes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deterministic: one file's reader hangs, so the import cannot finish before Ctrl-C,
    and Ctrl-C comes only once a batch has been committed."""
    import signal
    import subprocess
    import sys

    from bench.ingest_bench import make_corpus
    from tests.unit import hostile_worker

    corpus = tmp_path / "corpus"
    make_corpus(corpus, 400, "mixed")
    (corpus / "hangs.txt").write_text("hang " + ENGLISH)
    db = str(tmp_path / "cat.sqlite")
    catalog = str(Path(sys.executable).with_name("catalog"))
    subprocess.run([catalog, "--db", db, "init"], check=True, capture_output=True)
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parents[2]))
    monkeypatch.setenv("CATALOG_IMPORT_SECONDS", "3600")
    running = subprocess.Popen(
        hostile_worker.catalog_command("--db", db, "import", "--recursive", str(corpus)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 300
        while _units_in(db) == 0:  # wait for the first batch, however loaded the machine
            assert running.poll() is None, running.communicate()
            assert time.monotonic() < deadline, "no batch was committed in 300 s"
            time.sleep(0.05)
        running.send_signal(signal.SIGINT)
        _, err = running.communicate(timeout=300)
    finally:
        running.kill()
    assert running.returncode == 130
    assert err.strip().splitlines() == [
        "catalog: interrupted; what was finished is saved, so running the same command "
        "again completes it"
    ]
    again = subprocess.run(
        [catalog, "--db", db, "import", "--recursive", str(corpus), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert again.returncode == 0, again.stderr
    result = json.loads(again.stdout)
    assert result["imported"] + result["duplicates"] == 401
    assert _units_in(db) == 401 + 1  # and one folder record: nothing twice
    assert result["failed"] == 0
    check = subprocess.run([catalog, "--db", db, "check"], capture_output=True, check=False)
    assert check.returncode == 0
