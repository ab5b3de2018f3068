"""python manage.py export_sdtm DIRECTORY --user NAME [--cutoff DATE]: the trial's SDTM datasets (SAS
transport files, ucmsc_crf/sdtm/) as that user may see it, checked for conformance as they are written."""

import datetime
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from ucmsc_crf.sdtm.conformance import check
from ucmsc_crf.sdtm.package import DATASETS, write_package


class Command(BaseCommand):
    help = "Write the trial's CDISC SDTM datasets (XPT v5) into a directory and check their conformance."

    def add_arguments(self, parser):
        parser.add_argument("directory", help="where to write the .xpt files")
        parser.add_argument("--user", required=True, help="whose view of the trial: their sites and their blinding")
        parser.add_argument("--cutoff", default="", help="data cut-off: subjects enrolled on or before (YYYY-MM-DD)")

    def handle(self, *args, directory, user, cutoff, **options):
        exporter = get_user_model().objects.filter(username=user, is_active=True).first()
        if exporter is None:
            raise CommandError(f"No active user {user!r}.")
        try:
            cutoff = datetime.date.fromisoformat(cutoff) if cutoff else None
        except ValueError:
            raise CommandError(f"{cutoff!r} is not a date (YYYY-MM-DD).") from None
        package = write_package(Path(directory), user=exporter, cutoff=cutoff)
        for name, count in package.rows.items():
            self.stdout.write(f"{name.lower()}.xpt: {count:,} records")
        if package.blinded:
            self.stdout.write("Blinded dry run: the arm variables are empty (you are blind to the allocation).")
        problems = check(Path(directory), DATASETS, blinded=package.blinded)
        for problem in problems:
            self.stderr.write(f"{problem.code} {problem.dataset}.{problem.variable}: {problem.message}")
        if problems:
            raise CommandError(f"{len(problems)} conformance problem(s); the files are written, not fit to submit.")
        self.stdout.write("Conformance checks: none failed.")
