"""veracity targets list|set — sales targets from the command line (as the system, audited as such)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from veracity.analytics.models import SalesTarget
from veracity.analytics.services import sales_target_create
from veracity.core.errors import ValidationFailed


class Command(BaseCommand):
    help = "List sales targets, or set one: targets set --user NAME --from DATE --to DATE --revenue AMOUNT."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["list", "set"])
        parser.add_argument("--user", default="")
        parser.add_argument("--from", dest="period_start", default="")
        parser.add_argument("--to", dest="period_end", default="")
        parser.add_argument("--revenue", default="")
        parser.add_argument("--orders", default="")
        parser.add_argument("--activities", default="")

    def handle(self, *args, **options):
        if options["action"] == "list":
            targets = SalesTarget.objects.select_related("user").order_by("-period_start", "user__username")
            if options["user"]:
                targets = targets.filter(user__username=options["user"])
            for target in targets:
                self.stdout.write(f"{target.pk}\t{target.user.username}\t{target.period_start}\t{target.period_end}"
                                  f"\t{target.revenue}\t{target.orders or ''}\t{target.activities or ''}")
            return
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No user called {options['user']!r}.")
        values = {"user": user, "period_start": options["period_start"], "period_end": options["period_end"],
                  "revenue": options["revenue"], "orders": options["orders"], "activities": options["activities"]}
        try:
            target = sales_target_create(actor=None, values=values)
        except ValidationFailed as error:
            raise CommandError("; ".join(f"{field}: {' '.join(map(str, problems))}"
                                         for field, problems in error.fields.items())) from None
        self.stdout.write(f"Target {target.pk} set for {user.username}.")
