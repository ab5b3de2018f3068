"""Sites, who works at which, and the scope every queryset a user sees is filtered by (``site_ids_for``)."""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.validators import RegexValidator
from django.db import models
from simple_history.models import HistoricalRecords

ALL_SITES_PERMISSION = "patients.view_all_sites"


def site_ids_for(user) -> set[int] | None:
    """The ids of the sites the user may see, or None for every site.

    Superusers and roles granted ``patients.view_all_sites`` (e.g. a central data manager) see every
    site; an anonymous or inactive user sees none; everyone else sees the sites they are a member of.
    """
    if user is None or isinstance(user, AnonymousUser) or not user.is_active:
        return set()
    if user.is_superuser or user.has_perm(ALL_SITES_PERMISSION):
        return None
    cached = getattr(user, "_crf_site_ids", None)
    if cached is None:
        cached = set(SiteMembership.objects.filter(user=user).values_list("site_id", flat=True))
        # Cached per user object, i.e. per request: memberships change rarely and a request is short.
        user._crf_site_ids = cached
    return cached


class SiteQuerySet(models.QuerySet):
    def for_user(self, user):
        site_ids = site_ids_for(user)
        return self if site_ids is None else self.filter(pk__in=site_ids)


class Site(models.Model):
    # How an export names one of these (patients/casebook/exports.py): the attribute and the column suffix.
    export_natural_key = ("code", None)
    code = models.CharField(
        max_length=4,
        unique=True,
        validators=[RegexValidator(r"^[0-9A-Z]{2,4}$", "Two to four digits or capital letters, e.g. 01.")],
        help_text="Short code that prefixes the site's study IDs, e.g. 01 gives 01-001.",
    )
    name = models.CharField(max_length=200, unique=True)
    country = models.CharField(
        max_length=3,
        default="CHN",
        validators=[
            RegexValidator(r"^[A-Z]{3}$", "Three capital letters (ISO 3166-1 alpha-3), e.g. CHN.", code="site_country")
        ],
        help_text="ISO 3166-1 alpha-3 code of the country the site is in (SDTM's DM.COUNTRY), e.g. CHN.",
    )
    # The last study ID sequence number issued at this site. Only ever incremented, under a row lock,
    # so numbers are never reused even if a participant record is voided.
    last_sequence_number = models.PositiveIntegerField(default=0, editable=False)

    objects = SiteQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["last_sequence_number"])

    class Meta:
        ordering = ["code"]
        default_permissions = ("add", "change", "view")
        permissions = [("view_all_sites", "Can see participants of every site")]

    def __str__(self):
        return f"{self.code} {self.name}"


class SiteMembership(models.Model):
    """A user works at a site and sees its participants. A user may belong to several sites."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="site_memberships")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="memberships")

    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "site"], name="patients_sitemembership_unique")]

    def __str__(self):
        return f"{self.user} at {self.site}"
