"""Targets of indicator tables (extractors/table_targets.py) and the flattened indicator-table reader
(pipeline/tables.py): tables written here in the form a text layer leaves them, one cell per line."""
from __future__ import annotations

import pytest

from conftest import text_document
from extractors import table_targets, targets
from pipeline.tables import find_tables

PLAN = """KẾ HOẠCH
Phát triển người tham gia bảo hiểm xã hội giai đoạn 2026 - 2028
I. MỤC TIÊU
Chi tiết theo Phụ lục kèm theo.
PHỤ LỤC
CHỈ TIÊU PHÁT TRIỂN NGƯỜI THAM GIA BẢO HIỂM
(Kèm theo Kế hoạch số 12/KH-UBND)
STT
Chỉ tiêu
ĐVT
Ước thực hiện năm 2025
GIAI ĐOẠN 2026 - 2028
Năm 2026
Năm 2027
Năm 2028
1
2
3
4
5
6
7
I
BẢO HIỂM XÃ HỘI
1
Người tham gia BHXH bắt buộc
-
Số người
Người
41.250
43.000
45.100
47.000
-
Tỷ lệ so với lực lượng lao động
%
31,5
33,0
34,5
36,0
2
Người tham gia BHXH tự nguyện
Nghìn người
3,2
4,0
4,8
5,5
II
BẢO HIỂM Y TẾ
3
Tỷ lệ bao phủ bảo hiểm y tế
%
93,1
94,0
94,5
95,0-95,5
4
Số thẻ cấp mới
Thẻ
1.200
1.500
1.800
Nơi nhận:
"""


def table_rows(text: str, place: str = "Hòa Bình") -> list[dict]:
    doc = text_document(text, meta={"jurisdiction": place}, segment_text=True)
    find_tables(doc)
    return targets.extract(doc)


def keyed(rows: list[dict]) -> set[tuple]:
    return {(r["indicator_text"], r["value"], r["value_max"], r["unit"], r["target_year"], r["kind"]) for r in rows}


def test_flattened_indicator_table_is_read_as_a_table():
    doc = text_document(PLAN, meta={"jurisdiction": "Hòa Bình"}, segment_text=True)
    tables = find_tables(doc)
    assert len(tables) == 1
    t = tables[0]
    assert t.headers == ["STT", "Chỉ tiêu", "ĐVT", "Ước thực hiện năm 2025", "Năm 2026", "Năm 2027", "Năm 2028"]
    data = [[c.text for c in r.cells] for r in t.body if r.kind == "data"]
    assert data[0] == ["-", "Số người", "Người", "41.250", "43.000", "45.100", "47.000"]
    assert ["3", "Tỷ lệ bao phủ bảo hiểm y tế", "%", "93,1", "94,0", "94,5", "95,0-95,5"] in data
    groups = [[c.text for c in r.cells] for r in t.body if r.kind == "group"]
    assert ["I", "BẢO HIỂM XÃ HỘI"] in groups and ["1", "Người tham gia BHXH bắt buộc"] in groups


def test_one_target_per_year_cell_with_unit_scale_kind_and_year():
    rows = keyed(table_rows(PLAN))
    assert ("Người tham gia BHXH bắt buộc - Số người", 41250.0, None, "persons", 2025, "baseline") in rows
    assert ("Người tham gia BHXH bắt buộc - Số người", 47000.0, None, "persons", 2028, "target") in rows
    assert ("Người tham gia BHXH bắt buộc - Tỷ lệ so với lực lượng lao động", 33.0, None, "percent", 2026,
            "target") in rows
    assert ("Người tham gia BHXH tự nguyện", 5500.0, None, "persons", 2028, "target") in rows   # Nghìn người
    assert ("Tỷ lệ bao phủ bảo hiểm y tế", 95.0, 95.5, "percent", 2028, "target") in rows
    assert len(rows) == 16        # 4 complete rows x 4 years; the row with a missing cell gives none


def test_a_row_with_a_missing_cell_gives_no_target():
    """Three numbers under four years: which year is empty is unknown, so none of them is a target."""
    rows = table_rows(PLAN)
    assert not [r for r in rows if r["unit"] == "Thẻ" or r["value"] in (1200.0, 1500.0, 1800.0)]


def test_table_figures_are_not_read_again_as_text():
    rows = table_rows(PLAN)
    assert sum(r["value"] == 93.1 for r in rows) == 1


def test_indicator_code_from_the_row_label():
    rows = {r["indicator_text"]: r["indicator"] for r in table_rows(PLAN)}
    assert rows["Tỷ lệ bao phủ bảo hiểm y tế"] == "bhyt_coverage"


TWO_LEVEL = """PHỤ LỤC
DANH MỤC SẢN PHẨM XUẤT KHẨU
TT
Sản phẩm
Kế hoạch 2026
Kế hoạch 2027
Sản lượng (Tấn)
Giá trị (Triệu USD)
Sản lượng (Tấn)
Giá trị (Triệu USD)
Tổng cộng
150
170
1
Gạo
12.000
6,5
13.500
7,2
2
Cà phê nhân
800
3,1
950
3,6
"""


