"""Invariants a CHECK constraint cannot hold portably, enforced by triggers on PostgreSQL and SQLite:

- informed consent precedes enrolment (a row in another table);
- clinical dates are not in the future. The database's clock is UTC while the ward's "today" is
  the site's; the triggers allow one day of slack (the model layer checks the exact local date).

They are the backstop under ``clean()``: a raw insert or update that breaks them raises IntegrityError.

A later migration that alters these tables on SQLite (which rebuilds the table) must lift the triggers
first and reinstall them after, with ``_run("backward")`` / ``_run("forward")`` (the squashed history did,
in 0006, 0007, 0010 and 0022).
"""

from django.db import migrations

POSTGRESQL = [
    (
        """
CREATE FUNCTION patients_participant_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.date_of_birth > CURRENT_DATE + 1 OR NEW.admission_date > CURRENT_DATE + 1
     OR NEW.symptom_onset_date > CURRENT_DATE + 1 THEN
    RAISE EXCEPTION 'patients_participant_dates_not_future: a date is in the future'
      USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.enrolment_datetime IS NOT NULL
     AND (TG_OP = 'INSERT' OR NEW.enrolment_datetime IS DISTINCT FROM OLD.enrolment_datetime) THEN
    IF NEW.enrolment_datetime > now() + interval '1 day' THEN
      RAISE EXCEPTION 'patients_participant_enrolment_not_future: enrolment is in the future'
        USING ERRCODE = 'check_violation';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM patients_consent c WHERE c.participant_id = NEW.id AND NOT c.voided
                   AND c.consent_datetime <= NEW.enrolment_datetime) THEN
      RAISE EXCEPTION 'patients_participant_consent_before_enrolment: no consent before enrolment'
        USING ERRCODE = 'check_violation';
    END IF;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER patients_participant_guard BEFORE INSERT OR UPDATE ON patients_participant
  FOR EACH ROW EXECUTE FUNCTION patients_participant_guard();

CREATE FUNCTION patients_consent_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.consent_datetime > now() + interval '1 day' THEN
    RAISE EXCEPTION 'patients_consent_not_future: consent is in the future' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER patients_consent_guard BEFORE INSERT OR UPDATE ON patients_consent
  FOR EACH ROW EXECUTE FUNCTION patients_consent_guard();

CREATE FUNCTION patients_withdrawal_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.withdrawal_date > CURRENT_DATE + 1 THEN
    RAISE EXCEPTION 'patients_withdrawal_not_future: withdrawal is in the future' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER patients_withdrawal_guard BEFORE INSERT OR UPDATE ON patients_withdrawal
  FOR EACH ROW EXECUTE FUNCTION patients_withdrawal_guard();
""",
        """
DROP TRIGGER patients_participant_guard ON patients_participant;
DROP FUNCTION patients_participant_guard();
DROP TRIGGER patients_consent_guard ON patients_consent;
DROP FUNCTION patients_consent_guard();
DROP TRIGGER patients_withdrawal_guard ON patients_withdrawal;
DROP FUNCTION patients_withdrawal_guard();
""",
    ),
]

_SQLITE_PARTICIPANT_DATES = """
WHEN NEW.date_of_birth > date('now', '+1 day') OR NEW.admission_date > date('now', '+1 day')
  OR NEW.symptom_onset_date > date('now', '+1 day')
BEGIN SELECT RAISE(ABORT, 'patients_participant_dates_not_future: a date is in the future'); END;
"""
_SQLITE_ENROLMENT = """
WHEN NEW.enrolment_datetime IS NOT NULL AND (
  NEW.enrolment_datetime > datetime('now', '+1 day')
  OR NOT EXISTS (SELECT 1 FROM patients_consent c WHERE c.participant_id = NEW.id AND NOT c.voided
                 AND c.consent_datetime <= NEW.enrolment_datetime))
BEGIN SELECT RAISE(ABORT, 'patients_participant_consent_before_enrolment: no consent before enrolment, or enrolment in the future'); END;
"""
SQLITE = [
    (
        f"CREATE TRIGGER patients_participant_dates_insert BEFORE INSERT ON patients_participant {_SQLITE_PARTICIPANT_DATES}",
        "DROP TRIGGER patients_participant_dates_insert;",
    ),
    (
        f"CREATE TRIGGER patients_participant_dates_update BEFORE UPDATE ON patients_participant {_SQLITE_PARTICIPANT_DATES}",
        "DROP TRIGGER patients_participant_dates_update;",
    ),
    (
        f"CREATE TRIGGER patients_participant_enrolment_insert BEFORE INSERT ON patients_participant {_SQLITE_ENROLMENT}",
        "DROP TRIGGER patients_participant_enrolment_insert;",
    ),
    (
        "CREATE TRIGGER patients_participant_enrolment_update BEFORE UPDATE OF enrolment_datetime ON patients_participant "
        + _SQLITE_ENROLMENT,
        "DROP TRIGGER patients_participant_enrolment_update;",
    ),
    (
        """CREATE TRIGGER patients_consent_not_future BEFORE INSERT ON patients_consent
WHEN NEW.consent_datetime > datetime('now', '+1 day')
BEGIN SELECT RAISE(ABORT, 'patients_consent_not_future: consent is in the future'); END;""",
        "DROP TRIGGER patients_consent_not_future;",
    ),
    (
        """CREATE TRIGGER patients_withdrawal_not_future BEFORE INSERT ON patients_withdrawal
WHEN NEW.withdrawal_date > date('now', '+1 day')
BEGIN SELECT RAISE(ABORT, 'patients_withdrawal_not_future: withdrawal is in the future'); END;""",
        "DROP TRIGGER patients_withdrawal_not_future;",
    ),
]


def _run(statements_key):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        statements = {"postgresql": POSTGRESQL, "sqlite": SQLITE}.get(vendor)
        if statements is None:
            raise RuntimeError(f"No database guards written for {vendor}; add them before using it.")
        for forward, backward in statements:
            schema_editor.execute(forward if statements_key == "forward" else backward, params=None)

    return run


class Migration(migrations.Migration):
    # The squash of 2026-12-07 (issue 28, 12): 0001 to this one are the schema and data the 24 migrations of
    # patients built. A database migrated by the old ones (every name below applied) takes them as applied.
    replaces = [
        ("patients", "0004_end_of_study"),
        ("patients", "0005_icu_dates"),
        ("patients", "0006_record_version"),
        ("patients", "0007_casebook_lock"),
        ("patients", "0008_data_queries"),
        ("patients", "0009_casebook_signature"),
        ("patients", "0010_review_status"),
        ("patients", "0011_report_permission"),
        ("patients", "0012_unblinded_permission"),
        ("patients", "0013_access_log"),
        ("patients", "0014_access_events_for_every_permission_change"),
        ("patients", "0015_explicit_participant_related_names"),
        ("patients", "0016_trial_design"),
        ("patients", "0017_randomisation_list"),
        ("patients", "0018_emergency_unblinding"),
        ("patients", "0019_visit_schedule"),
        ("patients", "0020_follow_up_after_discharge"),
        ("patients", "0021_baseline_window"),
        ("patients", "0022_archive_id"),
        ("patients", "0023_participant_in_follow_up_index"),
        ("patients", "0024_outbox"),
    ]

    dependencies = [("patients", "0002_arms_and_roles")]

    operations = [migrations.RunPython(_run("forward"), _run("backward"))]
