"""Service tickets: service staff and admins do everything; reps see and open tickets of their own
customers; managers see their team's; SLA targets are administration."""

import datetime as dt

from tests.security.policy import perm
from veracity.service.models import SlaPolicy, Ticket, TicketMessage


def WORLD(world):  # noqa: N802 (the hook's name)
    ticket = Ticket.objects.create(number="T-SWEEP-1", subject="Broken lock", customer=world.customer,
                                   resolution_due_at=world.customer.created_at + dt.timedelta(days=3))
    return {"ticket": ticket.pk, "priority": "normal"}


FINGERPRINT_MODELS = [Ticket, TicketMessage, SlaPolicy]

POLICY = {
    "service:home": perm("ticket", "view"),
    "service:sla": perm("ticket", "view"),
    "service:ticket_list": perm("ticket", "view"),
    "service:ticket_create": perm("ticket", "create", methods=("GET", "POST")),
    "service:ticket_detail": perm("ticket", "view", obj="ticket", owned=True),
    "service:ticket_edit": perm("ticket", "edit", obj="ticket", owned=True, methods=("GET", "POST")),
    "service:ticket_status": perm("ticket", "edit", obj="ticket", owned=True, methods=("POST",),
                                  body=lambda world: {"status": "open", "version": 1}),
    "service:ticket_message": perm("ticket", "edit", obj="ticket", owned=True, methods=("POST",),
                                   body=lambda world: {"kind": "note", "body": "sweep"}),
    "service:ticket_delete": perm("ticket", "delete", obj="ticket", owned=True, methods=("POST",)),
    "GET /api/v1/tickets": perm("ticket", "view"),
    "POST /api/v1/tickets": perm("ticket", "create", owned=True,
                                 body=lambda world: {"subject": "Sweep", "customer_id": world.customer.pk}),
    "GET /api/v1/tickets/{ticket_id}": perm("ticket", "view", obj="ticket", owned=True),
    "PATCH /api/v1/tickets/{ticket_id}": perm("ticket", "edit", obj="ticket", owned=True,
                                              body=lambda world: {"subject": "Changed", "version": 1}),
    "POST /api/v1/tickets/{ticket_id}/status": perm("ticket", "edit", obj="ticket", owned=True,
                                                    body=lambda world: {"status": "open", "version": 1}),
    "GET /api/v1/tickets/{ticket_id}/messages": perm("ticket", "view", obj="ticket", owned=True),
    "POST /api/v1/tickets/{ticket_id}/messages": perm("ticket", "edit", obj="ticket", owned=True,
                                                      body=lambda world: {"kind": "note", "body": "sweep"}),
    "DELETE /api/v1/tickets/{ticket_id}": perm("ticket", "delete", obj="ticket", owned=True),
    "GET /api/v1/sla-policies": perm("ticket", "view"),
    "PUT /api/v1/sla-policies/{priority}": perm("user", "edit", body=lambda world: {
        "first_response_minutes": 30, "resolution_minutes": 600}),
    # The 360° page (workspace) needs sight of the customer; each panel checks its own resource.
    "workspace:customer_360": perm("customer", "view", obj="customer", owned=True),
}
