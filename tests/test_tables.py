"""Tables in every form (pipeline/tables.py): a ruled table in a text PDF, a Word table with merged
cells, a Markdown table, a table flattened one cell per line, and the real Công báo PDFs.

The PDF is drawn here with fpdf2 the way Word exports tables: ruling lines, a white background
rectangle behind every text line, a stray rule inside one cell, a row cut by the page break and the
header row repeated on the next page. The plan is invented for these tests.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.model import Document
from pipeline.process import build_document, process_file
from pipeline.schema import SCHEMAS
from pipeline.tables import find_tables, header_role, join_lines, render_row

from conftest import ROOT, text_document

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
DEV_PDF = ROOT.parent / "shared" / "dev-plans" / "pdf"

HEADERS = ["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Kết quả", "Thời gian hoàn thành"]
WIDTHS = [14, 86, 44, 50, 50, 33]          # mm, landscape A4 (277 mm between the margins)

# Each cell as printed, one string per line. The third task is cut by the page break after two of
# its lines: the rest, and the last lines of its other cells, are on page 2 under the repeated header.
ROW1 = [["1"], ["Tuyên truyền chính sách bảo hiểm xã hội", "tự nguyện đến người lao động khu vực phi", "chính thức"],
        ["Sở Nội vụ"], ["Bảo hiểm xã hội tỉnh;", "UBND các xã, phường"], ["Kế hoạch tuyên truyền", "được ban hành"],
        ["Quý I/2026"]]
ROW2 = [["2"], ["Rà soát người chưa tham gia bảo hiểm y tế", "theo hộ gia đình"], ["Bảo hiểm xã hội tỉnh"], [],
        ["Báo cáo rà soát"], ["Quý II/2026"]]
ROW3_TOP = [["3"], ["Tổ chức đối thoại chính sách với doanh", "nghiệp về đóng bảo hiểm xã hội bắt"],
            ["Sở Nội vụ"], ["Liên đoàn Lao động", "tỉnh; Ban Quản lý"], ["Hội nghị đối thoại"], ["Hằng năm"]]
ROW3_REST = [[], ["buộc cho người lao động"], [], ["các khu công nghiệp"], ["được tổ chức"], []]
ROW4 = [["4"], ["Kiểm tra việc chấp hành pháp luật về", "bảo hiểm thất nghiệp"], ["Thanh tra tỉnh"],
        ["Sở Nội vụ"], ["Kết luận kiểm tra"], ["Quý III/2026"]]
GROUP1 = "I. NHIỆM VỤ TUYÊN TRUYỀN"
GROUP2 = "II. NHIỆM VỤ KIỂM TRA"


def _draw_row(pdf, y: float, cells: list[list[str]], line_h: float = 5.0, stray: bool = False,
              span_all: bool = False) -> float:
    """One ruled row at `y` (mm); returns its bottom. Word's white line backgrounds are drawn too."""
    x0 = 10.0
    edges = [x0]
    for w in WIDTHS:
        edges.append(edges[-1] + w)
    n_lines = max((len(c) for c in cells), default=1) or 1
    h = n_lines * line_h + 2
    pdf.set_fill_color(255, 255, 255)
    for k, lines in enumerate(cells):
        for i, text in enumerate(lines):
            pdf.rect(edges[k] + 0.6, y + 0.6 + i * line_h, (edges[-1] if span_all else edges[k + 1]) - edges[k] - 1.2,
                     line_h + 0.2, style="F")
            pdf.text(edges[k] + 1.5, y + 1 + (i + 0.75) * line_h, text)
    pdf.line(edges[0], y, edges[-1], y)
    pdf.line(edges[0], y + h, edges[-1], y + h)
    for k, x in enumerate(edges):
        if span_all and 0 < k < len(edges) - 1:
            continue
        pdf.line(x, y, x, y + h)
    if stray:  # a rule across the task cell of this row only, as Word leaves behind
        pdf.line(edges[1] + 40, y, edges[1] + 40, y + h)
    return y + h


