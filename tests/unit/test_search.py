"""Searching as archivists do: every query form, both scripts, names, edits, hostile input."""

from __future__ import annotations

import re
from contextlib import closing

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog_app.domain.records import AgentName, NewAssessment
from catalog_app.domain.reliability import InformationCredibility, SourceReliability
from catalog_app.errors import CatalogError
from catalog_app.search.highlight import Snippet
from catalog_app.services import Catalogue
from catalog_app.storage import driver


def refs(catalogue: Catalogue, query: str, **options: object) -> list[str]:
    results = catalogue.search.search(query, limit=100, **options)  # type: ignore[arg-type]
    return [hit.reference_code for hit in results.hits]


@pytest.fixture
def archive(catalogue: Catalogue) -> Catalogue:
    """A small catalogue with English, Persian and Arabic records."""
    add = catalogue.units.create
    fonds = add({"title": "Prison testimonies", "level": "fonds", "reference_code": "T"})
    add(
        {
            "title": "Families gather at Khavaran cemetery",
            "reference_code": "T/1",
            "scope_content": "Relatives of political prisoners executed in the summer of 1988 "
            "gathered at the cemetery despite security forces.",
            "date_expression": "2023-08-29",
            "languages": ["en"],
        },
        parent_id=fonds.id,
    )
    add(
        {
            "title": "گزارش خانواده‌ها از خاوران",
            "reference_code": "T/2",
            "scope_content": "مادران در گورستان خاوران گرد آمدند. كتاب يادها ۱۳۶۷",
            "date_expression": "1989",
            "languages": ["fa"],
        },
        parent_id=fonds.id,
    )
    add(
        {
            "title": "شهادة عن سجن إيفين",
            "reference_code": "T/3",
            "scope_content": "قالت الأمّهات إنّ المدرسة أُغلقت",
            "languages": ["ar"],
            "access_status": "restricted",
        },
        parent_id=fonds.id,
    )
    add(
        {
            "title": "Executions at Gohardasht prison",
            "reference_code": "T/4",
            "scope_content": "Witnesses describe mass executions at Gohardasht in 1988.",
            "date_expression": "1988-07/1988-09",
            "media_type": "pdf",
        },
        parent_id=fonds.id,
    )
    add(
        {
            "title": "Unrelated budget report",
            "reference_code": "X/1",
            "scope_content": "Spending on roads and schools.",
            "date_expression": "2001",
        }
    )
    return catalogue


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("khavaran", ["T/1"]),
        ("executions 1988", ["T/4"]),
        ('"political prisoners"', ["T/1"]),
        ('"prisoners political"', []),
        ("gohardasht OR budget", ["T/4", "X/1"]),
        ("executions -gohardasht", []),
        ("executions NOT gohardasht", []),
        ("execut*", ["T/1", "T/4"]),
        ("executions NEAR/3 gohardasht", ["T/4"]),
        ("mass NEAR/0 executions", ["T/4"]),
        ("title:prison", ["T", "T/4"]),
        ("title:(gohardasht OR families)", ["T/1", "T/4"]),
        ("ref:T/3", ["T/3"]),
        ("cemetery lang:en", ["T/1"]),
        ("lang:fa", ["T/2"]),
        ("date:1988", ["T/4"]),
        ("date:1988..1990", ["T/2", "T/4"]),
        ("date:..1989-06", ["T/2", "T/4"]),
        ("date:2000..", ["T/1", "X/1"]),
        ("access:restricted", ["T/3"]),
        ("in:T date:2000..", ["T/1"]),
        ("type:pdf", ["T/4"]),
        ("-executions -cemetery in:T", ["T", "T/2", "T/3"]),
        ("GOHARDASHT", ["T/4"]),
        ("Gohar Dasht", ["T/4"]),
    ],
)
def test_every_query_form(archive: Catalogue, query: str, expected: list[str]) -> None:
    assert sorted(refs(archive, query)) == sorted(expected)


