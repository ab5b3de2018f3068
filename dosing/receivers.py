"""Dosing's answer to enrolment: build the infusion schedule inside the enrolment transaction."""

from dosing.services import schedule_create


def create_schedule_on_enrolment(sender, *, participant, user, **kwargs):
    schedule_create(participant=participant, user=user)
