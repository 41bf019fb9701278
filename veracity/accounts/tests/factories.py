import factory
from django.contrib.auth.hashers import make_password

from veracity.accounts.models import Role, RoleCode, Team, User

TEST_PASSWORD = "correct-horse-battery"
_PASSWORD_HASH = None


def _password_hash() -> str:
    """Hash once per test process: Argon2 is deliberately slow."""
    global _PASSWORD_HASH
    if _PASSWORD_HASH is None:
        _PASSWORD_HASH = make_password(TEST_PASSWORD)
    return _PASSWORD_HASH


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.LazyFunction(_password_hash)
    display_name = factory.LazyAttribute(lambda user: user.username.replace("_", " ").title())

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        codes = extracted if extracted is not None else [RoleCode.SALES_REP]
        if create:
            self.roles.set(Role.objects.filter(code__in=codes))
