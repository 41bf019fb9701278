import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from veracity.pipeline.models import Opportunity, PipelineStage
from veracity.pipeline.tests.factories import OpportunityFactory, customer_for, stage

pytestmark = pytest.mark.django_db
BOARD = {"HTTP_X_BOARD_REQUEST": "1"}


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", ["/pipeline/", "/opportunities/"])
def test_board_and_list_query_counts_do_not_grow_with_rows(web_client_for, manager_mei, rep_li, rep_lin, url):
    client = web_client_for(manager_mei)
    OpportunityFactory(owner=rep_li)
    client.get(url)  # warm caches (sessions, permissions)
    few = _count_queries(client, url)
    for owner in (rep_li, rep_lin):
        OpportunityFactory.create_batch(3, owner=owner, stage=stage("Proposal"))
        OpportunityFactory(owner=owner, stage=stage("Won"), currency="USD")
    assert _count_queries(client, url) == few


@freeze_time("2025-05-01")
def test_board_shows_cards_with_overdue_dates_and_owner_initials(web_client_for, rep_li):
    OpportunityFactory(owner=rep_li, name="Late deal", expected_close_date=dt.date(2025, 4, 1))
    html = web_client_for(rep_li).get("/pipeline/").text
    assert "Late deal" in html and "is-overdue" in html and "2025-04-01" in html
    assert ">李<" in html  # 李雷's initial
    assert "Sortable.min.js" in html and "pipeline/board.js" in html


def test_board_hides_other_reps_cards(web_client_for, rep_li, li_deal, bob_deal):
    html = web_client_for(rep_li).get("/pipeline/").text
    assert "Li&#x27;s deal" in html and "Bob&#x27;s deal" not in html


def test_manager_filters_board_by_owner(web_client_for, manager_mei, rep_li, rep_lin):
    OpportunityFactory(owner=rep_li, name="From Li")
    OpportunityFactory(owner=rep_lin, name="From Lin")
    html = web_client_for(manager_mei).get(f"/pipeline/?owner={rep_lin.pk}").text
    assert "From Lin" in html and "From Li<" not in html


def test_board_drag_move_answers_the_columns(web_client_for, rep_li, li_deal):
    response = web_client_for(rep_li).post(
        f"/opportunities/{li_deal.pk}/move/",
        {"stage": stage("Proposal").pk, "position": 0, "version": 1}, **BOARD,
    )
    assert response.status_code == 200
    assert 'class="kanban-column' in response.text and 'data-version="2"' in response.text
    assert Opportunity.objects.get(pk=li_deal.pk).stage == stage("Proposal")


def test_board_move_with_stale_version_is_409_and_changes_nothing(web_client_for, rep_li, li_deal):
    Opportunity.objects.filter(pk=li_deal.pk).update(version=3)
    response = web_client_for(rep_li).post(
        f"/opportunities/{li_deal.pk}/move/", {"stage": stage("Proposal").pk, "version": 1}, **BOARD)
    assert response.status_code == 409 and response.json()["code"] == "version_conflict"
    assert Opportunity.objects.get(pk=li_deal.pk).stage == stage("Qualification")


def test_board_move_to_lost_asks_for_a_reason(web_client_for, rep_li, li_deal):
    client = web_client_for(rep_li)
    response = client.post(f"/opportunities/{li_deal.pk}/move/", {"stage": stage("Lost").pk, "version": 1}, **BOARD)
    assert response.status_code == 422 and response.json()["code"] == "lost_reason_required"
    response = client.post(f"/opportunities/{li_deal.pk}/move/",
                           {"stage": stage("Lost").pk, "version": 1, "lost_reason": "timing"}, **BOARD)
    assert response.status_code == 200
    assert Opportunity.objects.get(pk=li_deal.pk).lost_reason == "timing"


