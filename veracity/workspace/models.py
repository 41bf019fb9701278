"""What belongs to a person's workspace rather than to the business data: saved list views."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SavedView(models.Model):
    """A named set of list filters and sort order, e.g. "My Beijing leads", kept per user."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    list_name = models.CharField(max_length=32)  # customers, contacts, orders, …
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(max_length=1000, blank=True)  # the list's query string
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["list_name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "list_name", "name"], name="saved_view_name_unique_per_list")
        ]

    def __str__(self) -> str:
        return self.name