@pytest.mark.parametrize(
    "query",
    [
        "كتاب",  # Arabic kaf and yeh for the Persian ones in the record
        "یادها",  # Persian yeh for the Arabic yeh in the record
        "1367",  # ASCII digits for Persian digits
        "۱۳۶۷",
        "الامهات",  # without hamza and shadda
        "الأمّهات",
        "المدرسه",  # heh for teh marbuta
        "اغلقت",  # bare alef for alef with hamza below, no vowel marks
        "ايفين",
        "خانوادهها",  # the word typed without the zero-width non-joiner
        "خانواده‌ها",  # with it
        "خانواده ها",  # with a space instead
        "خاوران",
        "خاورانـــ",  # with tatweel
    ],
)
def test_persian_and_arabic_spellings_find_each_other(archive: Catalogue, query: str) -> None:
    assert refs(archive, query), f"{query} found nothing"


def test_highlights_mark_the_right_characters_in_right_to_left_text(archive: Catalogue) -> None:
    for query, marked in (
        ("خانوادهها", "خانواده‌ها"),
        ("الامهات", "الأمّهات"),
        ("khavaran", "Khavaran"),
    ):
        hits = archive.search.search(query).hits
        assert hits
        found = set()
        for hit in hits:
            for start, end in hit.highlights:
                found.add(hit.snippet[start:end])
            for start, end in hit.title_highlights:
                found.add(hit.title[start:end])
        assert marked in found, (query, found)


def test_text_in_arabic_presentation_forms_is_found_by_ordinary_letters(
    catalogue: Catalogue,
) -> None:
    # As a PDF's text layer gives Persian: every letter in its contextual form, lam-alef as
    # one ligature ("گزارش خانواده‌ها از خاوران" and "سلام").
    khavaran = "\ufea7\ufe8e\ufeed\ufead\ufe8d\ufee5"
    family = "\ufea7\ufe8e\ufee7\ufeee\ufe8d\ufea9\ufee9\u200c\ufeeb\ufe8e"
    catalogue.units.create(
        {
            "title": "\ufb94\ufeb0\ufe8d\ufead\ufeb5 " + family + " \ufe8d\ufeaf " + khavaran,
            "reference_code": "PDF/1",
            "scope_content": "\ufeb3\ufefc\ufee1 \ufb01nal report \uff11\uff19\uff18\uff18",
        }
    )
    catalogue.units.create({"title": "Unrelated", "reference_code": "X/1"})
    for query in ("خاوران", "گزارش", "خانوادهها", "خانواده ها", "سلام", "final", "1988"):
        assert refs(catalogue, query) == ["PDF/1"], query
    (hit,) = catalogue.search.search("خاوران").hits
    assert [hit.title[start:end] for start, end in hit.title_highlights] == [khavaran]


def test_snippets_show_the_matched_passage(archive: Catalogue) -> None:
    (hit,) = archive.search.search("despite").hits
    assert Snippet(hit.snippet, hit.highlights).marked() == (
        "Relatives of political prisoners executed in the summer of 1988 gathered at the "
        "cemetery [despite] security forces."
    )


def test_ranking_puts_title_matches_above_body_matches(archive: Catalogue) -> None:
    assert refs(archive, "gohardasht")[0] == "T/4"
    order = refs(archive, "executions")
    assert order.index("T/4") < order.index("T/1") if "T/1" in order else True


def test_recorded_variant_names_find_each_other(archive: Catalogue) -> None:
    unit = archive.units.find("T/1")
    agent = archive.agents.create(
        "Ruhollah Khomeini",
        names=[
            AgentName("Rouhollah Khomeini", "variant", "Latn"),
            AgentName("روح‌الله خمینی", "parallel", "Arab"),
        ],
    )
    archive.units.link_agent(unit.id, agent.id, "mentioned")
    place = archive.terms.place("Gohardasht", variants=["Gohar Dasht", "Rajaei Shahr"])
    archive.units.link_place(archive.units.find("X/1").id, place.id)
    assert refs(archive, "Rouhollah Khomeini") == ["T/1"]
    assert refs(archive, "روح‌الله خمینی") == ["T/1"]
    assert refs(archive, "agent:Rouhollah") == ["T/1"]
    assert sorted(refs(archive, '"Rajaei Shahr"')) == ["T/4", "X/1"]


def test_fuzzy_mode_finds_close_spellings_below_exact_ones(archive: Catalogue) -> None:
    archive.units.create({"title": "Khaveran burials", "reference_code": "T/5"})
    assert refs(archive, "Khavaran") == ["T/1"]
    results = archive.search.search("Khavaran", fuzzy=True)
    found = [h.reference_code for h in results.hits]
    assert "T/5" in found
    assert found.index("T/5") > found.index("T/1")
    assert "khaveran" in results.fuzzy


