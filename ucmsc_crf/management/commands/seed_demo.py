from django.core.management.base import BaseCommand

from patients.demo import DEMO_PASSWORD
from ucmsc_crf.demo import seed_demo


class Command(BaseCommand):
    help = "Create the demo site, one user per role and 18 enrolled participants (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2020, help="Random seed for the demo values.")

    def handle(self, *args, seed, **options):
        result = seed_demo(seed=seed)
        self.stdout.write(
            f"Site {result['site']}: {result['participants']} participants, {result['infusions']} infusions."
        )
        self.stdout.write(f"Demo logins (password for each: {DEMO_PASSWORD}):")
        for role, user in result["users"].items():
            where = "admin at /admin/" if user.is_staff else "web forms at /"
            self.stdout.write(f"  {user.username:<13} {role:<13} {where}")
