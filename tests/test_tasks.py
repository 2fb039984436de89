"""Tasks from task tables in every form, and from the text; the PDF task-table gold; the example query.

One plan written for this test (tests/test_tables.py draws it) is rendered as a text PDF with a ruled
table, as a .docx with a Word table and as the flattened .txt a text layer gives: all three must give
the same tasks, lead/support assignments and deadlines.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import ROOT, text_document
from extractors import tasks as tasks_mod
from pipeline.process import process_file
from test_tables import GROUP1, GROUP2, HEADERS, ROW1, ROW2, ROW3_REST, ROW3_TOP, ROW4, _write_plan_pdf

DEV_PDF = ROOT.parent / "shared" / "dev-plans" / "pdf"
GOLD_PDF = ROOT / "tests" / "gold" / "dev-pdf"
PREAMBLE = ["ỦY BAN NHÂN DÂN", "TỈNH AN GIANG", "Số: 45/KH-UBND", "An Giang, ngày 10 tháng 01 năm 2026", "KẾ HOẠCH",
            "Phát triển người tham gia bảo hiểm xã hội năm 2026", "PHỤ LỤC",
            "DANH MỤC NHIỆM VỤ THỰC HIỆN KẾ HOẠCH BẢO HIỂM XÃ HỘI NĂM 2026"]


def _rows() -> list[list[str]]:
    """The plan's table rows, each cell's printed lines joined (the third row put together again)."""
    row3 = [" ".join(a + b) for a, b in zip(ROW3_TOP, ROW3_REST)]
    return [[" ".join(c) for c in ROW1], [" ".join(c) for c in ROW2], row3, [" ".join(c) for c in ROW4]]


def _docx(path: Path) -> Path:
    import docx

    d = docx.Document()
    for line in PREAMBLE:
        d.add_paragraph(line)
    rows = _rows()
    table = d.add_table(rows=len(rows) + 3, cols=len(HEADERS))
    for k, h in enumerate(HEADERS):
        table.cell(0, k).text = h
    at = 1
    for i, row in enumerate(rows):
        if i in (0, 3):
            g = table.cell(at, 0).merge(table.cell(at, len(HEADERS) - 1))
            g.text = GROUP1 if i == 0 else GROUP2
            at += 1
        for k, v in enumerate(row):
            table.cell(at, k).text = v
        at += 1
    d.save(str(path))
    return path


def _flattened(path: Path) -> Path:
    lines = PREAMBLE + HEADERS
    for i, row in enumerate(_rows()):
        if i in (0, 3):
            label, title = (GROUP1 if i == 0 else GROUP2).split(". ", 1)
            lines += [label, title]
        lines += [c for c in row if c]          # a text layer drops empty cells
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _facts(path: Path) -> tuple[set, set, set]:
    res = process_file(path)
    assert res.status == "ok", res.errors
    tasks = [t for t in res.tables["tasks"] if t["source"] == "table"]
    by_id = {t["task_id"]: t["number"] for t in tasks}
    task_keys = {(t["number"], tuple(t["lead_names"]), tuple(t["support_names"]), t["deadline_text"]) for t in tasks}
    assigns = {(by_id[a["task_id"]], a["agency_name"], a["role"]) for a in res.tables["assignments"]
               if a.get("task_id") in by_id}
    deadlines = {(by_id[d["task_id"]], d["kind"], d["date"], d["recurrence"]) for d in res.tables["deadlines"]
                 if d.get("task_id") in by_id}
    return task_keys, assigns, deadlines


@pytest.fixture(scope="module")
def three_forms(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("forms")
    return {"pdf": _write_plan_pdf(tmp / "ke-hoach.pdf", PREAMBLE), "docx": _docx(tmp / "ke-hoach.docx"),
            "txt": _flattened(tmp / "ke-hoach.txt")}


def test_same_tasks_from_pdf_word_and_flattened_text(three_forms):
    facts = {form: _facts(path) for form, path in three_forms.items()}
    tasks, assigns, deadlines = facts["docx"]
    assert {t[0] for t in tasks} == {"1", "2", "3", "4"}
    assert ("1", "Sở Nội vụ", "lead") in assigns and ("1", "Bảo hiểm xã hội tỉnh", "support") in assigns
    assert ("3", "Liên đoàn Lao động tỉnh", "support") in assigns
    assert ("1", "due", dt.date(2026, 3, 31), None) in deadlines
    assert ("3", "recurring", None, "yearly") in deadlines
    assert ("4", "due", dt.date(2026, 9, 30), None) in deadlines
    for form in ("pdf", "txt"):
        assert facts[form][0] == tasks, form
        assert facts[form][1] == assigns, form
        assert facts[form][2] == deadlines, form


def test_column_roles_from_headers():
    roles = {h: tasks_mod.column_role(h) for h in ["STT", "Tên nhiệm vụ", "Cơ quan chủ trì", "Đơn vị phối hợp",
                                                   "Kết quả/Sản phẩm", "Thời gian hoàn thành", "Tiến độ thực hiện",
                                                   "Cấp trình", "Nguồn kinh phí"]}
    assert roles == {"STT": "number", "Tên nhiệm vụ": "task", "Cơ quan chủ trì": "lead",
                     "Đơn vị phối hợp": "support", "Kết quả/Sản phẩm": "deliverable",
                     "Thời gian hoàn thành": "time", "Tiến độ thực hiện": "time", "Cấp trình": "report_to",
                     "Nguồn kinh phí": None}


def test_text_clauses_are_tasks_with_their_assignments_and_deadline():
    from extractors import assignments, deadlines

    doc = text_document("II. NHIỆM VỤ\n1. Sở Y tế chủ trì, phối hợp với Bảo hiểm xã hội tỉnh rà soát cơ sở khám bệnh, "
                        "hoàn thành trước ngày 30/6/2026.\n2. Công an tỉnh tăng cường kiểm tra.\n",
                        segment_text=True, meta={"issue_date": dt.date(2026, 1, 5), "jurisdiction": "An Giang"})
    tables = {"assignments": assignments.extract(doc), "deadlines": deadlines.extract(doc)}
    from pipeline.process import link

    link(tables, doc)
    tasks_mod.attach(doc, tables)
    got = [(t["number"], t["lead_names"], t["support_names"], len(t["deadline_ids"]), t["source"])
           for t in tables["tasks"]]
    assert got == [("1", ["Sở Y tế"], ["Bảo hiểm xã hội tỉnh"], 1, "text"), ("2", ["Công an tỉnh"], [], 0, "text")]
    assert all(a["task_id"] for a in tables["assignments"])


def test_capitalised_collectives_in_agency_cells_are_bodies():
    names = [m.name for m in tasks_mod._members("Bộ Ngoại giao Bộ Công Thương Cơ quan, tổ chức và doanh nghiệp "
                                                "liên quan", "Việt Nam")]
    assert names == ["Bộ Ngoại giao", "Bộ Công Thương", "Cơ quan, tổ chức, doanh nghiệp liên quan"]


@pytest.mark.skipif(not DEV_PDF.is_dir(), reason="../shared/dev-plans is absent")
def test_real_gazette_task_tables_against_gold(tmp_path):
    """Lead and support assignments and deadlines of three real task tables, against hand-made gold."""
    from pipeline.gold import evaluate_run, load_gold, read_run
    from pipeline.run import run

    gold = load_gold(GOLD_PDF)
    files = [next(DEV_PDF.glob(g.name + ".pdf")) for g in gold]
    run(files, tmp_path / "run", workers=2, progress=False, log=lambda s: None, cache=False)
    scores = evaluate_run(read_run(tmp_path / "run"), gold)["groups"]["dev-pdf"]
    print(scores)
    for measure in ("tasks", "task_assignments", "task_deadlines"):
        assert scores[measure]["precision"] >= 0.9 and scores[measure]["recall"] >= 0.9, (measure, scores[measure])


def test_ministry_tasks_due_query(three_forms, tmp_path):
    """examples/queries/ministry_tasks_due.sql over a real run of the plan."""
    from pipeline import load_run
    from pipeline.run import run

    run([three_forms["docx"]], tmp_path / "run", workers=1, progress=False, log=lambda s: None, cache=False)
    con = load_run(tmp_path / "run").connect()
    sql = (ROOT / "examples" / "queries" / "ministry_tasks_due.sql").read_text(encoding="utf-8")
    rows = con.execute(sql, ["Sở Nội vụ", dt.date(2026, 6, 30)]).fetchall()
    assert [(r[1], r[6]) for r in rows] == [("1", dt.date(2026, 3, 31))]
    assert list(rows[0][4]) == ["Bảo hiểm xã hội tỉnh", "Ủy ban nhân dân các xã, phường"]


def test_a_cell_of_bare_collectives_split_at_semicolons():
    from extractors.tasks import _members
    assert [m.name for m in _members("Viện, Trường; Doanh nghiệp", "Đồng Tháp")] == [
        "Các viện, trường", "Các doanh nghiệp"]
    assert [m.name for m in _members("Sở Khoa học và Công nghệ; Hợp tác xã", "Đồng Tháp")] == [
        "Sở Khoa học và Công nghệ", "Các hợp tác xã"]


def test_a_bare_unit_column_beside_partners_is_the_lead_column():
    from extractors.tasks import columns
    from pipeline.model import Table
    t = Table("T1", "pdf", ["STT", "Đơn vị", "Nhiệm vụ chủ trì", "Đơn vị phối hợp", "Thời gian hoàn thành"], [])
    assert columns(t) == {"number": 0, "lead": 1, "task": 2, "support": 3, "time": 4}
    t = Table("T1", "pdf", ["STT", "Nhiệm vụ", "Đơn vị", "Ghi chú"], [])
    assert "lead" not in columns(t)                 # no partners' column: "Đơn vị" may be a unit of measure


def _text_tasks(text: str, jurisdiction: str = "Việt Nam") -> list[tuple]:
    from extractors import assignments, deadlines
    from pipeline.process import link

    doc = text_document(text, segment_text=True, meta={"issue_date": dt.date(2026, 1, 5), "jurisdiction": jurisdiction})
    tables = {"assignments": assignments.extract(doc), "deadlines": deadlines.extract(doc)}
    link(tables, doc)
    tasks_mod.attach(doc, tables)
    return [(t["section_id"], t["number"], t["lead_names"], t["support_names"]) for t in tables["tasks"]]


def test_a_clause_names_its_lead_and_an_execution_article_is_no_task():
    got = _text_tasks("QUYẾT ĐỊNH:\nĐiều 1. Ban hành kèm theo Quyết định này Kế hoạch phát triển dữ liệu.\n"
                      "Điều 2. Sở Tài chính, Sở Nội vụ chịu trách nhiệm thi hành Quyết định này.\n"
                      "KẾ HOẠCH\nPhát triển dữ liệu\nIV. TỔ CHỨC THỰC HIỆN\n2. Sở Khoa học và Công nghệ, Sở Nội vụ\n"
                      "Sở Khoa học và Công nghệ chủ trì, phối hợp với Sở Tư pháp xây dựng cơ sở dữ liệu.\n", "Hà Nội")
    assert got == [("IV.2", "2", ["Sở Khoa học và Công nghệ"], ["Sở Tư pháp"])]


def test_dotted_group_rows_of_a_flattened_table_nest_their_tasks(tmp_path):
    lines = ["PHỤ LỤC II", "DANH MỤC NHIỆM VỤ", "STT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp",
             "Thời gian hoàn thành", "I", "Hoàn thiện thể chế", "1", "Xây dựng nghị định về dữ liệu", "Bộ Công an",
             "Bộ Tư pháp", "Tháng 6/2026", "II", "Phát triển nền tảng số", "II.1", "Nhóm nền tảng quốc gia",
             "II.1.1", "Nhóm nền tảng dịch vụ công", "1", "Triển khai Cổng Dịch vụ công quốc gia", "Văn phòng Chính phủ",
             "Bộ Công an", "Tháng 12/2026", "II.2", "Nhóm nền tảng cấp bộ, cấp tỉnh", "1",
             "Xây dựng hệ thống báo cáo", "Bộ Khoa học và Công nghệ", "Bộ Tài chính", "Năm 2027"]
    path = tmp_path / "chuong-trinh.txt"
    path.write_text("\n".join(["THỦ TƯỚNG CHÍNH PHỦ", "Số: 12/QĐ-TTg", "Hà Nội, ngày 05 tháng 01 năm 2026",
                               "QUYẾT ĐỊNH", "Ban hành Chương trình",
                               "Điều 1. Ban hành kèm theo Quyết định này Chương trình.", "THỦ TƯỚNG", "Nguyễn Văn A"]
                              + lines) + "\n", encoding="utf-8")
    res = process_file(path)
    assert {s["section_id"] for s in res.tables["sections"]} >= {"PL2.II.1", "PL2.II.1.1", "PL2.II.2"}
    got = [(t["section_id"], t["number"], t["lead_names"]) for t in res.tables["tasks"] if t["source"] == "table"]
    assert got == [
        ("PL2.I", "1", ["Bộ Công an"]), ("PL2.II.1.1", "1", ["Văn phòng Chính phủ"]),
        ("PL2.II.2", "1", ["Bộ Khoa học và Công nghệ"])]


def test_an_agency_bullet_over_duties_and_a_bullet_over_role_fields_are_tasks_of_their_own():
    got = _text_tasks("III. NHIỆM VỤ\n2. Hoàn thiện thể chế\na) Hoàn thiện chính sách\n- Bộ Tài chính\n"
                      "+ Rà soát chính sách thuế.\n+ Đề xuất sửa đổi quy định về phí.\n- Bộ Xây dựng\n"
                      "+ Ban hành quy chuẩn kỹ thuật.\nIV. TỔ CHỨC THỰC HIỆN\n1. Xây dựng nghị định\n"
                      "- Nghị định quy định chi tiết Luật\n+ Cơ quan chủ trì: Bộ Công an.\n"
                      "+ Cơ quan phối hợp: Bộ Tư pháp.\n")
    assert got == [("III.2.a.-1", None, ["Bộ Tài chính"], []), ("III.2.a.-2", None, ["Bộ Xây dựng"], []),
                   ("IV.1.-1", None, ["Bộ Công an"], ["Bộ Tư pháp"])]


def test_the_points_of_an_agency_clause_are_its_duties_one_task():
    got = _text_tasks("VI. TỔ CHỨC THỰC HIỆN\n1. Sở Khoa học và Công nghệ\na) Tham mưu hoàn thiện thể chế.\n"
                      "b) Chủ trì vận hành nền tảng số.\nc) Sở Tài chính chủ trì bố trí kinh phí.\n", "Bắc Ninh")
    assert [(sid, n, leads) for sid, n, leads, _ in got] == [
        ("VI.1", "1", ["Sở Khoa học và Công nghệ"]), ("VI.1.c", "c", ["Sở Tài chính"])]


def test_a_parts_own_paragraph_is_no_task():
    got = _text_tasks("IV. KINH PHÍ\nDoanh nghiệp viễn thông bảo đảm kinh phí thực hiện.\nV. TỔ CHỨC THỰC HIỆN\n"
                      "1. Sở Khoa học và Công nghệ chủ trì hướng dẫn.\n", "Hà Nội")
    assert [(sid, n) for sid, n, _, _ in got] == [("V.1", "1")]


def test_sub_rows_with_their_own_content_and_time_are_tasks_of_the_row_above(tmp_path):
    """A task row printed over sub-rows (merged STT and agency cells, each sub-row its own content, result
    and time): every sub-row is a task with its own deadline; its agencies are stated once, above."""
    lines = ["PHỤ LỤC", "NHIỆM VỤ CỤ THỂ", "STT", "Cơ quan chủ trì", "Cơ quan phối hợp", "Nội dung nhiệm vụ",
             "Kết quả đạt được", "Thời hạn hoàn thành", "1", "Bộ Y tế", "Bộ Tài chính",
             "- Xây dựng hồ sơ sức khỏe điện tử cho người cao tuổi", "- Hồ sơ được cập nhật trên hệ thống",
             "Năm 2026", "- Đánh giá tác động của chính sách khám sức khỏe định kỳ",
             "- Báo cáo đánh giá được ban hành", "Giai đoạn 2027 - 2028", "2", "Bộ Tài chính", "Bộ Y tế",
             "- Bố trí kinh phí khám sức khỏe", "- Dự toán được giao", "Quý I/2027"]
    path = tmp_path / "de-an.txt"
    path.write_text("\n".join(["THỦ TƯỚNG CHÍNH PHỦ", "Số: 15/QĐ-TTg", "Hà Nội, ngày 05 tháng 01 năm 2026",
                               "QUYẾT ĐỊNH", "Phê duyệt Đề án", "Điều 1. Phê duyệt Đề án kèm theo Quyết định này.",
                               "THỦ TƯỚNG", "Nguyễn Văn A"] + lines) + "\n", encoding="utf-8")
    res = process_file(path)
    tasks = [t for t in res.tables["tasks"] if t["source"] == "table"]
    assert [(t["number"], t["lead_names"][0], t["deadline_text"]) for t in tasks] == [
        ("1", "Bộ Y tế", "Năm 2026"), ("1", "Bộ Y tế", "Giai đoạn 2027 - 2028"), ("2", "Bộ Tài chính", "Quý I/2027")]
    spans = {(d["kind"], str(d["date"]), str(d["date_end"])) for d in res.tables["deadlines"]}
    assert {("period", "2027-01-01", "2028-12-31"), ("due", "2027-03-31", "None")} <= spans
    of_task_1 = [a["agency_name"] for a in res.tables["assignments"] if a["task_id"] in {t["task_id"] for t in tasks[:2]}]
    assert of_task_1 == ["Bộ Y tế", "Bộ Tài chính"]


def test_sub_rows_with_their_own_partners_keep_them_and_share_the_lead(tmp_path):
    """Sub-rows under a merged STT and lead cell with their own partners' cells: each a task of that number
    with its own partners (support rows each time they are printed) and its own time; the lead once."""
    lines = ["PHỤ LỤC", "NHIỆM VỤ CỤ THỂ", "STT", "Đơn vị", "Nhiệm vụ chủ trì", "Đơn vị phối hợp",
             "Thời gian hoàn thành", "1", "Bộ Tư pháp", "Xây dựng Nghị định về đăng ký hộ tịch điện tử",
             "Bộ Công an", "Quý IV/2026", "Rà soát các thủ tục hành chính về hộ tịch", "Bộ Công an; Bộ Ngoại giao",
             "Quý IV/2026", "2", "Bộ Tài chính", "Bố trí kinh phí thực hiện", "Bộ Tư pháp", "Năm 2027"]
    path = tmp_path / "nghi-quyet.txt"
    path.write_text("\n".join(["CHÍNH PHỦ", "Số: 20/NQ-CP", "Hà Nội, ngày 05 tháng 01 năm 2026", "NGHỊ QUYẾT",
                               "Ban hành Chương trình hành động", "Điều 1. Ban hành kèm theo Nghị quyết này Chương trình.",
                               "TM. CHÍNH PHỦ", "Nguyễn Văn A"] + lines) + "\n", encoding="utf-8")
    res = process_file(path)
    tasks = [t for t in res.tables["tasks"] if t["source"] == "table"]
    assert [(t["number"], t["lead_names"], t["support_names"]) for t in tasks] == [
        ("1", ["Bộ Tư pháp"], ["Bộ Công an"]), ("1", ["Bộ Tư pháp"], ["Bộ Công an", "Bộ Ngoại giao"]),
        ("2", ["Bộ Tài chính"], ["Bộ Tư pháp"])]
    rows = sorted((a["agency_name"], a["role"]) for a in res.tables["assignments"] if a["task_id"])
    assert rows == sorted([("Bộ Tư pháp", "lead"), ("Bộ Công an", "support"), ("Bộ Công an", "support"),
                           ("Bộ Ngoại giao", "support"), ("Bộ Tài chính", "lead"), ("Bộ Tư pháp", "support")])
    assert sum(d["date"] is not None and str(d["date"]) == "2026-12-31" for d in res.tables["deadlines"]) == 2


def test_numbered_bracket_items_are_numbered_text_tasks_and_a_preamble_is_none():
    got = _text_tasks("CÔNG ĐIỆN\nVề việc thử\nTHỦ TƯỚNG CHÍNH PHỦ điện:\nThủ tướng Chính phủ yêu cầu Bộ Y tế, "
                      "Bộ Tài chính thực hiện:\n1. Nhiệm vụ\n(1) Giao Bộ Y tế chủ trì hướng dẫn chi trả.\n"
                      "(2) Giao Bộ Tài chính bố trí kinh phí.\n")
    assert got == [("1.1", "1", ["Bộ Y tế"], []), ("1.2", "2", ["Bộ Tài chính"], [])]


def test_a_law_programme_table_ends_at_the_next_part_and_keeps_each_list_in_its_cell(tmp_path):
    """A legislative plan's table (three lead columns, a "- item;" list of partners, an unknown last header
    "Thời điểm trình") inside part II: each list stays in its cell, and "III. TỔ CHỨC THỰC HIỆN" is the
    next part, not a row of the table."""
    lines = ["ỦY BAN THƯỜNG VỤ QUỐC HỘI", "Số: 15/NQ-UBTVQH15", "Hà Nội, ngày 05 tháng 01 năm 2025", "NGHỊ QUYẾT",
             "Ban hành Kế hoạch sửa đổi luật", "QUYẾT NGHỊ:", "Điều 1. Ban hành kèm theo Nghị quyết này Kế hoạch.",
             "TM. ỦY BAN THƯỜNG VỤ QUỐC HỘI", "CHỦ TỊCH", "Nguyễn Văn A", "KẾ HOẠCH", "Sửa đổi luật",
             "I. MỤC ĐÍCH", "1. Bảo đảm tiến độ sửa đổi các luật.", "II. PHÂN CÔNG NHIỆM VỤ",
             "STT", "Tên dự án luật", "Cơ quan trình", "Cơ quan chủ trì soạn thảo", "Cơ quan chủ trì thẩm tra",
             "Cơ quan phối hợp thẩm tra", "Thời điểm trình", "1", "Dự án Luật Tổ chức Quốc hội (sửa đổi)",
             "Ủy ban Thường vụ Quốc hội", "Ban Công tác đại biểu", "Ủy ban Pháp luật", "- Hội đồng Dân tộc;",
             "- Ủy ban Tư pháp;", "- Ủy ban Kinh tế.", "Tháng 02/2025", "2", "Dự án Luật Ngân sách nhà nước (sửa đổi)",
             "Chính phủ", "Bộ Tài chính", "Ủy ban Tài chính, Ngân sách", "Ủy ban Kinh tế; Ủy ban Dân nguyện và Giám sát",
             "Tháng 3/2025", "III. TỔ CHỨC THỰC HIỆN",
             "1. Văn phòng Quốc hội chủ trì, phối hợp với Ủy ban Công tác đại biểu tổng hợp kết quả."]
    path = tmp_path / "nghi-quyet.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = process_file(path)
    tasks = [(t["section_id"], t["number"], t["lead_names"], t["support_names"], t["deadline_text"])
             for t in res.tables["tasks"]]
    assert tasks[:2] == [
        ("II", "1", ["Ủy ban Thường vụ Quốc hội", "Ban Công tác đại biểu", "Ủy ban Pháp luật"],
         ["Hội đồng Dân tộc", "Ủy ban Tư pháp", "Ủy ban Kinh tế"], "Tháng 02/2025"),
        ("II", "2", ["Chính phủ", "Bộ Tài chính", "Ủy ban Tài chính, Ngân sách"],
         ["Ủy ban Kinh tế", "Ủy ban Dân nguyện và Giám sát"], "Tháng 3/2025")]
    got = {(a["section_id"], a["agency_name"], a["role"]) for a in res.tables["assignments"]
           if a["section_id"].startswith("III")}
    assert got == {("III.1", "Văn phòng Quốc hội", "lead"), ("III.1", "Ủy ban Công tác đại biểu", "support")}


def test_a_work_time_column_dates_the_year_and_a_broken_year_span_is_joined(tmp_path):
    lines = ["THỦ TƯỚNG CHÍNH PHỦ", "Số: 16/QĐ-TTg", "Hà Nội, ngày 05 tháng 01 năm 2026", "QUYẾT ĐỊNH",
             "Phê duyệt Đề án", "Điều 1. Phê duyệt Đề án kèm theo Quyết định này.", "THỦ TƯỚNG", "Nguyễn Văn A",
             "PHỤ LỤC", "NHIỆM VỤ", "STT", "Tên nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp",
             "Thời gian triển khai", "1", "Chuẩn hóa danh mục dữ liệu hạ tầng", "Bộ Xây dựng",
             "Các bộ, ngành liên quan", "2026", "2", "Nghiên cứu mô hình bản sao số", "Bộ Khoa học và Công nghệ",
             "Bộ Xây dựng", "Thực hiện trong giai đoạn 2026 -", "2027. Thí điểm từ năm 2028"]
    path = tmp_path / "de-an.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = process_file(path)
    got = sorted((d["kind"], str(d["date"]), str(d["date_end"])) for d in res.tables["deadlines"]
                 if d["section_id"] == "PL1")
    assert got == [("period", "2026-01-01", "2026-12-31"), ("period", "2026-01-01", "2027-12-31"),
                   ("period", "2028-01-01", "None")]


def test_role_labels_and_role_sentences_inside_one_agency_cell(tmp_path):
    """A "Cơ quan chủ trì, phối hợp" column: "Chủ trì: X" / "Phối hợp: Y, Z" lines, or "X chủ trì, phối hợp
    với Y": the labels and verbs give the roles (ANNOTATION.md: labelled role lines), not the column."""
    lines = ["THỦ TƯỚNG CHÍNH PHỦ", "Số: 17/QĐ-TTg", "Hà Nội, ngày 05 tháng 01 năm 2026", "QUYẾT ĐỊNH",
             "Ban hành Kế hoạch", "Điều 1. Ban hành kèm theo Quyết định này Kế hoạch.", "THỦ TƯỚNG", "Nguyễn Văn A",
             "PHỤ LỤC", "NHIỆM VỤ", "STT", "Nhiệm vụ", "Cơ quan chủ trì, phối hợp", "Thời gian hoàn thành",
             "1", "Sửa đổi Nghị định về bảo hiểm y tế", "- Chủ trì: Bộ Y tế;", "- Phối hợp: Bộ Tài chính, Bộ Nội vụ.",
             "Quý II/2026", "2", "Rà soát danh mục thuốc", "Bảo hiểm xã hội Việt Nam chủ trì, phối hợp với Bộ Y tế",
             "Quý III/2026"]
    path = tmp_path / "ke-hoach.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = process_file(path)
    got = [(t["number"], t["lead_names"], t["support_names"]) for t in res.tables["tasks"] if t["source"] == "table"]
    assert got == [("1", ["Bộ Y tế"], ["Bộ Tài chính", "Bộ Nội vụ"]),
                   ("2", ["Bảo hiểm xã hội Việt Nam"], ["Bộ Y tế"])]


