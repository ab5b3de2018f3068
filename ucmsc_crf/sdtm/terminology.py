"""The CDISC controlled terminology the package's values are drawn from: each code list by its NCI code, with
the submission values the app writes (a subset of the list: a value outside it is a conformance failure) and,
where checked, each value's own NCI code (Define-XML names both).

Codes and values are CDISC's (SDTM and SEND Controlled Terminology 2025-09-26; the code list SDTMIG v3.4
names for each variable). A term code is left empty where it was not checked against CDISC's published
file; the value itself is CDISC's submission value. Where SDTMIG names no code list (AEREL, AETOXGR, EXTRT),
the values are the sponsor's own and are listed as such, so the conformance check and Define-XML hold them."""

from dataclasses import dataclass


@dataclass(frozen=True)
class CodeList:
    code: str  # NCI code of a CDISC list; "" for a sponsor-defined one
    name: str
    terms: dict  # submission value -> its NCI code ("" where not checked)

    @property
    def values(self) -> frozenset[str]:
        return frozenset(self.terms)


NY = CodeList("C66742", "No Yes Response", {"N": "C49487", "Y": "C49488"})
AGEU = CodeList("C66781", "Age Unit", {"YEARS": "C29848"})
SEX = CodeList("C66731", "Sex", {"F": "C16576", "M": "C20197"})
ROUTE = CodeList("C66729", "Route of Administration Response", {"INTRAVENOUS": "C38276"})
FRM = CodeList("C66726", "Pharmaceutical Dosage Form", {"INJECTION, SUSPENSION": "C42995"})
UNIT = CodeList("C71620", "Unit", {"10^6 Therapeutic Cells": "C187973", "mL": "C28254"})
VSTESTCD = CodeList(
    "C66741",
    "Vital Signs Test Code",
    {"TEMP": "C174446", "HR": "C49677", "RESP": "C49678", "SYSBP": "C25298", "DIABP": "C25299",
     "OXYSAT": "C60832", "WEIGHT": "C25208", "HEIGHT": "C25347"},
)  # fmt: skip
VSTEST = CodeList(
    "C67153",
    "Vital Signs Test Name",
    {"Temperature": "C174446", "Heart Rate": "C49677", "Respiratory Rate": "C49678",
     "Systolic Blood Pressure": "C25298", "Diastolic Blood Pressure": "C25299", "Oxygen Saturation": "C60832",
     "Weight": "C25208", "Height": "C25347"},
)  # fmt: skip
VSRESU = CodeList(
    "C66770",
    "Units for Vital Signs Results",
    {"C": "C42559", "beats/min": "C49673", "breaths/min": "C49674", "mmHg": "C49670", "%": "C25613",
     "kg": "C28252", "cm": "C49668"},
)  # fmt: skip
ACN = CodeList(
    "C66767",
    "Action Taken with Study Treatment",
    {"DOSE NOT CHANGED": "", "DRUG INTERRUPTED": "", "DRUG WITHDRAWN": "", "NOT APPLICABLE": ""},
)
OUT = CodeList(
    "C66768",
    "Outcome of Event",
    {
        "RECOVERED/RESOLVED": "C49498",
        "RECOVERING/RESOLVING": "C49496",
        "NOT RECOVERED/NOT RESOLVED": "C49494",
        "RECOVERED/RESOLVED WITH SEQUELAE": "C49495",
        "FATAL": "C48275",
        "UNKNOWN": "C17998",
    },
)
AEREL = CodeList(
    "",
    "Causality (sponsor-defined)",
    dict.fromkeys(("NOT RELATED", "UNLIKELY RELATED", "POSSIBLY RELATED", "PROBABLY RELATED", "RELATED"), ""),
)
AETOXGR = CodeList("", "CTCAE grade (sponsor-defined)", dict.fromkeys(("1", "2", "3", "4", "5"), ""))
# The product's name; a blinded dry run names neither (see ucmsc_crf/sdtm/ex.py).
EXTRT = CodeList("", "Study treatment (sponsor-defined)", dict.fromkeys(("UC-MSC", "PLACEBO", "BLINDED"), ""))

BY_CODE = {c.code: c for c in (NY, AGEU, SEX, ROUTE, FRM, UNIT, VSTESTCD, VSTEST, VSRESU, ACN, OUT)}
# Sponsor-defined lists, by the variable that holds them.
BY_VARIABLE = {"AEREL": AEREL, "AETOXGR": AETOXGR, "EXTRT": EXTRT}


def codelist_for(variable) -> CodeList | None:
    return BY_VARIABLE.get(variable.name) or BY_CODE.get(variable.codelist)