def _write_plan_pdf(path: Path, preamble: list[str] | None = None) -> Path:
    """The plan's task table as a text PDF; `preamble`: lines printed above it instead of the appendix title."""
    from fpdf import FPDF

    pdf = FPDF(orientation="L", format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_font("DejaVu", fname=FONT)
    pdf.set_font("DejaVu", size=10)
    header = [[h] if len(h) < 16 else [h[:h.rfind(" ", 0, 16)], h[h.rfind(" ", 0, 16) + 1:]] for h in HEADERS]
    pdf.add_page()
    if preamble:
        for i, line in enumerate(preamble):
            pdf.text(20, 12 + 6 * i, line)
        top = 14 + 6 * len(preamble)
    else:
        pdf.text(120, 15, "PHỤ LỤC")
        pdf.text(60, 22, "DANH MỤC NHIỆM VỤ THỰC HIỆN KẾ HOẠCH BẢO HIỂM XÃ HỘI NĂM 2026")
        top = 30
    y = _draw_row(pdf, top, header)
    y = _draw_row(pdf, y, [[GROUP1]], span_all=True)
    y = _draw_row(pdf, y, ROW1, stray=True)
    y = _draw_row(pdf, y, ROW2)
    y = _draw_row(pdf, y, ROW3_TOP)
    pdf.add_page()
    pdf.set_font("DejaVu", size=8)
    pdf.text(130, 8, "Trang 2")
    pdf.set_font("DejaVu", size=10)
    y = _draw_row(pdf, 20, header)
    y = _draw_row(pdf, y, ROW3_REST)
    y = _draw_row(pdf, y, [[GROUP2]], span_all=True)
    y = _draw_row(pdf, y, ROW4)
    pdf.text(10, y + 12, "Các cơ quan báo cáo kết quả thực hiện về Sở Nội vụ trước ngày 15/12/2026.")
    pdf.output(str(path))
    return path


def _joined(cells: list[list[str]], col: int) -> str:
    return join_lines(cells[col])


def _check_offsets(doc: Document) -> None:
    for t in doc.tables:
        for r in t.rows:
            for c in r.cells:
                if c.char_start is not None:
                    assert doc.text[c.char_start:c.char_end].replace("\n", " ") == c.text


@pytest.fixture(scope="module")
def plan_pdf(tmp_path_factory) -> Path:
    return _write_plan_pdf(tmp_path_factory.mktemp("pdf") / "ke-hoach-bang.pdf")


def test_pdf_ruled_table_rows_columns_and_page_break(plan_pdf):
    doc = build_document(plan_pdf, restore=False)
    [t] = doc.tables
    assert t.source == "pdf" and t.table_id == "T1"
    assert t.headers == HEADERS                      # 6 columns: the stray rule did not add one
    kinds = [r.kind for r in t.rows]
    assert kinds == ["header", "group", "data", "data", "data", "group", "data"]   # header once, not twice
    rows = [r for r in t.rows if r.kind == "data"]
    first = {c.col: c.text for c in rows[0].cells}
    assert first[1] == _joined(ROW1, 1) == "Tuyên truyền chính sách bảo hiểm xã hội tự nguyện đến người lao " \
                                          "động khu vực phi chính thức"
    assert first[3] == "Bảo hiểm xã hội tỉnh; UBND các xã, phường"
    assert rows[1].cell(3) is None                   # empty cell omitted
    third = {c.col: c.text for c in rows[2].cells}   # cut by the page break: one row
    assert third[0] == "3"
    assert third[1] == "Tổ chức đối thoại chính sách với doanh nghiệp về đóng bảo hiểm xã hội bắt buộc cho " \
                       "người lao động"
    assert third[3] == "Liên đoàn Lao động tỉnh; Ban Quản lý các khu công nghiệp"
    assert third[4] == "Hội nghị đối thoại được tổ chức"
    assert rows[2].cells[0].page == 1
    assert [c.text for c in t.rows[1].cells] == [GROUP1]
    assert t.rows[1].cells[0].col_span == 6
    assert [c.text for c in rows[3].cells][:2] == ["4", "Kiểm tra việc chấp hành pháp luật về bảo hiểm thất nghiệp"]
    assert all(c.header == HEADERS[c.col] for r in t.body for c in r.cells if c.col_span == 1)
    assert t.confidence == 1.0


def test_pdf_rows_are_one_line_each_in_the_text(plan_pdf):
    doc = build_document(plan_pdf, restore=False)
    [t] = doc.tables
    lines = [ln for ln in doc.text.split("\n") if ln.startswith("|")]
    assert len(lines) == len(t.rows) == 7
    assert lines[0] == render_row(HEADERS)
    assert "bắt buộc cho người lao động" in lines[4] and "Hằng năm" in lines[4]
    assert "Các cơ quan báo cáo kết quả" in doc.text.split(lines[-1], 1)[1]   # the text after the table stays
    for r in t.rows:
        assert doc.text[r.char_start:r.char_end] in lines
    _check_offsets(doc)
    assert t.section_id is not None


def test_table_cells_rows(plan_pdf):
    res = process_file(plan_pdf)
    assert res.status in ("ok", "partial"), res.errors
    rows = res.tables["table_cells"]
    assert rows and set(rows[0]) == set(SCHEMAS["table_cells"].names)
    header = sorted((r for r in rows if r["row"] == 0), key=lambda r: r["col"])
    assert [r["text"] for r in header] == HEADERS
    assert {r["table_id"] for r in rows} == {"T1"}
    cut = [r for r in rows if r["header"] == "Cơ quan phối hợp" and r["text"].startswith("Liên đoàn")]
    assert len(cut) == 1 and cut[0]["page"] == 1
    text = res.tables["texts"][0]["text"]
    for r in rows:
        assert text[r["char_start"]:r["char_end"]] == r["text"]


def _write_docx(path: Path) -> Path:
    import docx

    d = docx.Document()
    d.add_paragraph("KẾ HOẠCH")
    d.add_paragraph("Phát triển người tham gia bảo hiểm xã hội năm 2026")
    table = d.add_table(rows=6, cols=6)
    for k, h in enumerate(HEADERS):
        table.cell(0, k).text = h
    group = table.cell(1, 0).merge(table.cell(1, 5))
    group.text = GROUP1
    stt = table.cell(2, 0).merge(table.cell(3, 0))
    stt.text = "1"
    task = table.cell(2, 1).merge(table.cell(3, 1))
    task.text = "Tuyên truyền chính sách bảo hiểm xã hội tự nguyện"
    for k, v in enumerate(["Sở Nội vụ", "Bảo hiểm xã hội tỉnh", "Kế hoạch tuyên truyền", "Quý I/2026"], start=2):
        table.cell(2, k).text = v
    for k, v in enumerate(["UBND các xã", "Sở Nội vụ", "Hội nghị tại xã", "Quý II/2026"], start=2):
        table.cell(3, k).text = v
    for k, v in enumerate(["2", "Rà soát người chưa tham gia bảo hiểm y tế", "Bảo hiểm xã hội tỉnh", "",
                           "Báo cáo rà soát", "Quý III/2026"]):
        table.cell(4, k).text = v
    wide = table.cell(5, 2).merge(table.cell(5, 3))
    wide.text = "Các sở, ngành, UBND các xã"
    for k, v in [(0, "3"), (1, "Kiểm tra việc đóng bảo hiểm"), (4, "Kết luận"), (5, "Hằng năm")]:
        table.cell(5, k).text = v
    d.add_paragraph("Nơi nhận:")
    d.save(str(path))
    return path


def test_docx_merged_cells(tmp_path):
    doc = build_document(_write_docx(tmp_path / "ke-hoach.docx"), restore=False)
    [t] = doc.tables
    assert t.source == "docx" and t.headers == HEADERS
    assert [r.kind for r in t.rows] == ["header", "group", "data", "data", "data", "data"]
    group = t.rows[1].cells
    assert [(c.text, c.col_span) for c in group] == [(GROUP1, 6)]
    first, sub = t.rows[2], t.rows[3]
    assert (first.cell(0).text, first.cell(0).row_span) == ("1", 2)
    assert first.cell(1).row_span == 2 and first.cell(1).text == "Tuyên truyền chính sách bảo hiểm xã hội tự nguyện"
    assert sub.cell(0) is None and sub.cell(2).text == "UBND các xã"          # merged text once
    assert t.cell(sub.index, 0).text == "1"                                  # resolved through the span
    wide = t.rows[5].cell(3)
    assert wide.col == 2 and wide.col_span == 2 and wide.text == "Các sở, ngành, UBND các xã"
    assert doc.text.count("Tuyên truyền chính sách") == 1
    _check_offsets(doc)
    assert all(c.char_start is not None for r in t.rows for c in r.cells)


MARKDOWN = """# KẾ HOẠCH

Triển khai bảo hiểm y tế học sinh năm 2026

## PHỤ LỤC

| STT | Nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian hoàn thành |
|---|---|---|---|---|
| I | **Tuyên truyền** | | | |
| 1 | Tuyên truyền bảo hiểm y tế học sinh | Sở Giáo dục và Đào tạo | Bảo hiểm xã hội tỉnh | Quý I/2026 |
| 2 | Tổng hợp danh sách học sinh | Các trường học | | Tháng 10/2026 |

Các đơn vị báo cáo kết quả trước ngày 15/12/2026.
"""


def test_markdown_table(tmp_path):
    path = tmp_path / "ke-hoach.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    doc = build_document(path, restore=False)
    [t] = doc.tables
    assert t.source == "markdown"
    assert t.headers == ["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành"]
    assert [r.kind for r in t.rows] == ["header", "group", "data", "data"]
    last = t.rows[3]
    assert {c.col: c.text for c in last.cells} == {0: "2", 1: "Tổng hợp danh sách học sinh", 2: "Các trường học",
                                                   4: "Tháng 10/2026"}
    _check_offsets(doc)


FLAT = """ỦY BAN NHÂN DÂN TỈNH AN BÌNH
KẾ HOẠCH
Phát triển người tham gia bảo hiểm xã hội năm 2026
I. MỤC TIÊU
Phấn đấu 45% lực lượng lao động tham gia bảo hiểm xã hội.
PHỤ LỤC
DANH MỤC NHIỆM VỤ
(Kèm theo Kế hoạch số 12/KH-UBND của Ủy ban nhân dân tỉnh)
STT
Nhiệm vụ
Cơ quan chủ trì
Cơ quan phối hợp
Thời gian hoàn thành
Kết quả
I
TUYÊN TRUYỀN, VẬN ĐỘNG
1
Tuyên truyền chính sách bảo hiểm xã hội tự nguyện đến người lao động khu vực phi chính thức
Sở Nội vụ
- Bảo hiểm xã hội tỉnh;
- UBND các xã, phường.
Quý I/2026
Kế hoạch tuyên truyền được ban hành
2
Rà soát người chưa tham gia bảo hiểm y tế theo hộ gia đình
Bảo hiểm xã hội tỉnh
Quý II/2026
Báo cáo rà soát
II
KIỂM TRA, GIÁM SÁT
1
Kiểm tra việc chấp hành pháp luật về bảo hiểm thất nghiệp tại doanh nghiệp
Thanh tra tỉnh
Sở Nội vụ; Liên đoàn Lao động tỉnh
Hằng năm
Kết luận kiểm tra
Tổ chức đối thoại với doanh nghiệp về đóng bảo hiểm xã hội bắt buộc
Liên đoàn Lao động tỉnh
Quý IV/2026
"""


def test_flattened_table_rebuilt_with_dropped_cells():
    doc = text_document(FLAT, segment_text=True)
    before = doc.text
    [t] = find_tables(doc)
    assert doc.text == before and doc.tables == [t]
    assert t.source == "flattened"
    assert t.headers == ["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành", "Kết quả"]
    assert [r.kind for r in t.rows] == ["header", "group", "data", "data", "group", "data", "data"]
    by_col = [{c.col: c.text for c in r.cells} for r in t.rows]
    assert by_col[1] == {0: "I", 1: "TUYÊN TRUYỀN, VẬN ĐỘNG"}
    assert by_col[2] == {0: "1", 1: "Tuyên truyền chính sách bảo hiểm xã hội tự nguyện đến người lao động khu vực "
                                    "phi chính thức",
                         2: "Sở Nội vụ", 3: "- Bảo hiểm xã hội tỉnh; - UBND các xã, phường.", 4: "Quý I/2026",
                         5: "Kế hoạch tuyên truyền được ban hành"}
    # the empty "Cơ quan phối hợp" cell was dropped by the flattening: the time goes to its own column
    assert by_col[3] == {0: "2", 1: "Rà soát người chưa tham gia bảo hiểm y tế theo hộ gia đình",
                         2: "Bảo hiểm xã hội tỉnh", 4: "Quý II/2026", 5: "Báo cáo rà soát"}
    # a second task under the same number (no STT of its own) is a sub-row: STT merged over both
    assert by_col[6] == {1: "Tổ chức đối thoại với doanh nghiệp về đóng bảo hiểm xã hội bắt buộc",
                         2: "Liên đoàn Lao động tỉnh", 4: "Quý IV/2026"}
    assert t.rows[5].cell(0).row_span == 2
    full = [c.confidence for c in t.rows[2].cells]
    guessed = [c.confidence for c in t.rows[3].cells if c.col != 0]
    assert min(full) > max(guessed) and 0 < t.confidence < 1
    _check_offsets(doc)
    assert t.section_id is not None and t.section_id.startswith("PL")


def test_header_vocabulary_is_data():
    assert header_role("Cơ quan chủ trì") == "lead"
    assert header_role("CƠ QUAN PHỐI HỢP") == "support"
    assert header_role("Thời gian dự kiến hoàn thành") == "time"
    assert header_role("Thuộc nhóm nhiệm vụ, hành động[1]") == "other"
    assert header_role("Các sở, ngành phối hợp triển khai kế hoạch này theo chức năng.") is None


def test_text_without_tables_has_none():
    doc = text_document("KẾ HOẠCH\nI. MỤC TIÊU\n1. Sở Y tế chủ trì, phối hợp với các đơn vị.\n", segment_text=True)
    assert find_tables(doc) == []


@pytest.mark.skipif(not DEV_PDF.is_dir(), reason="../shared/dev-plans is not present")
def test_real_gazette_pdf_task_table():
    """97/NQ-CP: the appendix task table runs over pages 3-16; counted on the page images there are 29
    numbered tasks (TT 1-29), seven of them (15-19, 21, 22) with a second lead/result row and one (26)
    with a second result row, every page repeating the header."""
    found = sorted(DEV_PDF.glob("chinh-phu_97-NQ-CP_2026_*.pdf"))
    if not found:
        pytest.skip("97/NQ-CP not present")
    doc = build_document(found[0], restore=False)
    tables = [t for t in doc.tables if t.source == "pdf"]
    assert len(tables) == 1
    t = tables[0]
    numbered = [r for r in t.body if r.kind == "data" and r.cell(0) is not None and r.cell(0).text.isdigit()]
    assert [r.cell(0).text for r in numbered] == [str(k) for k in range(1, 30)]
    assert len(t.body) == 37 and sum(r.kind == "header" for r in t.rows) == 1
    assert t.headers == ["TT", "Tên nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Kết quả",
                         "Thời gian hoàn thành", "Căn cứ bổ sung"]
    row12 = next(r for r in numbered if r.cell(0).text == "12")     # its lead cell runs onto page 7
    assert row12.cell(2).text.startswith("Bộ Tư pháp") and "Bộ Tài chính" in row12.cell(2).text
    _check_offsets(doc)


def test_a_head_needing_a_name_is_a_body_only_with_a_capitalised_name():
    from pipeline.tables import _describe, _Line

    def agency(text: str) -> float:
        return _describe(_Line(0, len(text), text), "Việt Nam").agency

    assert agency("Trung tâm điều hành hạ tầng thông minh") < 0.5
    assert agency("Trung tâm Phục vụ hành chính công") >= 0.7
    assert agency("Các bộ, ngành liên quan") >= 0.7
