"""Every message catalogue is complete: no user-visible string is left untranslated or fuzzy."""

from pathlib import Path

import polib
import pytest

PACKAGE = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(PACKAGE.glob("**/locale/zh_Hans/LC_MESSAGES/django.po"))


def test_there_is_a_chinese_catalogue_for_the_project_and_every_app_with_strings():
    assert PACKAGE / "locale/zh_Hans/LC_MESSAGES/django.po" in CATALOGUES


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_catalogue_has_no_untranslated_or_fuzzy_entries(path):
    catalogue = polib.pofile(str(path))
    assert [entry.msgid for entry in catalogue.untranslated_entries()] == []
    assert [entry.msgid for entry in catalogue.fuzzy_entries()] == []


@pytest.mark.django_db
def test_login_page_speaks_chinese_when_the_browser_asks_for_it(client):
    response = client.get("/login/", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert "登录" in response.text
    response = client.get("/login/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert "Log in" in response.text
