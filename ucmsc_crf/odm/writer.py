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
from itertools import islice

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from lxml import etree

from patients.casebook.choices import SignatureMeaning
from patients.casebook.design import TrialDesign
from patients.casebook.registry import registry
from patients.casebook.schedule import Visit
from patients.casebook.signatures import CasebookSignature
from patients.casebook.sites import site_ids_for
from patients.models import Participant, Site
from ucmsc_crf.odm.clinical import CASEBOOK_EVENT, SYSTEM_USER, attr, stamp, subjects
from ucmsc_crf.odm.definitions import ALLOCATION_KEY, ENROLMENT_KEY, STUDY_DAY_METHOD, FormSpec, form_specs
from ucmsc_crf.odm.oids import oid

NS = "http://www.cdisc.org/ns/odm/v1.3"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
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


def odm_chunks(*, user, scope: Scope | None = None, free_text: bool = False) -> Iterator[bytes]:
    """The file, as a stream of bytes. ``user`` scopes it to their sites and their blinding."""
    scope = scope or Scope()
    design = TrialDesign.current()
    study_oid, mdv_oid = oid("ST", design.code), oid("MDV", design.code)
    forms = form_specs(user, free_text=free_text)
    participants = _participants(user, scope)
    sites = list(Site.objects.filter(pk__in=participants.values("site_id")).order_by("code"))
    now = timezone.now()
    attributes = {
        "FileType": "Transactional",
        "Granularity": "All",
        "FileOID": f"{study_oid}.{now:%Y%m%dT%H%M%S}",
        "CreationDateTime": stamp(now),
        "ODMVersion": "1.3.2",
        "Originator": getattr(user, "username", "") or "system",
        "SourceSystem": SOFTWARE,
        "PriorFileOID": scope.prior_file,
    }
    opening = "".join(f" {name}={attr(value)}" for name, value in attributes.items() if value)
    yield f'<?xml version="1.0" encoding="utf-8"?>\n<ODM xmlns="{NS}"{opening}>'.encode()
    yield etree.tostring(_study(design, study_oid, mdv_oid, forms), encoding="utf-8")
    yield etree.tostring(_admin(study_oid, mdv_oid, sites, participants, forms), encoding="utf-8")
    yield f"<ClinicalData StudyOID={attr(study_oid)} MetaDataVersionOID={attr(mdv_oid)}>".encode()
    iterator = participants.select_related("site").order_by("study_id").iterator(chunk_size=BLOCK)
    while block := list(islice(iterator, BLOCK)):
        yield "".join(subjects(block, forms, since=scope.since)).encode()
    yield b"</ClinicalData></ODM>"


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
        roles = ", ".join(sorted(group.name for group in user.groups.all())) or "no role"
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
        # order_by(): the trail's default order (newest first) would make DISTINCT keep every row and sort it.
        written = written.exclude(history_user=None).order_by().values_list("history_user_id", flat=True).distinct()
        ids |= set(written)
    ids |= set(CasebookSignature.objects.filter(participant__in=participants).values_list("signed_by_id", flat=True))
    users = list(get_user_model().objects.filter(pk__in=ids).order_by("username").prefetch_related("groups"))
    memberships = defaultdict(list)
    for user_id, code in Site.objects.filter(memberships__user_id__in=ids).values_list("memberships__user_id", "code"):
        memberships[user_id].append(code)
    for user in users:
        user.memberships_codes = sorted(memberships[user.pk])
    return users
