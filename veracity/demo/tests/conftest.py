import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The demo creates a dozen users; Argon2 at 0.2 s each would dominate these tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
