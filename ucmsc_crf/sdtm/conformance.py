"""Conformance checks over a written SDTM package: the rules SDTMIG v3.4 and the submission's technical
conformance set that are easy to get wrong, each with a code. The package is read back from its files,
independently of the writer (the variables and labels by pyreadstat, the rows by pandas a chunk at a time, so
memory stays flat); ``check`` returns every problem found, none when it conforms.

Every check is shown to fail on a package broken on purpose (tests/test_sdtm_conformance.py)."""

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyreadstat
from lxml import etree

from ucmsc_crf.sdtm.define import ODM
from ucmsc_crf.sdtm.terminology import codelist_for
from ucmsc_crf.sdtm.variables import ALLOCATION_VARIABLES, EXPOSURE_ALLOCATION_VARIABLES, Dataset
from ucmsc_crf.sdtm.xpt import MAX_LABEL, MAX_NAME, MAX_TEXT

# ISO 8601 as SDTM allows it: a date, or a date-time, complete or cut short from the right (never a made-up
# day); no seconds fraction or zone is written by this app, so none is accepted.
ISO_8601 = re.compile(r"^\d{4}(-\d{2}(-\d{2}(T\d{2}(:\d{2}(:\d{2})?)?)?)?)?$")


class Code:
    MISSING_DATASET = "SD.MISSING_DATASET"
    REQUIRED_VARIABLE = "SD.REQUIRED_VARIABLE"
    UNDECLARED_VARIABLE = "SD.UNDECLARED_VARIABLE"
    REQUIRED_VALUE = "SD.REQUIRED_VALUE"
    SEQ_NOT_UNIQUE = "SD.SEQ_NOT_UNIQUE"
    DAY_ZERO = "SD.DAY_ZERO"
    NOT_ISO_8601 = "SD.NOT_ISO_8601"
    NAME_TOO_LONG = "SD.NAME_TOO_LONG"
    LABEL_TOO_LONG = "SD.LABEL_TOO_LONG"
    LABEL_NOT_SDTMIG = "SD.LABEL_NOT_SDTMIG"
    VALUE_TOO_LONG = "SD.VALUE_TOO_LONG"
    NOT_IN_CODELIST = "SD.NOT_IN_CODELIST"
    UNKNOWN_SUBJECT = "SD.UNKNOWN_SUBJECT"
    SUBJECT_TWICE = "SD.SUBJECT_TWICE"
    ARM_IN_DRY_RUN = "SD.ARM_IN_DRY_RUN"
    DEFINE_MISSING = "SD.DEFINE_MISSING"
    DEFINE_MISMATCH = "SD.DEFINE_MISMATCH"
    MEDDRA_VERSION = "SD.MEDDRA_VERSION"


@dataclass(frozen=True)
class Problem:
    code: str
    dataset: str
    variable: str
    message: str


def _blanks(values):
    """Which values of a column are null: missing, or empty text (XPT has no null text)."""
    return values.isna() | (values.astype(str) == "")


CHUNK = 50_000  # rows read at a time: the checks hold one chunk and a few sets, never a whole dataset


@dataclass
class _Seen:
    """What a dataset's chunks add up to, for the checks that span chunks."""

    columns: list
    labels: dict
    subjects: set = field(default_factory=set)
    sequences: set = field(default_factory=set)  # hashes of (USUBJID, --SEQ)
    repeated_sequence: bool = False
    subject_count: int = 0
    coded: bool = False  # AE: an AEDECOD value
    reported: set = field(default_factory=set)  # (code, variable) already reported: once each


def check(directory: Path, datasets: tuple[Dataset, ...], *, blinded: bool) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, _Seen] = {}
    for dataset in datasets:  # DM first: the other datasets' subjects are checked against it
        path = directory / f"{dataset.name.lower()}.xpt"
        if not path.exists():
            problems.append(Problem(Code.MISSING_DATASET, dataset.name, "", f"{path.name} is missing"))
            continue
        _, meta = pyreadstat.read_xport(str(path), metadataonly=True)
        state = seen[dataset.name] = _Seen(list(meta.column_names), meta.column_names_to_labels)
        problems += _check_columns(dataset, state)
        dm = seen.get("DM") if dataset.name != "DM" else None
        # The rows, a chunk at a time, by pandas' sequential reader (pyreadstat's chunks re-read the file
        # from its start each time: quadratic in the dataset's size).
        with pd.read_sas(path, format="xport", chunksize=CHUNK, encoding="utf-8") as reader:
            for frame in reader:
                # pandas (3.1) decodes an IBM zero as 16^-65 (5.4e-79); no SDTM number is that small.
                numbers = frame.select_dtypes("number").columns
                frame[numbers] = frame[numbers].mask(frame[numbers].abs() < 1e-70, 0.0)
                for problem in _check_chunk(dataset, frame, state, dm, blinded=blinded):
                    if (problem.code, problem.variable) not in state.reported:
                        state.reported.add((problem.code, problem.variable))
                        problems.append(problem)
        if state.repeated_sequence:
            seq = f"{dataset.name}SEQ"
            problems.append(
                Problem(Code.SEQ_NOT_UNIQUE, dataset.name, seq, "a sequence number repeats within a subject")
            )
        if dataset.name == "DM" and state.subject_count > len(state.subjects):
            problems.append(Problem(Code.SUBJECT_TWICE, "DM", "USUBJID", "a subject has more than one DM record"))
    problems += _check_define(directory / "define.xml", seen)
    return problems


