"""The SDTM package (issue 32, first part: DM and AE): written as SAS transport files a block of subjects at a
time, read back independently (pandas.read_sas and pyreadstat), checked for conformance; every conformance
check is shown to fail on a package broken on purpose."""

import datetime
import io
import subprocess
import zipfile
from pathlib import Path

import odmlib
import pandas as pd
import pyreadstat
import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from dosing.models import Infusion
from outcomes.models import AdverseEvent, DailyObservation
from patients.access_log import AccessEvent, AccessEventKind
from patients.casebook.choices import Treatment
from patients.models import TrialDesign
from tests.factories import (
    UserFactory,
    ae_values,
    give_infusion,
    local_datetime,
    observation_values,
    randomised_design,
    record,
    signed_off_list,
    treated_participant,
)
from tests.helpers import rscript
from ucmsc_crf.sdtm import conformance
from ucmsc_crf.sdtm import subjects as sdtm_subjects
from ucmsc_crf.sdtm.conformance import Code, check
from ucmsc_crf.sdtm.dates import study_day
from ucmsc_crf.sdtm.package import DATASETS, DRY_RUN_NOTE, write_package
from ucmsc_crf.sdtm.xpt import Column, XptLimitError, XptWriter

pytestmark = pytest.mark.django_db


def read(directory: Path, name: str) -> tuple[pd.DataFrame, object]:
    frame, meta = pyreadstat.read_xport(str(directory / f"{name}.xpt"))
    return frame, meta


def test_sdtm_study_day_has_no_day_zero():
    reference = datetime.date(2026, 3, 10)
    assert study_day(reference, reference) == 1
    assert study_day(reference + datetime.timedelta(days=2), reference) == 3
    assert study_day(reference - datetime.timedelta(days=1), reference) == -1
    assert study_day(None, reference) is None


def test_a_dataset_written_in_blocks_reads_back_as_one(tmp_path):
    """Blocks of different widths share one record layout; the values and the count read back exactly."""
    writer = XptWriter("DM", "Demographics", [Column("USUBJID", "Unique Subject Identifier", False),
                                              Column("AGE", "Age", True)])  # fmt: skip
    writer.add([{"USUBJID": "S-01-001", "AGE": 34}, {"USUBJID": "S-01-002", "AGE": None}])
    writer.add([{"USUBJID": "S-01-003-LONGER", "AGE": 61.5}, {"USUBJID": "S-01-004", "AGE": 0}])
    assert writer.write(tmp_path / "dm.xpt") == 4
    frame, meta = read(tmp_path, "dm")
    assert frame["USUBJID"].tolist() == ["S-01-001", "S-01-002", "S-01-003-LONGER", "S-01-004"]
    assert frame["AGE"].tolist()[0] == 34 and pd.isna(frame["AGE"][1]) and frame["AGE"][2] == 61.5
    assert meta.variable_storage_width["USUBJID"] == len("S-01-003-LONGER")
    # A zero is IBM's true zero (eight zero bytes, never taken for the special missing value .A).
    assert frame["AGE"][3] == 0 and (tmp_path / "dm.xpt").read_bytes().count(bytes.fromhex("4100000000000000")) == 0
    assert pd.read_sas(tmp_path / "dm.xpt", format="xport", encoding="utf-8").shape == (4, 2)


def test_xpt_limits_are_refused_not_truncated(tmp_path):
    with pytest.raises(XptLimitError):
        XptWriter("DM", "Demographics", [Column("TOOLONGNAME", "x", False)])
    writer = XptWriter("AE", "Adverse Events", [Column("AETERM", "Reported Term for the Adverse Event", False)])
    with pytest.raises(XptLimitError):
        writer.add([{"AETERM": "x" * 201}])


def meddra(version="27.1"):
    """The coordinator names the MedDRA version on the trial design (set directly, like blind_trial)."""
    TrialDesign.objects.update_or_create(
        pk=1, defaults={**model_to_dict(TrialDesign.current(), exclude=["id"]), "meddra_version": version}
    )


