"""The CDISC ODM 1.3.2 export (issue 31): every file validates against the official schema (shipped inside
odmlib, validated offline with lxml) and is read back with XPath, independently of the writer: the values are
the database's and the analysis bundle's, corrections carry their audit record, a voided record is removed,
the casebook's signature and queries are there, a blinded reader's file holds nothing of the allocation, and
a form added to the registry (the example form) is in the metadata and the data with no ODM code."""

import csv
import datetime
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import odmlib
import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from outcomes.models import AdverseEvent, DailyObservation
from patients.access_log import AccessEvent, AccessEventKind
from patients.casebook import services as casebook_services
from patients.casebook.choices import SignatureMeaning, Treatment
from patients.casebook.saving import record_save
from patients.models import Consent
from tests.example_crf.models import PulseCheck
from tests.factories import (
    PASSWORD,
    UserFactory,
    ae_values,
    observation_values,
    randomised_design,
    record,
    signed_off_list,
    treated_participant,
)
from ucmsc_crf.analysis.bundle import bundle_chunks
from ucmsc_crf.odm.writer import Scope, odm_chunks

pytestmark = pytest.mark.django_db
SCHEMA = etree.XMLSchema(etree.parse(str(Path(odmlib.__file__).parent / "schemas/odm/1.3.2/ODM1-3-2.xsd")))
NS = {"odm": "http://www.cdisc.org/ns/odm/v1.3"}


def odm(user, **scope) -> etree._Element:
    """The file as the user gets it, validated against the ODM 1.3.2 schema."""
    document = etree.fromstring(b"".join(odm_chunks(user=user, scope=Scope(**scope))))
    assert SCHEMA.validate(document), "\n".join(str(e) for e in list(SCHEMA.error_log)[:10])
    return document


def items(document, study_id: str, form_oid: str) -> list[dict[str, str]]:
    """Each upserted FormData of the form for the subject, its transactions replayed in order (the record as
    entered, then each change), as {item OID: value}."""
    forms = document.xpath(
        f"//odm:SubjectData[@SubjectKey='{study_id}']//odm:FormData[@FormOID='{form_oid}'][@TransactionType='Upsert']",
        namespaces=NS,
    )
    replayed = []
    for form in forms:
        values = {}
        for group in form.xpath("odm:ItemGroupData", namespaces=NS):
            for item in group.xpath("odm:ItemData", namespaces=NS):
                if item.get("IsNull") == "Yes":
                    values.pop(item.get("ItemOID"), None)
                else:
                    values[item.get("ItemOID")] = item.get("Value")
        replayed.append(values)
    return replayed


@pytest.fixture
def casebook(site_a, coordinator, clinician, monitor):
    """A treated participant with three days of observations, one corrected, one voided, a query and a signature."""
    participant = treated_participant(user=coordinator, site=site_a)
    days = [participant.day0_date + datetime.timedelta(days=d) for d in range(3)]
    observations = [
        record(DailyObservation, participant, observation_values(participant, on=day), user=clinician) for day in days
    ]
    observations[1].heart_rate = 101
    record_save(observations[1], user=coordinator, reason="Transposed on the chart")
    casebook_services.record_void(record=observations[2], user=coordinator, reason="Entered for the wrong bed")
    casebook_services.query_raise(
        record=observations[0], user=monitor, text="SpO2 on room air?", field_name="spo2_percent"
    )
    investigator = UserFactory(username="o_investigator", role="Clinician", sites=[site_a])
    investigator.user_permissions.add(Permission.objects.get(codename="sign_casebook"))
    casebook_services.casebook_sign(
        participant=participant, user=investigator, password=PASSWORD, meaning=SignatureMeaning.COMPLETE_AND_ACCURATE
    )
    return participant, observations


