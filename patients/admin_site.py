"""The admin site: Django's, with its "view on site" redirect scoped like every other admin page.

Django's ``/admin/r/<content type>/<id>/`` (contenttypes' shortcut) looks any object up by id and redirects
to its page: for a participant of another site it would turn a database id into a study ID. Here it looks
the object up through the model's admin (``get_object``, i.e. the user's sites, the admin's permissions), so
another site's id, or an id that is not a number, is simply not found. Installed as the default site by
``CrfAdminConfig`` (settings.INSTALLED_APPS), so every ``admin.site.register`` lands here."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.utils import unquote
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path


class CrfAdminSite(admin.AdminSite):
    def get_urls(self):
        scoped = path(
            "r/<int:content_type_id>/<path:object_id>/", self.admin_view(self.view_on_site), name="view_on_site"
        )
        return [scoped if getattr(url, "name", None) == "view_on_site" else url for url in super().get_urls()]

    def view_on_site(self, request, content_type_id, object_id):
        from django.contrib.contenttypes.models import ContentType  # this module loads before the models

        content_type = ContentType.objects.filter(pk=content_type_id).first()
        model = content_type.model_class() if content_type is not None else None
        model_admin = self._registry.get(model)
        if model_admin is None or not model_admin.has_view_or_change_permission(request):
            raise Http404
        obj = model_admin.get_object(request, unquote(object_id))
        if obj is None or not hasattr(obj, "get_absolute_url"):
            raise Http404
        return redirect(obj.get_absolute_url())


class CrfAdminConfig(AdminConfig):
    default_site = "patients.admin_site.CrfAdminSite"
