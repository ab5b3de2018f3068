"""The ODM 1.3.2 file of a reader's sites, written as it is read (lxml's incremental ``xmlfile``): the
metadata (``Study``), the people and places (``AdminData``), then one ``SubjectData`` per participant, a
block of participants at a time, so memory stays flat whatever the trial's size.

A transactional file (``FileType="Transactional"``): every form record is an ``Upsert`` of its current
values, each item with the audit record of the change that gave it its value (who, where, when, why, the
audit trail's row as the source); a voided record is a ``Remove`` with the void's audit record, never data.
The casebook's investigator signature is the subject's ``Signature`` (an invalidated one is an annotation
saying so); data queries are annotations on the form they ask about, with their thread and status.

What the reader may not see is not written: the same blinding policy as every other surface decides the
forms and items (ucmsc_crf/odm/definitions.py)."""

import datetime
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Q
from django.utils import timezone
from lxml import etree

from patients.casebook.choices import SignatureMeaning
from patients.casebook.design import TrialDesign
from patients.casebook.queries import DataQuery
from patients.casebook.registry import registry
from patients.casebook.schedule import Visit
from patients.casebook.signatures import CasebookSignature
from patients.casebook.sites import site_ids_for
from patients.models import Participant, Site
from ucmsc_crf.odm.definitions import ALLOCATION_KEY, ENROLMENT_KEY, STUDY_DAY_METHOD, FormSpec, form_specs
from ucmsc_crf.odm.oids import oid

NS = "http://www.cdisc.org/ns/odm/v1.3"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CASEBOOK_EVENT = "SE.CASEBOOK"
SYSTEM_USER = "USR.SYSTEM"  # an audit row without a user: a nightly check, a migration
BLOCK = 200  # participants per block: what is held in memory at once
SOFTWARE = "ucmsc-crf"


@dataclass(frozen=True)
class Scope:
    """What the file covers within the reader's sites: one site, one participant, or all of them; with
    ``since``, only what changed from then on (an increment a sponsor loads onto the file ``prior_file``)."""

    site_code: str = ""
    study_id: str = ""
    since: datetime.datetime | None = None
    prior_file: str = ""