def _check_columns(dataset: Dataset, state: _Seen) -> list[Problem]:
    name = dataset.name
    found: list[Problem] = []
    declared = {v.name: v for v in dataset.variables}
    labels = state.labels
    for column in state.columns:
        if len(column) > MAX_NAME:
            found.append(Problem(Code.NAME_TOO_LONG, name, column, f"name over {MAX_NAME} characters"))
        if len(labels.get(column) or "") > MAX_LABEL:
            found.append(Problem(Code.LABEL_TOO_LONG, name, column, f"label over {MAX_LABEL} characters"))
        if column not in declared:
            found.append(Problem(Code.UNDECLARED_VARIABLE, name, column, "not in the dataset's metadata"))
        elif labels.get(column) != declared[column].label:
            found.append(Problem(Code.LABEL_NOT_SDTMIG, name, column, f"label {labels.get(column)!r} is not SDTMIG's"))
    for variable in dataset.variables:
        if variable.core in ("Req", "Exp") and variable.name not in state.columns:
            found.append(Problem(Code.REQUIRED_VARIABLE, name, variable.name, f"{variable.core} variable missing"))
    return found


def _check_chunk(dataset: Dataset, frame, state: _Seen, dm: "_Seen | None", *, blinded: bool) -> list[Problem]:
    name = dataset.name
    found: list[Problem] = []
    for variable in dataset.variables:
        if variable.name not in frame.columns:
            continue
        values = frame[variable.name]
        blank = _blanks(values)  # whole columns at a time: a dataset can hold millions of values
        if variable.core == "Req" and blank.any():
            found.append(Problem(Code.REQUIRED_VALUE, name, variable.name, "a required value is null"))
        if variable.type == "Char":
            text = values[~blank].astype(str)
            if len(text) and (text.str.encode("utf-8").str.len() > MAX_TEXT).any():
                found.append(Problem(Code.VALUE_TOO_LONG, name, variable.name, f"a value over {MAX_TEXT} bytes"))
            if variable.name.endswith("DTC"):
                bad = text[~text.str.match(ISO_8601)]
                if len(bad):
                    found.append(Problem(Code.NOT_ISO_8601, name, variable.name, f"not ISO 8601: {bad.iloc[0]!r}"))
        if variable.name.endswith("DY") and (values == 0).any():
            found.append(Problem(Code.DAY_ZERO, name, variable.name, "a study day 0 (SDTM has none)"))
        codelist = codelist_for(variable)
        if codelist is not None:
            outside = sorted({str(v) for v in values[~blank].unique()} - codelist.values)
            if outside:
                found.append(
                    Problem(Code.NOT_IN_CODELIST, name, variable.name, f"{outside[0]!r} is not in {codelist.name}")
                )
    if "USUBJID" in frame.columns:
        subjects = set(frame["USUBJID"])
        if name == "DM":
            state.subject_count += len(frame)
            state.subjects |= subjects
        elif dm is not None and (unknown := subjects - dm.subjects):
            found.append(Problem(Code.UNKNOWN_SUBJECT, name, "USUBJID", f"{sorted(unknown)[0]} is not in DM"))
        seq = f"{name}SEQ"
        if seq in frame.columns:
            for pair in zip(frame["USUBJID"], frame[seq], strict=True):
                key = hash(pair)
                if key in state.sequences:
                    state.repeated_sequence = True
                state.sequences.add(key)
    if name == "AE" and "AEDECOD" in frame.columns and not _blanks(frame["AEDECOD"]).all():
        state.coded = True
    if blinded:
        hidden = {"DM": ALLOCATION_VARIABLES, "EX": EXPOSURE_ALLOCATION_VARIABLES}.get(name, ())
        for column in hidden:
            if column in frame.columns and not _blanks(frame[column]).all():
                found.append(Problem(Code.ARM_IN_DRY_RUN, name, column, "a blinded dry run holds an arm"))
        if name == "EX" and "EXTRT" in frame.columns and (frame["EXTRT"] != "BLINDED").any():
            found.append(Problem(Code.ARM_IN_DRY_RUN, "EX", "EXTRT", "a blinded dry run names the treatment"))
    return found


def _check_define(path: Path, seen: dict) -> list[Problem]:
    """Every variable of every file is in define.xml, in its dataset, and every variable define.xml lists is in
    the file; coded adverse events name their MedDRA version."""
    if not path.exists():
        return [Problem(Code.DEFINE_MISSING, "", "", "define.xml is missing")]
    root = etree.parse(str(path)).getroot()
    defined = {}
    items = {item.get("OID"): item.get("Name") for item in root.iter(f"{{{ODM}}}ItemDef")}
    for group in root.iter(f"{{{ODM}}}ItemGroupDef"):
        defined[group.get("Name")] = [items[ref.get("ItemOID")] for ref in group.iter(f"{{{ODM}}}ItemRef")]
    found = []
    for name, state in seen.items():
        declared = defined.get(name)
        if declared is None:
            found.append(Problem(Code.DEFINE_MISMATCH, name, "", "the dataset is not in define.xml"))
            continue
        for column in sorted(set(state.columns) ^ set(declared)):
            where = "define.xml but not the file" if column in declared else "the file but not define.xml"
            found.append(Problem(Code.DEFINE_MISMATCH, name, column, f"in {where}"))
    coded = "AE" in seen and seen["AE"].coded
    meddra = [c for c in root.iter(f"{{{ODM}}}ExternalCodeList") if c.get("Dictionary") == "MEDDRA"]
    if coded and not meddra:
        found.append(Problem(Code.MEDDRA_VERSION, "AE", "AEDECOD", "no MedDRA version (set it on the trial design)"))
    return found
