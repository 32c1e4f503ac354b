"""The Admiralty (NATO) grading: source reliability A-F and information credibility 1-6.

The two axes are graded independently: a usually reliable source (B) can pass on doubtful
information (4), and an unknown source (F) can report something confirmed elsewhere (1).
"""

from __future__ import annotations

from enum import IntEnum, StrEnum


class SourceReliability(StrEnum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"
    F = "F"

    @property
    def label(self) -> str:
        return _SOURCE_LABELS[self]

    @property
    def meaning(self) -> str:
        return _SOURCE_MEANINGS[self]


class InformationCredibility(IntEnum):
    CONFIRMED = 1
    PROBABLY_TRUE = 2
    POSSIBLY_TRUE = 3
    DOUBTFUL = 4
    IMPROBABLE = 5
    CANNOT_BE_JUDGED = 6

    @property
    def label(self) -> str:
        return _CREDIBILITY_LABELS[self]

    @property
    def meaning(self) -> str:
        return _CREDIBILITY_MEANINGS[self]


_SOURCE_LABELS = {
    SourceReliability.A: "Completely reliable",
    SourceReliability.B: "Usually reliable",
    SourceReliability.C: "Fairly reliable",
    SourceReliability.D: "Not usually reliable",
    SourceReliability.E: "Unreliable",
    SourceReliability.F: "Reliability cannot be judged",
}

_SOURCE_MEANINGS = {
    SourceReliability.A: "No doubt about authenticity, trustworthiness or competence; "
    "a history of complete reliability.",
    SourceReliability.B: "Minor doubts; a history of mostly valid information.",
    SourceReliability.C: "Doubts; has provided valid information in the past.",
    SourceReliability.D: "Significant doubts; has provided valid information in the past.",
    SourceReliability.E: "Lacks authenticity, trustworthiness and competence; "
    "a history of invalid information.",
    SourceReliability.F: "Insufficient information to evaluate the source.",
}

_CREDIBILITY_LABELS = {
    InformationCredibility.CONFIRMED: "Confirmed by other sources",
    InformationCredibility.PROBABLY_TRUE: "Probably true",
    InformationCredibility.POSSIBLY_TRUE: "Possibly true",
    InformationCredibility.DOUBTFUL: "Doubtful",
    InformationCredibility.IMPROBABLE: "Improbable",
    InformationCredibility.CANNOT_BE_JUDGED: "Truth cannot be judged",
}

_CREDIBILITY_MEANINGS = {
    InformationCredibility.CONFIRMED: "Confirmed by other independent sources; logical in "
    "itself; consistent with other information on the subject.",
    InformationCredibility.PROBABLY_TRUE: "Not confirmed; logical in itself; consistent with "
    "other information on the subject.",
    InformationCredibility.POSSIBLY_TRUE: "Not confirmed; reasonably logical in itself; agrees "
    "with some other information on the subject.",
    InformationCredibility.DOUBTFUL: "Not confirmed; possible but not logical; no other "
    "information on the subject.",
    InformationCredibility.IMPROBABLE: "Not confirmed; not logical in itself; contradicted by "
    "other information on the subject.",
    InformationCredibility.CANNOT_BE_JUDGED: "No basis exists for evaluating the validity of "
    "the information.",
}


class GradeError(ValueError):
    """A reliability or credibility grade outside the scale."""


def parse_grade(text: str) -> tuple[SourceReliability, InformationCredibility]:
    """Read a combined grade such as "B2" or "b 2"."""
    compact = "".join(text.split()).upper()
    if len(compact) != 2 or compact[0] not in "ABCDEF" or compact[1] not in "123456":
        raise GradeError(
            f"'{text}' is not a grade: use a letter A-F for the source and a digit 1-6 for "
            "the information, e.g. B2"
        )
    return SourceReliability(compact[0]), InformationCredibility(int(compact[1]))


def format_grade(source: SourceReliability, credibility: InformationCredibility) -> str:
    return f"{source.value}{int(credibility)}"
