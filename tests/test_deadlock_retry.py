"""A deadlock's victim runs once more (issue 28, F; ucmsc_crf/middleware.py): the user gets the page the
view gives the second time, not a 500; a second deadlock is a fault and is not hidden."""

import pytest
from django.db import OperationalError, transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import ResolverMatch

from ucmsc_crf.middleware import DeadlockRetryMiddleware

pytestmark = pytest.mark.django_db


class DeadlockDetected(Exception):
    sqlstate = "40P01"  # as psycopg's errors.DeadlockDetected carries it


def deadlock() -> OperationalError:
    try:
        raise OperationalError("deadlock detected") from DeadlockDetected("deadlock detected")
    except OperationalError as exc:
        return exc


def request_for(view):
    request = RequestFactory().post("/participants/01-001/infusions/1/void/", {"void_reason": "wrong"})
    request.resolver_match = ResolverMatch(view, (), {"pk": 1})
    return request


def test_the_victim_runs_once_more_in_a_transaction_of_its_own():
    calls = []

    def view(request, pk):
        calls.append(transaction.get_connection().in_atomic_block)
        return HttpResponse("saved")

    middleware = DeadlockRetryMiddleware(lambda request: None)
    request = request_for(view)
    response = middleware.process_exception(request, deadlock())
    assert response.content == b"saved" and calls == [True]


def test_a_second_deadlock_and_other_errors_are_not_retried():
    def view(request, pk):
        raise deadlock()

    middleware = DeadlockRetryMiddleware(lambda request: None)
    request = request_for(view)
    with pytest.raises(OperationalError):
        middleware.process_exception(request, deadlock())
    request = request_for(view)
    request._crf_deadlock_retried = True
    assert middleware.process_exception(request, deadlock()) is None
    assert middleware.process_exception(request_for(view), OperationalError("disk full")) is None
    assert middleware.process_exception(request_for(view), ValueError("a bug")) is None
