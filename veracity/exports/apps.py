from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    """Exports of what a user may see, as CSV, XLSX or Parquet, with spreadsheet formulas neutralised."""

    name = "veracity.exports"
    label = "exports"
    verbose_name = _("Exports")