def test_edits_and_deletions_are_found_at_once(archive: Catalogue) -> None:
    unit = archive.units.find("X/1")
    archive.units.update(unit.id, {"title": "Report on Evin visits"})
    assert refs(archive, "evin") == ["X/1"]
    assert refs(archive, "budget") == []
    subject = archive.terms.subject("Prison visits")
    archive.units.link_subject(unit.id, subject.id)
    assert refs(archive, "subject:visits") == ["X/1"]
    agent = archive.agents.create("Amnesty International", kind="organisation")
    archive.units.link_agent(unit.id, agent.id, "publisher")
    archive.agents.update(agent.id, {"authorised_name": "Amnesty International (AI)"})
    assert refs(archive, "agent:amnesty") == ["X/1"]
    archive.units.delete(unit.id)
    assert refs(archive, "evin") == []
    assert refs(archive, "amnesty") == []


def test_moving_a_record_changes_its_collection(archive: Catalogue) -> None:
    unit = archive.units.find("X/1")
    archive.units.move(unit.id, archive.units.find("T").id)
    assert "X/1" in refs(archive, "in:T budget")
    facets = archive.search.search("budget").facets
    assert facets["collection"] == [("T Prison testimonies", 1)]


def test_reliability_filters_and_facets(archive: Catalogue) -> None:
    unit = archive.units.find("T/4")
    archive.reliability.assess(
        unit.id, NewAssessment(SourceReliability.C, InformationCredibility.PROBABLY_TRUE)
    )
    assert refs(archive, "grade:C2") == ["T/4"]
    assert refs(archive, "source:A-C") == ["T/4"]
    assert refs(archive, "credibility:1-2") == ["T/4"]
    archive.reliability.assess(
        unit.id, NewAssessment(SourceReliability.E, InformationCredibility.DOUBTFUL)
    )
    assert refs(archive, "grade:C2") == []
    assert refs(archive, "grade:E") == ["T/4"]
    facets = archive.search.search("executions").facets
    assert ("E4", 1) in facets["grade"]


def test_facet_counts(archive: Catalogue) -> None:
    results = archive.search.search("in:T")
    assert results.total == 5
    assert dict(results.facets["language"]) == {"en": 1, "fa": 1, "ar": 1, "(none)": 2}
    assert dict(results.facets["decade"]) == {"1980s": 2, "2020s": 1, "undated": 2}
    assert dict(results.facets["access_status"]) == {"open": 4, "restricted": 1}
    assert results.facets_exact


def test_pages_do_not_overlap(catalogue: Catalogue) -> None:
    for number in range(45):
        catalogue.units.create(
            {
                "title": f"Testimony number {number}",
                "scope_content": "testimony " * (number % 7 + 1),
            }
        )
    seen: list[str] = []
    for offset in range(0, 45, 10):
        page = catalogue.search.search("testimony", limit=10, offset=offset)
        assert page.total == 45
        seen += [hit.reference_code for hit in page.hits]
    assert len(seen) == len(set(seen)) == 45