def test_an_indicator_table_with_a_monitoring_column_gives_assignments_but_no_tasks(tmp_path):
    """"TT | Chỉ tiêu | Đơn vị | Kết quả | Cơ quan chủ trì theo dõi, đánh giá": who watches each indicator is an
    assignment, the indicator no task; "TT | Chỉ tiêu | Chủ trì" (who achieves it) stays a task table."""
    lines = ["THỦ TƯỚNG CHÍNH PHỦ", "Số: 19/QĐ-TTg", "Hà Nội, ngày 05 tháng 01 năm 2026", "QUYẾT ĐỊNH",
             "Ban hành Chương trình", "Điều 1. Ban hành kèm theo Quyết định này Chương trình.", "THỦ TƯỚNG",
             "Nguyễn Văn A", "PHỤ LỤC I", "CHỈ TIÊU", "TT", "Chỉ tiêu", "Đơn vị", "Kết quả",
             "Cơ quan chủ trì theo dõi, đánh giá", "1", "Tỷ lệ dịch vụ công trực tuyến toàn trình", "%", "80",
             "Văn phòng Chính phủ", "PHỤ LỤC II", "PHÂN CÔNG", "TT", "Chỉ tiêu", "Chủ trì", "1",
             "Kinh tế số chiếm 30% GDP", "Bộ Tài chính"]
    path = tmp_path / "ct.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = process_file(path)
    assert [(t["section_id"], t["lead_names"]) for t in res.tables["tasks"]] == [("PL2", ["Bộ Tài chính"])]
    assert {(a["section_id"], a["agency_name"], a["role"]) for a in res.tables["assignments"]} >= {
        ("PL1", "Văn phòng Chính phủ", "lead"), ("PL2", "Bộ Tài chính", "lead")}