@pytest.fixture
def trial(site_a, coordinator, clinician):
    """Two treated participants, one with a coded serious adverse event on the day of the first infusion."""
    meddra()
    participants = [treated_participant(user=coordinator, site=site_a) for _ in range(2)]
    first = give_infusion(participants[0], 1, user=clinician).start_datetime
    event = record(
        AdverseEvent,
        participants[0],
        ae_values(
            participants[0],
            meddra_preferred_term="Pyrexia",
            meddra_code="10037660",
            onset_datetime=first + datetime.timedelta(hours=2),
            resolution_datetime=first + datetime.timedelta(days=1),
            serious=True,
            serious_hospitalisation=True,
            site_aware_datetime=first + datetime.timedelta(hours=3),
        ),
        user=clinician,
    )
    return participants, event


def test_dm_and_ae_hold_the_casebooks_and_conform(trial, coordinator, tmp_path):
    participants, event = trial
    package = write_package(tmp_path, user=coordinator)
    assert package.rows == {"DM": 2, "EX": 1, "AE": 1, "VS": 12}
    assert check(tmp_path, DATASETS, blinded=package.blinded) == []
    dm, meta = read(tmp_path, "dm")
    assert meta.table_name == "DM" and meta.file_label == "Demographics"
    assert meta.column_names_to_labels["RFICDTC"] == "Date/Time of Informed Consent"
    mine = dm[dm["SUBJID"] == participants[0].study_id].iloc[0]
    first = Infusion.objects.get(participant=participants[0], sequence_number=1)
    assert mine["USUBJID"] == f"UCMSC-PHASE1-{participants[0].study_id}"
    assert mine["RFXSTDTC"] == mine["RFSTDTC"] == timezone.localtime(first.start_datetime).strftime("%Y-%m-%dT%H:%M")
    assert (mine["SEX"], mine["AGEU"], mine["COUNTRY"], mine["SITEID"]) == (
        participants[0].sex, "YEARS", "CHN", participants[0].site.code,
    )  # fmt: skip
    ae, _ = read(tmp_path, "ae")
    row = ae.iloc[0]
    assert (row["AETERM"], row["AEDECOD"], row["AEPTCD"]) == (event.term, "Pyrexia", 10037660)
    assert (row["AESER"], row["AESHOSP"], row["AESDTH"], row["AETOXGR"]) == ("Y", "Y", "N", str(event.grade))
    assert row["AESTDY"] == 1 and row["AEENDY"] == 2  # the first infusion's day is day 1: no day 0
    ex, _ = read(tmp_path, "ex")
    given = ex.iloc[0]
    assert (given["EXTRT"], given["EXDOSE"], given["EXDOSU"]) == ("UC-MSC", float(first.cells_administered_millions),
                                                                  "10^6 Therapeutic Cells")  # fmt: skip
    assert (given["EXROUTE"], given["EXDOSFRM"], given["EXSTDY"], given["EXSPID"]) == (
        "INTRAVENOUS", "INJECTION, SUSPENSION", 1, "1")  # fmt: skip
    # pandas reads every file too (the reader a reviewer's script uses).
    for name in ("dm", "ex", "ae", "vs"):
        assert (
            len(pd.read_sas(tmp_path / f"{name}.xpt", format="xport", encoding="utf-8")) == package.rows[name.upper()]
        )
    logged = AccessEvent.objects.filter(kind=AccessEventKind.DATA_EXPORTED, user=coordinator).get()
    assert "SDTM" in logged.detail


