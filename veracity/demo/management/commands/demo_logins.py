"""`veracity demo_logins`: where the app listens and who to log in as."""

from django.core.management.base import BaseCommand
from rich.console import Console
from rich.table import Table

from veracity.demo.services import DEMO_PASSWORD, DEMO_TEAMS, DEMO_USERS


class Command(BaseCommand):
    help = "Print the local URL and the demo logins (every demo password is veracity-demo)."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="The URL to show.")

    def handle(self, *args, **options):
        console = Console(file=self.stdout._out, width=100)
        console.print(f"Veracity is at [bold]{options['url']}[/bold]")
        table = Table(title="Demo logins")
        for column in ("username", "password", "role", "team"):
            table.add_column(column)
        for user in DEMO_USERS:
            if user.shown:
                team = f"{user.team} ({DEMO_TEAMS[user.team]})" if user.team else ""
                if user.manages:
                    team = f"manages {team}"
                table.add_row(user.username, DEMO_PASSWORD, str(user.role.label), team)
        console.print(table)
