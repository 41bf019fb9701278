from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    """Bulk loading of customers, contacts, products, orders, opportunities and activities from CSV and XLSX: mapping, dry run, batches, revert."""

    name = "veracity.imports"
    label = "imports"
    verbose_name = _("Imports")