def test_move_select_without_reason_shows_the_move_page(web_client_for, rep_li, li_deal):
    response = web_client_for(rep_li).post(f"/opportunities/{li_deal.pk}/move/",
                                           {"stage": stage("Lost").pk, "version": 1, "next": "/pipeline/"})
    assert response.status_code == 200 and "Say why the opportunity was lost." in response.text
    assert Opportunity.objects.get(pk=li_deal.pk).stage == stage("Qualification")


def test_move_select_redirects_back_to_a_safe_next(web_client_for, rep_li, li_deal):
    client = web_client_for(rep_li)
    response = client.post(f"/opportunities/{li_deal.pk}/move/",
                           {"stage": stage("Proposal").pk, "version": 1, "next": "/pipeline/?q=x"})
    assert response.status_code == 302 and response["Location"] == "/pipeline/?q=x"
    response = client.post(f"/opportunities/{li_deal.pk}/move/",
                           {"stage": stage("Negotiation").pk, "version": 2, "next": "https://evil.example/"})
    assert response["Location"] == f"/opportunities/{li_deal.pk}/"


def test_rep_gets_404_moving_bobs_opportunity(web_client_for, rep_li, bob_deal):
    response = web_client_for(rep_li).post(f"/opportunities/{bob_deal.pk}/move/",
                                           {"stage": stage("Proposal").pk, "version": 1}, **BOARD)
    assert response.status_code == 404
    assert Opportunity.objects.get(pk=bob_deal.pk).version == 1


@pytest.mark.parametrize("persona", ["marketing_ana", "service_sam"])
def test_marketing_and_service_get_403_on_move(web_client_for, request, persona, li_deal):
    client = web_client_for(request.getfixturevalue(persona))
    response = client.post(f"/opportunities/{li_deal.pk}/move/", {"stage": stage("Proposal").pk, "version": 1})
    assert response.status_code == 403
    assert Opportunity.objects.get(pk=li_deal.pk).stage == stage("Qualification")
    assert "data-move-url" not in client.get("/pipeline/").text


def test_create_form_preselects_customer_and_creates(web_client_for, rep_li):
    customer = customer_for(rep_li, name="Acme")
    client = web_client_for(rep_li)
    page = client.get(f"/opportunities/new/?customer={customer.pk}").text
    assert f'<option value="{customer.pk}" selected>' in page
    response = client.post("/opportunities/new/", {
        "name": "Deal", "customer": customer.pk, "stage": stage("Proposal").pk, "amount": "50", "currency": "CNY",
    })
    assert response.status_code == 302
    assert Opportunity.objects.get().stage == stage("Proposal")


def test_create_form_shows_errors_inline(web_client_for, rep_li):
    customer = customer_for(rep_li)
    response = web_client_for(rep_li).post("/opportunities/new/", {
        "name": "  ", "customer": customer.pk, "stage": stage("Proposal").pk, "amount": "1", "currency": "CNY",
    })
    assert response.status_code == 200 and "errorlist" in response.text
    assert not Opportunity.objects.exists()


def test_stale_edit_form_shows_conflict_and_saves_nothing(web_client_for, rep_li, li_deal):
    Opportunity.objects.filter(pk=li_deal.pk).update(version=2)
    response = web_client_for(rep_li).post(f"/opportunities/{li_deal.pk}/edit/", {
        "name": "Stale", "customer": li_deal.customer_id, "amount": "1", "currency": "CNY", "version": "1",
    })
    assert response.status_code == 200 and "Someone else changed this opportunity" in response.text
    assert Opportunity.objects.get(pk=li_deal.pk).name == "Li's deal"


def test_detail_shows_history_and_weighted_amount(web_client_for, rep_li, li_deal):
    client = web_client_for(rep_li)
    client.post(f"/opportunities/{li_deal.pk}/move/", {"stage": stage("Proposal").pk, "version": 1})
    html = client.get(f"/opportunities/{li_deal.pk}/").text
    assert "Qualification → Proposal" in html
    assert "500.00 CNY" in html  # 1000 × 50 %


