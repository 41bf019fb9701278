"""The error file: every problem of a run as CSV or XLSX, with cells neutralised against formulas."""

import csv
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\x00")


def neutralise(value) -> str:
    """A cell a spreadsheet will not run as a formula (SECURITY.md R11)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def error_table(errors, headers: dict[str, str] | None = None) -> list[list[str]]:
    """The problems as rows; `headers` names each column as the user's file does (canonical -> header)."""
    headers = headers or {}
    header = [_("Row"), _("Column"), _("Value"), _("Problem"), _("Level")]
    rows = [[str(error.row_number), headers.get(error.column, error.column), error.value, error.message,
             error.get_level_display()] for error in errors]
    return [header] + [[neutralise(cell) for cell in row] for row in rows]


def errors_csv(errors, headers: dict[str, str] | None = None) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(error_table(errors, headers))
    return buffer.getvalue().encode("utf-8-sig")


def errors_xlsx(errors, headers: dict[str, str] | None = None) -> bytes:
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(_("Problems"))
    for row in error_table(errors, headers):
        worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
