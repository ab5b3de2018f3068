import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ucmsc_crf.data_checks import end_of_day, findings_at, run_data_checks


class Command(BaseCommand):
    help = (
        "Raise data queries for missing observations, overdue visits, late SAE reports and uncommented abnormal "
        "labs (nightly). With --date, list what the checks find on that day and write nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            help="YYYY-MM-DD: list the findings as of the end of that day (e.g. what will be overdue on Friday "
            "if nothing is entered meanwhile); no query is raised or closed.",
        )

    def handle(self, *args, **options):
        if options["date"]:
            try:
                day = datetime.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"--date {options['date']!r} is not a date: give YYYY-MM-DD.") from exc
            findings = findings_at(end_of_day(day) if day != timezone.localdate() else timezone.now())
            for finding in findings:
                record = finding.record
                participant = getattr(record, "participant", record)
                self.stdout.write(f"{participant.study_id}\t{finding.check_code}\t{finding.text}")
            self.stdout.write(f"{len(findings)} findings on {day:%Y-%m-%d}; nothing was written.")
            return
        result = run_data_checks()
        locked = f" {result['locked']} not raised: casebook locked." if result["locked"] else ""
        self.stdout.write(
            f"{result['findings']} findings; {result['raised']} queries raised, {result['closed']} closed as fixed."
            + locked
        )