def parse_since(text: str) -> datetime.datetime | None:
    """``--since`` / ``?since=``: an ISO 8601 date-time (a date alone is its midnight), in the trial's zone
    when it names none; "" is no limit."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO 8601 date or date-time (e.g. 2026-12-01T00:00+08:00).") from None
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _tag(name: str) -> str:
    return f"{{{NS}}}{name}"


def _el(parent, name: str, attrib: dict | None = None, text: str | None = None):
    if attrib and any(v is None or v == "" for v in attrib.values()):
        attrib = {k: v for k, v in attrib.items() if v is not None and v != ""}
    element = etree.SubElement(parent, _tag(name), attrib or {})
    if text is not None:
        element.text = text
    return element


def _translated(parent, name: str, text: str):
    _el(_el(parent, name), "TranslatedText", {XML_LANG: "en"}, text)


def odm_value(value) -> str | None:
    """A value as ODM writes it: ISO 8601 dates, date-times with their offset (the trial's zone), decimals
    with a point, booleans 1 / 0; None is no value (the item is not written)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _stamp(value: datetime.datetime) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds")


class _Sink:
    """Where xmlfile writes: the bytes are handed on and forgotten."""

    def __init__(self):
        self.parts = []

    def write(self, data: bytes):
        self.parts.append(data)

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def odm_chunks(*, user, scope: Scope | None = None, free_text: bool = False) -> Iterator[bytes]:
    """The file, as a stream of bytes. ``user`` scopes it to their sites and their blinding."""
    scope = scope or Scope()
    design = TrialDesign.current()
    study_oid, mdv_oid = oid("ST", design.code), oid("MDV", design.code)
    forms = form_specs(user, free_text=free_text)
    participants = _participants(user, scope)
    sites = list(Site.objects.filter(pk__in=participants.values("site_id")).order_by("code"))
    now = timezone.now()
    sink = _Sink()
    with etree.xmlfile(sink, encoding="utf-8") as xf:
        xf.write_declaration()
        attributes = {
            "FileType": "Transactional",
            "Granularity": "All",
            "FileOID": f"{study_oid}.{now:%Y%m%dT%H%M%S}",
            "CreationDateTime": _stamp(now),
            "ODMVersion": "1.3.2",
            "Originator": getattr(user, "username", "") or "system",
            "SourceSystem": SOFTWARE,
            "PriorFileOID": scope.prior_file,
        }
        attributes = {k: v for k, v in attributes.items() if v}
        with xf.element(_tag("ODM"), attributes, nsmap={None: NS}):
            xf.write(_study(design, study_oid, mdv_oid, forms))
            yield sink.take()
            xf.write(_admin(study_oid, mdv_oid, sites, participants, forms))
            yield sink.take()
            with xf.element(_tag("ClinicalData"), {"StudyOID": study_oid, "MetaDataVersionOID": mdv_oid}):
                iterator = participants.select_related("site").order_by("study_id").iterator(chunk_size=BLOCK)
                while block := list(islice(iterator, BLOCK)):
                    for subject in _subjects(block, forms, since=scope.since):
                        xf.write(subject)
                    xf.flush()
                    yield sink.take()
    yield sink.take()


def _participants(user, scope: Scope):
    queryset = Participant.objects.all()
    if user is not None:
        site_ids = site_ids_for(user)
        if site_ids is not None:
            queryset = queryset.filter(site_id__in=site_ids)
    if scope.site_code:
        queryset = queryset.filter(site__code=scope.site_code)
    if scope.study_id:
        queryset = queryset.filter(study_id=scope.study_id)
    if scope.since is not None:
        changed = Participant.history.filter(history_date__gte=scope.since).values("id")
        who = Q(pk__in=changed)
        for crf in registry.all():
            if crf.model is not Participant:
                who |= Q(pk__in=crf.model.history.filter(history_date__gte=scope.since).values("participant_id"))
        queryset = queryset.filter(who)
    return queryset


# --- Study: the metadata ---------------------------------------------------------------------------------


def _events(forms: list[FormSpec]) -> list[tuple[str, str, str, list[tuple[FormSpec, bool]]]]:
    """(OID, name, type, [(form, mandatory)]) of every event: the casebook's common event, then each visit."""
    events = [(CASEBOOK_EVENT, "Casebook (not tied to a visit)", "Common", [(f, False) for f in forms])]
    at_visits = [f for f in forms if f.at_visits]
    for visit in Visit.objects.order_by("target_day", "code").prefetch_related("expected_forms"):
        required = {v.crf_key: v.required for v in visit.expected_forms.all()}
        events.append(
            (oid("SE", visit.code), visit.label, "Scheduled", [(f, required.get(f.key, False)) for f in at_visits])
        )
    return events


def _study(design, study_oid: str, mdv_oid: str, forms: list[FormSpec]):
    study = etree.Element(_tag("Study"), {"OID": study_oid}, nsmap={None: NS})
    variables = _el(study, "GlobalVariables")
    _el(variables, "StudyName", text=design.title or design.code)
    _el(variables, "StudyDescription", text=f"{design.title} ({'blinded' if design.blinded else 'open label'})")
    _el(variables, "ProtocolName", text=design.code)
    units = {item.unit_oid: item.unit for form in forms for item in form.items if item.unit_oid}
    if units:
        basic = _el(study, "BasicDefinitions")
        for unit_oid, symbol in sorted(units.items()):
            unit = _el(basic, "MeasurementUnit", {"OID": unit_oid, "Name": symbol})
            _translated(unit, "Symbol", symbol)
    mdv = _el(study, "MetaDataVersion", {"OID": mdv_oid, "Name": f"{design.code} case report forms"})
    events = _events(forms)
    protocol = _el(mdv, "Protocol")
    for order, (event_oid, _, _, _) in enumerate(events, 1):
        _el(protocol, "StudyEventRef", {"StudyEventOID": event_oid, "OrderNumber": str(order), "Mandatory": "No"})
    for event_oid, name, kind, refs in events:
        event = _el(mdv, "StudyEventDef", {"OID": event_oid, "Name": name, "Repeating": "No", "Type": kind})
        for order, (form, mandatory) in enumerate(refs, 1):
            attrs = {"FormOID": form.oid, "OrderNumber": str(order), "Mandatory": "Yes" if mandatory else "No"}
            _el(event, "FormRef", attrs)
    for form in forms:
        repeating = "No" if form.key in (ENROLMENT_KEY, ALLOCATION_KEY) else "Yes"
        form_def = _el(mdv, "FormDef", {"OID": form.oid, "Name": form.name, "Repeating": repeating})
        _el(form_def, "ItemGroupRef", {"ItemGroupOID": form.group_oid, "Mandatory": "Yes"})
    for form in forms:
        group = _el(mdv, "ItemGroupDef", {"OID": form.group_oid, "Name": form.name, "Repeating": "No"})
        for order, item in enumerate(form.items, 1):
            attrs = {"ItemOID": item.oid, "OrderNumber": str(order), "Mandatory": "No", "MethodOID": item.method_oid}
            _el(group, "ItemRef", attrs)
    for form in forms:
        for item in form.items:
            _item_def(mdv, item)
    for form in forms:
        for item in form.items:
            if item.codelist_oid:
                data_type = "integer" if item.data_type == "integer" else "text"
                codelist = _el(mdv, "CodeList", {"OID": item.codelist_oid, "Name": item.name, "DataType": data_type})
                for code, label in item.codes:
                    _translated(_el(codelist, "CodeListItem", {"CodedValue": code}), "Decode", label)
    if any(item.method_oid for form in forms for item in form.items):
        method = _el(mdv, "MethodDef", {"OID": STUDY_DAY_METHOD, "Name": "Study day", "Type": "Computation"})
        _translated(
            method, "Description", "Days from study day 0 (the day of enrolment) to the record's date; day 0 = 0."
        )
    return study


def _item_def(parent, item):
    attrs = {"OID": item.oid, "Name": item.name, "DataType": item.data_type}
    if item.length:
        attrs["Length"] = str(item.length)
    if item.significant_digits is not None:
        attrs["SignificantDigits"] = str(item.significant_digits)
    item_def = _el(parent, "ItemDef", attrs)
    if item.method_oid:
        _translated(item_def, "Description", "Derived, not entered: computed by the app (see its method).")
    _translated(item_def, "Question", item.question)
    if item.unit_oid:
        _el(item_def, "MeasurementUnitRef", {"MeasurementUnitOID": item.unit_oid})
    for comparator, value in item.ranges:
        check = _el(item_def, "RangeCheck", {"Comparator": comparator, "SoftHard": "Hard"})
        _el(check, "CheckValue", text=value)
    if item.codelist_oid:
        _el(item_def, "CodeListRef", {"CodeListOID": item.codelist_oid})


# --- AdminData: people, places, signature meanings --------------------------------------------------------


def _admin(study_oid: str, mdv_oid: str, sites: list, participants, forms: list[FormSpec]):
    admin = etree.Element(_tag("AdminData"), {"StudyOID": study_oid}, nsmap={None: NS})
    for user in _users_named(participants, forms, sites):
        attrs = {"OID": oid("USR", user.username), "UserType": "Other"}
        element = _el(admin, "User", attrs)
        _el(element, "LoginName", text=user.username)
        roles = ", ".join(user.groups.order_by("name").values_list("name", flat=True)) or "no role"
        full_name = user.get_full_name()
        _el(element, "DisplayName", text=f"{full_name or user.username} ({roles})")
        if full_name:
            _el(element, "FullName", text=full_name)
        for site_code in user.memberships_codes:
            _el(element, "LocationRef", {"LocationOID": oid("LOC", site_code)})
    system = _el(admin, "User", {"OID": SYSTEM_USER, "UserType": "Other"})
    _el(system, "DisplayName", text="The system (no person: a nightly check, a migration)")
    for site in sites:
        location = _el(admin, "Location", {"OID": oid("LOC", site.code), "Name": site.name, "LocationType": "Site"})
        _el(location, "MetaDataVersionRef", {"StudyOID": study_oid, "MetaDataVersionOID": mdv_oid,
                                             "EffectiveDate": timezone.localdate().isoformat()})  # fmt: skip
    for meaning, label in SignatureMeaning.choices:
        signature = _el(admin, "SignatureDef", {"OID": oid("SD", meaning), "Methodology": "Electronic"})
        _el(signature, "Meaning", text=str(label))
        _el(signature, "LegalReason", text="Investigator's electronic signature of the casebook (21 CFR Part 11)")
    return admin


def _users_named(participants, forms: list[FormSpec], sites: list):
    """Every user the file names: whoever wrote a row of the audit trail of these participants' records, or
    signed their casebooks; each with the codes of the sites they work at (``memberships_codes``)."""
    ids = set()
    for form in forms:
        history = form.model.history
        if form.model is Participant:
            written = history.filter(id__in=participants.values("pk"))
        else:
            written = history.filter(participant_id__in=participants.values("pk"))
        ids |= set(written.exclude(history_user=None).values_list("history_user_id", flat=True).distinct())
    ids |= set(CasebookSignature.objects.filter(participant__in=participants).values_list("signed_by_id", flat=True))
    users = list(get_user_model().objects.filter(pk__in=ids).order_by("username"))
    memberships = defaultdict(list)
    for user_id, code in Site.objects.filter(memberships__user_id__in=ids).values_list("memberships__user_id", "code"):
        memberships[user_id].append(code)
    for user in users:
        user.memberships_codes = sorted(memberships[user.pk])
    return users


# --- ClinicalData: one subject at a time ------------------------------------------------------------------


def _subjects(block: list, forms: list[FormSpec], *, since=None) -> Iterator:
    ids = [p.pk for p in block]
    by_participant = {form.key: _records(form, ids, since=since) for form in forms}
    audits = {form.key: _audits(form, by_participant[form.key]) for form in forms}
    queries = _queries(ids)
    signatures = defaultdict(list)
    for signature in CasebookSignature.objects.filter(participant_id__in=ids).select_related("signed_by"):
        signatures[signature.participant_id].append(signature)
    for participant in block:
        subject = etree.Element(_tag("SubjectData"), {"SubjectKey": participant.study_id}, nsmap={None: NS})
        subject.set("TransactionType", "Remove" if participant.voided else "Upsert")
        location = oid("LOC", participant.site.code)
        valid = [s for s in signatures[participant.pk] if s.invalidated_datetime is None]
        if valid:
            _signature(subject, valid[-1], location)
        _el(subject, "SiteRef", {"LocationOID": location})
        for seq, signature in enumerate((s for s in signatures[participant.pk] if s.invalidated_datetime), 1):
            note = _el(subject, "Annotation", {"SeqNum": str(seq)})
            _el(note, "Comment", {"SponsorOrSite": "Site"}, text=(
                f"Signature by {signature.signed_by.username} on {_stamp(signature.signed_datetime)} invalidated "
                f"on {_stamp(signature.invalidated_datetime)}: {signature.invalidated_reason}"))  # fmt: skip
        if participant.voided:  # entered in error: removed, with nothing of it as data
            yield subject
            continue
        events = defaultdict(list)
        for form in forms:
            for record in by_participant[form.key].get(participant.pk, ()):
                events[record["_event"]].append((form, record))
        for event_oid in sorted(events, key=lambda e: (e != CASEBOOK_EVENT, e)):
            event = _el(subject, "StudyEventData", {"StudyEventOID": event_oid})
            for form, record in events[event_oid]:
                _form_data(event, form, record, audits[form.key], queries, location, participant)
        yield subject


def _records(form: FormSpec, ids: list[int], *, since=None) -> dict[int, list[dict]]:
    """The form's records of these participants (voided ones too; with ``since``, those changed from then on),
    each a dict of the paths it reads."""
    model = form.model
    paths = [item.path for item in form.items if item.path]
    date_path = form.study_day_from
    extra = ["pk", "voided"]
    if model is Participant:
        rows = model.objects.filter(pk__in=ids).values(*extra, *paths, owner=F("pk"))
        if form.key == ALLOCATION_KEY:
            rows = rows.filter(arm__isnull=False)
    else:
        extra += ["participant__day0_date", *(["visit__code"] if form.at_visits else []), *form.natural_key]
        if date_path:
            extra.append(date_path)
        rows = model.objects.filter(participant_id__in=ids).values(
            *dict.fromkeys(extra + paths), owner=F("participant_id")
        )
        rows = rows.order_by("participant_id", *(form.natural_key or ("pk",)), "pk")
    if since is not None:
        rows = rows.filter(pk__in=model.history.filter(history_date__gte=since).values("id"))
    found = defaultdict(list)
    for row in rows:
        row["_since"] = since
        row["_event"] = oid("SE", row["visit__code"]) if row.get("visit__code") else CASEBOOK_EVENT
        found[row["owner"]].append(row)
    return found


def _repeat_key(form: FormSpec, record: dict, ordinal: int) -> str:
    """What names the record within the casebook (its natural key, e.g. the observation's date), stable across
    exports; the record's order among its form's records where the form has none."""
    if not form.natural_key:
        return str(ordinal)
    return "/".join(odm_value(record.get(path)) or "" for path in form.natural_key)


def _audits(form: FormSpec, records: dict[int, list[dict]]) -> dict[int, dict]:
    """Per record, its transactions from the audit trail, in order: the first row's values (the record as
    entered), then each later row's changed values, each with its row (who, when, why); and the last row (the
    void, for a voided record)."""
    pks = [record["pk"] for rows in records.values() for record in rows]
    fields = [item.audited_field for item in form.items if item.audited_field]
    result = {}
    if not pks:
        return result
    rows = (
        form.model.history.filter(id__in=pks)
        .order_by("id", "history_id")
        .values(
            "id",
            "history_id",
            "history_type",
            "history_date",
            "history_user__username",
            "history_change_reason",
            *fields,
        )
    )
    previous, record_id = {}, None
    for row in rows:
        if row["id"] != record_id:
            record_id, previous = row["id"], None
            result[record_id] = {"transactions": [], "last": row}
        entry = result[record_id]
        if previous is None:
            changed = {name: row[name] for name in fields if row[name] is not None}
        else:
            changed = {name: row[name] for name in fields if row[name] != previous[name]}
        if changed or previous is None:
            entry["transactions"].append((row, changed))
        previous = {name: row[name] for name in fields}
        entry["last"] = row
    return result


def _audit_record(parent, row: dict, location: str):
    audit = _el(parent, "AuditRecord")
    username = row.get("history_user__username")
    _el(audit, "UserRef", {"UserOID": oid("USR", username) if username else SYSTEM_USER})
    _el(audit, "LocationRef", {"LocationOID": location})
    _el(audit, "DateTimeStamp", text=_stamp(row["history_date"]))
    if row.get("history_change_reason"):
        _el(audit, "ReasonForChange", text=row["history_change_reason"])
    _el(audit, "SourceID", text=f"audit trail row {row['history_id']}")


def _signature(parent, signature, location: str):
    element = _el(parent, "Signature")
    _el(element, "UserRef", {"UserOID": oid("USR", signature.signed_by.username)})
    _el(element, "LocationRef", {"LocationOID": location})
    _el(element, "SignatureRef", {"SignatureOID": oid("SD", signature.meaning)})
    _el(element, "DateTimeStamp", text=_stamp(signature.signed_datetime))


def _queries(ids: list[int]) -> dict[tuple[int, int], list]:
    found = defaultdict(list)
    queries = DataQuery.objects.filter(participant_id__in=ids, voided=False).select_related(
        "raised_by", "answered_by", "content_type"
    )
    for query in queries.order_by("raised_datetime", "pk"):
        found[(query.content_type_id, query.object_id)].append(query)
    return found


def _form_data(event, form: FormSpec, record: dict, audits: dict, queries: dict, location: str, participant):
    # A form without a natural key is named by its place among its kind's records (counted only for those).
    ordinal = (
        0 if form.natural_key else 1 + sum(1 for e in event.iterfind(_tag("FormData")) if e.get("FormOID") == form.oid)
    )
    attrs = {"FormOID": form.oid}
    if form.key not in (ENROLMENT_KEY, ALLOCATION_KEY):
        attrs["FormRepeatKey"] = _repeat_key(form, record, ordinal)
    audit = audits.get(record["pk"], {})
    if record["voided"]:
        attrs["TransactionType"] = "Remove"
        data = _el(event, "FormData", attrs)
        if audit:
            _audit_record(data, audit["last"], location)
        return
    attrs["TransactionType"] = "Upsert"
    data = _el(event, "FormData", attrs)
    content_type = ContentType.objects.get_for_model(form.model)  # cached by Django after the first
    for seq, query in enumerate(queries.get((content_type.pk, record["pk"]), ()), 1):
        note = _el(data, "Annotation", {"SeqNum": str(seq)})
        thread = f"Query ({query.get_status_display().lower()}, {query.get_site_status_display().lower()})"
        if query.field_name:
            thread += f" on {query.field_name}"
        thread += f", raised by {query.raised_by.username if query.raised_by else 'the data checks'}: {query.text}"
        if query.answer:
            thread += f" Answer by {query.answered_by.username if query.answered_by else 'the site'}: {query.answer}"
        _el(note, "Comment", {"SponsorOrSite": "Sponsor"}, text=thread)
    transactions = audit.get("transactions") or [(None, {})]
    since = record.get("_since")
    by_field = {item.audited_field: item for item in form.items if item.audited_field}
    for number, (row, changed) in enumerate(transactions):
        if since is not None and row is not None and row["history_date"] < since:
            continue  # in the file the increment follows
        kind = "Insert" if number == 0 else "Update"
        group = _el(data, "ItemGroupData", {"ItemGroupOID": form.group_oid, "TransactionType": kind})
        if row is not None:
            _audit_record(group, row, location)
        if number == 0:
            # As entered: what the first row of the audit trail holds, and what it does not (the names of
            # related records, the derived study day) as the record has them now.
            for item in form.items:
                value = changed.get(item.audited_field) if item.audited_field and row is not None else None
                if value is None and (row is None or not item.audited_field):
                    value = _current(form, item, record)
                _item_data(group, item, odm_value(value), kind)
        else:
            for name, value in changed.items():
                _item_data(group, by_field[name], odm_value(value), kind)


def _current(form: FormSpec, item, record: dict):
    if item.method_oid == STUDY_DAY_METHOD:
        on, day0 = record.get(form.study_day_from), record.get("participant__day0_date")
        if isinstance(on, datetime.datetime):
            on = timezone.localtime(on).date()
        return None if on is None or day0 is None else str((on - day0).days)
    return record.get(item.path)


def _item_data(group, item, value: str | None, kind: str) -> None:
    """One value of a transaction; a value taken away in an update is written as null."""
    if value is None:
        if kind == "Update":
            _el(group, "ItemData", {"ItemOID": item.oid, "TransactionType": kind, "IsNull": "Yes"})
        return
    _el(group, "ItemData", {"ItemOID": item.oid, "Value": value, "TransactionType": kind})
