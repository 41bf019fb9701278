"""Browser tests: Playwright driving Debian's chromium against pytest-django's live server."""

import os
import shutil

import pytest
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make to set up
# data are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]


class SerialWSGIServer(WSGIServer):
    """The live server, answering one request at a time.

    Why: on SQLite the test database lives in memory and the live server shares the test's single
    connection. A threaded server lets a page's parallel htmx requests use that connection at once,
    and under load one of them fails with "database table is locked" (a panel never loads). Django's
    own server handles the requests in the thread that already holds the shared connection.
    """

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)


LiveServerThread.server_class = SerialWSGIServer

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 860}


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is not installed: `apt-get install chromium` (make test does it).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def login_page(browser, live_server, user, *, password, phone=False, language="en-US"):
    """A new browser context's page that has submitted `user`'s password on the login form."""
    context = browser.new_context(viewport=PHONE if phone else DESKTOP, locale=language,
                                  base_url=live_server.url, is_mobile=phone, has_touch=phone)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    return page


@pytest.fixture
def page_for(browser, live_server):
    """page_for(user, phone=False, language="en") -> a Playwright page logged in as `user`."""
    contexts = []

    def make(user, *, password, phone: bool = False, language: str = "en-US"):
        page = login_page(browser, live_server, user, password=password, phone=phone, language=language)
        contexts.append(page.context)
        page.wait_for_url(f"{live_server.url}/")
        return page

    yield make
    for context in contexts:
        context.close()


def assert_fits_phone(page):
    """Nothing on the page makes a 375 px screen scroll sideways."""
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"page is {overflow}px wider than the phone screen"
