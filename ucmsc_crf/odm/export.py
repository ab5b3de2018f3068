"""An ODM export as the app gives it out: the file's bytes, and the access log's line saying who took which
part of the trial's data, blinded or not (every export is logged, from the page and from the command)."""

from collections.abc import Iterator

from django.utils import timezone

from patients.access_log import AccessEventKind
from patients.access_log_receivers import log_access_event
from patients.casebook.blinding import BlindingPolicy
from ucmsc_crf.odm.writer import Scope, odm_chunks


def describe(user, scope: Scope, *, free_text: bool) -> str:
    policy = BlindingPolicy.of(user)
    parts = ["ODM 1.3.2"]
    parts.append(f"site {scope.site_code}" if scope.site_code else "all sites of the user")
    if scope.study_id:
        parts.append(f"participant {scope.study_id}")
    if scope.since:
        parts.append(f"changes since {scope.since.isoformat(timespec='minutes')}")
    parts.append("blinded" if policy.hides_allocation else "with the allocation")
    if free_text:
        parts.append("with free text")
    return ", ".join(parts)


def odm_export(*, user, scope: Scope | None = None, free_text: bool = False, request=None) -> Iterator[bytes]:
    """Log the export, then stream the file."""
    scope = scope or Scope()
    log_access_event(
        AccessEventKind.DATA_EXPORTED, user=user, request=request, detail=describe(user, scope, free_text=free_text)
    )
    return odm_chunks(user=user, scope=scope, free_text=free_text)


def file_name(scope: Scope) -> str:
    what = scope.study_id or (f"site-{scope.site_code}" if scope.site_code else "all")
    return f"ucmsc-odm-{what}-{timezone.now():%Y%m%d-%H%M}.xml"
