"""Send the e-mails that are due (patients/outbox.py): new ones a stopped process left behind, and retries
after a failure. Schedule it every minute, e.g. cron
``* * * * * cd /srv/ucmsc-crf && .venv/bin/python manage.py send_outbox``."""

from django.core.management.base import BaseCommand

from patients.outbox import MailStatus, OutgoingEmail, deliver_due


class Command(BaseCommand):
    help = "Send the trial's e-mails that are due (new, or to be retried); report what is left."

    def handle(self, *args, **options):
        counts = deliver_due(limit=1000)
        waiting = OutgoingEmail.objects.filter(status=MailStatus.PENDING).count()
        failed = OutgoingEmail.objects.filter(status=MailStatus.FAILED).count()
        self.stdout.write(
            f"{counts['sent']} sent, {counts['failed']} not sent this time; "
            f"{waiting} waiting for a retry, {failed} given up (Patients > Outgoing e-mails)."
        )
