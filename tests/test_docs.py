"""Documentation checked by tests: the CLI reference matches every command's --help, and every
environment variable the settings read is documented in docs/configuration.md and .env.example."""

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load_script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_reference_matches_every_commands_help():
    cli_reference = _load_script("cli_reference")
    expected = cli_reference.render()
    actual = (ROOT / "docs" / "cli.md").read_text()
    assert actual == expected, "docs/cli.md is out of date: run .venv/bin/python scripts/cli_reference.py"


def test_cli_reference_covers_veracitys_commands():
    text = (ROOT / "docs" / "cli.md").read_text()
    for command in ("demo", "demo_logins", "createuser", "token", "serve"):
        assert f"### veracity {command}\n" in text
    for sub in ("create", "list", "revoke"):
        assert f"#### veracity token {sub}\n" in text


def _settings_variables() -> set[str]:
    source = "".join(path.read_text() for path in (ROOT / "veracity" / "config").glob("*.py"))
    return set(re.findall(r"\bVERACITY_[A-Z0-9_]+\b", source))


def test_settings_read_environment_variables():
    assert {"VERACITY_ENV", "VERACITY_DATABASE_URL", "VERACITY_SECRET_KEY"} <= _settings_variables()


@pytest.mark.parametrize("document", ["docs/configuration.md", ".env.example"])
def test_every_environment_variable_is_documented(document):
    text = (ROOT / document).read_text()
    documented = set(re.findall(r"\bVERACITY_[A-Z0-9_]+\b", text))
    missing = _settings_variables() - documented
    assert not missing, f"{document} does not describe: {', '.join(sorted(missing))}"
    if document == ".env.example":
        assignments = set(re.findall(r"^(VERACITY_[A-Z0-9_]+)=", text, flags=re.MULTILINE))
        assert not _settings_variables() - assignments, "every variable needs a NAME=default line"
