"""`catalog search` and `catalog reindex` as scripts use them."""

from __future__ import annotations

import json

import pytest

from catalog_app.cli import main
from catalog_app.services import Catalogue


@pytest.fixture
def described(catalogue: Catalogue) -> Catalogue:
    for number in range(30):
        catalogue.units.create(
            {
                "title": f"Testimony {number} from Evin",
                "scope_content": "مادران در خاوران گرد آمدند" if number % 3 == 0 else "Prison.",
            }
        )
    return catalogue


def test_search_json(described: Catalogue, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--db", str(described.path), "search", "خاوران", "--limit", "5", "--json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total"] == 10
    assert data["limit"] == 5
    assert len(data["results"]) == 5
    first = data["results"][0]
    assert set(first) >= {"id", "reference_code", "title", "score", "snippet", "highlights"}
    start, end = first["highlights"][0]
    assert first["snippet"][start:end] == "خاوران"
    assert set(data["facets"]) == {
        "collection",
        "decade",
        "language",
        "media_type",
        "grade",
        "access_status",
        "review",
    }
    assert data["facets"]["access_status"] == [{"value": "open", "count": 10}]


def test_search_pages_with_offset(described: Catalogue, capsys: pytest.CaptureFixture[str]) -> None:
    pages = []
    for offset in (0, 20):
        main(["--db", str(described.path), "search", "evin", "--offset", str(offset), "--json"])
        pages.append([r["id"] for r in json.loads(capsys.readouterr().out)["results"]])
    assert len(pages[0]) == 20
    assert len(pages[1]) == 10
    assert not set(pages[0]) & set(pages[1])


def test_search_text_output_marks_matches(
    described: Catalogue, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", str(described.path), "search", "testimony", "1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1 found; showing 1-1")
    assert "[Testimony] [1] from Evin" in out


def test_a_bad_query_is_one_line_and_exit_1(
    described: Catalogue, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", str(described.path), "search", '"unclosed']) == 1
    assert capsys.readouterr().err == 'catalog: a quotation mark (") is not closed\n'


def test_reindex(described: Catalogue, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(described.path), "reindex", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["indexed"] == 30


def test_a_thousand_opening_brackets_get_one_line(
    described: Catalogue, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", str(described.path), "search", "(" * 1000]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "deep" in err
