from django.core.management.base import BaseCommand, CommandError

from patients.demo import DEMO_PASSWORD
from ucmsc_crf.demo import seed_demo
from ucmsc_crf.demo_randomised import RandomisedDemoRefused, seed_randomised_demo


class Command(BaseCommand):
    help = (
        "Create the demo trial (idempotent): by default the published phase 1, one site and 18 participants; "
        "--participants N --sites S scale it up for performance work. --design randomised seeds the next trial "
        "(blinded, placebo-controlled, randomised, two sites) instead, into a database of its own."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2020, help="Random seed for the demo values.")
        parser.add_argument(
            "--participants", type=int, default=18, help="Participants in all (default 18, the published trial)."
        )
        parser.add_argument("--sites", type=int, default=1, help="Sites to share them over (default 1).")
        parser.add_argument("--design", choices=["phase1", "randomised"], default="phase1")

    def handle(self, *args, seed, participants, sites, design, **options):
        if design == "randomised":
            return self.randomised()
        if participants < 1 or sites < 1 or sites > 98:  # site 99 is the demo ward (ucmsc_crf.demo)
            raise CommandError("--participants must be at least 1 and --sites between 1 and 98.")
        result = seed_demo(seed=seed, participants=participants, sites=sites)
        names = ", ".join(str(site) for site in result["sites"])
        self.stdout.write(f"{names}: {result['participants']} participants, {result['infusions']} infusions.")
        self.stdout.write(
            "Demo ward (site 99, in hospital today: infusions and daily observations due): "
            f"{result['ward'] or 'already there'} participants."
        )
        self.stdout.write(f"Demo logins (password for each: {DEMO_PASSWORD}):")
        for role, user in result["users"].items():
            # Everyone starts at / (home sends each role on); reviewers also work in the admin.
            where = "/ (then the admin for review)" if user.is_staff else "/"
            self.stdout.write(f"  {user.username:<13} {role:<13} {where}")

    def randomised(self):
        try:
            result = seed_randomised_demo()
        except RandomisedDemoRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{result['design']}: {result['participants']} participants enrolled from {result['list']}, "
            f"{result['kits']} kits prepared."
        )
        self.stdout.write(f"Demo logins (password for each: {DEMO_PASSWORD}):")
        for username, user in result["users"].items():
            role = ", ".join(user.groups.values_list("name", flat=True))
            self.stdout.write(f"  {username:<13} {role:<23} {'/ and the admin' if user.is_staff else '/'}")
