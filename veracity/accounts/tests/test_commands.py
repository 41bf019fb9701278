"""`veracity createuser` and `veracity token`: what an operator types, and what it must refuse."""

import io
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from veracity.accounts.models import ApiToken, RoleCode, User
from veracity.accounts.services import api_token_create
from veracity.audit.models import AuditEvent


def run(*args, stdin: str = "") -> str:
    out = io.StringIO()
    old_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        call_command(*args, stdout=out)
    finally:
        sys.stdin = old_stdin
    return out.getvalue()


def test_createuser_with_roles_team_and_password_from_stdin(team_north):
    output = run("createuser", "li_lei", "--role", "sales_rep", "--role", "marketing", "--team", "north",
                 "--email", "li@example.com", "--password-stdin", stdin="a-long-passphrase-7\n")
    user = User.objects.get(username="li_lei")
    assert "Created user li_lei" in output
    assert user.team == team_north and user.email == "li@example.com"
    assert set(user.roles.values_list("code", flat=True)) == {RoleCode.SALES_REP, RoleCode.MARKETING}
    assert user.check_password("a-long-passphrase-7")
    assert AuditEvent.objects.filter(object_type="accounts.user", object_id=str(user.pk), action="create").exists()


def test_createuser_rejects_a_weak_password(db):
    with pytest.raises(CommandError, match="password"):
        run("createuser", "weakling", "--password-stdin", stdin="12345\n")
    assert not User.objects.filter(username="weakling").exists()


def test_createuser_rejects_an_unknown_role(db):
    with pytest.raises(CommandError, match="Unknown role.*wizard"):
        run("createuser", "merlin", "--role", "wizard", "--password-stdin", stdin="a-long-passphrase-7\n")
    assert not User.objects.filter(username="merlin").exists()


def test_createuser_rejects_an_unknown_team_and_a_taken_username(rep_li):
    with pytest.raises(CommandError, match="No team named"):
        run("createuser", "x_user", "--team", "Atlantis", "--password-stdin", stdin="a-long-passphrase-7\n")
    with pytest.raises(CommandError, match="taken"):
        run("createuser", "rep_li", "--password-stdin", stdin="a-long-passphrase-7\n")


def test_token_create_prints_a_working_token_as_its_last_line(rep_li):
    output = run("token", "create", "rep_li", "--name", "laptop")
    raw = output.strip().splitlines()[-1]
    assert ApiToken.objects.get(user=rep_li).name == "laptop"
    response = Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/products?limit=1")
    assert response.status_code == 200
    assert Client(headers={"Authorization": "Bearer vrc_wrong"}).get("/api/v1/products").status_code == 401


def test_token_list_shows_no_secret_and_revoke_stops_the_token(rep_li):
    raw = run("token", "create", "rep_li").strip().splitlines()[-1]
    token = ApiToken.objects.get(user=rep_li)
    listing = run("token", "list", "rep_li")
    assert token.prefix in listing and raw not in listing and "active" in listing
    run("token", "revoke", "rep_li", str(token.pk))
    assert "revoked" in run("token", "list", "rep_li")
    response = Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/products?limit=1")
    assert response.status_code == 401


def test_token_commands_fail_clearly(rep_li, rep_bob):
    with pytest.raises(CommandError, match="No user named"):
        run("token", "create", "nobody")
    token, _raw = api_token_create(actor=None, user=rep_bob, name="bob's")
    with pytest.raises(CommandError, match="No such token"):
        run("token", "revoke", "rep_li", str(token.pk))  # another user's token
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


@pytest.fixture(scope="module")
def migrated_env(tmp_path_factory):
    env = {"VERACITY_DATA_DIR": str(tmp_path_factory.mktemp("cli")), "VERACITY_ENV": "test", "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-m", "veracity.cli", "migrate", "-v", "0"], env=env, check=True)
    return env


@pytest.mark.parametrize("argv", [["createuser", "someone", "--role", "wizard", "--password-stdin"],
                                  ["token", "create", "nobody"]])
def test_errors_exit_non_zero_from_the_veracity_command(argv, migrated_env):
    """Through the real console script, so the exit status is what a shell script sees."""
    env = migrated_env
    result = subprocess.run([sys.executable, "-m", "veracity.cli", *argv], env=env, input="a-long-passphrase-7\n",
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "CommandError" in result.stderr
