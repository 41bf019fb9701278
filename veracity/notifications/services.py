"""Writes for notifications: `notify` (what every app calls), reading them, preferences, and the email
digest job. Notifications belong to their recipient alone: no permission matrix, only ownership."""

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from veracity.audit.models import AuditAction
from veracity.audit.services import audit_event_record
from veracity.core.errors import NotFound, ValidationFailed
from veracity.notifications.models import Frequency, Notification, NotificationPreference

logger = logging.getLogger(__name__)

PREFERENCE_WRITABLE = ("frequency", "kind_frequencies")
# Kinds other apps announce (code -> label), so the preferences page can offer one choice per kind.
KINDS: dict[str, Promise | str] = {"general": gettext_lazy("General")}
DAILY_GAP = dt.timedelta(hours=23)   # a little under a day, so a job at the same hour each day sends
WEEKLY_GAP = dt.timedelta(days=6, hours=23)


def kind_register(code: str, label: Promise | str) -> None:
    """Announce a kind of notification (from an app's AppConfig.ready())."""
    KINDS[code] = label


@contextmanager
def recipient_language(user) -> Iterator[None]:
    """Write a notification's text in its recipient's language: callers wrap their gettext calls in it."""
    with translation.override(getattr(user, "language", "") or settings.LANGUAGE_CODE):
        yield


def preference_for(user) -> NotificationPreference:
    """The user's preference; an unsaved default (daily digest) when they never chose."""
    preference = NotificationPreference.objects.filter(user=user).first()
    return preference or NotificationPreference(user=user)


def _safe_url(url: str) -> str:
    """Links stay inside the site: a relative path, never javascript: or another host."""
    url = (url or "").strip()
    return url if url.startswith("/") and not url.startswith("//") else ""


def notify(recipient, *, kind: str, title: str, body: str = "", url: str = "", email_now: bool = False) -> Notification:
    """Tell `recipient` something: it appears under their bell at once. It is emailed at once when
    `email_now` is set or the recipient chose "immediately" for this kind; otherwise the digest job
    sends it with the next daily or weekly digest (or never, if they chose so)."""
    notification = Notification.objects.create(
        recipient=recipient, kind=kind[:64], title=str(title)[:200], body=str(body), url=_safe_url(url),
    )
    frequency = preference_for(recipient).frequency_for(kind)
    if email_now or frequency == Frequency.IMMEDIATELY:
        pk = notification.pk
        transaction.on_commit(lambda: _email_now(pk))
    return notification


def _email_now(pk: int) -> None:
    notification = Notification.objects.select_related("recipient").filter(pk=pk, emailed_at__isnull=True).first()
    if notification is None:
        return
    if digest_email_send(notification.recipient, [notification]):
        Notification.objects.filter(pk=pk).update(emailed_at=timezone.now())


def _own(actor, pk: int) -> Notification:
    notification = Notification.objects.filter(pk=pk, recipient=actor).first()
    if notification is None:
        raise NotFound()
    return notification


def notification_mark_read(*, actor, notification_id: int) -> Notification:
    notification = _own(actor, notification_id)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


def notification_mark_all_read(*, actor) -> int:
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())


def _clean_frequency(value: Any, field: str, errors: dict[str, list[str]]) -> str:
    text = str(value or "").strip().lower()
    if text not in Frequency.values:
        errors.setdefault(field, []).append(
            _("Choose immediately, daily, weekly or never (not %(value)s).") % {"value": value})
    return text


