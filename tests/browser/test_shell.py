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