def test_growth_rates_by_sector_with_a_watching_column_are_no_tasks_and_cells_share_heads(tmp_path):
    """A table with no task column whose agency column watches ("TT | Ngành | Tốc độ tăng | Cơ quan chủ trì, theo
    dõi") lists indicators. In a task table's cells a head printed once names each body ("Bộ Y tế, Tài chính"; "Các
    Bộ: Nội vụ, Tư pháp"), provinces named alone are their committees, and "Theo thẩm quyền" is no body."""
    lines = ["CHÍNH PHỦ", "Số: 21/NQ-CP", "Hà Nội, ngày 05 tháng 01 năm 2026", "NGHỊ QUYẾT",
             "Ban hành Chương trình hành động", "Điều 1. Ban hành kèm theo Nghị quyết này Chương trình.",
             "TM. CHÍNH PHỦ", "Nguyễn Văn A", "PHỤ LỤC I", "TỐC ĐỘ TĂNG TRƯỞNG", "TT", "Ngành, lĩnh vực",
             "Tốc độ tăng bình quân (%)", "Cơ quan chủ trì, theo dõi", "Cơ quan phối hợp", "1", "Nông nghiệp", "3,5",
             "Bộ Nông nghiệp và Môi trường", "Các bộ, ngành", "PHỤ LỤC II", "NHIỆM VỤ", "TT", "Nhiệm vụ",
             "Cơ quan chủ trì", "Cơ quan phối hợp", "Cấp trình", "1", "Xây dựng đề án chăm sóc sức khỏe người cao tuổi",
             "Bộ Y tế, Tài chính và Nội vụ", "Các Bộ: Tư pháp, Công an", "Theo thẩm quyền", "2",
             "Thí điểm mô hình khu đô thị xanh", "Bộ Xây dựng", "Các bộ, ngành", "Bộ Chính trị"]
    path = tmp_path / "nq.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = process_file(path)
    assert [(t["section_id"], t["number"]) for t in res.tables["tasks"]] == [("PL2", "1"), ("PL2", "2")]
    t1, t2 = res.tables["tasks"]
    assert t1["lead_names"] == ["Bộ Y tế", "Bộ Tài chính", "Bộ Nội vụ"]
    assert t1["support_names"] == ["Bộ Tư pháp", "Bộ Công an"]
    cities = ["Ủy ban nhân dân Thành phố Hải Phòng", "Ủy ban nhân dân thành phố Cần Thơ"]        # as printed
    assert [m.name for m in tasks_mod._members("Thành phố Hải Phòng, thành phố Cần Thơ", "Việt Nam")] == cities
    assert [m.name for m in tasks_mod._members("Thành phố Hải Phòng, thành phố Cần Thơ", "Nghệ An")] != cities
    assert t2["lead_names"][0] == "Bộ Xây dựng"
    assert "Bộ Chính trị" in {a["agency_name"] for a in res.tables["assignments"]}       # a body, named
    assert not any("thẩm quyền" in a["agency_name"] for a in res.tables["assignments"])


