"""python manage.py export_analysis OUT.zip [--study-days] [--free-text]: the de-identified analysis bundle
of every site (see ucmsc_crf/analysis/bundle.py), written as it is read."""

from django.core.management.base import BaseCommand

from ucmsc_crf.analysis.bundle import bundle_chunks
from ucmsc_crf.analysis.columns import Options


class Command(BaseCommand):
    help = "Write the de-identified analysis bundle (zip of CSVs, dictionary, README with checksums)."

    def add_arguments(self, parser):
        parser.add_argument("output", help="the zip file to write")
        parser.add_argument("--study-days", action="store_true", help="replace calendar dates by study days")
        parser.add_argument(
            "--free-text", action="store_true", help="include free text (flagged: review it before sharing)"
        )

    def handle(self, *args, output, study_days, free_text, **options):
        size = 0
        with open(output, "wb") as out:
            for chunk in bundle_chunks(options=Options(study_days=study_days, free_text=free_text)):
                out.write(chunk)
                size += len(chunk)
        self.stdout.write(f"Wrote {output} ({size:,} bytes).")
