"""What the rules of every case report form share (each app's rules.py holds its own rules)."""

from django.core.exceptions import ValidationError


class RuleErrors:
    """Runs several rules in a model's clean() and reports all their messages at once, field by field,
    so a clinician sees every problem of a form in one round, not one per submit."""

    def __init__(self):
        # Each error kept as the rule raised it, so its code reaches forms and callers.
        self.errors: dict[str, list[ValidationError]] = {}

    def check(self, rule, **kwargs) -> None:
        try:
            rule(**kwargs)
        except ValidationError as exc:
            for field, errors in exc.update_error_dict({}).items():
                self.errors.setdefault(field, []).extend(errors)

    def add(self, field: str, message: str, code: str | None = None) -> None:
        self.errors.setdefault(field, []).append(ValidationError(message, code=code))

    def __contains__(self, field: str) -> bool:
        return field in self.errors

    def raise_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)