def test_the_file_validates_and_holds_the_casebook_with_its_audit_trail(casebook, coordinator):
    participant, observations = casebook
    document = odm(coordinator)
    subject = document.xpath(f"//odm:SubjectData[@SubjectKey='{participant.study_id}']", namespaces=NS)[0]
    assert subject.xpath("odm:SiteRef/@LocationOID", namespaces=NS) == [f"LOC.{participant.site.code}"]
    # Values as stored; the corrected one with who corrected it and why.
    day0, day1 = (observations[0].observation_date.isoformat(), observations[1].observation_date.isoformat())
    forms = subject.xpath(".//odm:FormData[@FormOID='F.OBSERVATIONS']", namespaces=NS)
    assert [f.get("FormRepeatKey") for f in forms] == [day0, day1, observations[2].observation_date.isoformat()]
    # The value history: the record as entered, then the correction, with who corrected it and why.
    entered, correction = forms[1].xpath("odm:ItemGroupData", namespaces=NS)
    assert (entered.get("TransactionType"), correction.get("TransactionType")) == ("Insert", "Update")
    before = entered.xpath("odm:ItemData[@ItemOID='IT.OBSERVATIONS.HEART_RATE']/@Value", namespaces=NS)
    assert before == [str(observation_values(participant)["heart_rate"])]
    assert correction.xpath("odm:ItemData/@ItemOID", namespaces=NS) == ["IT.OBSERVATIONS.HEART_RATE"]
    assert correction.xpath("odm:ItemData/@Value", namespaces=NS) == ["101"]
    audit = correction.xpath("odm:AuditRecord", namespaces=NS)[0]
    assert audit.xpath("odm:UserRef/@UserOID", namespaces=NS) == [f"USR.{coordinator.username.upper()}"]
    assert audit.xpath("odm:ReasonForChange/text()", namespaces=NS) == ["Transposed on the chart"]
    history = observations[1].history.order_by("history_id")
    assert audit.xpath("odm:SourceID/text()", namespaces=NS) == [f"audit trail row {history.last().history_id}"]
    assert entered.xpath("odm:AuditRecord/odm:ReasonForChange", namespaces=NS) == []  # entered, not changed
    assert entered.xpath("odm:AuditRecord/odm:UserRef/@UserOID", namespaces=NS) == ["USR.CLIN_A"]
    assert items(document, participant.study_id, "F.OBSERVATIONS")[1]["IT.OBSERVATIONS.HEART_RATE"] == "101"
    # The voided record: removed, with the void's audit record, and none of its values as data.
    assert forms[2].get("TransactionType") == "Remove" and forms[2].xpath(".//odm:ItemData", namespaces=NS) == []
    assert forms[2].xpath("odm:AuditRecord/odm:ReasonForChange/text()", namespaces=NS) == [
        "Voided: Entered for the wrong bed"
    ]
    # The query on the record it asks about; the investigator's signature on the subject.
    assert "SpO2 on room air?" in forms[0].xpath("odm:Annotation/odm:Comment/text()", namespaces=NS)[0]
    signature = subject.xpath("odm:Signature", namespaces=NS)[0]
    assert signature.xpath("odm:SignatureRef/@SignatureOID", namespaces=NS) == ["SD.COMPLETE_ACCURATE"]
    assert signature.xpath("odm:UserRef/@UserOID", namespaces=NS) == ["USR.O_INVESTIGATOR"]
    # Every user the file names is in AdminData, with a role; never a password.
    named = set(document.xpath("//odm:UserRef/@UserOID", namespaces=NS))
    listed = set(document.xpath("//odm:AdminData/odm:User/@OID", namespaces=NS))
    assert named <= listed and b"pbkdf2" not in etree.tostring(document) and b"md5$" not in etree.tostring(document)
    # The derived study day is marked as computed, not typed.
    ref = document.xpath("//odm:ItemRef[@ItemOID='IT.OBSERVATIONS.STUDY_DAY']", namespaces=NS)[0]
    assert ref.get("MethodOID") == "MT.STUDY_DAY"


