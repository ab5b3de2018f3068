"""Check constraints validated at scale (issue 19): a record whose check constraints all hold is told so by
one query, not one query and a savepoint each (18 for a daily observation); a record that breaks one gets
exactly the error Django's own one-by-one validation gives, on every path that validates."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from outcomes.models import DailyObservation
from tests.factories import observation_values, treated_participant

pytestmark = pytest.mark.django_db


def check_queries(captured) -> int:
    return sum('"_check"' in q["sql"] for q in captured)


def test_a_valid_record_checks_all_its_constraints_in_one_query(coordinator, site_a):
    participant = treated_participant(user=coordinator, site=site_a, days_ago=2)
    observation = DailyObservation(participant=participant, **observation_values(participant))
    assert sum(isinstance(c, models.CheckConstraint) for c in DailyObservation._meta.constraints) > 10
    # A conditional unique constraint (one observation a day among the active ones) checks its condition by a
    # query of its own, as Django does.
    conditional_unique = sum(
        isinstance(c, models.UniqueConstraint) and c.condition is not None for c in DailyObservation._meta.constraints
    )
    with CaptureQueriesContext(connection) as captured:
        observation.full_clean()
    assert check_queries(captured) == 1 + conditional_unique


def test_a_broken_constraint_is_named_as_django_names_it(coordinator, site_a):
    participant = treated_participant(user=coordinator, site=site_a, days_ago=2)
    observation = DailyObservation(participant=participant, **observation_values(participant))
    # Verified with nobody named: a rule no form offers, held by the constraint alone.
    observation.review_status = "verified"
    with pytest.raises(ValidationError) as combined:
        observation.full_clean()
    expected = []
    for constraint in DailyObservation._meta.constraints:
        if isinstance(constraint, models.CheckConstraint):
            try:
                constraint.validate(DailyObservation, observation)
            except ValidationError as error:
                expected.append(error.message)
    assert expected == ["A verified or locked record needs who verified it and when."]
    assert combined.value.message_dict["__all__"] == expected
    observation.verified_by, observation.verified_datetime = coordinator, timezone.now()
    observation.full_clean()  # and with who and when, it holds
