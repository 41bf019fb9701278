import pytest

from tests.browser.conftest import assert_fits_phone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_rep_logs_in_and_reaches_the_products_from_the_sidebar(page_for, rep_li, password):
    page = page_for(rep_li, password=password)
    page.get_by_role("link", name="Products").click()
    page.wait_for_url("**/products/")
    assert page.locator("h1").inner_text() == "Products"


def test_switching_to_chinese_translates_the_shell(page_for, rep_li, password):
    page = page_for(rep_li, password=password)
    page.select_option("#language-select", "zh-hans")
    page.wait_for_load_state("networkidle")
    assert "退出登录" in page.content() or "产品" in page.locator("nav.app-nav").inner_text()


def test_phone_sized_screen_gets_a_menu_button_and_no_sideways_scroll(page_for, rep_li, password):
    page = page_for(rep_li, password=password, phone=True)
    assert page.locator(".app-burger").is_visible()
    assert not page.locator("#app-sidebar").is_visible() or page.locator("#app-sidebar").bounding_box()["x"] < 0
    page.click(".app-burger")
    page.wait_for_function("document.body.classList.contains('sidebar-open')")
    page.get_by_role("link", name="Products").click()
    page.wait_for_url("**/products/")
    assert_fits_phone(page)


def test_pages_send_a_content_security_policy_and_run_no_inline_script(page_for, rep_li, password):
    page = page_for(rep_li, password=password)
    violations = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None)
    page.goto("/products/")
    page.wait_for_load_state("networkidle")
    assert violations == []


def test_rep_with_two_factor_logs_in_on_a_phone(browser, live_server, rep_li, password):
    import time

    import pyotp

    from veracity.accounts.services import totp_enrol_confirm, totp_enrol_start

    from .conftest import assert_fits_phone, login_page

    device = totp_enrol_start(user=rep_li)
    totp = pyotp.TOTP(device.secret)
    # Enrol with the previous step's code, so the login below can use the current one.
    totp_enrol_confirm(user=rep_li, code=totp.at(time.time() - 30))

    page = login_page(browser, live_server, rep_li, password=password, phone=True, language="zh-CN")
    page.wait_for_url(f"{live_server.url}/login/verify/")
    assert_fits_phone(page)
    assert page.locator("input[name=code]").get_attribute("autocomplete") == "one-time-code"

    page.fill("input[name=code]", "000000")
    page.click("button[type=submit]")
    page.wait_for_selector(".invalid-feedback, .alert")  # a wrong code does not let anyone in
    assert page.url == f"{live_server.url}/login/verify/"

    page.fill("input[name=code]", totp.now())
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert rep_li.username in page.content() or rep_li.get_full_name() in page.content()
    assert_fits_phone(page)
    page.context.close()
