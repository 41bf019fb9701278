"""Guard rails for changes to who may do what: nobody locks the site out of its own administration."""

from django.utils.translation import gettext as _

from veracity.accounts.models import RoleCode, User
from veracity.core.errors import ValidationFailed


def ensure_another_active_admin(*, user: User, field: str) -> None:
    """Refuse a change that would leave no active administrator besides `user`."""
    others = User.objects.filter(is_active=True, roles__code=RoleCode.ADMIN).exclude(pk=user.pk)
    if not others.exists():
        raise ValidationFailed({field: [_("This is the last active administrator.")]}, code="last_admin")
