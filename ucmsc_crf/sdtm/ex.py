"""EX (Exposure): one record per infusion given. The treatment is named by the subject's arm (the product or
placebo); in a blinded dry run it is "BLINDED" and what a kit held (the cells, their lot) is left out, as the
blinding policy hides it on every other surface (Infusion.allocation_fields)."""

from dosing.choices import Route
from dosing.models import Infusion
from patients.casebook.choices import Treatment
from ucmsc_crf.sdtm.dates import iso, study_day

ROUTE = {Route.INTRAVENOUS: "INTRAVENOUS"}
PRODUCT = {Treatment.ACTIVE: "UC-MSC", Treatment.PLACEBO: "PLACEBO"}
BLINDED = "BLINDED"


def rows(subjects: list, treatments: dict, studyid: str, *, hide_allocation: bool) -> list[dict]:
    """``treatments``: each subject's arm's treatment (Treatment), by participant pk."""
    by_pk = {s.pk: s for s in subjects}
    infusions = (
        Infusion.objects.filter(participant_id__in=list(by_pk), voided=False)
        .order_by("participant__study_id", "start_datetime", "pk")
        .values("participant_id", "sequence_number", "start_datetime", "end_datetime", "cells_administered_millions",
                "lot_number", "route")
    )  # fmt: skip
    records, sequence = [], {}
    for infusion in infusions:
        subject = by_pk[infusion["participant_id"]]
        sequence[subject.pk] = sequence.get(subject.pk, 0) + 1
        cells = infusion["cells_administered_millions"]
        kit = {} if hide_allocation else {
            "EXDOSE": cells, "EXDOSU": "10^6 Therapeutic Cells" if cells is not None else "",
            "EXLOT": infusion["lot_number"],
        }  # fmt: skip
        records.append(
            {
                "STUDYID": studyid,
                "DOMAIN": "EX",
                "USUBJID": subject.usubjid,
                "EXSEQ": sequence[subject.pk],
                "EXSPID": str(infusion["sequence_number"]),
                "EXTRT": BLINDED if hide_allocation else PRODUCT.get(treatments.get(subject.pk), BLINDED),
                **kit,
                "EXDOSFRM": "INJECTION, SUSPENSION",
                "EXROUTE": ROUTE[infusion["route"]],
                "EXSTDTC": iso(infusion["start_datetime"]),
                "EXENDTC": iso(infusion["end_datetime"]),
                "EXSTDY": study_day(infusion["start_datetime"], subject.reference),
                "EXENDY": study_day(infusion["end_datetime"], subject.reference),
            }
        )
    return records
