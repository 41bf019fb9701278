import pytest

from veracity.activities.tests.factories import make_customer, make_order
from veracity.core.errors import NotFound
from veracity.service.services import ticket_create
from veracity.workspace.selectors.customer360 import customer_360

pytestmark = pytest.mark.django_db


def _keys(panels):
    return [item.panel.key for item in panels]


def test_service_staff_see_every_panel_read_only(service_sam, rep_li, web_client_for):
    customer = make_customer(rep_li)
    make_order(customer, rep_li)
    ticket_create(actor=service_sam, values={"subject": "Help", "customer": customer.pk})
    _customer, panels = customer_360(user=service_sam, customer_pk=customer.pk)
    assert {"profile", "orders", "tickets", "feedback", "activities", "preferences"} <= set(_keys(panels))
    assert "value" not in _keys(panels)  # service has no forecast permission
    page = web_client_for(service_sam).get(f"/customers/{customer.pk}/360/")
    assert page.status_code == 200
    assert f"/customers/{customer.pk}/edit/" not in page.content.decode()


def test_panels_respect_record_scope_and_permissions(rep_li, rep_bob, marketing_ana):
    customer = make_customer(rep_li)
    with pytest.raises(NotFound):
        customer_360(user=rep_bob, customer_pk=customer.pk)
    _customer, panels = customer_360(user=marketing_ana, customer_pk=customer.pk)
    assert "tickets" not in _keys(panels)  # marketing has no ticket permission


def test_order_cost_shows_only_to_roles_that_may_see_it(rep_li, manager_mei):
    customer = make_customer(rep_li)
    panels = dict((item.panel.key, item.context) for item in customer_360(user=rep_li, customer_pk=customer.pk)[1])
    assert panels["orders"]["show_cost"] is False
    panels = dict((item.panel.key, item.context) for item in customer_360(user=manager_mei, customer_pk=customer.pk)[1])
    assert panels["orders"]["show_cost"] is True


def test_value_panel_shows_the_customers_lifetime_value_and_churn_risk(rep_li, web_client_for):
    from decimal import Decimal

    from django.utils import timezone

    from veracity.forecasting.models import CustomerValue

    customer = make_customer(rep_li)
    panels = dict((item.panel.key, item.context) for item in customer_360(user=rep_li, customer_pk=customer.pk)[1])
    assert panels["value"]["available"] is False
    CustomerValue.objects.create(customer=customer, clv=Decimal("12345.00"), churn_probability=0.42,
                                 expected_purchases_90d=1.5, purchases=3, fitted_at=timezone.now())
    page = web_client_for(rep_li).get(f"/customers/{customer.pk}/360/").content.decode()
    assert "12,345.00" in page and "42 %" in page
