"""Conformance checks over a written SDTM package: the rules SDTMIG v3.4 and the submission's technical
conformance set that are easy to get wrong, each with a code. The package is read back from its files
(pyreadstat), independently of the writer; ``check`` returns every problem found, none when it conforms.

Every check is shown to fail on a package broken on purpose (tests/test_sdtm_conformance.py)."""

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

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


def _blank(value) -> bool:
    return value is None or value == "" or (isinstance(value, float) and value != value)


def check(directory: Path, datasets: tuple[Dataset, ...], *, blinded: bool) -> list[Problem]:
    problems: list[Problem] = []
    frames = {}
    for dataset in datasets:
        path = directory / f"{dataset.name.lower()}.xpt"
        if not path.exists():
            problems.append(Problem(Code.MISSING_DATASET, dataset.name, "", f"{path.name} is missing"))
            continue
        frame, meta = pyreadstat.read_xport(str(path))
        frames[dataset.name] = frame
        problems += _check_dataset(dataset, frame, meta)
    problems += _check_subjects(frames)
    problems += _check_define(directory / "define.xml", frames)
    if blinded:
        for dataset, names in (("DM", ALLOCATION_VARIABLES), ("EX", EXPOSURE_ALLOCATION_VARIABLES)):
            for name in names:
                if dataset in frames and name in frames[dataset] and not frames[dataset][name].map(_blank).all():
                    problems.append(Problem(Code.ARM_IN_DRY_RUN, dataset, name, "a blinded dry run holds an arm"))
        if "EX" in frames and (frames["EX"]["EXTRT"] != "BLINDED").any():
            problems.append(Problem(Code.ARM_IN_DRY_RUN, "EX", "EXTRT", "a blinded dry run names the treatment"))
    return problems


def _check_dataset(dataset: Dataset, frame, meta) -> list[Problem]:
    name = dataset.name
    found: list[Problem] = []
    declared = {v.name: v for v in dataset.variables}
    labels = meta.column_names_to_labels
    for column in frame.columns:
        if len(column) > MAX_NAME:
            found.append(Problem(Code.NAME_TOO_LONG, name, column, f"name over {MAX_NAME} characters"))
        if len(labels.get(column) or "") > MAX_LABEL:
            found.append(Problem(Code.LABEL_TOO_LONG, name, column, f"label over {MAX_LABEL} characters"))
        if column not in declared:
            found.append(Problem(Code.UNDECLARED_VARIABLE, name, column, "not in the dataset's metadata"))
        elif labels.get(column) != declared[column].label:
            found.append(Problem(Code.LABEL_NOT_SDTMIG, name, column, f"label {labels.get(column)!r} is not SDTMIG's"))
    for variable in dataset.variables:
        if variable.core in ("Req", "Exp") and variable.name not in frame.columns:
            found.append(Problem(Code.REQUIRED_VARIABLE, name, variable.name, f"{variable.core} variable missing"))
    for variable in dataset.variables:
        if variable.name not in frame.columns:
            continue
        values = frame[variable.name]
        if variable.core == "Req" and values.map(_blank).any():
            found.append(Problem(Code.REQUIRED_VALUE, name, variable.name, "a required value is null"))
        if variable.type == "Char":
            if values.map(lambda v: len(str(v).encode()) > MAX_TEXT if not _blank(v) else False).any():
                found.append(Problem(Code.VALUE_TOO_LONG, name, variable.name, f"a value over {MAX_TEXT} bytes"))
        if variable.name.endswith("DTC"):
            bad = [v for v in values if not _blank(v) and not ISO_8601.match(str(v))]
            if bad:
                found.append(Problem(Code.NOT_ISO_8601, name, variable.name, f"not ISO 8601: {bad[0]!r}"))
        if variable.name.endswith("DY") and (values == 0).any():
            found.append(Problem(Code.DAY_ZERO, name, variable.name, "a study day 0 (SDTM has none)"))
        codelist = codelist_for(variable)
        if codelist is not None:
            outside = sorted({str(v) for v in values if not _blank(v)} - codelist.values)
            if outside:
                found.append(
                    Problem(Code.NOT_IN_CODELIST, name, variable.name, f"{outside[0]!r} is not in {codelist.name}")
                )
    seq = f"{name}SEQ"
    if seq in frame.columns and "USUBJID" in frame.columns:
        counts = Counter(zip(frame["USUBJID"], frame[seq], strict=True))
        if any(n > 1 for n in counts.values()):
            found.append(Problem(Code.SEQ_NOT_UNIQUE, name, seq, "a sequence number repeats within a subject"))
    return found


def _check_define(path: Path, frames: dict) -> list[Problem]:
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
    for name, frame in frames.items():
        declared = defined.get(name)
        if declared is None:
            found.append(Problem(Code.DEFINE_MISMATCH, name, "", "the dataset is not in define.xml"))
            continue
        for column in sorted(set(frame.columns) ^ set(declared)):
            where = "define.xml but not the file" if column in declared else "the file but not define.xml"
            found.append(Problem(Code.DEFINE_MISMATCH, name, column, f"in {where}"))
    coded = "AE" in frames and "AEDECOD" in frames["AE"] and not frames["AE"]["AEDECOD"].map(_blank).all()
    meddra = [c for c in root.iter(f"{{{ODM}}}ExternalCodeList") if c.get("Dictionary") == "MEDDRA"]
    if coded and not meddra:
        found.append(Problem(Code.MEDDRA_VERSION, "AE", "AEDECOD", "no MedDRA version (set it on the trial design)"))
    return found


def _check_subjects(frames: dict) -> list[Problem]:
    if "DM" not in frames:
        return []
    found = []
    subjects = Counter(frames["DM"]["USUBJID"])
    if any(n > 1 for n in subjects.values()):
        found.append(Problem(Code.SUBJECT_TWICE, "DM", "USUBJID", "a subject has more than one DM record"))
    for name, frame in frames.items():
        if name != "DM" and "USUBJID" in frame.columns:
            unknown = set(frame["USUBJID"]) - set(subjects)
            if unknown:
                found.append(Problem(Code.UNKNOWN_SUBJECT, name, "USUBJID", f"{sorted(unknown)[0]} is not in DM"))
    return found
