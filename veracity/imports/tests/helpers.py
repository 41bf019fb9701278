"""Small files made in the tests: CSV bytes in any encoding, XLSX workbooks."""

import io

from openpyxl import Workbook

from veracity.imports import services


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    text = "\r\n".join(",".join(_quote(str(cell)) for cell in row) for row in rows) + "\r\n"
    return text.encode(encoding)


def _quote(cell: str) -> str:
    if any(character in cell for character in ',"\n\r'):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def xlsx_bytes(rows: list[list], sheet: str = "Sheet1", extra_sheets: dict | None = None) -> bytes:
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for row in rows:
        worksheet.append(row)
    for name, extra_rows in (extra_sheets or {}).items():
        other = workbook.create_sheet(name)
        for row in extra_rows:
            other.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(actor, data: bytes, entity: str, *, name: str = "file.csv", **options):
    return services.import_run_create(actor=actor, stream=io.BytesIO(data), name=name, size=len(data),
                                      entity=entity, **options)


def run_now(actor, run, **kwargs):
    return services.import_run_execute(actor=actor, run_id=run.pk, **kwargs)