def test_the_arm_is_only_in_the_unblinded_statisticians_package(site_a, tmp_path):
    randomised_design(
        arms=(("quillon", "Arm Quillon", Treatment.ACTIVE, 1), ("vantrel", "Arm Vantrel", Treatment.PLACEBO, 1))
    )
    meddra()
    ustat = UserFactory(username="s_ustat", role="Unblinded statistician")
    signed_off_list(user=ustat, slots_per_stratum=4, block_multiples=[1], seed=3)
    coordinator = UserFactory(username="s_coord", role="Coordinator", sites=[site_a])
    statistician = UserFactory(username="s_stat", role="Statistician", sites=[site_a])
    enrolled = [treated_participant(user=coordinator, site=site_a, arm_code=None) for _ in range(2)]
    for participant in enrolled:
        give_infusion(participant, 1, user=coordinator)
    for reader in (coordinator, statistician):
        out = tmp_path / reader.username
        package = write_package(out, user=reader)
        assert package.blinded and (out / DRY_RUN_NOTE).exists()
        assert check(out, DATASETS, blinded=True) == []
        ex, _ = read(out, "ex")
        assert set(ex["EXTRT"]) == {"BLINDED"} and ex["EXDOSE"].isna().all() and set(ex["EXLOT"]) == {""}
        define = etree.parse(str(out / "define.xml"))
        listed = define.xpath("//*[local-name()='CodeList'][@OID='CL.EXTRT']/*/@CodedValue")
        assert listed == ["BLINDED"]  # not the treatments the placebo-controlled design could give
        for path in out.iterdir():
            for canary in (b"quillon", b"QUILLON", b"Quillon", b"vantrel", b"VANTREL", b"Vantrel"):
                assert canary not in path.read_bytes(), (reader.username, path.name, canary)
    out = tmp_path / "unblinded"
    package = write_package(out, user=ustat)
    assert not package.blinded and not (out / DRY_RUN_NOTE).exists()
    dm, _ = read(out, "dm")
    assert set(dm["ARMCD"]) == {"QUILLON", "VANTREL"} and set(dm["ARM"]) == {"Arm Quillon", "Arm Vantrel"}
    ex, _ = read(out, "ex")
    treatments = dict(zip(ex["USUBJID"], ex["EXTRT"], strict=True))
    arms = dict(zip(dm["USUBJID"], dm["ARMCD"], strict=True))
    assert {arms[s]: t for s, t in treatments.items()} == {"QUILLON": "UC-MSC", "VANTREL": "PLACEBO"}


def _rewrite(directory: Path, name: str, change) -> None:
    """Break a written dataset on purpose: read it, change the frame, write it back with its labels."""
    frame, meta = read(directory, name)
    frame = change(frame)
    labels = [meta.column_names_to_labels.get(c, c) for c in frame.columns]
    pyreadstat.write_xport(frame, str(directory / f"{name}.xpt"), file_label=meta.file_label,
                           column_labels=labels, table_name=meta.table_name, file_format_version=5)  # fmt: skip


def _set(column, value, row=0):
    def change(frame):
        if isinstance(value, str):  # a number stays a number (a Num variable stays Num in the file)
            frame[column] = frame[column].astype(object)
        frame.loc[row, column] = value
        return frame

    return change


BROKEN = [
    ("ae", _set("AESTDY", 0), Code.DAY_ZERO),
    ("ae", _set("AESTDTC", "2026-13-45 10:00"), Code.NOT_ISO_8601),
    ("ae", _set("AEOUT", "RESOLVED"), Code.NOT_IN_CODELIST),
    ("ae", _set("AETERM", ""), Code.REQUIRED_VALUE),
    ("ae", _set("AETERM", "x" * 201), Code.VALUE_TOO_LONG),
    ("ae", _set("USUBJID", "NOBODY"), Code.UNKNOWN_SUBJECT),
    ("ae", lambda f: pd.concat([f, f], ignore_index=True), Code.SEQ_NOT_UNIQUE),
    ("ae", lambda f: f.drop(columns=["AESER"]), Code.REQUIRED_VARIABLE),
    ("ae", lambda f: f.assign(AEXTRA="x"), Code.UNDECLARED_VARIABLE),
    ("dm", _set("SEX", "X"), Code.NOT_IN_CODELIST),
    ("dm", lambda f: pd.concat([f, f.iloc[:1]], ignore_index=True), Code.SUBJECT_TWICE),
]


@pytest.mark.parametrize(("name", "change", "code"), BROKEN, ids=[b[2] for b in BROKEN])
def test_each_conformance_check_fails_on_a_package_broken_on_purpose(trial, coordinator, tmp_path, name, change, code):
    write_package(tmp_path, user=coordinator)
    assert check(tmp_path, DATASETS, blinded=False) == []
    _rewrite(tmp_path, name, change)
    assert code in {p.code for p in check(tmp_path, DATASETS, blinded=False)}


