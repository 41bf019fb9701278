"""/api/v1/notifications and /api/v1/notification-preferences: the caller's own, nobody else's."""

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from veracity.core.api import ErrorOut, Pagination
from veracity.notifications import selectors, services
from veracity.notifications.schemas import (
    MarkedOut,
    NotificationOut,
    PreferenceIn,
    PreferenceOut,
    UnreadCountOut,
)

router = Router(tags=["notifications"])


class NotificationQuery(Schema):
    unread: bool = False


def _preference_out(preference) -> dict:
    return {"frequency": preference.frequency, "kind_frequencies": preference.kind_frequencies,
            "kinds": {code: str(label) for code, label in services.KINDS.items()}}


@router.get("/notifications", response=list[NotificationOut], summary="My notifications, newest first")
@paginate(Pagination)
def notification_list(request: HttpRequest, query: Query[NotificationQuery]):
    return selectors.notification_list(user=request.user, unread_only=query.unread)


@router.get("/notifications/unread-count", response=UnreadCountOut, summary="How many notifications I have not read")
def notification_unread_count(request: HttpRequest):
    return {"unread": selectors.unread_count(user=request.user)}


@router.post("/notifications/read-all", response=MarkedOut, summary="Mark all my notifications read")
def notification_read_all(request: HttpRequest):
    return {"marked": services.notification_mark_all_read(actor=request.user)}


@router.post("/notifications/{notification_id}/read", response={200: NotificationOut, 404: ErrorOut},
             summary="Mark one of my notifications read")
def notification_read(request: HttpRequest, notification_id: int):
    return services.notification_mark_read(actor=request.user, notification_id=notification_id)


@router.get("/notification-preferences", response=PreferenceOut, summary="When I am emailed")
def preference_get(request: HttpRequest):
    return _preference_out(selectors.preference_get(user=request.user))


@router.patch("/notification-preferences", response={200: PreferenceOut, 422: ErrorOut},
              summary="Choose when I am emailed: immediately, daily, weekly or never (per kind optional)")
def preference_update(request: HttpRequest, payload: PreferenceIn):
    values = payload.dict(exclude_unset=True)
    return _preference_out(services.preference_update(actor=request.user, values=values))
