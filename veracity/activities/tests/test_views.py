import pytest
from django.urls import reverse

from veracity.activities.models import Activity, ActivityKind
from veracity.activities.tests.factories import make_activity, make_customer

pytestmark = pytest.mark.django_db


def test_list_page_shows_own_and_escapes_html(web_client_for, rep_li, rep_bob):
    make_activity(make_customer(rep_li), subject="<b>bold</b>")
    make_activity(make_customer(rep_bob), subject="Bob secret")
    html = web_client_for(rep_li).get(reverse("activities:list")).content.decode()
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "Bob secret" not in html


def test_list_page_query_count(web_client_for, rep_li, django_assert_max_num_queries):
    customer = make_customer(rep_li)
    for i in range(15):
        make_activity(customer, subject=f"A{i}", kind=ActivityKind.TASK)
    client = web_client_for(rep_li)
    client.get(reverse("activities:list"))
    with django_assert_max_num_queries(16):
        assert client.get(reverse("activities:list")).status_code == 200


def test_create_page_with_customer_and_kind(web_client_for, rep_li):
    customer = make_customer(rep_li)
    client = web_client_for(rep_li)
    page = client.get(reverse("activities:create") + f"?customer={customer.pk}&kind=task")
    assert page.status_code == 200
    response = client.post(reverse("activities:create"), {
        "kind": "task", "subject": "Send quote", "customer": customer.pk, "due_at": "2030-01-02T10:00",
    })
    assert response.status_code == 302
    assert Activity.objects.get().due_at is not None


def test_create_task_without_due_date_shows_error(web_client_for, rep_li):
    customer = make_customer(rep_li)
    response = web_client_for(rep_li).post(reverse("activities:create"),
                                           {"kind": "task", "subject": "x", "customer": customer.pk})
    assert response.status_code == 200 and "A task needs a due date." in response.content.decode()
    assert not Activity.objects.exists()


def test_htmx_checkbox_completes_task(web_client_for, rep_li):
    task = make_activity(make_customer(rep_li), kind=ActivityKind.TASK)
    response = web_client_for(rep_li).post(reverse("activities:complete", args=[task.pk]), {"done": "1"},
                                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and f'id="activity-{task.pk}"' in response.content.decode()
    task.refresh_from_db()
    assert task.done


def test_other_team_cannot_complete(web_client_for, rep_li, rep_bob):
    task = make_activity(make_customer(rep_li), kind=ActivityKind.TASK)
    response = web_client_for(rep_bob).post(reverse("activities:complete", args=[task.pk]), {"done": "1"})
    assert response.status_code == 404
    task.refresh_from_db()
    assert not task.done


def test_timeline_fragment_quick_log(web_client_for, rep_li):
    customer = make_customer(rep_li)
    client = web_client_for(rep_li)
    url = reverse("activities:customer_timeline", args=[customer.pk])
    response = client.post(url, {"kind": "call", "subject": "Rang 王总"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="customer-timeline"' in html and "Rang 王总" in html and 'class="timeline"' in html
    assert Activity.objects.get().owner == rep_li


def test_timeline_fragment_forbidden_for_other_team(web_client_for, rep_li, rep_bob):
    customer = make_customer(rep_li)
    url = reverse("activities:customer_timeline", args=[customer.pk])
    client = web_client_for(rep_bob)
    assert client.get(url).status_code == 404
    assert client.post(url, {"kind": "call", "subject": "x"}).status_code == 404
    assert not Activity.objects.exists()


def test_edit_with_stale_version_shows_conflict(web_client_for, rep_li):
    activity = make_activity(make_customer(rep_li), subject="Old")
    response = web_client_for(rep_li).post(reverse("activities:edit", args=[activity.pk]), {
        "kind": "call", "subject": "New", "customer": activity.customer_id, "version": 5,
        "occurred_at": "2030-01-01T10:00",
    })
    assert response.status_code == 200 and "Someone else changed" in response.content.decode()
    activity.refresh_from_db()
    assert activity.subject == "Old"
