"""Notifications: every signed-in user reads and marks only their own."""

from tests.security.policy import login

POLICY = {
    "notifications:list": login(),
    "notifications:bell": login(),
    "notifications:read_all": login(methods=("POST",)),
    "notifications:read": login(obj="notification", owned=True, methods=("POST",)),
    "notifications:preferences": login(methods=("GET", "POST"), body=lambda world: {"frequency": "daily"}),
    "GET /api/v1/notifications": login(),
    "GET /api/v1/notifications/unread-count": login(),
    "POST /api/v1/notifications/read-all": login(),
    "POST /api/v1/notifications/{notification_id}/read": login(obj="notification", owned=True),
    "GET /api/v1/notification-preferences": login(),
    "PATCH /api/v1/notification-preferences": login(body=lambda world: {"frequency": "daily"}),
}
