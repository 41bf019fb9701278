"""`veracity surveys send`: invite customers whose orders were delivered or tickets closed (also hourly)."""

from django.core.management.base import BaseCommand

from veracity.feedback.services import feedback_send_run


class Command(BaseCommand):
    help = "Feedback surveys: 'send' mails the automatic survey invitations (idempotent)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("send", help="Invite customers whose orders were delivered or tickets closed since the last run.")

    def handle(self, *args, action: str, **options):
        counts = feedback_send_run()
        self.stdout.write(f"{counts['sent']} invitation(s) sent, {counts['no_email']} without an e-mail address, "
                          f"{counts['already']} already invited.")
