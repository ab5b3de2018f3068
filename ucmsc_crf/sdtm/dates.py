"""SDTM's dates and study days.

SDTM's study day (``--DY``) counts from the subject's reference start date (``DM.RFSTDTC``): that day is day 1,
the day before it day -1; there is no day 0 (SDTMIG 3.4, section 4.4.4). The app's own study day, "day 0 =
the day of the first infusion", stays in the app and the analysis bundle; both are stated in the docs."""

import datetime

from django.utils import timezone


def study_day(on: datetime.date | datetime.datetime | None, reference: datetime.date | None) -> int | None:
    """SDTM ``--DY`` of ``on`` for a subject whose ``RFSTDTC`` falls on ``reference``; None when either is
    unknown. A date-time counts by its date in the trial's zone."""
    if on is None or reference is None:
        return None
    if isinstance(on, datetime.datetime):
        on = timezone.localtime(on).date()
    days = (on - reference).days
    return days + 1 if days >= 0 else days


def iso(value) -> str:
    """ISO 8601 as SDTM writes it: a date as YYYY-MM-DD, a date-time in the trial's zone to the minute
    (YYYY-MM-DDThh:mm; the ward records minutes), "" when unknown. Never a made-up part."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")
    return value.isoformat()
