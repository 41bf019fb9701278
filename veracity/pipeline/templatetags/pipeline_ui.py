"""Template helpers for the pipeline pages."""

from django import template

register = template.Library()


@register.filter
def initials(user) -> str:
    """"Mei Wang" -> "MW", "李雷" -> "李", "admin" -> "AD": the owner badge on kanban cards."""
    name = (str(user) if user is not None else "").strip()
    if not name:
        return "?"
    words = name.split()
    if len(words) > 1:
        return (words[0][0] + words[1][0]).upper()
    if not name.isascii():
        return name[0]
    return name[:2].upper()
