"""A record's check constraints validated in one query (issue 19), with Django's public constraint API only.

Django validates each CheckConstraint by a query of its own, in a savepoint: eighteen of them, 54 statements,
for every daily observation saved or imported. ``ConstraintsInOneQuery`` asks the database once whether all
hold; when one does not, Django's own validation runs and names each failing one with its message and code
(tests/patients/test_save_context.py holds the two to the same errors).
"""

import functools
import operator

from django.core.exceptions import FieldError, ValidationError
from django.db import models, router
from django.db.models import Q, Value


class ConstraintsInOneQuery:
    """Mixed into a model (before ``models.Model``): its ``validate_constraints`` checks every check
    constraint in one query."""

    def validate_constraints(self, exclude=None):
        """Django checks each CheckConstraint by a query of its own, in a savepoint: eighteen of them, 54
        statements, for every daily observation saved or imported (issue 19). When they all hold, the usual
        case, one query says so (their conjunction: false exactly when one of them is false, as each is
        checked NULL-passes), and only the other constraints (unique) are validated, each as Django validates
        it (``BaseConstraint.validate``); when one fails, Django's own one-by-one validation runs and names
        each failing one with its message and code."""
        if not self._check_constraints_hold(exclude):
            super().validate_constraints(exclude=exclude)
            return
        using = router.db_for_write(type(self), instance=self)
        errors = {}
        for model, found in self.get_constraints():
            for constraint in found:
                if isinstance(constraint, models.CheckConstraint):
                    continue
                try:
                    constraint.validate(model, self, exclude=exclude, using=using)
                except ValidationError as error:
                    # As Model.validate_constraints files them: a one-field unique error on its field.
                    fields = getattr(constraint, "fields", ())
                    if getattr(error, "code", None) == "unique" and len(fields) == 1:
                        errors.setdefault(fields[0], []).append(error)
                    else:
                        errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def _check_constraints_hold(self, exclude) -> bool:
        using = router.db_for_write(type(self), instance=self)
        for model, found in self.get_constraints():
            conditions = [Q(c.condition) for c in found if isinstance(c, models.CheckConstraint)]
            if not conditions:
                continue
            try:
                if not functools.reduce(operator.and_, conditions).check(
                    self._values_as_expressions(model, exclude), using=using
                ):
                    return False
            except FieldError:
                return False  # one names a field left out: Django's own validation skips just that one
        return True

    def _values_as_expressions(self, model, exclude) -> dict:
        """This record's values, by field name and column name, as the expressions a condition is checked
        against (what CheckConstraint.validate gives Q.check)."""
        against = {}
        for field in model._meta.local_concrete_fields:
            if field.name in (exclude or ()):
                continue
            value = getattr(self, field.attname)
            if not value or not hasattr(value, "resolve_expression"):
                value = Value(value, field)
            against[field.name] = against[field.attname] = value
        if "pk" not in (exclude or ()):
            against["pk"] = Value(self.pk, model._meta.pk)
        return against
