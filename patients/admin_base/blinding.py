"""In a blinded trial the admin shows nothing of allocation to a user the blinding policy hides it from
(patients.casebook.access.hides_allocation): no arm column, filter, search, sort, form field or export
column, and the allocation tables (arms, arm regimens) are not in the admin at all."""

from patients.casebook.access import hides_allocation, names_allocation, without_allocation


class BlindedAdminMixin:
    def get_list_display(self, request):
        return without_allocation(request.user, super().get_list_display(request))

    def get_list_filter(self, request):
        return without_allocation(request.user, super().get_list_filter(request))

    def get_search_fields(self, request):
        return without_allocation(request.user, super().get_search_fields(request))

    def get_sortable_by(self, request):
        return without_allocation(request.user, super().get_sortable_by(request))

    def get_readonly_fields(self, request, obj=None):
        return without_allocation(request.user, super().get_readonly_fields(request, obj))

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not hides_allocation(request.user):
            return fieldsets
        # The form is built from these (ModelAdmin.get_form): a blinded save never reads or writes the arm.
        return [
            (name, {**options, "fields": [f for f in options["fields"] if not names_allocation(f)]})
            for name, options in fieldsets
        ]


class AllocationTableAdminMixin:
    """An admin whose table is the allocation itself (arms, arm regimens, the randomisation list, the kits'
    preparations): invisible when it is hidden, its export included."""

    def has_module_permission(self, request):
        return not hides_allocation(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return not hides_allocation(request.user) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not hides_allocation(request.user) and super().has_change_permission(request, obj)

    def has_add_permission(self, request):
        return not hides_allocation(request.user) and super().has_add_permission(request)

    def has_export_permission(self, request):
        # The export is checked against export_data, not view: without this, a blinded coordinator could
        # download the table they cannot open (found by tests/test_blinded_walk.py on the kits' preparations).
        parent = getattr(super(), "has_export_permission", None)
        return not hides_allocation(request.user) and (parent is None or parent(request))
