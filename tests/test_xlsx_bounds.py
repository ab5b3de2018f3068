"""An XLSX import cannot make the server hold more than a bounded amount of memory (patients/import_formats.py).

A 5 KB workbook with a header row and one cell at XFD1048576 grew a worker to 22 GB with
django-import-export's own XLSX reader. The reader is run here in a child process whose address space is
capped (RLIMIT_AS) a little above what it already uses, so a reader that pads the sheet dies of MemoryError
instead of taking this machine down with it."""

import io
import json
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import openpyxl
import pytest
import tablib
from django.urls import reverse
from import_export.formats.base_formats import XLSX

from outcomes.models import DailyObservation
from outcomes.resources import DailyObservationResource
from patients.import_formats import BoundedXLSX, ImportFileRefused
from tests.factories import observation_values, treated_participant

ROOT = Path(__file__).resolve().parent.parent
HEADROOM_MB = 400


def workbook(cells: dict[str, object], headers=("study_id", "observation_date")) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(headers))
    for address, value in cells.items():
        sheet[address] = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def read_in_capped_child(content: bytes, tmp_path, reader: str) -> dict:
    """Run ``reader().create_dataset(content)`` in a child whose address space may grow by HEADROOM_MB."""
    path = tmp_path / "sheet.xlsx"
    path.write_bytes(content)
    script = textwrap.dedent(
        f"""
        import json, resource, sys
        import django
        django.setup()
        from import_export.formats.base_formats import XLSX
        from patients.import_formats import BoundedXLSX, ImportFileRefused
        data = open({str(path)!r}, "rb").read()
        with open("/proc/self/status") as status:
            vm_kb = next(int(line.split()[1]) for line in status if line.startswith("VmSize:"))
        cap = (vm_kb + {HEADROOM_MB} * 1024) * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        try:
            rows = len({reader}().create_dataset(data))
        except ImportFileRefused as exc:
            print(json.dumps({{"refused": exc.code, "message": str(exc)}}))
        except MemoryError:
            print(json.dumps({{"memory_error": True}}))
        else:
            print(json.dumps({{"rows": rows}}))
        """
    )
    env = {"DJANGO_SETTINGS_MODULE": "tests.settings", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    lines = done.stdout.strip().splitlines()
    assert lines, f"child printed nothing (exit {done.returncode}): {done.stderr[-2000:]}"
    return json.loads(lines[-1])


def test_a_far_away_cell_is_refused_within_bounded_memory(tmp_path):
    content = workbook({"XFD1048576": "x"})
    assert len(content) < 10_000  # a small upload, well under the size limit
    outcome = read_in_capped_child(content, tmp_path, "BoundedXLSX")
    assert outcome.get("refused") == "xlsx_too_many_rows", outcome
    assert "row 1,048,576" in outcome["message"]


def test_the_library_reader_would_exhaust_that_memory(tmp_path):
    """The hazard the bound removes: django-import-export's reader pads the same file to 16,384 columns per
    row and runs out of the capped address space (on a real worker: 22 GB, then the kernel's OOM killer)."""
    outcome = read_in_capped_child(workbook({"XFD1048576": "x"}), tmp_path, "XLSX")
    assert outcome == {"memory_error": True}


@pytest.mark.parametrize(
    ("cells", "code", "names"),
    [
        ({"XFD2": "x"}, "xlsx_value_outside_header", "Cell XFD2"),
        ({"A60000": "x"}, "xlsx_too_many_rows", "row 60,000"),
    ],
)
def test_values_outside_the_bounds_are_refused_by_cell(cells, code, names, settings):
    settings.CRF_IMPORT_MAX_ROWS = 50_000
    with pytest.raises(ImportFileRefused) as refused:
        BoundedXLSX().create_dataset(workbook(cells))
    assert refused.value.code == code and names in str(refused.value)


def test_a_header_wider_than_the_column_bound_is_refused(settings):
    settings.CRF_IMPORT_MAX_COLUMNS = 5
    with pytest.raises(ImportFileRefused) as refused:
        BoundedXLSX().create_dataset(workbook({}, headers=list("abcdef")))
    assert refused.value.code == "xlsx_too_many_columns" and "column F" in str(refused.value)


def test_a_zip_bomb_is_refused_before_it_is_inflated(settings):
    settings.CRF_IMPORT_MAX_XLSX_UNPACKED_MB = 1
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=8) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (5 * 1024 * 1024))
    assert len(buffer.getvalue()) < 50_000
    with pytest.raises(ImportFileRefused) as refused:
        BoundedXLSX().create_dataset(buffer.getvalue())
    assert refused.value.code == "xlsx_unpacks_too_large" and "unpacks to 5 MB" in str(refused.value)


def test_it_reads_what_the_library_reader_reads():
    """Same dataset as django-import-export's reader for an ordinary sheet (gaps and blanks included)."""
    content = workbook({"A2": "01-001", "B2": "2020-02-05", "A4": "01-002", "B4": None})
    ours, theirs = BoundedXLSX().create_dataset(content), XLSX().create_dataset(content)
    assert ours.headers == theirs.headers and list(ours) == list(theirs)


@pytest.mark.django_db
def test_the_admin_import_says_why_and_saves_nothing(client, coordinator, site_a):
    participant = treated_participant(user=coordinator, site=site_a)
    headers = ["study_id", *DailyObservationResource.Meta.fields[1:]]
    values = observation_values(participant)
    good = tablib.Dataset(headers=headers)
    good.append([participant.study_id, *["" if values.get(h) is None else values[h] for h in headers[1:]]])
    book = openpyxl.load_workbook(io.BytesIO(XLSX().export_data(good)))
    book.active["XFD1048576"] = "stray"
    buffer = io.BytesIO()
    book.save(buffer)

    client.force_login(coordinator)
    upload = io.BytesIO(buffer.getvalue())
    upload.name = "ward.xlsx"
    response = client.post(
        reverse("admin:outcomes_dailyobservation_import"), {"import_file": upload, "format": "1", "resource": "0"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "goes down to row 1,048,576" in body and "Nothing was imported" in body
    assert "Confirm import" not in body
    assert DailyObservation.objects.count() == 0


def test_rows_times_columns_are_bounded_by_cells(settings):
    """Issue 28, H: 30,000 rows of 200 columns passed both bounds and made a 1.27 GB worker."""
    settings.CRF_IMPORT_MAX_CELLS = 10
    with pytest.raises(ImportFileRefused) as refused:
        BoundedXLSX().create_dataset(workbook({f"A{row}": "x" for row in range(2, 9)}, headers=list("abc")))
    assert refused.value.code == "xlsx_too_many_cells" and "most 10 cells" in str(refused.value)
