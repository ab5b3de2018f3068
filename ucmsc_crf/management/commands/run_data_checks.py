from django.core.management.base import BaseCommand

from ucmsc_crf.data_checks import run_data_checks


class Command(BaseCommand):
    help = "Raise data queries for missing observations, late SAE reports and uncommented abnormal labs (nightly)."

    def handle(self, *args, **options):
        result = run_data_checks()
        locked = f" {result['locked']} not raised: casebook locked." if result["locked"] else ""
        self.stdout.write(
            f"{result['findings']} findings; {result['raised']} queries raised, {result['closed']} closed as fixed."
            + locked
        )
