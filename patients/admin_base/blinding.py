"""In a blinded trial the admin shows nothing of allocation to a user the blinding policy hides it from
(patients.casebook.access.hides_allocation): no arm column, filter, search, sort, form field or export
column, and the allocation tables (arms, arm regimens) are not in the admin at all.

What is not shown may still be typed: ``?arm=1`` or ``?randomisation_slot__arm__code=a`` in a changelist's
address is a filter Django's admin would apply (it allows any lookup on a model's own fields). A lookup,
an ordering or a search that reads the allocation is refused here, where the changelist reads it
(``lookup_allowed``: the answer is 400), not only left out of the page."""

from django.contrib.admin.views.main import ChangeList

from patients.casebook.access import hides_allocation, reads_allocation, without_allocation


class BlindedChangeList(ChangeList):
    """A changelist whose ordering never reads the allocation for a reader it is hidden from: a column's
    ``admin_order_field`` (``?o=2``) or the admin's ordering cannot sort rows by arm."""

    def get_ordering(self, request, queryset):
        ordering = super().get_ordering(request, queryset)
        if not hides_allocation(request.user):
            return ordering
        return [term for term in ordering if not reads_allocation(self.model, getattr(term, "name", term))]


class BlindedAdminMixin:
    def get_list_display(self, request):
        return without_allocation(request.user, super().get_list_display(request), self.model)

    def get_list_filter(self, request):
        return without_allocation(request.user, super().get_list_filter(request), self.model)

    def get_search_fields(self, request):
        return without_allocation(request.user, super().get_search_fields(request), self.model)

    def get_sortable_by(self, request):
        return without_allocation(request.user, super().get_sortable_by(request), self.model)

    def get_readonly_fields(self, request, obj=None):
        return without_allocation(request.user, super().get_readonly_fields(request, obj), self.model)

    def get_ordering(self, request):
        return without_allocation(request.user, super().get_ordering(request) or (), self.model)

    def lookup_allowed(self, lookup, value, request=None):
        # A typed filter that reads the allocation: refused (DisallowedModelAdminLookup, a 400), whatever
        # the lookup (exact, in, isnull, gt, a transform) and however it gets there.
        if request is not None and hides_allocation(request.user) and reads_allocation(self.model, lookup):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_changelist(self, request, **kwargs):
        return BlindedChangeList

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not hides_allocation(request.user):
            return fieldsets
        # The form is built from these (ModelAdmin.get_form): a blinded save never reads or writes the arm.
        return [
            (name, {**options, "fields": self._fields_without_allocation(options["fields"])})
            for name, options in fieldsets
        ]

    def _fields_without_allocation(self, fields):
        # A fieldset's line may hold several fields (a tuple): each is judged on its own.
        kept = []
        for line in fields:
            if isinstance(line, list | tuple):
                line = tuple(name for name in line if not reads_allocation(self.model, name))
                if line:
                    kept.append(line)
            elif not reads_allocation(self.model, line):
                kept.append(line)
        return kept


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
