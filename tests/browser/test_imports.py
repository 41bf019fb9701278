"""Issue 3's "Done means", in a real browser: a manager drops a GBK file with Chinese headers onto the
import page, sees the dry run's exact row errors, imports, finds every customer by phone, and reverts."""

from veracity.customers.models import Customer
from veracity.imports.models import ImportRun

ROWS = [
    ["客户编号", "客户名称", "类型", "手机", "邮箱", "省份", "城市"],
    ["GBK-001", "北京字节跳动科技有限公司", "company", "138 0013 8001", " Info@ByteDance.COM ", "北京", "北京"],
    ["GBK-002", "张三丰", "person", "+86 139-0013-8002", "zhangsan@example.cn", "上海", "上海"],
    ["GBK-003", "深圳示例贸易有限公司", "company", "12345", "sales@example.cn", "广东", "深圳"],
    ["GBK-004", "杭州西湖茶业有限公司", "company", "１３７００１３８００４", "tea@example.cn", "浙江", "杭州"],
]


def _drop_file(page, path, name):
    """Drop a file from 'the desktop' onto the import form, as a person dragging from Excel would."""
    data = path.read_bytes()
    transfer = page.evaluate_handle(
        """([bytes, name]) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([new Uint8Array(bytes)], name, {type: "text/csv"}));
            return transfer;
        }""",
        [list(data), name],
    )
    page.dispatch_event("form[data-file-drop]", "drop", {"dataTransfer": transfer})


def test_manager_drops_a_gbk_file_checks_the_dry_run_imports_finds_by_phone_and_reverts(
    page_for, manager_mei, password, tmp_path
):
    path = tmp_path / "客户导出.csv"
    path.write_bytes("\r\n".join(",".join(row) for row in ROWS).encode("gbk"))
    page = page_for(manager_mei, password=password)

    page.goto("/imports/new/")
    _drop_file(page, path, path.name)
    assert page.locator("[data-file-drop-name]").inner_text() == path.name
    page.select_option("select[name=entity]", "customers")
    page.select_option("select[name=policy]", "load_valid")
    page.click("button[type=submit]:has-text('Upload and check')")
    page.wait_for_url("**/preview/")

    # The preview reads the GBK file correctly and names the bad row, column, value and reason.
    assert "北京字节跳动科技有限公司" in page.content() and "GB" in page.content()
    error_row = page.locator("table tr.table-danger").first
    cells = error_row.locator("td").all_inner_texts()
    assert cells[0] == "4" and cells[1] == "手机" and cells[2] == "12345"
    assert Customer.objects.count() == 0  # a dry run loads nothing

    page.click("button:has-text('Run the import')")
    page.wait_for_url("**/imports/*/")
    run = ImportRun.objects.get()
    page.wait_for_selector("text=Revert")
    assert set(Customer.objects.values_list("code", flat=True)) == {"GBK-001", "GBK-002", "GBK-004"}

    # Every imported customer is found by phone, however the phone is typed.
    for typed, name in (("13800138001", "北京字节跳动科技有限公司"), ("139 0013 8002", "张三丰"),
                        ("+86 137-0013-8004", "杭州西湖茶业有限公司")):
        page.goto("/")
        page.fill("#global-search", typed)
        page.wait_for_selector(f"#search-results a:has-text('{name}')")

    page.goto(f"/imports/{run.pk}/")
    page.check("#confirm-revert")
    page.click("button:has-text('Revert')")
    page.wait_for_load_state("networkidle")
    assert not Customer.objects.exists()
    run.refresh_from_db()
    assert run.status == "reverted"


def test_an_admin_on_a_phone_in_chinese_reads_what_a_killed_bulk_load_left_to_put_back(page_for, admin, password):
    from tests.browser.conftest import assert_fits_phone
    from veracity.imports.models import DeferredIndex

    DeferredIndex.objects.create(table="sales_order", name="sales_order_deleted_at_10d69275",
                                 definition="CREATE INDEX …", run=None)
    page = page_for(admin, password=password, phone=True, language="zh-CN")
    page.goto("/imports/")
    banner = page.locator("#restorations-pending")
    assert "一次中断的批量导入留下 1 个索引" in banner.inner_text()
    assert "veracity import --restore-indexes" in banner.inner_text()
    page.click("#restorations-pending summary:has-text('明细')")
    assert page.locator("#restorations-pending small").inner_text() == "sales_order_deleted_at_10d69275"
    assert_fits_phone(page)
