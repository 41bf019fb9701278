"""`veracity tickets sla-check`: flag open tickets past their SLA targets (also run every 15 minutes)."""

from django.core.management.base import BaseCommand

from veracity.service.services import ticket_sla_check


class Command(BaseCommand):
    help = "Service tickets: 'sla-check' flags open tickets that went past their SLA targets."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("sla-check", help="Flag open tickets past their first-response or resolution target.")

    def handle(self, *args, action: str, **options):
        result = ticket_sla_check()
        self.stdout.write(f"{result['flagged']} ticket(s) newly flagged; {result['breached_open']} open ticket(s) "
                          "past an SLA target.")
