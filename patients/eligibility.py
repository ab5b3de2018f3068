"""The trial's eligibility criteria, read from the design (patients/casebook/criteria.py: data in the admin,
phase 1's from the migration patients/0006): what the screening form asks and the eligibility decision
reads. Each is answered yes or no; an inclusion criterion must be answered "yes" and an exclusion criterion
"no" (each criterion says which answer makes a person ineligible)."""

from patients.casebook.criteria import AutomaticCheck, EligibilityCriterion


def current_criteria() -> list[EligibilityCriterion]:
    """The criteria in the form's order: one query; a request that needs them several times keeps the list."""
    return list(EligibilityCriterion.objects.order_by("order", "code"))


def age_criterion(criteria) -> EligibilityCriterion | None:
    """The criterion checked against the age at screening, if the design has one."""
    return next((c for c in criteria if c.automatic == AutomaticCheck.AGE), None)
