import datetime as dt

import pytest
from django.utils import timezone
from freezegun import freeze_time

from veracity.activities.models import Activity, ActivityKind
from veracity.activities.tests.factories import make_customer, make_order
from veracity.core.errors import NotFound, PermissionDenied, ValidationFailed
from veracity.service import selectors, services
from veracity.service.models import MessageKind, SlaState, Ticket, TicketStatus

pytestmark = pytest.mark.django_db


def _ticket(actor, customer, created_at=None, **values):
    return services.ticket_create(actor=actor, values={"subject": "锁坏了", "customer": customer.pk, **values},
                                  created_at=created_at)


def test_service_staff_open_a_ticket_with_sla_targets_from_its_priority(service_sam, rep_li):
    customer = make_customer(rep_li)
    with freeze_time("2026-03-02 09:00:00+08:00"):
        ticket = _ticket(service_sam, customer, priority="urgent")
    assert ticket.number.startswith("T") and ticket.status == TicketStatus.NEW
    assert ticket.first_response_due_at - ticket.created_at == dt.timedelta(hours=1)
    assert ticket.resolution_due_at - ticket.created_at == dt.timedelta(hours=8)


def test_admin_changed_sla_targets_apply_to_new_tickets(admin, service_sam, rep_li):
    services.sla_policy_set(actor=admin, priority="normal", first_response_minutes=30, resolution_minutes=120)
    ticket = _ticket(service_sam, make_customer(rep_li))
    assert ticket.first_response_due_at - ticket.created_at == dt.timedelta(minutes=30)


def test_service_staff_cannot_change_sla_targets(service_sam):
    with pytest.raises(PermissionDenied):
        services.sla_policy_set(actor=service_sam, priority="normal", first_response_minutes=30, resolution_minutes=120)


def test_sla_state_moves_from_on_track_to_due_soon_to_breached(service_sam, rep_li):
    with freeze_time("2026-03-02 09:00:00+08:00"):
        ticket = _ticket(service_sam, make_customer(rep_li), priority="high")  # 4 h first response
    start = ticket.created_at
    assert ticket.sla_state(start + dt.timedelta(hours=1)) == SlaState.OK
    assert ticket.sla_state(start + dt.timedelta(hours=3, minutes=30)) == SlaState.DUE_SOON
    assert ticket.sla_state(start + dt.timedelta(hours=5)) == SlaState.BREACHED


def test_lists_filter_due_soon_and_breached_tickets(service_sam, rep_li):
    customer = make_customer(rep_li)
    breached = _ticket(service_sam, customer, priority="urgent", created_at=timezone.now() - dt.timedelta(hours=2))
    soon = _ticket(service_sam, customer, priority="urgent", created_at=timezone.now() - dt.timedelta(minutes=50))
    fine = _ticket(service_sam, customer, priority="low")
    pick = lambda sla: set(selectors.ticket_list(user=service_sam, filters=selectors.TicketFilters(sla=sla)))  # noqa: E731
    assert pick("breached") == {breached}
    assert pick("due_soon") == {soon}
    assert fine not in pick("at_risk")
    home = selectors.service_home(user=service_sam)
    assert (home.breached, home.due_soon, home.open) == (1, 1, 3)


def test_sla_check_flags_each_breach_once(service_sam, rep_li):
    ticket = _ticket(service_sam, make_customer(rep_li), priority="urgent",
                     created_at=timezone.now() - dt.timedelta(hours=3))
    assert services.ticket_sla_check() == {"flagged": 1, "breached_open": 1}
    assert services.ticket_sla_check() == {"flagged": 0, "breached_open": 1}
    ticket.refresh_from_db()
    assert ticket.sla_breached_at is not None


