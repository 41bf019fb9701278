"""Template helpers any list page can use: `{% include "workspace/saved_views.html" with list_name="customers" %}`
(the include calls `user_saved_views` itself)."""

from django import template

from veracity.workspace.selectors import saved_view_list

register = template.Library()


@register.simple_tag(takes_context=True)
def user_saved_views(context, list_name: str):
    """The signed-in user's saved views for one list."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None:
        return []
    return list(saved_view_list(user=user, list_name=list_name))
