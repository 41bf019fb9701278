import pytest
from django.core.management import CommandError, call_command

from veracity.customers.models import Customer
from veracity.imports.tests.helpers import csv_bytes


@pytest.mark.django_db
def test_command_dry_run_then_load(admin, tmp_path):
    path = tmp_path / "客户.csv"
    path.write_bytes(csv_bytes([["客户编号", "客户名称"], ["C-1", "华为"]], "gbk"))
    call_command("import", "customers", str(path), "--dry-run", "--as", "admin")
    assert Customer.objects.count() == 0
    call_command("import", "customers", str(path), "--as", "admin")
    assert Customer.objects.get().name == "华为"


@pytest.mark.django_db
def test_command_exits_non_zero_on_a_refused_file(admin, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(CommandError, match="File refused"):
        call_command("import", "customers", str(path), "--as", "admin")
