"""In a blinded trial the admin shows nothing of allocation to a user the blinding policy hides it from
(patients.casebook.blinding.BlindingPolicy): no arm column, filter, search, sort, form field or export
column, and the allocation tables (arms, arm regimens) are not in the admin at all.

What is not shown may still be typed: ``?arm=1`` or ``?randomisation_slot__arm__code=a`` in a changelist's
address is a filter Django's admin would apply (it allows any lookup on a model's own fields). A lookup,
an ordering or a search that reads the allocation is refused here, where the changelist reads it
(``lookup_allowed``: the answer is 400), not only left out of the page."""

from django.contrib.admin.views.main import ChangeList

from patients.casebook.blinding import BlindingPolicy


class BlindedChangeList(ChangeList):
    """A changelist whose ordering never reads the allocation for a reader it is hidden from: a column's
    ``admin_order_field`` (``?o=2``) or the admin's ordering cannot sort rows by arm."""

    def get_ordering(self, request, queryset):
        policy = BlindingPolicy.of(request.user)
        ordering = super().get_ordering(request, queryset)
        return [term for term in ordering if not policy.hides(self.model, getattr(term, "name", term))]


class BlindedAdminMixin:
    def get_list_display(self, request):
        return BlindingPolicy.of(request.user).visible(self.model, super().get_list_display(request))

    def get_list_filter(self, request):
        return BlindingPolicy.of(request.user).visible(self.model, super().get_list_filter(request))

    def get_search_fields(self, request):
        return BlindingPolicy.of(request.user).visible(self.model, super().get_search_fields(request))

    def get_sortable_by(self, request):
        return BlindingPolicy.of(request.user).visible(self.model, super().get_sortable_by(request))

    def get_readonly_fields(self, request, obj=None):
        return BlindingPolicy.of(request.user).visible(self.model, super().get_readonly_fields(request, obj))

    def get_ordering(self, request):
        return BlindingPolicy.of(request.user).visible(self.model, super().get_ordering(request) or ())

    def lookup_allowed(self, lookup, value, request=None):
        # A typed filter that reads the allocation: refused (DisallowedModelAdminLookup, a 400), whatever
        # the lookup (exact, in, isnull, gt, a transform) and however it gets there.
        if request is not None and BlindingPolicy.of(request.user).hides(self.model, lookup):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_changelist(self, request, **kwargs):
        return BlindedChangeList

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        policy = BlindingPolicy.of(request.user)
        if not policy.hides_allocation:
            return fieldsets
        # The form is built from these (ModelAdmin.get_form): a blinded save never reads or writes the arm.
        return [
            (name, {**options, "fields": self._visible_fields(policy, options["fields"])})
            for name, options in fieldsets
        ]

    def _visible_fields(self, policy, fields):
        # A fieldset's line may hold several fields (a tuple): each is judged on its own.
        kept = []
        for line in fields:
            if isinstance(line, list | tuple):
                line = tuple(policy.visible(self.model, line))
                if line:
                    kept.append(line)
            elif not policy.hides(self.model, line):
                kept.append(line)
        return kept


class AllocationTableAdminMixin:
    """An admin whose table is the allocation itself (arms, arm regimens, the randomisation list, the kits'
    preparations): invisible when it is hidden, its export included."""

    def has_module_permission(self, request):
        return BlindingPolicy.of(request.user).may_read_table(self.model) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return BlindingPolicy.of(request.user).may_read_table(self.model) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return BlindingPolicy.of(request.user).may_read_table(self.model) and super().has_change_permission(
            request, obj
        )

    def has_add_permission(self, request):
        return BlindingPolicy.of(request.user).may_read_table(self.model) and super().has_add_permission(request)

    def has_export_permission(self, request):
        # The export is checked against export_data, not view: without this, a blinded coordinator could
        # download the table they cannot open (found by tests/test_blinded_walk.py on the kits' preparations).
        parent = getattr(super(), "has_export_permission", None)
        return BlindingPolicy.of(request.user).may_read_table(self.model) and (parent is None or parent(request))
