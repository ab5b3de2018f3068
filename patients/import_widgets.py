"""The import widgets of clinical files (django-import-export): a participant by study ID among the importing
user's sites only, a user among those sites' staff, a row looked up once per file (an analyte, an arm), and a
coded value by its code or its label. Each refuses what it cannot find with the column's own message."""

from django.contrib.auth import get_user_model
from django.db import models
from django.utils.text import capfirst
from import_export import widgets

from patients.casebook.sites import site_ids_for
from patients.models import Participant


class ScopedParticipantWidget(widgets.ForeignKeyWidget):
    """Study ID -> participant, among the importing user's sites (none without a user). During an import the
    file's participants are looked up once (``found``, set by ClinicalRecordResource), not once per row."""

    def __init__(self, **kwargs):
        super().__init__(Participant, field="study_id", **kwargs)
        self.user = None
        self.found: dict | None = None

    def get_queryset(self, value, row, *args, **kwargs):
        queryset = Participant.objects.active()
        return queryset.for_user(self.user) if self.user is not None else queryset.none()

    def clean(self, value, row=None, **kwargs):
        if self.found is not None and value not in (None, ""):
            participant = self.found.get(value if isinstance(value, str) else str(value))
            if participant is None:
                raise ValueError(f"No participant {value!r} at your sites.")
            return participant
        try:
            return super().clean(value, row, **kwargs)
        except Participant.DoesNotExist:
            raise ValueError(f"No participant {value!r} at your sites.") from None


class ScopedUserWidget(widgets.ForeignKeyWidget):
    """Username -> a user of the importing user's sites, as the forms offer them. One message for any name
    that is not such a user, so an import does not tell whether a username exists elsewhere."""

    def __init__(self, **kwargs):
        super().__init__(get_user_model(), field="username", **kwargs)
        self.user = None

    def get_queryset(self, value, row, *args, **kwargs):
        if self.user is None:
            return self.model.objects.none()
        users = self.model.objects.filter(is_active=True)
        site_ids = site_ids_for(self.user)
        return users if site_ids is None else users.filter(site_memberships__site_id__in=site_ids).distinct()

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except self.model.DoesNotExist:
            raise ValueError(f"{value!r} is not a user of this site.") from None


class LookedUpOnceWidget(widgets.ForeignKeyWidget):
    """A foreign key named by a code in a small reference table (an analyte by its code): the table is read
    once per import, not once per row. An unknown code gets the same refusal as ForeignKeyWidget's."""

    def __init__(self, model, field, **kwargs):
        super().__init__(model, field=field, **kwargs)
        self._by_value = None

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        if self._by_value is None:
            self._by_value = {str(getattr(obj, self.field)): obj for obj in self.get_queryset(value, row, **kwargs)}
        found = self._by_value.get(str(value).strip())
        if found is None:
            raise ValueError(f"{capfirst(self.model._meta.verbose_name)} {value!r} does not exist.")
        return found


class CodeWidget(widgets.Widget):
    """A coded field: the code as stored. An unknown code is refused on its field, naming the codes."""

    def __init__(self, model_field, **kwargs):
        super().__init__(**kwargs)
        self.model_field = model_field

    def clean(self, value, row=None, **kwargs):
        if value is None or str(value).strip() == "":
            return "" if isinstance(self.model_field, models.CharField) else None
        if isinstance(value, float) and value.is_integer():  # a number read from XLSX
            value = int(value)
        codes = {str(code): code for code, _ in self.model_field.flatchoices}
        text = str(value).strip()
        if text not in codes:
            raise ValueError(
                f"{text!r} is not a code of {self.model_field.verbose_name}; the codes are: {', '.join(codes)}."
            )
        return codes[text]

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)
