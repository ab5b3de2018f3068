"""How a person names a record of a casebook (issue 18): by its form and what identifies it within the
casebook (its natural key), never by a database number. "Daily observation 2026-11-24 (day 2)",
"Infusion 2", "Lab result CRP 2026-11-24 08:00 (day 2)". Query cards and signature notes use it."""

import datetime

from django.utils import timezone

from patients.casebook.registry import registry


def _part(record, path: str) -> tuple[str, datetime.date | None]:
    value = record
    for step in path.split("__"):
        value = getattr(value, step, None) if value is not None else None
    if isinstance(value, datetime.datetime):
        local = timezone.localtime(value)
        return f"{local:%Y-%m-%d %H:%M}", local.date()
    if isinstance(value, datetime.date):
        return f"{value:%Y-%m-%d}", value
    if hasattr(record, f"get_{path}_display"):
        return str(getattr(record, f"get_{path}_display")()), None
    return ("" if value is None else str(value)), None


def sentence_case(text) -> str:
    """A model's name at the start of a sentence or title: the first letter capitalised, the rest as written
    ("Quantitative chest CTs", not str.capitalize()'s "Quantitative chest cts"), and a first word written in
    mixed case left alone ("mMRC dyspnoea grades", issue 28, 10)."""
    text = str(text)
    first = text.split(" ", 1)[0]
    if any(c.isupper() for c in first[1:]):
        return text
    return text[:1].upper() + text[1:]


def record_name(record) -> str:
    model = type(record)
    crf = registry.for_model(model)
    label = crf.label if crf is not None else sentence_case(model._meta.verbose_name)
    parts, day = [], None
    for path in getattr(model, "natural_key_fields", ()):
        text, on = _part(record, path)
        if text:
            parts.append(text)
        day = day or on
    name = " ".join([label, *parts])
    participant = getattr(record, "participant", None)
    study_day = participant.study_day(day) if participant is not None and day is not None else None
    return f"{name} (day {study_day})" if study_day is not None else name
