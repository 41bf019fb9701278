"""`veracity service repeat-prompts`: tasks for owners of customers due to buy again (also daily)."""

from django.core.management.base import BaseCommand

from veracity.service.services import REPEAT_LEAD_DAYS, repeat_purchase_prompts_run


class Command(BaseCommand):
    help = "Customer service jobs: 'repeat-prompts' raises repeat-purchase tasks (idempotent)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        prompts = sub.add_parser("repeat-prompts", help="Raise a task for the owner of each customer due to buy "
                                                        "again, from their own purchase rhythm (3+ orders).")
        prompts.add_argument("--lead-days", type=int, default=REPEAT_LEAD_DAYS,
                             help="Raise the task this many days before the expected date (default %(default)s).")

    def handle(self, *args, action: str, lead_days: int = REPEAT_LEAD_DAYS, **options):
        result = repeat_purchase_prompts_run(lead_days=lead_days)
        self.stdout.write(f"{result['due']} customer(s) due to buy again; {result['created']} new task(s), "
                          f"{result['skipped']} already prompted or skipped.")