def test_the_label_and_missing_dataset_and_dry_run_checks_fail_when_broken(trial, coordinator, tmp_path):
    write_package(tmp_path, user=coordinator)
    frame, meta = read(tmp_path, "dm")
    labels = [("Sex of the subject" if c == "SEX" else meta.column_names_to_labels[c]) for c in frame.columns]
    pyreadstat.write_xport(
        frame, str(tmp_path / "dm.xpt"), column_labels=labels, table_name="DM", file_format_version=5
    )
    assert Code.LABEL_NOT_SDTMIG in {p.code for p in check(tmp_path, DATASETS, blinded=False)}
    assert Code.ARM_IN_DRY_RUN in {p.code for p in check(tmp_path, DATASETS, blinded=True)}  # phase 1: arms shown
    (tmp_path / "ae.xpt").unlink()
    assert Code.MISSING_DATASET in {p.code for p in check(tmp_path, DATASETS, blinded=False)}


def test_an_uncoded_adverse_event_is_not_fit_to_submit(site_a, coordinator, clinician, tmp_path):
    participant = treated_participant(user=coordinator, site=site_a)
    record(AdverseEvent, participant, ae_values(participant), user=clinician)  # no MedDRA term yet
    with pytest.raises(CommandError, match="conformance problem"):
        call_command("export_sdtm", str(tmp_path), "--user", coordinator.username)
    assert (tmp_path / "ae.xpt").exists()


def test_the_command_writes_the_package_and_reports_it(trial, coordinator, tmp_path, capsys):
    call_command("export_sdtm", str(tmp_path), "--user", coordinator.username)
    out = capsys.readouterr().out
    assert "dm.xpt: 2 records" in out and "ae.xpt: 1 records" in out and "none failed" in out
    with pytest.raises(CommandError, match="not a date"):
        call_command("export_sdtm", str(tmp_path), "--user", coordinator.username, "--cutoff", "yesterday")


def test_subjects_are_read_a_block_at_a_time(trial, coordinator, tmp_path, monkeypatch):
    monkeypatch.setattr(sdtm_subjects, "BLOCK", 1)
    package = write_package(tmp_path, user=coordinator)
    assert package.rows == {"DM": 2, "EX": 1, "AE": 1, "VS": 12} and check(tmp_path, DATASETS, blinded=False) == []


def test_a_subject_never_infused_starts_at_day_0(site_a, coordinator, clinician, tmp_path):
    meddra()
    participant = treated_participant(user=coordinator, site=site_a, arm_code="control")
    event = record(
        AdverseEvent, participant,
        ae_values(participant, meddra_preferred_term="Cough", meddra_code="10011224",
                  onset_datetime=local_datetime(participant.day0_date, 9)),
        user=clinician,
    )  # fmt: skip
    write_package(tmp_path, user=coordinator)
    dm, _ = read(tmp_path, "dm")
    assert dm.iloc[0]["RFSTDTC"] == participant.day0_date.isoformat() and dm.iloc[0]["RFXSTDTC"] == ""
    ae, _ = read(tmp_path, "ae")
    assert ae.iloc[0]["AESTDY"] == 1 and ae.iloc[0]["AETERM"] == event.term


DEFINE_SCHEMA = etree.XMLSchema(etree.parse(str(Path(odmlib.__file__).parent / "schemas/define/2.1/define2-1-0.xsd")))


