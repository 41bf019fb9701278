"""The notifications page, the bell (loaded by htmx into every page's top bar) and preferences."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from veracity.core.errors import ValidationFailed
from veracity.notifications import selectors, services
from veracity.notifications.forms import PreferenceForm


@login_required
def notification_list(request):
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(selectors.notification_list(user=request.user, unread_only=unread_only), 50).get_page(
        request.GET.get("page"))
    return render(request, "notifications/list.html", {
        "page": page, "unread_only": unread_only, "unread": selectors.unread_count(user=request.user)})


@login_required
def bell(request):
    return render(request, "notifications/_bell.html", {"unread": selectors.unread_count(user=request.user)})


@login_required
@require_POST
def notification_read(request, pk: int):
    notification = services.notification_mark_read(actor=request.user, notification_id=pk)
    if request.POST.get("follow") and notification.url:
        return redirect(notification.url)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request):
    count = services.notification_mark_all_read(actor=request.user)
    messages.success(request, _("%(count)d notifications marked read.") % {"count": count})
    return redirect("notifications:list")


@login_required
def preferences(request):
    preference = selectors.preference_get(user=request.user)
    form = PreferenceForm(request.POST or None, preference=preference)
    if request.method == "POST" and form.is_valid():
        try:
            services.preference_update(actor=request.user, values=form.service_values())
        except ValidationFailed as error:
            for field, errors in error.fields.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Your notification preferences are saved."))
            return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})
