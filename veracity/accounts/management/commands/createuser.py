"""`veracity createuser USERNAME --role ROLE`: create a user through accounts.services.user_create."""

import getpass
import sys

from django.core.management.base import BaseCommand, CommandError

from veracity.accounts.management.commands._errors import command_error
from veracity.accounts.models import RoleCode, Team
from veracity.accounts.services import user_create
from veracity.core.errors import DomainError


class Command(BaseCommand):
    help = ("Create a user with one or more roles. The password is read from standard input "
            "(--password-stdin) or prompted for twice; it must pass the password rules.")

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", action="append", dest="roles", metavar="ROLE",
                            help=f"A role; repeat for several. One of: {', '.join(RoleCode.values)}. "
                                 "Default: sales_rep.")
        parser.add_argument("--team", help="The team's name, e.g. North.")
        parser.add_argument("--email", default="")
        parser.add_argument("--display-name", default="", help="The name shown in the app, e.g. 李雷.")
        parser.add_argument("--superuser", action="store_true", help="Also make the user a Django superuser.")
        parser.add_argument("--password-stdin", action="store_true",
                            help="Read the password from the first line of standard input.")

    def handle(self, *args, **options):
        roles = options["roles"] or [RoleCode.SALES_REP]
        unknown = sorted(set(roles) - set(RoleCode.values))
        if unknown:
            raise CommandError(f"Unknown role(s): {', '.join(unknown)}. Choose from: {', '.join(RoleCode.values)}.")
        team = None
        if options["team"]:
            team = Team.objects.filter(name__iexact=options["team"].strip()).first()
            if team is None:
                known = ", ".join(Team.objects.values_list("name", flat=True)) or "none yet"
                raise CommandError(f"No team named {options['team']!r} (teams: {known}).")
        password = self._password(options["password_stdin"])
        try:
            user = user_create(actor=None, username=options["username"], password=password, email=options["email"],
                               display_name=options["display_name"], roles=roles, team=team,
                               is_superuser=options["superuser"])
        except DomainError as error:
            raise command_error(error) from error
        self.stdout.write(f"Created user {user.username} (roles: {', '.join(roles)}"
                          f"{', team: ' + team.name if team else ''}).")

    def _password(self, from_stdin: bool) -> str:
        if from_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
            if not password:
                raise CommandError("--password-stdin: standard input held no password.")
            return password
        if not sys.stdin.isatty():
            raise CommandError("No terminal to prompt for a password: use --password-stdin.")
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return password
