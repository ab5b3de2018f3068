"""The downloads: the analysis bundle and the trial summary report (page, CSV, XLSX), of the user's sites,
without arms for a user who may not see them."""

import datetime

import tablib
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from outcomes.choices import OxygenSupport
from outcomes.endpoint_table import NOTE as ENDPOINT_NOTE
from outcomes.summary import as_table
from patients.casebook.blinding import BlindingPolicy
from patients.casebook.spreadsheet import spreadsheet_safe
from ucmsc_crf.analysis.bundle import bundle_chunks
from ucmsc_crf.analysis.columns import Options
from ucmsc_crf.odm.export import file_name as odm_file_name
from ucmsc_crf.odm.export import odm_export
from ucmsc_crf.odm.writer import Scope, parse_since
from ucmsc_crf.report_cache import summary_for
from ucmsc_crf.report_charts import consort_narrow_svg, consort_svg, oxygen_svg, trajectory_svg
from ucmsc_crf.sdtm.package import package_chunks


@login_required
def analysis_export(request):
    """The analysis bundle of the user's sites, streamed as it is written (no file kept on the server).
    Free text is never offered here: it is exported only from the command line, by a data manager."""
    if not request.user.has_perm("patients.export_data"):
        raise PermissionDenied
    study_days = request.GET.get("dates") == "study_days"
    options = Options(study_days=study_days, hide_allocation=BlindingPolicy.of(request.user).hides_allocation)
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(bundle_chunks(user=request.user, options=options), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="ucmsc-analysis-{stamp}.zip"'
    return response


@login_required
def odm_download(request):
    """The trial as a CDISC ODM 1.3.2 file, of the user's sites and as their blinding allows, streamed as it
    is written; ``?site=`` or ``?participant=`` narrow it, ``?since=`` (with ``?prior=`` the FileOID it follows)
    makes it an increment. Free text only from the command line."""
    if not request.user.has_perm("patients.export_data"):
        raise PermissionDenied
    try:
        since = parse_since(request.GET.get("since", ""))
    except ValueError as error:
        return HttpResponseBadRequest(str(error))
    scope = Scope(
        site_code=request.GET.get("site", "").strip(),
        study_id=request.GET.get("participant", "").strip(),
        since=since,
        prior_file=request.GET.get("prior", "").strip()[:100],
    )
    chunks = odm_export(user=request.user, scope=scope, request=request)
    response = StreamingHttpResponse(chunks, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{odm_file_name(scope)}"'
    return response


@login_required
def sdtm_download(request):
    """The CDISC SDTM package (XPT datasets, define.xml, the conformance report) as a zip: the submission
    package for the unblinded statistician, a blinded dry run for anyone else the blinding policy keeps
    blind. ``?cutoff=YYYY-MM-DD`` keeps the subjects enrolled by then."""
    if not request.user.has_perm("patients.export_data"):
        raise PermissionDenied
    try:
        cutoff = datetime.date.fromisoformat(request.GET["cutoff"]) if request.GET.get("cutoff") else None
    except ValueError:
        return HttpResponseBadRequest("cutoff is not a date (YYYY-MM-DD).")
    chunks = package_chunks(user=request.user, cutoff=cutoff, request=request)
    response = StreamingHttpResponse(chunks, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="ucmsc-sdtm-{timezone.now():%Y%m%d-%H%M}.zip"'
    return response


@login_required
def report(request):
    """The trial summary of the user's sites: a page, or ?format=csv / xlsx for the same table."""
    if not request.user.has_perm("patients.view_report"):
        raise PermissionDenied
    file_format = request.GET.get("format")
    policy = BlindingPolicy.of(request.user)
    summary = summary_for(
        request.user,
        by_arm=policy.sees_allocation,
        # The page lists only the infusions with an associated event; the download every one.
        all_infusions=file_format in ("csv", "xlsx"),
    )
    if file_format in ("csv", "xlsx"):
        rows = [[spreadsheet_safe(cell) for cell in row] for row in as_table(summary)]
        data = tablib.Dataset(*rows[1:], headers=rows[0])
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        content_type = (
            "text/csv"
            if file_format == "csv"
            else ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        )
        response = HttpResponse(data.export(file_format), content_type=content_type)
        kind = "closed-report" if policy.closed_report else "summary"
        response["Content-Disposition"] = f'attachment; filename="ucmsc-{kind}-{stamp}.{file_format}"'
        return response
    context = {
        "summary": summary,
        "consort": consort_svg(summary.flow),
        "consort_narrow": consort_narrow_svg(summary.flow),
        "trajectories": [trajectory_svg(t, summary.arms) for t in summary.trajectories],
        "oxygen": oxygen_svg(summary.oxygen, summary.arms, OxygenSupport.choices),
        "blinded": policy.hides_allocation,
        "closed": policy.closed_report,
        "endpoint_note": ENDPOINT_NOTE,
    }
    return render(request, "clinic/report.html", context)
