"""The CDISC controlled terminology the package's values are drawn from: each code list by its NCI code, with
the submission values the app writes (a subset of the list: a value outside it is a conformance failure).
Codes and values as CDISC publishes them (SDTM Controlled Terminology; the code lists SDTMIG v3.4 names for
each variable). Where SDTMIG names no code list (AEREL, AETOXGR), the values are the sponsor's own and are
listed here as such, so the conformance check and Define-XML hold them too."""

from dataclasses import dataclass


@dataclass(frozen=True)
class CodeList:
    code: str  # NCI code of a CDISC list; "" for a sponsor-defined one
    name: str
    values: frozenset[str]


NY = CodeList("C66742", "No Yes Response", frozenset({"N", "Y"}))
AGEU = CodeList("C66781", "Age Unit", frozenset({"YEARS"}))
SEX = CodeList("C66731", "Sex", frozenset({"F", "M"}))
ACN = CodeList(
    "C66767",
    "Action Taken with Study Treatment",
    frozenset({"DOSE NOT CHANGED", "DRUG INTERRUPTED", "DRUG WITHDRAWN", "NOT APPLICABLE"}),
)
OUT = CodeList(
    "C66768",
    "Outcome of Event",
    frozenset(
        {
            "RECOVERED/RESOLVED",
            "RECOVERING/RESOLVING",
            "NOT RECOVERED/NOT RESOLVED",
            "RECOVERED/RESOLVED WITH SEQUELAE",
            "FATAL",
            "UNKNOWN",
        }
    ),
)
AEREL = CodeList(
    "",
    "Causality (sponsor-defined)",
    frozenset({"NOT RELATED", "UNLIKELY RELATED", "POSSIBLY RELATED", "PROBABLY RELATED", "RELATED"}),
)
AETOXGR = CodeList("", "CTCAE grade (sponsor-defined)", frozenset({"1", "2", "3", "4", "5"}))

BY_CODE = {c.code: c for c in (NY, AGEU, SEX, ACN, OUT)}
# Sponsor-defined lists, by the variable that holds them.
BY_VARIABLE = {"AEREL": AEREL, "AETOXGR": AETOXGR}


def codelist_for(variable) -> CodeList | None:
    return BY_VARIABLE.get(variable.name) or BY_CODE.get(variable.codelist)
