"""R4, R5: Argon2id with upgrade of old hashes on login; NIST-style length rules, no composition rules."""

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import password_validators_help_texts, validate_password
from django.core.exceptions import ValidationError

from veracity.accounts.models import User

pytestmark = pytest.mark.django_db


def test_a_pbkdf2_hash_is_upgraded_to_argon2_on_login(client, rep_li):
    User.objects.filter(pk=rep_li.pk).update(password=make_password("an-old-style-passphrase", hasher="pbkdf2_sha256"))
    assert User.objects.get(pk=rep_li.pk).password.startswith("pbkdf2_sha256$")
    response = client.post("/login/", {"username": "rep_li", "password": "an-old-style-passphrase"})
    assert response.status_code == 302
    assert User.objects.get(pk=rep_li.pk).password.startswith("argon2$argon2id$")


@pytest.mark.parametrize("password", ["8chars!x", "all lowercase words are fine here", "x" * 20 + "7" * 44])
def test_lengths_from_8_to_64_without_composition_rules_are_accepted(password):
    validate_password(password, user=User(username="someone"))


@pytest.mark.parametrize(("password", "message"), [
    ("short7!", "too short"), ("y" * 65, "at most 64"), ("password123", "too common"),
    ("someone-someone", "too similar"),
])
def test_short_long_common_and_username_like_passwords_are_refused(password, message):
    with pytest.raises(ValidationError, match=message):
        validate_password(password, user=User(username="someone-someone"))


def test_help_text_recommends_15_characters():
    text = " ".join(password_validators_help_texts())
    assert "8 to 64" in text and "15 or more is recommended" in text


def test_password_change_ends_other_sessions_and_keeps_this_one(client, rep_li, password):
    from django.test import Client

    other = Client()
    other.post("/login/", {"username": "rep_li", "password": password})
    client.post("/login/", {"username": "rep_li", "password": password})
    assert other.get("/").status_code == 200
    response = client.post("/profile/password/", {"old_password": password, "new_password1": "a-brand-new-passphrase",
                                                  "new_password2": "a-brand-new-passphrase"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert other.get("/").status_code == 302
    assert User.objects.get(pk=rep_li.pk).check_password("a-brand-new-passphrase")


def test_password_change_refuses_a_weak_password(client, rep_li, password):
    client.post("/login/", {"username": "rep_li", "password": password})
    response = client.post("/profile/password/", {"old_password": password, "new_password1": "123",
                                                  "new_password2": "123"})
    assert response.status_code == 200
    assert User.objects.get(pk=rep_li.pk).check_password(password)
