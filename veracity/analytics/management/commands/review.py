"""veracity review send --period weekly|monthly [--team NAME]"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from veracity.analytics.services.reviews import periodic_review_run
from veracity.core.errors import NotFound, ValidationFailed


class Command(BaseCommand):
    help = ("Build the review of the last complete week or month for the company and every team (or one "
            "team), archive it with its PDF, and email it to its subscribers.")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["send"])
        parser.add_argument("--period", choices=["weekly", "monthly"], required=True)
        parser.add_argument("--team", default=None, help="only this team's review (by name)")
        parser.add_argument("--today", default=None, help="pretend today is YYYY-MM-DD (the review covers the "
                                                          "period before it)")
        parser.add_argument("--language", default=None, help="language of the review, e.g. zh-hans")

    def handle(self, *args, **options):
        today = dt.date.fromisoformat(options["today"]) if options["today"] else None
        try:
            reviews = periodic_review_run(period=options["period"], team_name=options["team"], today=today,
                                          language=options["language"])
        except (NotFound, ValidationFailed) as error:
            raise CommandError(error.message) from None
        for review in reviews:
            self.stdout.write(f"{review.pk}: {review.title} — sent to {len(review.sent_to)}")
