"""Project-wide request and response rules that no single view should have to remember."""

from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware
from django.http import HttpResponseBadRequest
from django.utils.cache import add_never_cache_headers, patch_cache_control


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
