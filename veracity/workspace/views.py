"""Pages that belong to no single business area: home, global search, trash, audit trail, saved
views, the PWA manifest and service worker, health, and the error pages."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from veracity.accounts.access import can
from veracity.accounts.models import Action, Resource, RoleCode
from veracity.core.errors import ValidationFailed
from veracity.core.views import paginate
from veracity.feedback.selectors import open_follow_ups
from veracity.workspace import selectors, services
from veracity.workspace.errors import RestoreConflict
from veracity.workspace.forms import AuditFilterForm
from veracity.workspace.selectors import reverse_or_none
from veracity.workspace.selectors.customer360 import customer_360


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return fallback


@login_required
def home(request):
    kind = selectors.home_kind(request.user)
    context = {"home_kind": kind}
    if kind in (RoleCode.SALES_REP, RoleCode.SALES_MANAGER, RoleCode.SERVICE):
        context["mine"] = selectors.rep_home(user=request.user)
    if kind == RoleCode.SALES_MANAGER:
        context["team_rows"] = selectors.team_summary(user=request.user)
    if kind not in (RoleCode.SALES_REP, RoleCode.SALES_MANAGER):
        context["overview"] = selectors.overview(user=request.user)
    if kind in (RoleCode.SALES_MANAGER, RoleCode.ADMIN, RoleCode.SERVICE) and can(
            request.user, Resource.SURVEY_RESPONSE, Action.VIEW):
        context["feedback_follow_ups"] = open_follow_ups(user=request.user, limit=10)
    if can(request.user, Resource.AUDIT_EVENT, Action.VIEW):
        context["recent_events"] = list(selectors.audit_event_list(user=request.user)[:8])
    return render(request, "workspace/home.html", context)


@login_required
def customer_360_page(request, pk: int):
    """Everything about one customer, panel by panel; read-only, each panel within the user's rights."""
    customer, panels = customer_360(user=request.user, customer_pk=pk)
    return render(request, "workspace/customer_360.html", {"customer": customer, "panels": panels})


@login_required
def search(request):
    """As-you-type results for the top bar (htmx) or, submitted plainly, a full results page."""
    query = request.GET.get("q", "")
    htmx = _is_htmx(request)
    groups = selectors.global_search(user=request.user, query=query, limit=5 if htmx else 25)
    template = "workspace/search_results.html" if htmx else "workspace/search_page.html"
    return render(request, template, {"query": query, "groups": groups})


@login_required
def trash_list(request):
    entries = selectors.trash_entries(user=request.user)
    return render(request, "workspace/trash.html", {
        "page_obj": paginate(request, entries),
        "can_restore": can(request.user, Resource.TRASH, Action.EDIT),
        "retention_days": settings.TRASH_RETENTION_DAYS,
    })


@login_required
@require_POST
def trash_restore(request, deletion_id):
    try:
        entry = services.trash_restore(actor=request.user, deletion_id=deletion_id)
    except RestoreConflict as error:
        for problem in error.problems:
            messages.error(request, problem)
    else:
        messages.success(request, _("Restored %(what)s and %(count)d record(s) deleted with it.")
                         % {"what": entry.root, "count": entry.record_count - 1}
                         if entry.record_count > 1 else _("Restored %(what)s.") % {"what": entry.root})
    return redirect("workspace:trash")


@login_required
def audit_list(request):
    form = AuditFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.AuditFilters(**{key: value for key, value in data.items() if value})
    events = selectors.audit_event_list(user=request.user, filters=filters)
    return render(request, "workspace/audit_list.html", {"page_obj": paginate(request, events), "filter_form": form})


@login_required
@require_POST
def saved_view_create(request):
    list_name = request.POST.get("list_name", "")
    try:
        view = services.saved_view_create(actor=request.user, list_name=list_name,
                                          name=request.POST.get("name", ""), query=request.POST.get("query", ""))
    except ValidationFailed as error:
        for field_messages in error.fields.values():
            for message in field_messages:
                messages.error(request, message)
    else:
        messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    fallback = reverse_or_none(selectors.SAVED_VIEW_LISTS.get(list_name, "workspace:home")) or "/"
    return redirect(_safe_next(request, fallback))


@login_required
@require_POST
def saved_view_delete(request, pk):
    view = selectors.saved_view_get(user=request.user, pk=pk)
    fallback = reverse_or_none(selectors.SAVED_VIEW_LISTS.get(view.list_name, "workspace:home")) or "/"
    services.saved_view_delete(actor=request.user, saved_view=view)
    messages.success(request, _("Saved view deleted."))
    return redirect(_safe_next(request, fallback))


@require_GET
@cache_control(max_age=3600)
def manifest(request):
    """The web app manifest that makes Veracity installable on a phone's home screen."""
    data = {
        "name": "Veracity CRM",
        "short_name": "Veracity",
        "description": _("Sales data, accurate and safe."),
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#f4f6fb",
        "theme_color": "#1f3b73",
        "icons": [
            {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": static("icons/icon-512-maskable.png"), "sizes": "512x512", "type": "image/png",
             "purpose": "maskable"},
            {"src": static("icons/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    return HttpResponse(json.dumps(data), content_type="application/manifest+json")


@require_GET
def service_worker(request):
    """A network-first service worker: pages always come from the server (CRM data must be fresh);
    only static assets are cached, so the shell still loads on a weak connection."""
    script = """
const CACHE = "veracity-static-v1";
self.addEventListener("install", (event) => { self.skipWaiting(); });
self.addEventListener("activate", (event) => { event.waitUntil(self.clients.claim()); });
self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || !url.pathname.startsWith("/static/")) return;
  event.respondWith(caches.open(CACHE).then(async (cache) => {
    const cached = await cache.match(event.request);
    if (cached) return cached;
    const response = await fetch(event.request);
    if (response.ok) cache.put(event.request, response.clone());
    return response;
  }));
});
"""
    response = HttpResponse(script, content_type="application/javascript")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def health(request):
    """For load balancers and monitoring: answers 200 when the app and its database respond."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    return render(request, "errors/500.html", status=500)
