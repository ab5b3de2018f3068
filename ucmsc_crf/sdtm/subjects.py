"""Who is in the package and what every dataset says of them: the subjects of a reader's sites (enrolled:
they have a day 0 and an arm; voided ones never), their USUBJID and their reference start date (SDTM's
``RFSTDTC``: the first infusion, or day 0 for a subject never infused, e.g. a phase 1 control)."""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice

from django.db.models import Min

from dosing.models import Infusion
from patients.casebook.choices import ENROLLED_STATUSES
from patients.casebook.sites import site_ids_for
from patients.models import Participant

BLOCK = 500  # subjects read and written at a time: what is held in memory at once


@dataclass(frozen=True)
class Subject:
    pk: int
    usubjid: str
    reference: datetime.date  # the date of RFSTDTC: SDTM's study day 1


def study_identifier(design) -> str:
    return design.code.upper()


def usubjid(studyid: str, study_id: str) -> str:
    """Unique across the submission: the study, then the subject's study ID (which begins with its site)."""
    return f"{studyid}-{study_id}"


def participants(user, *, cutoff: datetime.date | None = None):
    queryset = Participant.objects.filter(voided=False, status__in=ENROLLED_STATUSES, day0_date__isnull=False)
    site_ids = site_ids_for(user) if user is not None else None
    if site_ids is not None:
        queryset = queryset.filter(site_id__in=site_ids)
    if cutoff is not None:
        queryset = queryset.filter(day0_date__lte=cutoff)
    return queryset.select_related("site", "arm").order_by("study_id")


def blocks(queryset) -> Iterator[list]:
    iterator = queryset.iterator(chunk_size=BLOCK)
    while block := list(islice(iterator, BLOCK)):
        yield block


def first_infusions(subjects: list[Subject]) -> dict:
    """The start of each subject's first infusion given (subjects never infused are absent)."""
    starts = Infusion.objects.filter(participant_id__in=[s.pk for s in subjects], voided=False)
    return dict(
        starts.values("participant_id").annotate(first=Min("start_datetime")).values_list("participant_id", "first")
    )