def test_define_xml_validates_and_describes_every_variable(trial, coordinator, tmp_path):
    write_package(tmp_path, user=coordinator)
    document = etree.parse(str(tmp_path / "define.xml"))
    assert DEFINE_SCHEMA.validate(document), "\n".join(str(e) for e in list(DEFINE_SCHEMA.error_log)[:10])
    ns = {"odm": "http://www.cdisc.org/ns/odm/v1.3", "def": "http://www.cdisc.org/ns/def/v2.1"}
    sex = document.xpath("//odm:ItemDef[@OID='IT.DM.SEX']", namespaces=ns)[0]
    assert sex.xpath("odm:CodeListRef/@CodeListOID", namespaces=ns) == ["CL.C66731"]
    assert sex.xpath("def:Origin/@Type", namespaces=ns) == ["Collected"]
    assert document.xpath("//odm:CodeList[@OID='CL.C66731']/odm:Alias/@Name", namespaces=ns) == ["C66731"]
    day = document.xpath("//odm:ItemRef[@ItemOID='IT.AE.AESTDY']/@MethodOID", namespaces=ns)
    assert day == ["MT.DY"] and "no day 0" in etree.tostring(document).decode()
    # A code list lists the values the data holds, each with its NCI code where CDISC gives one.
    sexes = document.xpath("//odm:CodeList[@OID='CL.C66731']/odm:EnumeratedItem/@CodedValue", namespaces=ns)
    assert sexes == sorted({p.sex for p in trial[0]})
    route = document.xpath("//odm:CodeList[@OID='CL.C66729']/odm:EnumeratedItem", namespaces=ns)[0]
    assert route.get("CodedValue") == "INTRAVENOUS"
    assert route.xpath("odm:Alias/@Name", namespaces=ns) == ["C38276"]
    meddra = document.xpath("//odm:ExternalCodeList/@Version", namespaces=ns)
    assert meddra == ["27.1"]
    # Value-level metadata: VSORRES's meaning depends on VSTESTCD, one item per test the data holds.
    orres = document.xpath("//odm:ItemDef[@OID='IT.VS.VSORRES']/def:ValueListRef/@ValueListOID", namespaces=ns)
    assert orres == ["VL.VS.VSORRES"]
    refs = document.xpath("//def:ValueListDef[@OID='VL.VS.VSORRES']/odm:ItemRef/@ItemOID", namespaces=ns)
    assert "IT.VS.VSORRES.TEMP" in refs and "IT.VS.VSORRES.RESP" not in refs  # no daily observation here
    clause = document.xpath("//def:WhereClauseDef[@OID='WC.VS.VSTESTCD.TEMP']/odm:RangeCheck", namespaces=ns)[0]
    assert clause.get(f"{{{ns['def']}}}ItemOID") == "IT.VS.VSTESTCD" and clause[0].text == "TEMP"
    term = document.xpath("//odm:ItemDef[@OID='IT.AE.AETERM']/@Length", namespaces=ns)
    assert term == [str(len("Headache"))]  # the length written, not SDTM's maximum


def test_the_define_checks_fail_when_broken(trial, coordinator, tmp_path):
    write_package(tmp_path, user=coordinator)
    _rewrite(tmp_path, "ae", lambda f: f.drop(columns=["AESPID"]))
    assert Code.DEFINE_MISMATCH in {p.code for p in check(tmp_path, DATASETS, blinded=False)}
    (tmp_path / "define.xml").unlink()
    assert Code.DEFINE_MISSING in {p.code for p in check(tmp_path, DATASETS, blinded=False)}
    meddra("")
    write_package(tmp_path, user=coordinator)
    assert Code.MEDDRA_VERSION in {p.code for p in check(tmp_path, DATASETS, blinded=False)}


def test_the_download_is_the_package_with_its_conformance_report(trial, client, coordinator, clinician):
    client.force_login(clinician)
    assert client.get(reverse("sdtm-export")).status_code == 403
    client.force_login(coordinator)
    assert client.get(reverse("sdtm-export") + "?cutoff=soon").status_code == 400
    response = client.get(reverse("sdtm-export"))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert sorted(archive.namelist()) == ["ae.xpt", "conformance.txt", "define.xml", "dm.xpt", "ex.xpt", "vs.xpt"]
    assert archive.read("conformance.txt").decode() == "No check failed.\n"
    assert AccessEvent.objects.filter(kind=AccessEventKind.DATA_EXPORTED, detail__startswith="SDTM").count() == 1


def test_r_reads_every_dataset_as_written(trial, coordinator, tmp_path):
    """An independent reader of SAS transport files: R's foreign::read.xport (shipped with R)."""
    package = write_package(tmp_path, user=coordinator)
    script = (
        "library(foreign); for (f in commandArgs(TRUE)) { d <- read.xport(f); "
        "cat(basename(f), nrow(d), paste(names(d), collapse=','), '\\n') }"
    )
    files = [str(tmp_path / f"{name.lower()}.xpt") for name in package.rows]
    out = subprocess.run([rscript(), "-e", script, *files], capture_output=True, text=True, check=True).stdout  # noqa: S603
    read_by_r = {line.split()[0]: (int(line.split()[1]), line.split()[2]) for line in out.splitlines() if line}
    for dataset in DATASETS:
        rows, names = read_by_r[f"{dataset.name.lower()}.xpt"]
        assert rows == package.rows[dataset.name]
        assert names.split(",") == [v.name for v in dataset.variables]


