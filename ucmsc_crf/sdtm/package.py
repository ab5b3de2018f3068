"""The SDTM package: a SAS transport file per dataset and their Define-XML 2.1 (define.xml) in a directory,
written a block of subjects at a time (memory stays flat as the trial grows), as one user may see the trial:
their sites, their blinding.

Blinding is decided by the one blinding policy: an unblinded reader (the unblinded statistician) gets the arm
variables filled; anyone else may only make a blinded dry run, with the arm variables empty and the package
marked as such (a file BLINDED-DRY-RUN.txt saying so). Every package is in the access log."""

import datetime
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from patients.access_log import AccessEventKind
from patients.access_log_receivers import log_access_event
from patients.casebook.blinding import BlindingPolicy
from patients.casebook.design import TrialDesign
from ucmsc_crf.sdtm import ae, dm, ex, vs
from ucmsc_crf.sdtm.define import define_xml
from ucmsc_crf.sdtm.subjects import blocks, first_infusions, participants, study_identifier
from ucmsc_crf.sdtm.terminology import codelist_for
from ucmsc_crf.sdtm.variables import AE, DM, EX, VS, Dataset
from ucmsc_crf.sdtm.xpt import Column, XptWriter

DATASETS = (DM, EX, AE, VS)
DRY_RUN_NOTE = "BLINDED-DRY-RUN.txt"
DEFINE = "define.xml"


@dataclass
class Package:
    directory: Path
    blinded: bool
    rows: dict[str, int] = field(default_factory=dict)  # dataset name -> records


def _writer(dataset: Dataset) -> XptWriter:
    columns = [Column(v.name, v.label, v.type == "Num") for v in dataset.variables]
    coded = tuple(v.name for v in dataset.variables if codelist_for(v) is not None)
    return XptWriter(dataset.name, dataset.label, columns, distinct=coded)


def write_package(directory: Path, *, user, cutoff: datetime.date | None = None, request=None) -> Package:
    directory.mkdir(parents=True, exist_ok=True)
    blinded = BlindingPolicy.of(user).hides_allocation
    log_access_event(
        AccessEventKind.DATA_EXPORTED,
        user=user,
        request=request,
        detail=f"SDTM package, all sites of the user{f', subjects enrolled by {cutoff}' if cutoff else ''}, "
        + ("blinded dry run (no arm)" if blinded else "with the allocation"),
    )
    design = TrialDesign.current()
    studyid = study_identifier(design)
    writers = {dataset.name: _writer(dataset) for dataset in DATASETS}
    for block in blocks(participants(user, cutoff=cutoff)):
        records, subjects = dm.rows(block, studyid, hide_allocation=blinded)
        writers["DM"].add(records)
        treatments = {p.pk: p.arm.treatment for p in block if p.arm is not None}
        writers["EX"].add(ex.rows(subjects, treatments, studyid, hide_allocation=blinded))
        writers["AE"].add(ae.rows(subjects, studyid))
        writers["VS"].add(vs.rows(block, subjects, first_infusions(subjects), studyid))
    package = Package(directory, blinded)
    for name, writer in writers.items():
        package.rows[name] = writer.write(directory / f"{name.lower()}.xpt")
    lengths = {name: writer.widths for name, writer in writers.items()}
    used = {name: writer.distinct for name, writer in writers.items()}
    (directory / DEFINE).write_bytes(define_xml(DATASETS, lengths, used, design=design, blinded=blinded))
    note = directory / DRY_RUN_NOTE
    if blinded:
        note.write_text(
            "Blinded dry run: made by a user the blinding policy keeps blind. The arm variables (DM.ARMCD, ARM,\n"
            "ACTARMCD, ACTARM) are empty on purpose; the submission package is made by the unblinded statistician.\n"
        )
    elif note.exists():
        note.unlink()
    return package


def package_chunks(*, user, cutoff: datetime.date | None = None, request=None) -> Iterator[bytes]:
    """The package as a zip, with the conformance report (``conformance.txt``) beside the datasets: what a
    download gives. Built when the first chunk is asked for (in temporary files, so memory stays flat) and
    streamed from disk; nothing is built, logged or left open for a response nobody reads."""
    from ucmsc_crf.sdtm.conformance import check

    with tempfile.TemporaryFile() as archive:
        with tempfile.TemporaryDirectory() as scratch:
            directory = Path(scratch)
            package = write_package(directory, user=user, cutoff=cutoff, request=request)
            problems = check(directory, DATASETS, blinded=package.blinded)
            report = [f"{p.code} {p.dataset}.{p.variable}: {p.message}" for p in problems] or ["No check failed."]
            (directory / "conformance.txt").write_text("\n".join(report) + "\n")
            with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
                for path in sorted(directory.iterdir()):
                    bundle.write(path, path.name)
        archive.seek(0)
        while chunk := archive.read(1 << 20):
            yield chunk