@transaction.atomic
def preference_update(*, actor, values: dict[str, Any]) -> NotificationPreference:
    """Change the actor's own email choices; audited with old -> new values."""
    unknown = set(values) - set(PREFERENCE_WRITABLE)
    if unknown:
        raise ValidationFailed({name: [_("This field cannot be set.")] for name in sorted(unknown)})
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    if "frequency" in values:
        cleaned["frequency"] = _clean_frequency(values["frequency"], "frequency", errors)
    if "kind_frequencies" in values:
        raw = values["kind_frequencies"] or {}
        if not isinstance(raw, dict):
            errors["kind_frequencies"] = [_("Give one frequency per kind.")]
        else:
            per_kind = {}
            for kind, frequency in raw.items():
                if kind not in KINDS:
                    errors.setdefault("kind_frequencies", []).append(
                        _("%(kind)s is not a kind of notification.") % {"kind": kind})
                elif frequency not in (None, ""):
                    per_kind[kind] = _clean_frequency(frequency, "kind_frequencies", errors)
            cleaned["kind_frequencies"] = per_kind
    if errors:
        raise ValidationFailed(errors)
    preference, created = NotificationPreference.objects.select_for_update().get_or_create(user=actor)
    changes = {}
    for name, new in cleaned.items():
        old = getattr(preference, name)
        if old != new:
            changes[name] = [old, new]
            setattr(preference, name, new)
    if changes:
        preference.updated_at = timezone.now()
        preference.save()
        audit_event_record(actor=actor, action=AuditAction.CREATE if created else AuditAction.UPDATE,
                           obj=preference, changes=changes)
    return preference


# ---------------------------------------------------------------------------------------------
# Email

def digest_email_send(user, notifications: list[Notification]) -> bool:
    """One email (text and HTML, in the user's language) listing `notifications`. False when the user
    has no email address or the mail server refused."""
    if not user.email or not notifications:
        return False
    with recipient_language(user):
        context = {"user": user, "notifications": notifications, "site_url": settings.SITE_URL}
        if len(notifications) == 1:
            subject = _("Veracity: %(title)s") % {"title": notifications[0].title}
        else:
            subject = _("Veracity: %(count)d new notifications") % {"count": len(notifications)}
        text = render_to_string("notifications/email/digest.txt", context)
        html = render_to_string("notifications/email/digest.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[user.email])
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except OSError:  # SMTP refused or unreachable: keep the notifications for the next digest
        logger.exception("Could not email notifications to user %s", user.pk)
        return False
    return True


def _due_frequencies(preference: NotificationPreference, now: dt.datetime) -> set[str]:
    due = {Frequency.IMMEDIATELY}  # ones whose immediate email failed go out with the next digest
    if preference.last_daily_digest_at is None or now - preference.last_daily_digest_at >= DAILY_GAP:
        due.add(Frequency.DAILY)
    if preference.last_weekly_digest_at is None or now - preference.last_weekly_digest_at >= WEEKLY_GAP:
        due.add(Frequency.WEEKLY)
    return due


def digest_send_due(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The digest job: email each user the unread, not yet emailed notifications whose digest is due
    (daily ones at most once a day, weekly ones once a week). Returns {"emails": n, "notifications": m}."""
    now = now or timezone.now()
    pending = (Notification.objects.filter(emailed_at__isnull=True, read_at__isnull=True,
                                           recipient__is_active=True)
               .select_related("recipient").order_by("recipient_id", "created_at"))
    by_user: dict[int, list[Notification]] = {}
    for notification in pending:
        by_user.setdefault(notification.recipient_id, []).append(notification)
    emails = sent = 0
    for items in by_user.values():
        user = items[0].recipient
        preference = preference_for(user)
        due = _due_frequencies(preference, now)
        chosen = [item for item in items if preference.frequency_for(item.kind) in due]
        if not chosen or not digest_email_send(user, chosen):
            continue
        Notification.objects.filter(pk__in=[item.pk for item in chosen]).update(emailed_at=now)
        frequencies = {preference.frequency_for(item.kind) for item in chosen}
        if preference.pk is None:
            preference.save()
        stamps = {}
        if Frequency.DAILY in frequencies:
            stamps["last_daily_digest_at"] = now
        if Frequency.WEEKLY in frequencies:
            stamps["last_weekly_digest_at"] = now
        if stamps:
            NotificationPreference.objects.filter(pk=preference.pk).update(**stamps)
        emails += 1
        sent += len(chosen)
    return {"emails": emails, "notifications": sent}
