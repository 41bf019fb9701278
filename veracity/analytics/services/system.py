"""The all-seeing reader for reports no single person asks for (scheduled reviews, `--system` on the
CLI). It is an unsaved user whose grants are "all records" for viewing and exporting every resource
and every restricted field; it can only be made in code, never from request data (SECURITY.md, Odoo
sudo() lesson), and it cannot write (no create/edit/delete grants)."""

from django.contrib.auth import get_user_model

from veracity.accounts.access import RESTRICTED_FIELDS
from veracity.accounts.models import Action, Resource, Scope


def system_reader():
    user = get_user_model()(username="veracity-system", display_name="Veracity", is_active=True)
    user._veracity_grants = {(resource, action): int(Scope.ALL) for resource in Resource.values
                             for action in (Action.VIEW, Action.EXPORT)}
    user._veracity_field_grants = frozenset(
        (resource, field) for resource, fields in RESTRICTED_FIELDS.items() for field in fields)
    user._veracity_team_ids = frozenset()
    return user
