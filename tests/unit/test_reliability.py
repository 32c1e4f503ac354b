from __future__ import annotations

import pytest

from catalog_app.domain.reliability import (
    GradeError,
    InformationCredibility,
    SourceReliability,
    format_grade,
    parse_grade,
)


def test_every_grade_has_a_label_and_a_meaning() -> None:
    for source in SourceReliability:
        assert source.label
        assert source.meaning
    for credibility in InformationCredibility:
        assert credibility.label
        assert credibility.meaning
    assert SourceReliability.B.label == "Usually reliable"
    assert InformationCredibility(1).label == "Confirmed by other sources"
    assert InformationCredibility(6).label == "Truth cannot be judged"


@pytest.mark.parametrize(("text", "grade"), [("B2", "B2"), ("b 2", "B2"), (" f6 ", "F6")])
def test_parse_grade_reads_combined_grades(text: str, grade: str) -> None:
    assert format_grade(*parse_grade(text)) == grade


@pytest.mark.parametrize("text", ["", "G1", "A7", "A", "12", "AB", "A0"])
def test_parse_grade_refuses_grades_off_the_scale(text: str) -> None:
    with pytest.raises(GradeError, match="A-F"):
        parse_grade(text)