def test_two_level_header_years_over_sub_columns_with_units_in_brackets():
    rows = keyed(table_rows(TWO_LEVEL, place="An Giang"))
    assert ("Gạo - Sản lượng", 12000.0, None, "tonnes", 2026, "target") in rows
    assert ("Gạo - Giá trị", 7200000.0, None, "USD", 2027, "target") in rows
    assert ("Cà phê nhân - Giá trị", 3100000.0, None, "USD", 2026, "target") in rows
    # a total row prints one figure per year: the amount, the last sub-column of each year
    assert ("Tổng cộng - Giá trị", 170000000.0, None, "USD", 2027, "target") in rows
    assert len(rows) == 10


BUDGET = """PHỤ LỤC
DỰ TOÁN THU NGÂN SÁCH
Đơn vị: Triệu đồng
STT
Nội dung
Năm 2026
Năm 2027
Năm 2028
1
Thu nội địa
5.100.000
5.400.000
5.800.000
"""


def test_a_budget_table_without_units_per_row_gives_no_targets():
    """Line items in one currency stated above the table are a budget, not chỉ tiêu (no unit column)."""
    assert table_rows(BUDGET) == []


@pytest.mark.parametrize("cell, value", [
    ("26.120", (26120.0, None)), ("8,00", (8.0, None)), ("2,607", (2.607, None)), ("1.250.000", (1250000.0, None)),
    ("95%", (95.0, None)), ("1-1,5", (1.0, 1.5)), ("12 - 15", (12.0, 15.0)), ("n/a", None), ("-", None),
])
def test_parse_value(cell, value):
    assert table_targets.parse_value(cell) == value


@pytest.mark.parametrize("cell, unit", [
    ("Tấn", ("tonnes", 1.0)), ("Triệu USD", ("USD", 1e6)), ("Nghìn USD", ("USD", 1e3)), ("Ha", ("ha", 1.0)),
    ("tỷ đồng", ("VND", 1e9)), ("%", ("percent", 1.0)), ("Giường", ("beds", 1.0)), ("Lượt tư vấn", ("Lượt tư vấn", 1.0)),
    ("", None), ("2025", None),
])
def test_unit_cells(cell, unit):
    assert table_targets.unit_of(cell) == unit


@pytest.mark.parametrize("header, kind", [
    ("ƯTH Năm 2025", "baseline"), ("Ước thực hiện năm 2025", "baseline"), ("Thực hiện 2024", "actual"),
    ("Năm 2026", None), ("Kế hoạch 2027", "target"),
])
def test_column_kind(header, kind):
    assert table_targets.column_kind(header) == kind


def test_a_bare_year_up_to_the_documents_beside_later_ones_is_the_present():
    from pipeline.model import Table
    t = Table("T1", "markdown", ["STT", "Chỉ tiêu", "ĐVT", "Năm 2025", "Năm 2026", "Kế hoạch 2025"], [])
    kinds = [(y.year, y.kind) for y in table_targets.year_columns(t, 2025)]
    assert kinds == [(2025, "baseline"), (2026, "target"), (2025, "target")]
    assert [y.kind for y in table_targets.year_columns(t, None)] == ["target", "target", "target"]


def test_year_of_a_group_row_printed_apart_from_its_label():
    """A flattened table's group row prints "I" and "Giai đoạn 2026-2027" on two lines: its targets
    take the phase's end year."""
    text = ("PHỤ LỤC\nDANH MỤC CHỈ TIÊU\nTT\nChỉ tiêu\nĐơn vị\nKết quả\nCơ quan chủ trì theo dõi\nI\n"
            "Giai đoạn 2026-2027\n1\nTỷ lệ hồ sơ xử lý trực tuyến\n%\n90%\nSở Nội vụ\nII\nGiai đoạn 2028-2030\n1\n"
            "Tỷ lệ hồ sơ xử lý trực tuyến\n%\n100%\nSở Nội vụ\n")
    years = sorted((r["value"], r["target_year"]) for r in table_rows(text))
    assert years == [(90.0, 2027), (100.0, 2030)]


def test_floors_on_counts_in_a_target_section():
    """"ít nhất / tối thiểu N <things>" in a Mục tiêu section is a target with the unit of the thing counted
    (targets_units.yaml, counted) or `units`; the same words among tasks scope a task and give no row."""
    text = ("KẾ HOẠCH\nThử năm 2026\nI. MỤC TIÊU\n2. Mục tiêu cụ thể\n- Hình thành ít nhất 01 trung tâm logistics; "
            "có tối thiểu 05 kịch bản ứng dụng dữ liệu.\n- Đến năm 2030, có ít nhất 20 tập dữ liệu mở được công bố.\n"
            "II. NHIỆM VỤ\n1. Tổ chức ít nhất 02 hội nghị tập huấn.\n")
    got = {(r["value"], r["unit"], r["target_year"]) for r in table_rows(text)}
    assert got == {(1.0, "units", 2026), (5.0, "scenarios", 2026), (20.0, "datasets", 2030)}


def test_a_reported_figure_takes_the_year_of_its_heading_not_the_plans_horizon():
    text = ("KẾ HOẠCH\nTài chính - ngân sách 03 năm 2026 - 2028\nI. TÌNH HÌNH THỰC HIỆN NĂM 2025\n1. Kinh tế\n"
            "Tốc độ tăng trưởng kinh tế ước đạt 8% so cùng kỳ.\nII. MỤC TIÊU\nPhấn đấu tăng trưởng 10%.\n")
    got = {(r["value"], r["kind"], r["target_year"]) for r in table_rows(text)}
    assert (8.0, "baseline", 2025) in got and not {g for g in got if g[0] == 10.0 and g[2] == 2025}
