from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.simple_tag
def touch_kind(kind: str) -> str:
    return {"lead": _("lead"), "opportunity": _("opportunity"), "order": _("order")}.get(kind, kind)
