import json

import pytest
from django.urls import reverse

from veracity.core.errors import NotFound, ValidationFailed
from veracity.workspace import selectors, services
from veracity.workspace.models import SavedView

pytestmark = pytest.mark.django_db


def test_save_strips_page_and_overwrites_same_name(rep_li):
    services.saved_view_create(actor=rep_li, list_name="activities", name="My tasks", query="?kind=task&page=3")
    view = services.saved_view_create(actor=rep_li, list_name="activities", name="My tasks", query="kind=task&done=0")
    assert SavedView.objects.count() == 1 and view.query == "kind=task&done=0"


def test_unknown_list_and_empty_name_are_refused(rep_li):
    with pytest.raises(ValidationFailed):
        services.saved_view_create(actor=rep_li, list_name="users", name="x", query="")
    with pytest.raises(ValidationFailed):
        services.saved_view_create(actor=rep_li, list_name="customers", name="  ", query="")
    assert not SavedView.objects.exists()


def test_user_sees_and_deletes_only_own_views(rep_li, rep_bob):
    view = services.saved_view_create(actor=rep_li, list_name="orders", name="Big", query="sort=-total")
    assert list(selectors.saved_view_list(user=rep_bob)) == []
    with pytest.raises(NotFound):
        selectors.saved_view_get(user=rep_bob, pk=view.pk)
    with pytest.raises(NotFound):
        services.saved_view_delete(actor=rep_bob, saved_view=view)
    assert SavedView.objects.filter(pk=view.pk).exists()


def test_list_page_shows_dropdown_and_saves(web_client_for, rep_li):
    client = web_client_for(rep_li)
    response = client.post(reverse("workspace:saved_view_create"), {
        "list_name": "activities", "name": "<i>Overdue</i>", "query": "due=overdue",
        "next": reverse("activities:list") + "?due=overdue",
    })
    assert response.status_code == 302 and response["Location"] == "/activities/?due=overdue"
    html = client.get(reverse("activities:list")).content.decode()
    assert 'href="/activities/?due=overdue"' in html and "&lt;i&gt;Overdue&lt;/i&gt;" in html


def test_save_view_ignores_offsite_next(web_client_for, rep_li):
    response = web_client_for(rep_li).post(reverse("workspace:saved_view_create"), {
        "list_name": "activities", "name": "x", "query": "", "next": "https://evil.example/"})
    assert response["Location"] == reverse("activities:list")


def test_delete_view_of_someone_else_is_404(web_client_for, rep_li, rep_bob):
    view = services.saved_view_create(actor=rep_li, list_name="orders", name="Big", query="")
    assert web_client_for(rep_bob).post(reverse("workspace:saved_view_delete", args=[view.pk])).status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()
    assert web_client_for(rep_li).post(reverse("workspace:saved_view_delete", args=[view.pk])).status_code == 302
    assert not SavedView.objects.exists()


def test_saved_views_api(api_client_for, rep_li, rep_bob):
    client = api_client_for(rep_li)
    created = client.post("/api/v1/saved-views", data=json.dumps(
        {"list_name": "customers", "name": "Beijing", "query": "city=北京"}), content_type="application/json")
    assert created.status_code == 201
    view_id = created.json()["id"]
    assert [v["name"] for v in client.get("/api/v1/saved-views").json()] == ["Beijing"]
    assert api_client_for(rep_bob).get("/api/v1/saved-views").json() == []
    assert api_client_for(rep_bob).delete(f"/api/v1/saved-views/{view_id}").status_code == 404
    assert client.delete(f"/api/v1/saved-views/{view_id}").status_code == 204
