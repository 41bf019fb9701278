"""`veracity export`."""

import io
import json

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from veracity.audit.models import AuditAction, AuditEvent
from veracity.exports.tests.helpers import csv_rows

pytestmark = pytest.mark.django_db


def _export(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("export", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_export_writes_the_users_scoped_filtered_list(book, rep_li, tmp_path):
    target = tmp_path / "leads.csv"
    summary = _export("customers", "--format", "csv", "-o", str(target), "--as", "rep_li",
                      "--lifecycle-status", "lead")
    rows = csv_rows(target.read_bytes())
    assert [row[rows[0].index("Customer code")] for row in rows[1:]] == ["LI-1"]
    assert summary.startswith("Exported 1 customers as csv to ") and "as rep_li" in summary
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.actor == rep_li and event.extra["filters"] == {"lifecycle_status": "lead"}
    assert not (tmp_path / "leads.csv.part").exists()


def test_export_xlsx_and_raw(book, admin, tmp_path):
    _export("order_lines", "--format", "xlsx", "-o", str(tmp_path / "lines.xlsx"), "--as", "admin")
    rows = list(openpyxl.load_workbook(tmp_path / "lines.xlsx").active.iter_rows(values_only=True))
    assert len(rows) == 3 and "Unit cost" in rows[0]
    _export("customers", "--format", "raw", "-o", str(tmp_path / "all.jsonl"), "--as", "admin")
    assert len((tmp_path / "all.jsonl").read_text().splitlines()) == 4
    assert json.loads((tmp_path / "all.jsonl").read_text().splitlines()[0])["owner_username"]


def test_export_requires_as(tmp_path):
    with pytest.raises(CommandError, match="--as"):
        _export("customers", "-o", str(tmp_path / "x.csv"))


def test_export_refuses_unknown_users_missing_permission_and_foreign_filters(book, service_sam, tmp_path):
    target = tmp_path / "x.csv"
    with pytest.raises(CommandError, match="No active user"):
        _export("customers", "-o", str(target), "--as", "nobody")
    with pytest.raises(CommandError, match="may not export"):
        _export("customers", "-o", str(target), "--as", "service_sam")
    with pytest.raises(CommandError, match="cannot be filtered by --status"):
        _export("customers", "-o", str(target), "--as", "service_sam", "--status", "draft")
    with pytest.raises(CommandError, match="--owner"):
        _export("customers", "-o", str(target), "--as", "rep_li", "--owner", "abc")
    assert not target.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()