def test_customer_panel_lists_opportunities_with_new_button(web_client_for, rep_li, li_deal, bob_deal):
    html = web_client_for(rep_li).get(f"/customers/{li_deal.customer_id}/opportunities/").text
    assert "Li&#x27;s deal" in html and f"/opportunities/new/?customer={li_deal.customer_id}" in html
    assert web_client_for(rep_li).get(f"/customers/{bob_deal.customer_id}/opportunities/").status_code == 404


def test_chinese_board_uses_chinese_stage_names(web_client_for, rep_li, li_deal):
    client = web_client_for(rep_li)
    client.cookies["django_language"] = "zh-hans"
    html = client.get("/pipeline/", HTTP_ACCEPT_LANGUAGE="zh-hans").text
    assert "资格确认" in html


# --- stage admin ---------------------------------------------------------------------------


def test_admin_adds_edits_and_reorders_stages(web_client_for, admin):
    client = web_client_for(admin)
    assert client.post("/pipeline-stages/new/", {"name": "Demo", "name_zh": "演示", "probability": "40",
                                                 "kind": "open", "is_active": "on"}).status_code == 302
    demo = PipelineStage.objects.get(name="Demo")
    assert client.post(f"/pipeline-stages/{demo.pk}/edit/", {"name": "Demo", "probability": "45", "kind": "open",
                                                             "is_active": "on"}).status_code == 302
    assert PipelineStage.objects.get(pk=demo.pk).probability == 45
    client.post(f"/pipeline-stages/{demo.pk}/move/", {"direction": "up"})
    names = list(PipelineStage.objects.order_by("position").values_list("name", flat=True))
    assert names.index("Demo") == names.index("Lost") - 1


def test_stage_form_rejects_probability_over_100(web_client_for, admin):
    response = web_client_for(admin).post("/pipeline-stages/new/", {"name": "X", "probability": "150", "kind": "open"})
    assert response.status_code == 200 and "errorlist" in response.text
    assert not PipelineStage.objects.filter(name="X").exists()


def test_deleting_a_stage_in_use_shows_a_message(web_client_for, admin, li_deal):
    response = web_client_for(admin).post(f"/pipeline-stages/{stage('Qualification').pk}/delete/", follow=True)
    assert "still holds" in response.text
    assert PipelineStage.objects.filter(name="Qualification", is_active=True).exists()


def test_non_admins_cannot_open_stage_admin_forms(web_client_for, manager_mei):
    client = web_client_for(manager_mei)
    assert client.get("/pipeline-stages/").status_code == 200
    assert client.get("/pipeline-stages/new/").status_code == 403
    assert client.post(f"/pipeline-stages/{stage('Proposal').pk}/delete/").status_code == 403
    assert PipelineStage.objects.filter(name="Proposal").exists()


def test_board_sums_never_mix_currencies(web_client_for, rep_li):
    OpportunityFactory(owner=rep_li, stage=stage("Proposal"), amount=Decimal("100.00"), currency="CNY")
    OpportunityFactory(owner=rep_li, stage=stage("Proposal"), amount=Decimal("200.00"), currency="CNY")
    OpportunityFactory(owner=rep_li, stage=stage("Proposal"), amount=Decimal("50.00"), currency="USD")
    html = web_client_for(rep_li).get("/pipeline/").text
    assert "300.00 CNY" in html and "50.00 USD" in html and "350.00" not in html


def test_every_pipeline_message_has_a_chinese_translation():
    from pathlib import Path

    po = (Path(__file__).resolve().parents[1] / "locale/zh_Hans/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    entries = po.split("\n\n")[1:]  # the first entry is the header
    untranslated = [entry for entry in entries if 'msgstr ""' in entry and '\n"' not in entry.split("msgstr", 1)[1]]
    assert untranslated == []


def test_chinese_board_is_translated(web_client_for, rep_li):
    client = web_client_for(rep_li)
    html = client.get("/pipeline/", HTTP_ACCEPT_LANGUAGE="zh-hans").text
    assert "销售漏斗" in html and "新建商机" in html
