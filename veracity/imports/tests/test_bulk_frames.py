"""Reading an order-line CSV for the bulk path (imports.bulk.frames.read_frames): cells as the file holds
them, quoted ones included, each row with its spreadsheet row number."""

from pathlib import Path

import polars as pl

from veracity.imports.bulk import frames
from veracity.imports.bulk.checks import FILE_COLUMNS


def _read(path: Path) -> pl.DataFrame:
    headers = list(FILE_COLUMNS)
    return pl.concat([frame for frame, _issues in frames.read_frames(str(path), headers=headers,
                                                                       mapping={name: name for name in headers})])


def test_a_quoted_cell_holding_a_comma_a_quote_and_a_line_end_is_one_cell_and_rows_keep_their_numbers(tmp_path):
    header = ",".join(FILE_COLUMNS)
    plain = ["SO-1", "2026-03-05", "C-1", "字节跳动(北京)科技有限公司", "13800138000", "", "", "SKU-1", "", "1", "9.90",
             "CNY", "rep"]
    quoted = plain.copy()
    quoted[3] = '"北京, 海淀\n""第二行"""'
    path = tmp_path / "orders.csv"
    path.write_text("\n".join([header, ",".join(plain), ",".join(quoted), ",".join(plain)]) + "\n")

    frame = _read(path)

    assert frame.get_column("customer_name").to_list() == ["字节跳动(北京)科技有限公司", '北京, 海淀\n"第二行"',
                                                           "字节跳动(北京)科技有限公司"]
    assert frame.get_column("row").to_list() == [2, 3, 4]
