import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from veracity.audit.models import AuditEvent
from veracity.core.errors import NotFound, ValidationFailed
from veracity.notifications import selectors, services
from veracity.notifications.models import Notification


@pytest.fixture(autouse=True)
def locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_notify_shows_under_the_bell_and_the_daily_digest_emails_it_once(rep_li, web_client_for):
    services.notify(rep_li, kind="general", title="Check <b>ACME</b>", body="Phone looks wrong", url="/customers/1/")
    assert selectors.unread_count(user=rep_li) == 1
    bell = web_client_for(rep_li).get("/notifications/bell/")
    assert b">1<" in bell.content
    assert mail.outbox == []  # daily digest by default
    assert services.digest_send_due() == {"emails": 1, "notifications": 1}
    assert services.digest_send_due() == {"emails": 0, "notifications": 0}
    message = mail.outbox[0]
    assert message.to == [rep_li.email]
    assert "Check <b>ACME</b>" in message.body and "http://localhost:8000/customers/1/" in message.body
    html = message.alternatives[0][0]
    assert "Check &lt;b&gt;ACME&lt;/b&gt;" in html


def test_daily_digest_waits_a_day_after_the_last_one(rep_li):
    services.notify(rep_li, kind="general", title="One")
    services.digest_send_due()
    services.notify(rep_li, kind="general", title="Two")
    assert services.digest_send_due()["emails"] == 0
    assert services.digest_send_due(now=timezone.now() + dt.timedelta(days=1))["emails"] == 1


def test_digest_is_written_in_the_recipients_language(rep_li):
    rep_li.language = "zh-hans"
    rep_li.save()
    services.notify(rep_li, kind="general", title="A")
    services.notify(rep_li, kind="general", title="B")
    services.digest_send_due()
    assert "条新通知" in mail.outbox[0].subject


def test_immediately_and_email_now_send_at_once(rep_li, django_capture_on_commit_callbacks):
    services.preference_update(actor=rep_li, values={"frequency": "immediately"})
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(rep_li, kind="general", title="Now")
    assert len(mail.outbox) == 1
    services.preference_update(actor=rep_li, values={"frequency": "never"})
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(rep_li, kind="general", title="Urgent", email_now=True)
        services.notify(rep_li, kind="general", title="Quiet")
    assert [m.subject for m in mail.outbox][1:] == ["Veracity: Urgent"]
    assert services.digest_send_due()["emails"] == 0  # "never": the quiet one stays in the app


def test_per_kind_frequency_overrides_the_default(rep_li):
    services.kind_register("test.kind", "Test kind")
    services.preference_update(actor=rep_li, values={"frequency": "daily", "kind_frequencies": {"test.kind": "never"}})
    services.notify(rep_li, kind="test.kind", title="Muted")
    assert services.digest_send_due()["emails"] == 0


def test_preferences_reject_unknown_frequency_and_audit_changes(rep_li):
    with pytest.raises(ValidationFailed):
        services.preference_update(actor=rep_li, values={"frequency": "hourly"})
    services.preference_update(actor=rep_li, values={"frequency": "weekly"})
    assert AuditEvent.objects.filter(object_type="notifications.notificationpreference").count() == 1


def test_users_read_only_their_own_notifications(rep_li, rep_bob, api_client_for):
    mine = services.notify(rep_li, kind="general", title="Mine")
    with pytest.raises(NotFound):
        services.notification_mark_read(actor=rep_bob, notification_id=mine.pk)
    response = api_client_for(rep_bob).get("/api/v1/notifications")
    assert response.json()["count"] == 0
    response = api_client_for(rep_bob).post(f"/api/v1/notifications/{mine.pk}/read")
    assert response.status_code == 404
    assert Notification.objects.get(pk=mine.pk).read_at is None


def test_mark_all_read_from_the_page(rep_li, web_client_for):
    services.notify(rep_li, kind="general", title="A")
    services.notify(rep_li, kind="general", title="B")
    web_client_for(rep_li).post("/notifications/read-all/")
    assert selectors.unread_count(user=rep_li) == 0


def test_links_stay_on_the_site(rep_li):
    assert services.notify(rep_li, kind="general", title="x", url="javascript:alert(1)").url == ""
    assert services.notify(rep_li, kind="general", title="x", url="//evil.example").url == ""