def test_large_results_come_in_tiers_and_page_through_every_match_once(
    catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    from catalog_app.services import search as search_service

    monkeypatch.setattr(search_service, "RANK_ALL_UP_TO", 5)
    subject = catalogue.terms.subject("Testimony")
    tiers: dict[int, int] = {}
    for number in range(23):
        title = "Testimony" if number % 5 == 0 else f"Record {number}"
        unit = catalogue.units.create({"title": title, "scope_content": f"the testimony {number}"})
        if number % 5 == 1:
            catalogue.units.link_subject(unit.id, subject.id)
        tiers[unit.id] = 0 if number % 5 == 0 else 1 if number % 5 == 1 else 2
    seen: list[int] = []
    for offset in range(0, 30, 6):
        page = catalogue.search.search("testimony", limit=6, offset=offset, facets=False)
        assert page.ranking == "tiered"
        assert (page.total, page.total_exact) == (23, True)
        seen += [hit.id for hit in page.hits]
    assert len(seen) == len(set(seen)) == 23
    # Title matches first, then subject matches, then the rest; newest first in each tier.
    assert [tiers[i] for i in seen] == sorted(tiers[i] for i in seen)
    for tier in range(3):
        members = [i for i in seen if tiers[i] == tier]
        assert members == sorted(members, reverse=True)
    deep = catalogue.search.search("testimony", limit=4, offset=7, facets=False)
    assert [hit.id for hit in deep.hits] == seen[7:11]


def test_large_totals_are_estimated_and_marked_so(
    catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    from catalog_app.services import search as search_service

    monkeypatch.setattr(search_service, "RANK_ALL_UP_TO", 5)
    monkeypatch.setattr(search_service, "COUNT_CAP", 10)
    monkeypatch.setattr(search_service, "ESTIMATE_STRATA", 2)
    monkeypatch.setattr(search_service, "STRATUM_IDS", 10)
    for number in range(40):
        body = "common" if number % 2 else "common rare"
        catalogue.units.create({"title": f"Record {number}", "scope_content": body})
    everything = catalogue.search.search("common", facets=False)
    assert (everything.total, everything.total_exact) == (40, False)
    half = catalogue.search.search("rare", facets=False)
    assert half.total_exact is False
    assert 14 <= half.total <= 26
    assert catalogue.search.count("rare") == 20
    small = catalogue.search.search("rare record", limit=5, facets=False)
    assert small.total_exact is False
    assert small.total >= len(small.hits)


def test_filtered_totals_are_exact_below_the_cap_and_estimated_above(
    archive: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    from catalog_app.services import search as search_service

    monkeypatch.setattr(search_service, "COUNT_CAP", 1)
    monkeypatch.setattr(search_service, "ESTIMATE_STRATA", 1)
    monkeypatch.setattr(search_service, "STRATUM_IDS", 1)
    estimated = archive.search.search("executions OR cemetery in:T")
    assert estimated.total_exact is False
    assert len(estimated.hits) == 2 <= estimated.total  # never fewer than are shown
    monkeypatch.setattr(search_service, "COUNT_CAP", 10)
    exact = archive.search.search("executions OR cemetery in:T")
    assert (exact.total, exact.total_exact) == (2, True)


def test_reindex_repairs_a_damaged_index(archive: Catalogue) -> None:
    # Through the program's own SQLite: the index needs 3.43 or later (contentless_delete),
    # newer than the standard module's.
    with closing(driver.connect(archive.path)) as db:
        db.execute("DELETE FROM search_fts WHERE rowid IN (SELECT id FROM units LIMIT 2)")
        db.commit()
    assert any("search index" in p for p in archive.integrity_problems())
    assert archive.search.reindex() == 6
    assert archive.integrity_problems() == []
    assert refs(archive, "khavaran")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('"unclosed', "quotation mark"),
        ("(a b", "not closed"),
        ("a)", "without a matching"),
        ("OR x", "OR needs"),
        ("x OR", "OR needs"),
        ("NOT", "needs a word"),
        ("date:1988-13", "date:"),
        ("grade:G7", "not a grade"),
        ("lang:english", "language code"),
        ("in:NOPE", "NOPE"),
        ("(date:1988 OR x)", "whole search"),
        ("a NEAR", "NEAR goes between"),
        ("x" * 2001, "too long"),
        ("(" * 1000, "deep"),
        ("(" * 17 + "a" + ")" * 17, "deep"),
    ],
)
def test_bad_queries_get_one_clear_line(archive: Catalogue, query: str, message: str) -> None:
    with pytest.raises(CatalogError, match=re.escape(message)) as caught:
        archive.search.search(query)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("query", ["-", "*)", "((", ":::", "", "   ", "title:", "\u200c"])
def test_odd_input_is_either_explained_or_harmless(archive: Catalogue, query: str) -> None:
    assert _outcome(archive, query) in ("ok", "explained")


def _outcome(catalogue: Catalogue, query: str) -> str:
    try:
        catalogue.search.search(query, limit=5)
    except CatalogError as error:
        return "explained" if str(error) and "\n" not in str(error) else f"bad message {error!r}"
    except Exception as error:
        return f"crashed: {error!r}"
    return "ok"


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.text(alphabet=st.characters(codec="utf-8"), max_size=60)
    | st.lists(
        st.sampled_from(
            [
                '"',
                "(",
                ")",
                "-",
                "*",
                "OR",
                "NOT",
                "AND",
                "NEAR/2",
                "title:",
                "date:",
                "in:",
                "x",
                "خاوران",
                ":",
                "{",
                "}",
                "^",
                "+",
                "'",
                "NEAR(",
                "\\",
                "\u200c",
                "ـ",
            ]
        ),
        max_size=12,
    ).map(" ".join)
)
def test_no_input_ever_crashes_the_search(archive: Catalogue, query: str) -> None:
    assert _outcome(archive, query) in ("ok", "explained")