def test_every_value_is_the_analysis_bundles(casebook, coordinator):
    """Read back: each item of the daily observations equals the bundle's cell for the same participant, day
    and field (dates and date-times compared as the instants they are)."""
    participant, _ = casebook
    document = odm(coordinator)
    archive = zipfile.ZipFile(io.BytesIO(b"".join(bundle_chunks(user=coordinator))))
    rows = list(csv.DictReader(io.StringIO(archive.read("daily_observations.csv").decode())))
    compared = 0
    for form in items(document, participant.study_id, "F.OBSERVATIONS"):
        on = form["IT.OBSERVATIONS.OBSERVATION_DATE"]
        (row,) = [r for r in rows if r["study_id"] == participant.study_id and r["observation_date"] == on]
        for oid, value in form.items():
            name = oid.split(".", 2)[2].lower()
            if name in row and name != "study_day":
                assert value == row[name], (on, name)
                compared += 1
        assert form["IT.OBSERVATIONS.STUDY_DAY"] == row["study_day"]
    assert compared > 30


def test_a_blinded_reader_gets_nothing_of_the_allocation_and_the_unblinded_statistician_does(site_a):
    randomised_design(
        arms=(("quillon", "Arm Quillon", Treatment.ACTIVE, 1), ("vantrel", "Arm Vantrel", Treatment.PLACEBO, 1))
    )
    ustat = UserFactory(username="o_ustat", role="Unblinded statistician")
    signed_off_list(user=ustat, slots_per_stratum=4, block_multiples=[1], seed=3)
    coordinator = UserFactory(username="o_coord", role="Coordinator", sites=[site_a])
    statistician = UserFactory(username="o_stat", role="Statistician", sites=[site_a])
    enrolled = [treated_participant(user=coordinator, site=site_a, arm_code=None) for _ in range(2)]
    assert {p.arm.code for p in enrolled} == {"quillon", "vantrel"}
    for reader in (coordinator, statistician):
        text = etree.tostring(odm(reader)).decode()
        for canary in ("quillon", "Quillon", "vantrel", "Vantrel", "Placebo", "Active product", "F.ALLOCATION"):
            assert canary not in text, (reader.username, canary)
        assert "CELLS_ADMINISTERED" not in text and "LOT_NUMBER" not in text  # what a kit held
    unblinded = odm(ustat)
    for participant in enrolled:
        (allocation,) = items(unblinded, participant.study_id, "F.ALLOCATION")
        assert allocation["IT.ALLOCATION.ARM"] == participant.arm.code
        assert allocation["IT.ALLOCATION.TREATMENT_CODE"] == participant.randomisation_slot.treatment_code


def test_a_form_added_to_the_registry_is_in_the_file_without_odm_code(site_a, coordinator, clinician):
    participant = treated_participant(user=coordinator, site=site_a)
    record(PulseCheck, participant, PulseCheck.example_values(participant), user=clinician)
    document = odm(coordinator)
    assert document.xpath("//odm:FormDef[@OID='F.PULSE_CHECKS']/@Name", namespaces=NS) == ["Pulse check"]
    item = document.xpath("//odm:ItemDef[@OID='IT.PULSE_CHECKS.PULSE_BPM']", namespaces=NS)[0]
    assert item.get("DataType") == "integer"
    assert item.xpath("odm:RangeCheck/@Comparator", namespaces=NS) == ["GE", "LE"]
    assert items(document, participant.study_id, "F.PULSE_CHECKS")[0]["IT.PULSE_CHECKS.PULSE_BPM"] == "72"


def test_the_scope_narrows_to_one_site_or_one_participant(site_a, site_b, coordinator, coordinator_b):
    here = treated_participant(user=coordinator, site=site_a)
    there = treated_participant(user=coordinator_b, site=site_b)
    study_wide = UserFactory(username="o_dm", role="Coordinator", sites=[site_a, site_b])
    keys = lambda document: document.xpath("//odm:SubjectData/@SubjectKey", namespaces=NS)  # noqa: E731
    assert keys(odm(study_wide)) == sorted([here.study_id, there.study_id])
    assert keys(odm(study_wide, site_code=site_b.code)) == [there.study_id]
    assert keys(odm(study_wide, study_id=here.study_id)) == [here.study_id]
    assert keys(odm(coordinator)) == [here.study_id]  # never another site's