def test_the_group_rows_of_an_appendix_task_table_are_parts_of_the_appendix(tmp_path):
    """Every task's section exists in the sections table: "I." group rows of an appendix table are parts PL1.I."""
    lines = ["THỦ TƯỚNG CHÍNH PHỦ", "Số: 19/QĐ-TTg", "Hà Nội, ngày 05 tháng 01 năm 2026", "QUYẾT ĐỊNH",
             "Ban hành Chương trình", "Điều 1. Ban hành kèm theo Quyết định này Chương trình.", "THỦ TƯỚNG",
             "Nguyễn Văn A", "PHỤ LỤC", "NHIỆM VỤ", "TT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "I",
             "Hoàn thiện thể chế", "1", "Sửa đổi Nghị định về bảo hiểm y tế", "Bộ Y tế", "Bộ Tài chính", "II",
             "Chuyển đổi số", "1", "Kết nối cơ sở dữ liệu bảo hiểm", "Bộ Công an", "Bộ Y tế"]
    path = tmp_path / "qd.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = process_file(path)
    sections = {s["section_id"] for s in res.tables["sections"]}
    assert {t["section_id"] for t in res.tables["tasks"] if t["source"] == "table"} == {"PL1.I", "PL1.II"}
    assert {r["section_id"] for name in ("tasks", "assignments") for r in res.tables[name]} <= sections


def test_a_group_row_numbered_like_its_rows_first_number_is_a_group():
    """"1." over rows "1.1", "1.2" is a group (a part of the appendix: PL1.1); a "1." over plain rows is no group."""
    from pipeline.model import Cell, Table, TableRow

    def row(i, kind, *texts):
        return TableRow(i, [Cell(i, c, t) for c, t in enumerate(texts)], kind)

    dotted = Table("T1", "pdf", ["TT", "Nhiệm vụ"], [row(0, "header", "TT", "Nhiệm vụ"), row(1, "group", "1", "Thể chế"),
                                                      row(2, "data", "1.1", "Sửa Nghị định"), row(3, "data", "1.2", "Hướng dẫn")])
    plain = Table("T2", "pdf", ["TT", "Nhiệm vụ"], [row(0, "header", "TT", "Nhiệm vụ"), row(1, "group", "1", "Thể chế"),
                                                     row(2, "data", "2", "Sửa Nghị định")])
    assert tasks_mod._numbered_group(dotted.rows[1], dotted) == "1"
    assert tasks_mod._numbered_group(plain.rows[1], plain) is None
