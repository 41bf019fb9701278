"""Pages that belong to no single business area: home, global search, trash, audit trail, saved
views, the PWA manifest and service worker, health, and the error pages."""

import json

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET


@login_required
def home(request):
    return render(request, "workspace/home.html", {})


@login_required
def search(request):
    return render(request, "workspace/search_results.html", {"query": request.GET.get("q", ""), "groups": []})


@login_required
def trash_list(request):
    return render(request, "workspace/home.html", {})


@login_required
def trash_restore(request, deletion_id):
    return render(request, "workspace/home.html", {})


@login_required
def audit_list(request):
    return render(request, "workspace/home.html", {})


@login_required
def saved_view_create(request):
    return render(request, "workspace/home.html", {})


@login_required
def saved_view_delete(request, pk):
    return render(request, "workspace/home.html", {})


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
