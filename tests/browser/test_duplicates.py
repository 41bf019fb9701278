"""Issue 4's "done means", in a browser: a manager opens the duplicates page, sees 字节跳动(北京)科技有限公司
and 北京字节跳动科技有限公司 grouped with an explanation, merges them choosing the survivor and field values,
sees all orders on the survivor, undoes the merge and finds the base exactly as before; each rep sees
their scorecard and the leaderboard. The review list also fits a phone."""

import re

import pytest

from tests.browser.conftest import assert_fits_phone
from tests.security.world import build_world, data_fingerprint
from veracity.customers.models import Customer
from veracity.dedup import services
from veracity.dedup.models import DuplicateCluster, Entity
from veracity.dedup.tests.test_services import full_rows, twin
from veracity.sales.models import Order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _bytedance_twins(admin, rep_li, rep_bob):
    world = build_world(owner=rep_li, other_owner=rep_bob)
    other = twin(world, rep_li)
    services.scan_run_execute(scan=services.scan_run_start(actor=admin, enqueue=False))
    return world, other


def test_manager_merges_the_two_bytedance_spellings_and_undoes_it_exactly(
    page_for, admin, manager_mei, rep_li, rep_bob, password
):
    world, other = _bytedance_twins(admin, rep_li, rep_bob)
    assert world.customer.name == "字节跳动(北京)科技有限公司"
    cluster = DuplicateCluster.objects.get(entity=Entity.COMPANY)
    before, rows_before = data_fingerprint(), full_rows()

    page = page_for(manager_mei, password=password)
    problems = []  # CSP violations and script errors show up on the console
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.goto("/duplicates/")
    card = page.locator(".card", has_text="北京字节跳动科技有限公司")
    assert "字节跳动(北京)科技有限公司" in card.inner_text()
    # The explanation: each field's comparison level and its weight, agreements and disagreements.
    card.locator("summary").first.click()
    table = card.locator("details table").first
    table.wait_for(state="visible")
    explained = table.inner_text()
    assert re.search(r"name\s+exact\s+\d", explained) and re.search(r"phone\s+exact\s+\d", explained)
    assert table.locator("td.text-success").count() >= 2

    # Merge: keep the world's record, but take the other one's code and e-mail.
    card.locator("a:has-text('Merge')").click()
    page.wait_for_url(re.compile(rf"/duplicates/{cluster.pk}/merge/"))
    if page.locator("input[name=survivor]").input_value() != str(world.customer.pk):
        page.click("a:has-text('Keep the other record instead')")
    assert page.locator("input[name=survivor]").input_value() == str(world.customer.pk)
    page.check("input[name=keep_code][value=loser]")
    page.check("input[name=keep_email][value=loser]")
    page.click("form[method=post] button[type=submit]:has-text('Merge')")
    page.wait_for_url(re.compile(rf"/customers/{world.customer.pk}/$"))
    survivor = Customer.objects.get(pk=world.customer.pk)
    assert survivor.code == "C-LI-2" and survivor.email == "bytedance@example.com"
    assert Customer.all_objects.get(pk=other.pk).merged_into_id == survivor.pk
    for order in Order.objects.filter(customer=survivor):
        page.wait_for_selector(f"#main >> text={order.number}")
    assert Order.objects.filter(customer=survivor).count() == 2
    assert data_fingerprint() != before

    # Undo from the review page: the base is exactly as before.
    page.goto("/duplicates/")
    page.click("form[action*='/undo/'] button:has-text('Undo')")
    page.wait_for_selector("text=Merge undone")
    assert data_fingerprint() == before
    assert full_rows() == rows_before
    assert not problems, problems


def test_each_rep_sees_their_scorecard_and_the_leaderboard(page_for, rep_li, rep_bob, password):
    for rep in (rep_li, rep_bob):
        page = page_for(rep, password=password)
        page.goto("/quality/scorecards/")
        rows = page.locator("table tbody tr")
        assert str(rep) in rows.first.inner_text()
        page.goto("/quality/leaderboard/")
        mine = page.locator(".list-group-item-primary")
        assert str(rep) in mine.inner_text()


def test_the_review_list_and_merge_page_fit_a_phone(page_for, admin, manager_mei, rep_li, rep_bob, password):
    _bytedance_twins(admin, rep_li, rep_bob)
    cluster = DuplicateCluster.objects.get(entity=Entity.COMPANY)
    page = page_for(manager_mei, password=password, phone=True)
    for path in ("/duplicates/", f"/duplicates/{cluster.pk}/merge/"):
        assert page.goto(path).status == 200
        page.wait_for_load_state("networkidle")
        assert_fits_phone(page)
    page.goto("/duplicates/")
    page.locator("summary").first.click()
    assert_fits_phone(page)
