"""Project-wide request and response rules that no single view should have to remember."""

import logging

from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware
from django.db import connections, transaction
from django.http import HttpResponseBadRequest
from django.utils.cache import add_never_cache_headers, patch_cache_control

logger = logging.getLogger(__name__)
# SQLSTATEs of a transaction the database chose to abort so that others may go on: run again, it succeeds.
RETRYABLE_SQLSTATES = {"40P01", "40001"}  # deadlock_detected, serialization_failure


class RejectNulBytesMiddleware:
    """A NUL character in the address or its query string is malformed input: 400, before any view.

    PostgreSQL cannot hold NUL in text, so a ``?q=%00`` or a study ID containing ``%00`` used to reach the
    database driver and fail there (a 500). Forms refuse NUL on their own fields (Django's
    ProhibitNullCharactersValidator), with a message on the field, so POST bodies are left to them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.GET
        if "\x00" in request.path or any("\x00" in key or "\x00" in v for key in query for v in query.getlist(key)):
            return HttpResponseBadRequest("Malformed request: the address contains a NUL character.")
        return self.get_response(request)


class NoStoreMiddleware:
    """Clinical pages and downloads are never kept by the browser or a proxy (Cache-Control: no-store).

    A shared ward PC's back button or disk cache must not show a casebook, a report or an export after the
    user has logged out. Static files (whitenoise, before this middleware) keep their long caching."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        add_never_cache_headers(response)
        patch_cache_control(response, private=True)
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware with the policy of settings.CONTENT_SECURITY_POLICY (scripts and styles from
    this server's files only), except that admin pages may carry inline style attributes: Django's change
    list, django-import-export's export page and simple-history's list write a few. Scripts stay strict
    everywhere; the clinician pages allow no inline style either."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if request.path_info.startswith("/admin/"):
            parts.update = {**(parts.update or {}), "style-src": [UNSAFE_INLINE]}
        return parts


def is_deadlock_victim(exception) -> bool:
    """Whether the database aborted this request's transaction to break a deadlock (psycopg's error, as the
    cause of Django's OperationalError)."""
    cause = getattr(exception, "__cause__", None)
    return getattr(cause, "sqlstate", None) in RETRYABLE_SQLSTATES


class DeadlockRetryMiddleware:
    """A request whose transaction was a deadlock's victim runs once more, in a new transaction.

    Every path takes the casebook's locks in one order (ClinicalRecord.locked_for_write), so a deadlock is
    not expected; when one happens anyway (a path nobody thought of, a lock PostgreSQL takes on its own),
    the victim's transaction is already rolled back (ATOMIC_REQUESTS wraps the view alone) and running the
    view again is the same as the user pressing Save again, without the 500 (issue 28, F). Once only: a
    second deadlock is a real fault and is reported as one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        match = getattr(request, "resolver_match", None)
        if match is None or getattr(request, "_crf_deadlock_retried", False) or not is_deadlock_victim(exception):
            return None
        request._crf_deadlock_retried = True
        logger.warning("Deadlock victim: %s %s runs once more", request.method, request.path)
        view = match.func
        # As Django's handler wraps a view (BaseHandler.make_view_atomic): one transaction per database.
        non_atomic = getattr(view, "_non_atomic_requests", set())
        for alias, settings_dict in connections.settings.items():
            if settings_dict["ATOMIC_REQUESTS"] and alias not in non_atomic:
                view = transaction.atomic(using=alias)(view)
        return view(request, *match.args, **match.kwargs)