def test_reply_and_note_are_logged_on_the_customer_timeline_and_the_reply_counts_as_first_response(
        service_sam, rep_li):
    ticket = _ticket(service_sam, make_customer(rep_li))
    services.ticket_message_add(actor=service_sam, ticket=ticket, kind=MessageKind.NOTE, body="客户很着急")
    ticket.refresh_from_db()
    assert ticket.first_responded_at is None
    services.ticket_message_add(actor=service_sam, ticket=ticket, kind=MessageKind.REPLY, body="我们明天上门维修")
    ticket.refresh_from_db()
    assert ticket.first_responded_at is not None and ticket.status == TicketStatus.OPEN
    kinds = sorted(Activity.objects.filter(customer=ticket.customer).values_list("kind", flat=True))
    assert kinds == [ActivityKind.EMAIL, ActivityKind.NOTE]


def test_status_flow_refuses_an_impossible_move_and_changes_nothing(service_sam, rep_li):
    ticket = _ticket(service_sam, make_customer(rep_li))
    services.ticket_status_change(actor=service_sam, ticket=ticket, status="closed")
    ticket.refresh_from_db()
    with pytest.raises(ValidationFailed):
        services.ticket_status_change(actor=service_sam, ticket=ticket, status="pending")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED and ticket.closed_at is not None


def test_order_must_belong_to_the_ticket_customer(service_sam, rep_li, rep_bob):
    order = make_order(make_customer(rep_bob))
    with pytest.raises(ValidationFailed) as error:
        _ticket(service_sam, make_customer(rep_li), order=order.pk)
    assert "order" in error.value.fields
    assert not Ticket.objects.exists()


def test_rep_sees_tickets_of_own_customers_only(service_sam, rep_li, rep_bob):
    mine = _ticket(service_sam, make_customer(rep_li))
    _ticket(service_sam, make_customer(rep_bob))
    assert list(selectors.ticket_list(user=rep_li)) == [mine]
    with pytest.raises(NotFound):
        selectors.ticket_get(user=rep_bob, pk=mine.pk)


def test_rep_may_open_a_ticket_for_own_customer_but_not_edit_it(rep_li, rep_bob):
    ticket = _ticket(rep_li, make_customer(rep_li))
    with pytest.raises(ValidationFailed):
        _ticket(rep_li, make_customer(rep_bob))
    with pytest.raises(PermissionDenied):
        services.ticket_status_change(actor=rep_li, ticket=ticket, status="closed")


def test_ticket_pages_and_export(service_sam, rep_li, web_client_for):
    ticket = _ticket(service_sam, make_customer(rep_li, name="<script>x</script>"))
    client = web_client_for(service_sam)
    assert client.get("/service/").status_code == 200
    page = client.get("/tickets/?sla=at_risk")
    assert page.status_code == 200 and b"<script>x</script>" not in page.content
    assert client.get(f"/tickets/{ticket.pk}/").status_code == 200
    response = client.post(f"/tickets/{ticket.pk}/messages/", {"kind": "reply", "body": "Hello"})
    assert response.status_code == 302
    export = client.get("/exports/tickets/?format=csv")
    assert export.status_code == 200 and ticket.number.encode() in b"".join(export.streaming_content
                                                                              if export.streaming else [export.content])


def test_ticket_api_round_trip(service_sam, rep_li, api_client_for):
    customer = make_customer(rep_li)
    client = api_client_for(service_sam)
    created = client.post("/api/v1/tickets", {"subject": "Broken", "customer_id": customer.pk, "priority": "high"},
                          content_type="application/json")
    assert created.status_code == 201, created.content
    ticket_id = created.json()["id"]
    assert created.json()["sla_state"] == "ok"
    moved = client.post(f"/api/v1/tickets/{ticket_id}/status", {"status": "resolved"}, content_type="application/json")
    assert moved.status_code == 200 and moved.json()["status"] == "resolved"
    assert client.get("/api/v1/tickets?sla=breached").json()["count"] == 0


def test_sla_check_command(service_sam, rep_li):
    from io import StringIO

    from django.core.management import call_command

    _ticket(service_sam, make_customer(rep_li), priority="urgent", created_at=timezone.now() - dt.timedelta(hours=3))
    out = StringIO()
    call_command("tickets", "sla-check", stdout=out)
    assert out.getvalue().startswith("1 ticket(s) newly flagged")
