"""Every import takes back what the admin's export of the same records gave (issue 28, 1-3): for each case
report form that can be imported, in CSV and XLSX, a casebook with a record voided and entered again and
one with its optional text left empty is exported from its admin list and imported unchanged. The preview
finds nothing new, changed, invalid or failing; confirming it changes nothing: no voided record comes back
as data, the re-entered one is not a duplicate, no empty text cell is refused by the database.

(The participants' import is a paper archive's migration, which creates participants from a file of its
own shape: tests/test_archive_migration.py. A participant export is not an archive.)"""

import io

import pytest
from django.urls import reverse
from import_export.results import RowResult

from dosing.models import Infusion
from patients.casebook import services as casebook_services
from patients.casebook.registry import registry
from tests.factories import crf_values, give_infusion, record, treated_participant
from tests.helpers import admin_export

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
IMPORTABLE = [crf for crf in registry.all() if crf.importable]
FORMATS = {"csv": ("0", "0"), "xlsx": ("1", "1")}  # (export format, import format) as the pages number them


def test_the_round_trip_covers_every_importable_form():
    assert {crf.key for crf in IMPORTABLE} >= {"infusions", "observations", "labs", "follow-up", "qct"}


def casebook(crf, user, site):
    """Two participants' records of ``crf``: one voided and entered again with the same key, one as entered."""
    first, second = treated_participant(user=user, site=site), treated_participant(user=user, site=site)
    enter = (
        (lambda participant: give_infusion(participant, 1, user=user))
        if crf.model is Infusion
        else (lambda participant: record(crf.model, participant, crf_values(crf, participant), user=user))
    )
    casebook_services.record_void(record=enter(first), user=user, reason="Entered for the wrong day")
    enter(first)
    enter(second)
    return crf.model.objects.filter(participant__in=[first, second])


def snapshot(records):
    return sorted((r.pk, r.voided, r.version, r.history.count()) for r in records.model.objects.filter(pk__in=records))


@pytest.mark.parametrize("file_format", list(FORMATS))
@pytest.mark.parametrize("crf", IMPORTABLE, ids=lambda crf: crf.key)
def test_an_unchanged_export_imports_back_as_nothing_to_do(client, coordinator, site_a, crf, file_format):
    records = casebook(crf, coordinator, site_a)
    assert records.filter(voided=True).count() == 1 and records.filter(voided=False).count() == 2
    before = snapshot(records)
    meta = crf.model._meta
    client.force_login(coordinator)
    export_format, import_format = FORMATS[file_format]
    exported = admin_export(client, reverse(f"admin:{meta.app_label}_{meta.model_name}_export"), export_format)
    assert exported.status_code == 200
    upload = io.BytesIO(exported.content)
    upload.name = f"{meta.model_name}.{file_format}"
    preview = client.post(
        reverse(f"admin:{meta.app_label}_{meta.model_name}_import"),
        {"import_file": upload, "format": import_format, "resource": "0"},
    )
    assert preview.status_code == 200
    result = preview.context.get("result")
    assert result is not None, preview.context["form"].errors
    problems = [str(e.error) for _, errors in result.row_errors() for e in errors]
    problems += [f"row {row.number}: {row.error_dict}" for row in result.invalid_rows]
    assert problems == []
    assert result.totals[RowResult.IMPORT_TYPE_NEW] == result.totals[RowResult.IMPORT_TYPE_UPDATE] == 0
    assert result.totals[RowResult.IMPORT_TYPE_SKIP] == 3  # the voided row matched to its voided record
    confirm = preview.context["confirm_form"].initial
    done = client.post(reverse(f"admin:{meta.app_label}_{meta.model_name}_process_import"), confirm)
    assert done.status_code == 302
    assert snapshot(records) == before


def test_a_row_marked_voided_never_voids_or_creates_a_record(client, coordinator, site_a):
    """A voided row the casebook does not hold as voided (hand-edited, or another database's) is refused on
    its row with its code: an import does not void an active record, nor create a voided one."""
    import tablib

    from tests.helpers import run_infusion_import

    participant = treated_participant(user=coordinator, site=site_a)
    give_infusion(participant, 1, user=coordinator)
    client.force_login(coordinator)
    exported = admin_export(client, reverse("admin:dosing_infusion_export"))
    data = tablib.Dataset().load(exported.content.decode("utf-8-sig"), format="csv")
    row = list(data[0])
    row[data.headers.index("voided")] = "1"
    data[0] = row
    result = run_infusion_import(data, coordinator, dry_run=True)
    codes = [e.code for invalid in result.invalid_rows for e in invalid.error.error_dict["voided"]]
    assert codes == ["voided_row_unmatched"]
    assert Infusion.objects.get(participant=participant).voided is False