def test_the_download_and_the_command_are_logged_and_refused_without_the_permission(
    client, site_a, coordinator, clinician, tmp_path
):
    participant = treated_participant(user=coordinator, site=site_a)
    client.force_login(clinician)
    assert client.get(reverse("odm-export")).status_code == 403
    client.force_login(coordinator)
    response = client.get(reverse("odm-export") + f"?participant={participant.study_id}")
    assert response.status_code == 200 and response["Content-Type"] == "application/xml"
    assert f"ucmsc-odm-{participant.study_id}-" in response["Content-Disposition"]
    assert SCHEMA.validate(etree.fromstring(b"".join(response.streaming_content)))
    out = tmp_path / "trial.xml"
    call_command("export_odm", str(out), "--user", coordinator.username, stdout=io.StringIO())
    assert SCHEMA.validate(etree.parse(str(out)))
    logged = list(
        AccessEvent.objects.filter(kind=AccessEventKind.DATA_EXPORTED)
        .order_by("when", "pk")
        .values_list("username", "detail")
    )
    assert logged == [
        (
            coordinator.username,
            f"ODM 1.3.2, all sites of the user, participant {participant.study_id}, with the allocation",
        ),
        (coordinator.username, "ODM 1.3.2, all sites of the user, with the allocation"),
    ]


def test_a_voided_participant_is_removed_with_nothing_of_it_as_data(site_a, coordinator):
    participant = treated_participant(user=coordinator, site=site_a)
    participant.void(reason="Screened twice", user=coordinator)
    (subject,) = odm(coordinator).xpath("//odm:SubjectData", namespaces=NS)
    assert subject.get("TransactionType") == "Remove" and subject.xpath(".//odm:ItemData", namespaces=NS) == []


def test_an_increment_holds_only_what_changed_since_and_names_the_file_it_follows(casebook, coordinator, site_a):
    participant, observations = casebook
    quiet = treated_participant(user=coordinator, site=site_a)  # nothing of it changes after the first file
    first = odm(coordinator)
    since = timezone.now()
    observations[0].temperature_c = Decimal("38.4")
    record_save(observations[0], user=coordinator, reason="Axillary, not tympanic")
    increment = odm(coordinator, since=since, prior_file=first.get("FileOID"))
    assert increment.get("PriorFileOID") == first.get("FileOID")
    assert increment.xpath("//odm:SubjectData/@SubjectKey", namespaces=NS) == [participant.study_id] != [quiet.study_id]
    (form,) = increment.xpath("//odm:FormData", namespaces=NS)
    assert form.get("FormRepeatKey") == observations[0].observation_date.isoformat()
    (update,) = form.xpath("odm:ItemGroupData", namespaces=NS)  # the change only, not the record as entered
    assert update.get("TransactionType") == "Update"
    assert {i.get("ItemOID"): i.get("Value") for i in update.xpath("odm:ItemData", namespaces=NS)} == {
        "IT.OBSERVATIONS.TEMPERATURE_C": "38.4"
    }
    assert update.xpath("odm:AuditRecord/odm:ReasonForChange/text()", namespaces=NS) == ["Axillary, not tympanic"]


def test_a_since_that_is_not_a_date_is_refused_with_the_reason(client, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("odm-export") + "?since=last+tuesday")
    assert response.status_code == 400 and b"ISO 8601" in response.content
    with pytest.raises(CommandError, match="ISO 8601"):
        call_command("export_odm", "/dev/null", "--user", coordinator.username, "--since", "yesterday")


def test_text_that_looks_like_markup_is_written_as_text(site_a, coordinator, clinician):
    """A term with quotes, an ampersand, angle brackets and a line break: the file stays valid and the value
    reads back as typed."""
    participant = treated_participant(user=coordinator, site=site_a)
    term = 'Rash "grade 2" & <itch>\nat night'
    record(AdverseEvent, participant, ae_values(participant, term=term), user=clinician)
    (event,) = items(odm(coordinator), participant.study_id, "F.ADVERSE_EVENTS")
    assert event["IT.ADVERSE_EVENTS.TERM"] == term