def test_vs_holds_every_vital_sign_with_the_last_before_the_first_infusion_flagged(
    site_a, coordinator, clinician, tmp_path
):
    meddra()
    participant = treated_participant(user=coordinator, site=site_a)
    infusion = give_infusion(participant, 1, user=clinician)
    first_day = timezone.localtime(infusion.start_datetime).date()
    for day in (first_day, first_day + datetime.timedelta(days=1)):
        record(DailyObservation, participant, observation_values(participant, on=day), user=clinician)
    write_package(tmp_path, user=coordinator)
    assert check(tmp_path, DATASETS, blinded=False) == []
    vs, _ = read(tmp_path, "vs")
    assert len(vs) == 2 + 2 * 6 + 8  # weight and height, two days of six, four before and four after
    assert vs["VSSEQ"].tolist() == list(range(1, len(vs) + 1))
    flagged = vs[vs["VSLOBXFL"] == "Y"]
    # One per test measured before the first infusion: its pre-infusion values and screening's weight and height;
    # the daily values dated the day of the infusion are not known to be before it (RESP, OXYSAT: none).
    assert sorted(flagged["VSTESTCD"]) == sorted(["TEMP", "HR", "SYSBP", "DIABP", "WEIGHT", "HEIGHT"])
    pre = flagged[flagged["VSTESTCD"] == "TEMP"].iloc[0]
    assert (pre["VSTPT"], pre["VSTPTNUM"], pre["VSTPTREF"]) == ("PRE-INFUSION", 1, "INFUSION 1")
    assert pre["VSORRES"] == format(infusion.temperature_before_c, "f") and pre["VSDY"] == 1
    weight = flagged[flagged["VSTESTCD"] == "WEIGHT"].iloc[0]
    assert weight["VSORRES"] == format(participant.weight_kg, "f") and weight["VSDY"] < 0  # screening: no day 0
    assert not ((vs["VSDTC"] == first_day.isoformat()) & (vs["VSLOBXFL"] == "Y")).any()
    assert set(vs[vs["VSDTC"] == first_day.isoformat()]["VSDY"]) == {1}
    units = dict(zip(vs["VSTESTCD"], vs["VSORRESU"], strict=False))
    assert units["TEMP"] == "C" and units["HR"] == "beats/min" and units["OXYSAT"] == "%"


def test_checks_that_span_chunks_see_across_them(trial, coordinator, tmp_path, monkeypatch):
    """The checks read a dataset a chunk at a time (flat memory): a repeat split across chunks is still found."""
    monkeypatch.setattr(conformance, "CHUNK", 1)
    write_package(tmp_path, user=coordinator)
    assert check(tmp_path, DATASETS, blinded=False) == []
    _rewrite(tmp_path, "vs", lambda f: pd.concat([f, f.iloc[:1]], ignore_index=True))
    _rewrite(tmp_path, "dm", lambda f: pd.concat([f, f.iloc[:1]], ignore_index=True))
    codes = {p.code for p in check(tmp_path, DATASETS, blinded=False)}
    assert {Code.SEQ_NOT_UNIQUE, Code.SUBJECT_TWICE} <= codes


@pytest.mark.slow
def test_the_randomised_demo_makes_a_conformant_package_blinded_and_unblinded(tmp_path):
    call_command("seed_demo", "--design", "randomised")
    users = get_user_model().objects
    for username, blinded in (("ustat", False), ("coordinator", True)):
        package = write_package(tmp_path / username, user=users.get(username=username))
        assert package.blinded is blinded and package.rows["DM"] == 20 and package.rows["VS"] > 0
        assert check(tmp_path / username, DATASETS, blinded=blinded) == []
        dm, _ = read(tmp_path / username, "dm")
        assert (set(dm["ARMCD"]) == {""}) is blinded


def test_the_country_and_the_meddra_version_are_refused_on_their_field_with_a_code(site_a):
    """Rules of the model layer (full_clean): the admin, an import and a form all get them."""
    site_a.country = "cn1"
    with pytest.raises(ValidationError) as refused:
        site_a.full_clean()
    assert [e.code for e in refused.value.error_dict["country"]] == ["site_country"]
    design = TrialDesign.current()
    design.meddra_version = "version 27"
    with pytest.raises(ValidationError) as refused:
        design.full_clean()
    assert [e.code for e in refused.value.error_dict["meddra_version"]] == ["meddra_version"]
