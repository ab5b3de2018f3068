"""python manage.py export_odm OUT.xml --user NAME [--site CODE] [--participant STUDY_ID] [--free-text]
[--since DATE-TIME --prior-file FILE_OID]: the
trial as a CDISC ODM 1.3.2 file (ucmsc_crf/odm/), as that user may see it (their sites, their blinding),
written as it is read, with its progress."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from ucmsc_crf.odm.export import odm_export
from ucmsc_crf.odm.writer import Scope, parse_since


class Command(BaseCommand):
    help = "Write the trial's data, metadata, audit trail and signatures as a CDISC ODM 1.3.2 file."

    def add_arguments(self, parser):
        parser.add_argument("output", help="the XML file to write")
        parser.add_argument("--user", required=True, help="whose view of the trial: their sites and their blinding")
        parser.add_argument("--site", default="", help="one site's code")
        parser.add_argument("--participant", default="", help="one participant's study ID")
        parser.add_argument("--free-text", action="store_true", help="include free text (review it before sharing)")
        parser.add_argument(
            "--since", default="", help="only what changed from then on (ISO 8601, e.g. 2026-12-01T00:00+08:00)"
        )
        parser.add_argument("--prior-file", default="", help="the FileOID of the file this increment follows")

    def handle(self, *args, output, user, site, participant, free_text, since, prior_file, verbosity=1, **options):
        exporter = get_user_model().objects.filter(username=user, is_active=True).first()
        if exporter is None:
            raise CommandError(f"No active user {user!r}.")
        try:
            since = parse_since(since)
        except ValueError as error:
            raise CommandError(str(error)) from error
        size = 0
        with open(output, "wb") as out:
            for chunk in odm_export(
                user=exporter, scope=Scope(site, participant, since, prior_file), free_text=free_text
            ):
                out.write(chunk)
                size += len(chunk)
                if verbosity > 1:
                    self.stderr.write(f"{size:,} bytes written")
        self.stdout.write(f"Wrote {output} ({size:,} bytes).")