def test_the_file_reads_the_same_number_of_queries_for_a_larger_trial(site_a, coordinator, clinician):
    """No query per participant, record or user: a block of participants is read in a fixed number of queries."""

    def queries_for(count: int) -> int:
        for _ in range(count):
            participant = treated_participant(user=coordinator, site=site_a)
            record(DailyObservation, participant, observation_values(participant), user=UserFactory(
                role="Clinician", sites=[site_a]))  # fmt: skip
        with CaptureQueriesContext(connection) as captured:
            b"".join(odm_chunks(user=coordinator))
        return len(captured.captured_queries)

    queries_for(1)  # the first file also fills the caches (content types, the design)
    assert queries_for(1) == queries_for(4)  # 2 participants, then 6, each with their own writer


def test_a_record_moved_to_another_casebook_keeps_its_whole_trail(site_a, coordinator, clinician):
    """The writer reads the audit trail by the participant each row names; a record entered in the wrong
    casebook and moved keeps the rows it has under the first participant (its creation by the clinician)."""
    wrong, right = (treated_participant(user=coordinator, site=site_a) for _ in range(2))
    observation = record(DailyObservation, wrong, observation_values(wrong), user=clinician)
    observation.participant = right
    record_save(observation, user=coordinator, reason="Entered in the wrong casebook")
    document = odm(coordinator)
    assert items(document, wrong.study_id, "F.OBSERVATIONS") == []
    (form,) = document.xpath(
        f"//odm:SubjectData[@SubjectKey='{right.study_id}']//odm:FormData[@FormOID='F.OBSERVATIONS']", namespaces=NS
    )
    entered = form.xpath("odm:ItemGroupData", namespaces=NS)[0]
    first = observation.history.order_by("history_id").first()
    assert entered.get("TransactionType") == "Insert"
    assert entered.xpath("odm:AuditRecord/odm:UserRef/@UserOID", namespaces=NS) == [f"USR.{clinician.username.upper()}"]
    assert entered.xpath("odm:AuditRecord/odm:SourceID/text()", namespaces=NS) == [
        f"audit trail row {first.history_id}"
    ]
    assert items(document, right.study_id, "F.OBSERVATIONS")[0]["IT.OBSERVATIONS.HEART_RATE"] == str(
        observation_values(wrong)["heart_rate"]
    )


def test_a_record_without_an_audit_trail_is_written_as_it_stands(site_a, coordinator, clinician):
    """A record loaded before the audit trail was kept: its values are its current ones, with no audit record."""
    participant = treated_participant(user=coordinator, site=site_a)
    observation = record(DailyObservation, participant, observation_values(participant), user=clinician)
    DailyObservation.history.filter(id=observation.pk).delete()
    document = odm(coordinator)
    (form,) = document.xpath(
        f"//odm:SubjectData[@SubjectKey='{participant.study_id}']//odm:FormData[@FormOID='F.OBSERVATIONS']",
        namespaces=NS,
    )
    assert form.xpath(".//odm:AuditRecord", namespaces=NS) == []
    (values,) = items(document, participant.study_id, "F.OBSERVATIONS")
    assert values["IT.OBSERVATIONS.HEART_RATE"] == str(observation.heart_rate)
    assert values["IT.OBSERVATIONS.STUDY_DAY"] == str((observation.observation_date - participant.day0_date).days)


def test_the_export_leaves_the_database_connection_as_django_set_it(site_a, coordinator):
    """On PostgreSQL the writer loads date-times with psycopg's own loader, for its own queries only."""
    participant = treated_participant(user=coordinator, site=site_a)
    document = odm(coordinator)
    assert document.xpath(f"//odm:SubjectData[@SubjectKey='{participant.study_id}']", namespaces=NS)
    (consented,) = Consent.objects.filter(participant=participant).values_list("consent_datetime", flat=True)
    assert consented.tzinfo is datetime.UTC
