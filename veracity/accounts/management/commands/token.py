"""`veracity token create|list|revoke`: personal API tokens, through accounts.services."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.timezone import localtime

from veracity.accounts.management.commands._errors import command_error
from veracity.accounts.models import ApiToken, User
from veracity.accounts.services import api_token_create, api_token_revoke
from veracity.core.errors import DomainError


class Command(BaseCommand):
    help = ("Manage API tokens. `token create USERNAME` prints the new token as its last line (it is shown "
            "only once); `token list USERNAME`; `token revoke USERNAME TOKEN_ID`.")

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{create,list,revoke}")
        create = actions.add_parser("create", help="Create a token and print it.")
        create.add_argument("username")
        create.add_argument("--name", default="CLI token", help="A label for the token (default: CLI token).")
        listing = actions.add_parser("list", help="List a user's tokens (never the secret part).")
        listing.add_argument("username")
        revoke = actions.add_parser("revoke", help="Revoke one of a user's tokens.")
        revoke.add_argument("username")
        revoke.add_argument("token_id", type=int)

    def handle(self, *args, **options):
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user named {options['username']!r}.")
        try:
            getattr(self, f"_{options['action']}")(user, options)
        except DomainError as error:
            raise command_error(error) from error

    def _create(self, user, options):
        if not user.is_active:
            raise CommandError(f"{user.username} is deactivated; their tokens would not work.")
        token, raw = api_token_create(actor=None, user=user, name=options["name"])
        self.stdout.write(f"Created token {token.pk} ({token.name}) for {user.username}. "
                          "Copy it now; it is not shown again:")
        self.stdout.write(raw)

    def _list(self, user, options):
        tokens = ApiToken.objects.filter(user=user).order_by("created_at", "id")
        if not tokens:
            self.stdout.write(f"{user.username} has no API tokens.")
            return
        self.stdout.write(f"{'ID':>5}  {'PREFIX':<13} {'CREATED':<17} {'LAST USED':<17} {'STATUS':<8} NAME")
        for token in tokens:
            used = f"{localtime(token.last_used_at):%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            status = "active" if token.is_active else "revoked"
            self.stdout.write(f"{token.pk:>5}  {token.prefix + '…':<13} {localtime(token.created_at):%Y-%m-%d %H:%M} "
                              f"{used:<17} {status:<8} {token.name}")

    def _revoke(self, user, options):
        token = api_token_revoke(actor=None, user=user, token_id=options["token_id"])
        self.stdout.write(f"Revoked token {token.pk} ({token.name}) of {user.username}.")
