"""`{% export_menu "customers" %}`: the Export dropdown of a list page, shown only to users who may
export that list. Its links carry the page's current filters (not its page number)."""

from django import template
from django.urls import reverse

from veracity.accounts.access import can
from veracity.accounts.models import Action
from veracity.exports.registry import ENTITIES

register = template.Library()

MENU_FORMATS = ("csv", "xlsx", "parquet")


@register.inclusion_tag("exports/_export_menu.html", takes_context=True)
def export_menu(context, *entity_names: str):
    request = context["request"]
    query = request.GET.copy()
    for name in ("page", "format"):
        query.pop(name, None)
    groups = []
    for name in entity_names:
        entity = ENTITIES[name]
        if not can(request.user, entity.resource, Action.EXPORT):
            continue
        base = reverse("exports:download", args=[name])
        links = []
        for fmt in MENU_FORMATS:
            query["format"] = fmt
            links.append((fmt, f"{base}?{query.urlencode()}"))
        groups.append({"label": entity.label, "links": links})
    return {"groups": groups, "show_group_labels": len(groups) > 1}
