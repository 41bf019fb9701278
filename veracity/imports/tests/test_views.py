import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from veracity.customers.models import Customer
from veracity.imports.models import ImportRun
from veracity.imports.tests.helpers import csv_bytes, upload

XSS = '<script>alert("x")</script>'


@pytest.mark.django_db
def test_preview_shows_cells_and_file_names_as_text(admin, web_client_for):
    rows = [["客户名称", "手机"], [XSS, "=cmd|' /C calc'!A0"]]
    run = upload(admin, csv_bytes(rows), "customers", name=f"{XSS}.csv")
    response = web_client_for(admin).get(f"/imports/{run.pk}/preview/")
    body = response.content.decode()
    assert response.status_code == 200
    assert XSS not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body


@pytest.mark.django_db
def test_error_file_neutralises_formulas_in_csv_and_xlsx(admin, web_client_for):
    rows = [["客户名称", "手机"], ["公司", "=1+2"]]
    run = upload(admin, csv_bytes(rows), "customers")
    client = web_client_for(admin)
    text = client.get(f"/imports/{run.pk}/errors/").content.decode("utf-8-sig")
    assert "'=1+2" in text
    workbook = load_workbook(io.BytesIO(client.get(f"/imports/{run.pk}/errors/?format=xlsx").content))
    values = [cell for row in workbook.active.iter_rows(values_only=True) for cell in row]
    assert "'=1+2" in values and "=1+2" not in values


@pytest.mark.django_db
def test_upload_page_runs_the_dry_run_and_execute_loads(admin, web_client_for, django_capture_on_commit_callbacks):
    client = web_client_for(admin)
    data = csv_bytes([["客户编号", "客户名称"], ["C-1", "华为"]], "gbk")
    response = client.post("/imports/new/", {"file": SimpleUploadedFile("客户.csv", data), "entity": "customers",
                                             "mode": "create", "policy": "all_or_nothing"})
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/imports/{run.pk}/preview/")
    assert Customer.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/imports/{run.pk}/preview/")
    assert Customer.objects.get().name == "华为"
    detail = client.get(f"/imports/{run.pk}/", headers={"HX-Request": "true"})
    assert b"<progress" in detail.content


@pytest.mark.django_db
def test_refused_upload_shows_the_reason_and_stores_nothing(admin, web_client_for):
    response = web_client_for(admin).post("/imports/new/", {
        "file": SimpleUploadedFile("empty.csv", b""), "entity": "customers", "mode": "create",
        "policy": "all_or_nothing"})
    assert response.status_code == 200 and ImportRun.objects.count() == 0


@pytest.mark.django_db
def test_rep_has_no_import_access(rep_li, web_client_for, api_client_for):
    assert web_client_for(rep_li).get("/imports/").status_code == 403
    data = csv_bytes([["客户名称"], ["X"]])
    response = api_client_for(rep_li).post("/api/v1/imports", {"file": SimpleUploadedFile("a.csv", data),
                                                               "entity": "customers"})
    assert response.status_code == 403 and ImportRun.objects.count() == 0


@pytest.mark.django_db
def test_manager_sees_her_teams_runs_only(admin, manager_mei, rep_bob, api_client_for):
    mine = upload(manager_mei, csv_bytes([["客户名称"], ["A"]]), "customers")
    upload(admin, csv_bytes([["客户名称"], ["B"]]), "customers")
    client = api_client_for(manager_mei)
    listed = client.get("/api/v1/imports").json()
    assert [item["id"] for item in listed["items"]] == [mine.pk]
    other = ImportRun.objects.exclude(pk=mine.pk).get()
    assert client.get(f"/api/v1/imports/{other.pk}").status_code == 404


@pytest.mark.django_db
def test_api_upload_execute_and_revert(admin, api_client_for, django_capture_on_commit_callbacks):
    client = api_client_for(admin)
    data = csv_bytes([["Customer Code", "Customer Name"], ["C-9", "Acme"]], "utf-8-sig")
    created = client.post("/api/v1/imports", {"file": SimpleUploadedFile("a.csv", data), "entity": "customers"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "validated" and body["counts"]["dry_run"]["created"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/api/v1/imports/{body['id']}/execute").status_code == 202
    assert Customer.objects.filter(code="C-9").exists()
    assert client.post(f"/api/v1/imports/{body['id']}/revert").json() == {"deleted": 1, "restored": 0, "skipped": 0}
    assert not Customer.objects.filter(code="C-9").exists()
    refused = client.post("/api/v1/imports", {"file": SimpleUploadedFile("b.csv", b"name\r\n"), "entity": "customers"})
    assert refused.status_code == 422 and refused.json()["code"] == "file_header_only"


@pytest.mark.django_db
def test_problems_name_the_column_as_the_users_file_does(admin, web_client_for):
    rows = [["客户编号", "客户名称", "手机"], ["C-1", "华为", "12345"]]
    run = upload(admin, csv_bytes(rows, "gbk"), "customers")
    client = web_client_for(admin)
    preview = client.get(f"/imports/{run.pk}/preview/").content.decode()
    assert "<td>手机</td><td>12345</td>" in preview
    error_file = client.get(f"/imports/{run.pk}/errors/").content.decode("utf-8-sig")
    assert "2,手机,12345," in error_file


@pytest.mark.django_db
def test_imports_page_tells_who_may_edit_imports_what_a_killed_bulk_load_left_to_put_back(
        admin, auditor_aud, web_client_for):
    from veracity.imports.models import DeferredIndex, ImportStatus

    running = upload(admin, csv_bytes([["客户编号", "客户名称"], ["C-1", "华为"]]), "customers")
    ImportRun.objects.filter(pk=running.pk).update(status=ImportStatus.RUNNING, heartbeat_at=None, started_at=None)
    killed = DeferredIndex.objects.create(table="sales_order", name="sales_order_deleted_at_10d69275",
                                          definition="CREATE INDEX …", run=None)
    page = web_client_for(admin).get("/imports/").content.decode()
    assert 'id="restorations-pending"' in page and killed.name in page and "--restore-indexes" in page
    assert 'id="restorations-pending"' not in web_client_for(auditor_aud).get("/imports/").content.decode()

    DeferredIndex.objects.all().delete()
    ImportRun.objects.filter(pk=running.pk).update(status=ImportStatus.RUNNING)  # the page marked it interrupted
    in_progress = DeferredIndex.objects.create(table="sales_order", name="sales_order_campaign_id_a00eed0a",
                                               definition="CREATE INDEX …", run=running)
    alive = "veracity.imports.services._worker_gone"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(alive, lambda run: False)  # its process is alive: the load puts it back itself
        assert in_progress.name not in web_client_for(admin).get("/imports/").content.decode()
    page = web_client_for(admin).get("/imports/").content.decode()  # its process is gone: now it is left over
    assert in_progress.name in page