def test_a_minus_before_a_phrase_or_group_excludes_it(archive: Catalogue) -> None:
    archive.units.create({"title": "Evin visit", "scope_content": "a mass grave was found"})
    archive.units.create({"title": "Evin letters", "scope_content": "letters from the ward"})
    assert [h.title for h in archive.search.search('evin -"mass grave"').hits] == ["Evin letters"]
    assert [h.title for h in archive.search.search("evin -(grave found)").hits] == ["Evin letters"]


def test_exclusions_hold_when_large_results_are_tiered(
    catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    from catalog_app.services import search as search_service

    monkeypatch.setattr(search_service, "RANK_ALL_UP_TO", 2)
    for number in range(8):
        body = "rumour" if number % 2 else "fact"
        catalogue.units.create({"title": f"Evin {number}", "scope_content": body})
    results = catalogue.search.search("evin -rumour", facets=False)
    assert results.ranking == "tiered"
    assert results.total == 4
    assert sorted(h.title for h in results.hits) == ["Evin 0", "Evin 2", "Evin 4", "Evin 6"]


def test_removing_a_variant_name_is_audited_and_stops_finding_by_it(archive: Catalogue) -> None:
    unit = archive.units.find("T/1")
    agent = archive.agents.create(
        "Ruhollah Khomeini", names=[AgentName("Qqqvariant", "variant", None)]
    )
    archive.units.link_agent(unit.id, agent.id, "mentioned")
    assert refs(archive, "qqqvariant") == ["T/1"]
    archive.agents.remove_name(agent.id, "Qqqvariant")
    assert [h.action for h in archive.audit.history(agent.uuid)].count("remove") == 1
    assert refs(archive, "qqqvariant") == []


@pytest.mark.parametrize("separator", ["\n", "\u00a0", "\t", "\r\n"])
def test_pasted_line_breaks_and_odd_spaces_separate_words(
    archive: Catalogue, separator: str
) -> None:
    assert refs(archive, f"executions{separator}gohardasht") == ["T/4"]


def test_near_keeps_phrases_whole(archive: Catalogue) -> None:
    assert refs(archive, '"mass executions" NEAR/3 gohardasht') == ["T/4"]
    assert refs(archive, '"executions mass" NEAR/3 gohardasht') == []
    with pytest.raises(CatalogError, match="same field"):
        archive.search.search("executions NEAR title:prison")


def test_grade_and_date_filters_combine_with_and(archive: Catalogue) -> None:
    unit = archive.units.find("T/4")
    archive.reliability.assess(
        unit.id, NewAssessment(SourceReliability.B, InformationCredibility.PROBABLY_TRUE)
    )
    assert refs(archive, "grade:B source:A-C") == ["T/4"]
    assert refs(archive, "grade:B source:C") == []
    assert refs(archive, "grade:B2 credibility:3-5") == []
    assert refs(archive, "source:A-C credibility:1-2") == ["T/4"]
    assert refs(archive, "date:1980..1990 date:1988") == ["T/4"]
    assert refs(archive, "date:2000.. date:..1990") == []


def test_a_results_list_can_take_ids_without_snippets(catalogue: Catalogue) -> None:
    for number in range(30):
        catalogue.units.create({"title": f"Letter {number}", "scope_content": "letter from evin"})
    with_snippets = catalogue.search.search("evin", limit=25, facets=False)
    ids_only = catalogue.search.search("evin", limit=1000, facets=False, snippets=False)
    assert ids_only.hits == ()
    assert len(ids_only.ids) == 30
    assert ids_only.ids[:25] == with_snippets.ids == tuple(h.id for h in with_snippets.hits)
    with pytest.raises(CatalogError, match="between 1 and 500"):
        catalogue.search.search("evin", limit=1000)
