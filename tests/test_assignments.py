"""Assignments extractor: each role pattern on hand-written plans, gold on the five seeds, and the
data team's DuckDB question "which tasks does Bảo hiểm xã hội Thành phố lead in each plan".

Gold key (tests/gold/seeds/NNN.assignments.yaml): (agency_name, role, section_id), one gold row
per (agency, role, task sentence). The section id separates the same agency and role in
different items or points; the same key twice means two sentences of one section (multiset
matching in pipeline.evaluate counts both).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SEED_IDS, check_gold, gold_rows, text_document
from extractors import assignments
from pipeline.evaluate import key_of
from pipeline.model import Document
from pipeline.schema import SCHEMAS

KEYS = ("agency_name", "role", "section_id")
THRESHOLD = 0.85
BHXH_TP = "Bảo hiểm xã hội Thành phố"


def make_doc(text: str, jurisdiction: str | None = "Hà Nội") -> Document:
    return text_document(text, meta={"jurisdiction": jurisdiction}, segment_text=True)


def rows_of(text: str, jurisdiction: str | None = "Hà Nội") -> list[dict]:
    return assignments.extract(make_doc(text, jurisdiction))


def keys(rows: list[dict]) -> set[tuple]:
    return {(r["agency_name"], r["role"], r["section_id"]) for r in rows}


def plan(body: str, part: str = "III. NHIỆM VỤ VÀ GIẢI PHÁP") -> str:
    return f"KẾ HOẠCH\nThực hiện chính sách bảo hiểm xã hội năm 2026\n{part}\n{body}"


# ---------------------------------------------------------------- lead and support


def test_one_lead_and_four_supporters_give_five_rows():
    rows = rows_of(plan("1. Kiểm soát chi phí\n- Sở Y tế chủ trì, phối hợp với Bảo hiểm xã hội thành phố, "
                        "Sở Tài chính, Liên đoàn Lao động thành phố và UBND các quận, huyện, thị xã "
                        "kiểm tra các cơ sở khám chữa bệnh.\n"))
    assert keys(rows) == {
        ("Sở Y tế", "lead", "III.1.-1"), (BHXH_TP, "support", "III.1.-1"),
        ("Sở Tài chính", "support", "III.1.-1"), ("Liên đoàn Lao động Thành phố", "support", "III.1.-1"),
        ("Ủy ban nhân dân các quận, huyện, thị xã", "support", "III.1.-1")}
    lead = next(r for r in rows if r["role"] == "lead")
    assert lead["task"].startswith("kiểm tra các cơ sở khám chữa bệnh")
    assert lead["agency_surface"] == "Sở Y tế" and lead["agency_id"] == "so-y-te@ha-noi"


def test_coordinating_subject_is_responsible_and_partner_supports():
    rows = rows_of(plan("1. Tuyên truyền\n- Sở Tư pháp, Sở Nội vụ phối hợp chặt chẽ với Sở Y tế tổ chức hội nghị.\n"))
    assert keys(rows) == {("Sở Tư pháp", "responsible", "III.1.-1"), ("Sở Nội vụ", "responsible", "III.1.-1"),
                          ("Sở Y tế", "support", "III.1.-1")}


def test_vague_parties_give_no_rows_but_keep_the_list_going():
    rows = rows_of(plan("1. Phối hợp\n- Sở Y tế phối hợp với các đơn vị có liên quan, địa phương và "
                        "Bảo hiểm xã hội Thành phố rà soát đối tượng.\n"))
    assert keys(rows) == {("Sở Y tế", "responsible", "III.1.-1"), (BHXH_TP, "support", "III.1.-1")}


def test_lead_heading_hands_lead_and_support_to_each_item():
    rows = rows_of(plan("2. Cải cách hành chính\na) Bảo hiểm xã hội thành phố chủ trì, phối hợp với các Sở, ban, ngành:\n"
                        "- Rút ngắn thời gian giải quyết hồ sơ.\n- Mở rộng giao dịch điện tử.\n"))
    assert keys(rows) == {(BHXH_TP, "lead", "III.2.a.-1"), ("Các Sở, ban, ngành", "support", "III.2.a.-1"),
                          (BHXH_TP, "lead", "III.2.a.-2"), ("Các Sở, ban, ngành", "support", "III.2.a.-2")}


def test_chu_tri_item_under_an_agency_heading_is_lead():
    rows = rows_of(plan("3. Quản lý nhà nước\na) Sở Nội vụ:\n- Chủ trì, phối hợp với Sở Tài chính xây dựng quy chế.\n"
                        "- Hằng năm, chủ trì tổ chức sơ kết.\n- Theo dõi việc thực hiện.\n"))
    assert keys(rows) == {("Sở Nội vụ", "lead", "III.3.a.-1"), ("Sở Tài chính", "support", "III.3.a.-1"),
                          ("Sở Nội vụ", "lead", "III.3.a.-2"), ("Sở Nội vụ", "responsible", "III.3.a.-3")}


# ---------------------------------------------------------------- headings


def test_agency_heading_items_are_its_duties():
    rows = rows_of(plan("1. Sở Tài chính:\n- Bố trí kinh phí thực hiện Kế hoạch.\n- Hướng dẫn quyết toán kinh phí.\n"
                        "2. Cục Thuế thành phố: Hằng quý cung cấp danh sách doanh nghiệp mới thành lập.\n",
                        part="IV. TỔ CHỨC THỰC HIỆN"))
    assert keys(rows) == {("Sở Tài chính", "responsible", "IV.1.-1"), ("Sở Tài chính", "responsible", "IV.1.-2"),
                          ("Cục Thuế Thành phố", "responsible", "IV.2")}
    by_section = {r["section_id"]: r for r in rows}
    assert by_section["IV.1.-2"]["task"] == "Hướng dẫn quyết toán kinh phí."
    assert by_section["IV.2"]["task"].startswith("Hằng quý cung cấp danh sách")


def test_duties_of_an_agency_head_its_section():
    rows = rows_of(plan("1. Trách nhiệm của Sở Giao thông vận tải\na) Chủ trì, phối hợp với Sở Tài chính lập dự toán.\n"
                        "b) Kiểm tra định kỳ.\n", part="IV. TỔ CHỨC THỰC HIỆN"))
    assert keys(rows) == {("Sở Giao thông vận tải", "responsible", "IV.1"), ("Sở Giao thông vận tải", "lead", "IV.1.a"),
                          ("Sở Tài chính", "support", "IV.1.a"), ("Sở Giao thông vận tải", "responsible", "IV.1.b")}


def test_an_article_on_the_duties_of_an_agency():
    rows = rows_of("QUY CHẾ\nPhối hợp quản lý\nĐiều 7. Trách nhiệm của Sở Công Thương\n"
                   "Chủ trì, phối hợp với Sở Tài chính kiểm tra thị trường.\n")
    assert {(r["agency_name"], r["role"]) for r in rows} >= {
        ("Sở Công Thương", "responsible"), ("Sở Công Thương", "lead"), ("Sở Tài chính", "support")}


def test_duties_of_a_body_s_members_are_not_the_body_s():
    rows = rows_of(plan("1. Nhiệm vụ của thành viên Ban Chỉ đạo\na) Tuyên truyền chính sách.\n",
                        part="IV. TỔ CHỨC THỰC HIỆN"))
    assert not [r for r in rows if r["agency_name"].startswith("Ban Chỉ đạo")]


def test_the_leading_body_named_inside_a_duty_is_no_lead():
    rows = rows_of(plan("4. Sở Dân tộc và Tôn giáo\nCó ý kiến bằng văn bản theo đề nghị của cơ quan chủ trì.\n",
                        part="IV. TỔ CHỨC THỰC HIỆN"))
    assert {(r["agency_name"], r["role"]) for r in rows} == {("Sở Dân tộc và Tôn giáo", "responsible")}


def test_a_right_is_no_duty():
    rows = rows_of(plan("1. Sở Tư pháp được khai thác, sử dụng thông tin trong Cơ sở dữ liệu.\n"
                        "2. Sở Tư pháp có trách nhiệm cập nhật Cơ sở dữ liệu.\n", part="IV. TỔ CHỨC THỰC HIỆN"))
    assert keys(rows) == {("Sở Tư pháp", "responsible", "IV.2")}


def test_a_capitalised_related_party_heading_its_duties_is_a_collective():
    rows = rows_of(plan("3. Các cơ quan, đơn vị liên quan\nPhối hợp với Sở Y tế tham mưu.\n"
                        "4. Sở Nội vụ phối hợp với các đơn vị liên quan tổ chức tập huấn.\n", part="IV. TỔ CHỨC THỰC HIỆN"))
    assert keys(rows) == {("Các cơ quan, đơn vị liên quan", "responsible", "IV.3"), ("Sở Y tế", "support", "IV.3"),
                          ("Sở Nội vụ", "responsible", "IV.4")}


def test_a_fronted_time_before_the_subject():
    rows = rows_of(plan("2. Đánh giá\nc) Trong quý I của năm liền kề, Sở Nội vụ chủ trì, phối hợp với Sở Tài chính rà soát.\n",
                        part="IV. TỔ CHỨC THỰC HIỆN"))
    assert keys(rows) >= {("Sở Nội vụ", "lead", "IV.2.c"), ("Sở Tài chính", "support", "IV.2.c")}


def test_adverbs_between_a_subject_and_its_role():
    rows = rows_of(plan("5. Ban Quản lý Dự án 85 khẩn trương tiếp tục chủ trì, phối hợp với Sở Xây dựng khảo sát.\n",
                        part="IV. TỔ CHỨC THỰC HIỆN"))
    assert keys(rows) == {("Ban Quản lý Dự án 85", "lead", "IV.5"), ("Sở Xây dựng", "support", "IV.5")}


def test_notices_go_to_the_named_body():
    rows = rows_of(plan("2. Sở Y tế\na) Thông báo ngay cho Sở Tài chính để được hướng dẫn xử lý.\n",
                        part="IV. TỔ CHỨC THỰC HIỆN"))
    assert ("Sở Tài chính", "report_to", "IV.2.a") in keys(rows)


def test_lead_and_support_role_headings():
    rows = rows_of(plan("1. Phát triển người tham gia\na) Cơ quan chủ trì: Bảo hiểm xã hội huyện\n"
                        "- Rà soát đơn vị chưa tham gia.\n- Phối hợp với các cơ quan, ban ngành tuyên truyền.\n"
                        "b) Cơ quan phối hợp: Các phòng, ban, ngành, đoàn thể huyện và UBND các xã\n"
                        "- Phối hợp kiểm tra việc thực hiện chính sách.\n"), jurisdiction="huyện Ia Grai")
    assert keys(rows) == {
        ("Bảo hiểm xã hội huyện", "lead", "III.1.a.-1"), ("Bảo hiểm xã hội huyện", "lead", "III.1.a.-2"),
        ("Các phòng, ban, ngành", "support", "III.1.b.-1"),
        ("Các tổ chức chính trị - xã hội", "support", "III.1.b.-1"),
        ("Ủy ban nhân dân các xã, phường, thị trấn", "support", "III.1.b.-1")}
    assert {r["agency_id"] for r in rows if r["role"] == "lead"} == {"bao-hiem-xa-hoi-huyen@huyen-ia-grai"}


def test_role_only_heading_and_agency_subheadings():
    rows = rows_of(plan("1. Vận động\nb) Cơ quan phối hợp\n- Ủy ban nhân dân các xã\n+ Vận động hộ gia đình tham gia.\n"
                        "+ Ủy ban nhân dân xã Ia Krái: 40 người.\n"), jurisdiction="huyện Ia Grai")
    assert keys(rows) == {("Ủy ban nhân dân các xã, phường, thị trấn", "support", "III.1.b.-1.+1"),
                          ("Ủy ban nhân dân xã Ia Krái", "support", "III.1.b.-1.+2")}


def test_details_of_a_task_are_not_tasks_of_their_own():
    rows = rows_of(plan("1. Giám định\na) Cơ quan chủ trì: Bảo hiểm xã hội huyện\n- Tăng cường kiểm tra, cụ thể:\n"
                        "+ Kiểm tra hồ sơ bệnh án.\n+ Kiểm tra đột xuất người bệnh nội trú.\n"), jurisdiction="huyện Ia Grai")
    assert keys(rows) == {("Bảo hiểm xã hội huyện", "lead", "III.1.a.-1")}


def test_request_heading_and_an_item_with_its_own_subject():
    rows = rows_of(plan("5. Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam thành phố và các tổ chức chính trị - xã hội\n"
                        "- Vận động đoàn viên, hội viên tham gia bảo hiểm xã hội tự nguyện.\n"
                        "- Thành đoàn chỉ đạo các cơ sở Đoàn phối hợp với cơ quan Bảo hiểm xã hội tuyên truyền.\n",
                        part="IV. TỔ CHỨC THỰC HIỆN"))
    assert keys(rows) == {
        ("Ủy ban Mặt trận Tổ quốc Việt Nam Thành phố", "responsible", "IV.5.-1"),
        ("Các tổ chức chính trị - xã hội", "responsible", "IV.5.-1"),
        ("Thành đoàn", "responsible", "IV.5.-2")}     # "chỉ đạo X phối hợp với Y": no row for Y (ANNOTATION.md)


def test_titles_before_agencies_and_a_delegating_issuer():
    rows = rows_of(plan("1. Giám đốc, Thủ trưởng các Sở, ban, ngành; Chủ tịch UBND các quận, huyện, thị xã "
                        "trực tiếp chỉ đạo thực hiện Kế hoạch.\n"
                        "2. UBND Thành phố yêu cầu các Sở, ban, ngành và UBND các quận, huyện, thị xã nghiêm túc "
                        "triển khai Kế hoạch.\n", part="IV. TỔ CHỨC THỰC HIỆN"))
    assert keys(rows) == {("Các Sở, ban, ngành", "responsible", "IV.1"),
                          ("Ủy ban nhân dân các quận, huyện, thị xã", "responsible", "IV.1"),
                          ("Các Sở, ban, ngành", "responsible", "IV.2"),
                          ("Ủy ban nhân dân các quận, huyện, thị xã", "responsible", "IV.2")}


def test_giao_line_hands_its_agency_to_the_items_below():
    rows = rows_of(plan("2. Hoàn thiện pháp luật\nGiao Sở Tư pháp:\n- Rà soát văn bản quy phạm pháp luật.\n"
                        "- Chủ trì phối hợp với Sở Nội vụ tổ chức tập huấn.\n"))
    assert keys(rows) == {("Sở Tư pháp", "responsible", "III.2.-1"), ("Sở Tư pháp", "lead", "III.2.-2"),
                          ("Sở Nội vụ", "support", "III.2.-2")}


# ---------------------------------------------------------------- standing and report_to


@pytest.mark.parametrize("sentence", [
    "2. Giao Bảo hiểm xã hội Thành phố là cơ quan thường trực, theo dõi việc thực hiện Kế hoạch.",
    "2. Giao Bảo hiểm xã hội Thành phố (cơ quan thường trực) theo dõi việc thực hiện Kế hoạch.",
    "2. Giao Bảo hiểm xã hội Thành phố làm đầu mối theo dõi việc thực hiện Kế hoạch.",
])
def test_standing_body(sentence):
    """ANNOTATION.md: "Giao … làm đầu mối" → responsible + standing."""
    rows = rows_of(plan(sentence + "\n", part="IV. TỔ CHỨC THỰC HIỆN"))
    assert keys(rows) == {(BHXH_TP, "standing", "IV.2"), (BHXH_TP, "responsible", "IV.2")}


def test_standing_item_under_the_agency_heading():
    rows = rows_of(plan("1. Bảo hiểm xã hội Thành phố:\n- Là đầu mối liên hệ với các đơn vị.\n- Xây dựng đề cương.\n",
                        part="IV. TỔ CHỨC THỰC HIỆN"))
    assert keys(rows) == {(BHXH_TP, "standing", "IV.1.-1"), (BHXH_TP, "responsible", "IV.1.-2")}


def test_reports_go_to_the_named_bodies():
    rows = rows_of(plan(
        "3. Các đơn vị gửi báo cáo về Sở Lao động - Thương binh và Xã hội trước ngày 15/12 hằng năm.\n"
        "4. Nếu có vướng mắc, kịp thời phản ánh về UBND Thành phố (qua Sở Y tế) để xem xét.\n"
        "5. Sở Tài chính báo cáo UBND Thành phố trình HĐND Thành phố bố trí kinh phí.\n"
        "6. Định kỳ báo cáo kết quả thực hiện cho Ban Chỉ đạo và UBND Thành phố.\n",
        part="IV. TỔ CHỨC THỰC HIỆN"))
    assert keys(rows) == {
        ("Sở Lao động - Thương binh và Xã hội", "report_to", "IV.3"),
        ("Ủy ban nhân dân Thành phố", "report_to", "IV.4"), ("Sở Y tế", "report_to", "IV.4"),
        ("Sở Tài chính", "responsible", "IV.5"), ("Ủy ban nhân dân Thành phố", "report_to", "IV.5"),
        ("Hội đồng nhân dân Thành phố", "report_to", "IV.5"),      # "trình X" (ANNOTATION.md)
        ("Ban Chỉ đạo Thành phố", "report_to", "IV.6"),        # no fuller name before it
        ("Ủy ban nhân dân Thành phố", "report_to", "IV.6")}


def test_advising_and_answering_to_are_not_reports():
    rows = rows_of(plan("1. Tham mưu UBND Thành phố ban hành cơ chế hỗ trợ; chịu trách nhiệm trước UBND Thành phố "
                        "về kết quả; chuẩn bị báo cáo, tài liệu liên quan đến nội dung kiểm tra.\n"))
    assert rows == []


# ---------------------------------------------------------------- scope of the extractor


def test_purposes_and_targets_assign_nothing():
    text = ("KẾ HOẠCH\nThực hiện chính sách năm 2026\nI. MỤC ĐÍCH, YÊU CẦU\n"
            "1. Các Sở, ban, ngành có trách nhiệm triển khai thực hiện.\nII. CHỈ TIÊU\n"
            "1. Sở Y tế phấn đấu tỷ lệ bao phủ đạt 95%.\nIII. NHIỆM VỤ\n1. Sở Y tế chủ trì rà soát cơ sở khám chữa bệnh.\n")
    assert keys(rows_of(text)) == {("Sở Y tế", "lead", "III.1")}


def test_a_fact_is_not_a_task():
    assert rows_of(plan("1. Vận động\n- Ban Chỉ đạo huyện đã giao chỉ tiêu cho các xã.\n"), "huyện Ia Grai") == []


def test_task_refs_are_the_points_of_the_same_clause():
    rows = rows_of(plan("1. Tuyên truyền\na) Quán triệt nghị quyết.\nb) Tổ chức đối thoại.\nc) Biểu dương điển hình.\n"
                        "* Phân công thực hiện:\n- Sở Tư pháp chủ trì phối hợp với Sở Nội vụ thực hiện nội dung điểm a, c.\n"
                        "- Sở Y tế thực hiện điểm b theo quy định tại điểm b, khoản 3 Điều 4 của Thông tư.\n"))
    refs = {(r["agency_name"], r["role"]): r["task_refs"] for r in rows}
    assert refs[("Sở Tư pháp", "lead")] == ["III.1.a", "III.1.c"]
    assert refs[("Sở Nội vụ", "support")] == ["III.1.a", "III.1.c"]
    assert refs[("Sở Y tế", "responsible")] == ["III.1.b"]


def test_ocr_text_without_marks():
    rows = rows_of(plan("1. Kiem soat chi phi\n- S& Y té chu tri, phdi hop véi BHXH Thanh pho kiém tra cac co so KCB.\n"
                        "- Cac S¢, Ban, nganh, UBND céc quan, huyén, thi xa thuc hién nghiém tuc Ké hoach.\n"))
    assert keys(rows) == {("Sở Y tế", "lead", "III.1.-1"), (BHXH_TP, "support", "III.1.-1"),
                          ("Các Sở, ban, ngành", "responsible", "III.1.-2"),
                          ("Ủy ban nhân dân các quận, huyện, thị xã", "responsible", "III.1.-2")}


def test_rows_follow_the_schema_with_provenance_and_stable_ids():
    text = plan("1. Sở Tài chính:\n- Bố trí kinh phí.\n- Bố trí kinh phí.\n"
                "2. Sở Y tế chủ trì, phối hợp với Sở Nội vụ rà soát; báo cáo UBND Thành phố.\n")
    doc = make_doc(text)
    rows = assignments.extract(doc)
    again = assignments.extract(make_doc(text))
    assert [r["assignment_id"] for r in rows] == [r["assignment_id"] for r in again]
    assert len({r["assignment_id"] for r in rows}) == len(rows)
    columns = set(SCHEMAS["assignments"].names)
    for r in rows:
        assert set(r) == columns
        assert r["role"] in assignments.ROLES and 0 < r["confidence"] <= 1
        assert r["deadline_ids"] == [] and isinstance(r["task_refs"], list)
        assert r["doc_id"] == doc.doc_id and r["sentence"] and r["task"]
        if r["section_id"] == "III.2":
            assert doc.text[r["char_start"]:r["char_end"]] == r["agency_surface"]


# ---------------------------------------------------------------- seeds


@pytest.fixture(scope="module")
def seed_rows(seed_documents) -> dict[str, tuple[Document, list[dict]]]:
    return {seed: (doc, assignments.extract(doc)) for seed, doc in seed_documents.items()}


@pytest.mark.parametrize("seed", SEED_IDS)
def test_seed_gold(seed, seed_rows):
    check_gold("assignments", seed, seed_rows[seed][1], KEYS, THRESHOLD)


def test_seed_task_refs(seed_rows):
    """Where the gold gives task_refs, the matched row resolves the same points."""
    checked, wrong = 0, []
    for seed, (_, pred) in seed_rows.items():
        by_key = {}
        for r in pred:
            by_key.setdefault(key_of(r, KEYS), []).append(r)
        for g in gold_rows(seed, "assignments"):
            if "task_refs" in g:
                checked += 1
                got = [r["task_refs"] for r in by_key.get(key_of(g, KEYS), [])]
                if g["task_refs"] not in got:
                    wrong.append((seed, key_of(g, KEYS), got, g["task_refs"]))
    assert checked >= 10 and not wrong, wrong


# ---------------------------------------------------------------- the data team's question

#: Which tasks does Bảo hiểm xã hội Thành phố lead, in each plan? A lead row that points at
#: points of its clause ("thực hiện nội dung điểm b, d, đ") stands for those points; any other
#: lead row is its own task. Runs on the `assignments`, `sections` and `documents` tables.
LED_TASKS_SQL = (Path(__file__).resolve().parents[1] / "examples" / "queries" / "led_tasks.sql").read_text(
    encoding="utf-8")

#: The answer a reader of the five plans gives (seed → sections of the tasks BHXH Thành phố leads).
#: 000 makes it the standing body only; 003 is a district plan (BHXH huyện leads there).
EXPECTED_LED = {
    "001": {"III.4.-1"},
    "002": {"II.1.b", "II.1.d", "II.1.đ", "II.2.a", "II.2.đ", "II.3.c.-9", "II.3.c.-10"},
    "004": {"III.1.a", "III.4.a.-1", "III.4.a.-2"},
}


def led_tasks(con, agency_name: str = BHXH_TP) -> list[tuple]:
    return con.execute(LED_TASKS_SQL, [agency_name]).fetchall()


def open_run(run_dir: str | Path):
    """A DuckDB connection with one view per table of a run (single file or directory of parts)."""
    import duckdb

    con = duckdb.connect()
    for table in ("assignments", "sections", "documents"):
        p = Path(run_dir) / f"{table}.parquet"
        src = str(p / "*.parquet") if p.is_dir() else str(p)
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{src}')")
    return con


def _answer(con) -> dict[str, set[str]]:
    got: dict[str, set[str]] = {}
    for source, _, _, task_section, task in led_tasks(con):
        assert task, (source, task_section)
        got.setdefault(Path(source).name[:3], set()).add(task_section)
    return got


def test_duckdb_led_tasks_on_the_extracted_rows(seed_rows, tmp_path):
    """The question answered from this extractor's rows (tables written with the run schemas)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from pipeline.process import section_row

    tables = {"assignments": [], "sections": [], "documents": []}
    for seed, (doc, rows) in seed_rows.items():
        tables["assignments"] += rows
        tables["sections"] += [section_row(doc, s) for s in doc.sections]
        tables["documents"].append({"doc_id": doc.doc_id, "source_path": f"{seed}.txt",
                                    "doc_number": doc.meta.get("doc_number")})
    for name, rows in tables.items():
        schema = SCHEMAS[name]
        cols = {c: [r.get(c) for r in rows] for c in schema.names}
        pq.write_table(pa.table(cols, schema=schema), tmp_path / f"{name}.parquet")
    assert _answer(open_run(tmp_path)) == EXPECTED_LED


def test_duckdb_led_tasks_on_the_seeds_run(seeds_run):
    """The same SQL on `kehoach run` over the seeds."""
    assert _answer(open_run(seeds_run)) == EXPECTED_LED


# ---------------------------------------------------------------- families seen on real plans (issue 11)


def _assign(text: str, jurisdiction: str | None = None) -> set[tuple]:
    doc = text_document(text, segment_text=True, meta={"jurisdiction": jurisdiction} if jurisdiction else None)
    return {(r["agency_name"], r["role"], r["section_id"]) for r in assignments.extract(doc)}


def test_labelled_role_lines_give_their_roles():
    got = _assign("II. NHIỆM VỤ\n1. Tập huấn nghiệp vụ\n- Đơn vị chủ trì: Sở Tư pháp.\n"
                  "- Cơ quan phối hợp: Sở Nội vụ; Ủy ban nhân dân các xã, phường.\n"
                  "- Cơ quan thực hiện: Sở Y tế.\n- Thời gian thực hiện: năm 2026.\n")
    assert got == {("Sở Tư pháp", "lead", "II.1.-1"), ("Sở Nội vụ", "support", "II.1.-2"),
                   ("Ủy ban nhân dân các xã, phường", "support", "II.1.-2"), ("Sở Y tế", "responsible", "II.1.-3")}


def test_giao_x_chu_tri_is_lead_and_responsible():
    got = _assign("IV. TỔ CHỨC THỰC HIỆN\n2. Giao Sở Xây dựng chủ trì, phối hợp với Sở Tài chính lập dự toán.\n")
    assert got == {("Sở Xây dựng", "lead", "IV.2"), ("Sở Xây dựng", "responsible", "IV.2"),
                   ("Sở Tài chính", "support", "IV.2")}


def test_subject_after_a_fronted_clause_or_an_aside():
    got = _assign("IV. TỔ CHỨC THỰC HIỆN\n1. Căn cứ Kế hoạch này, Sở Công Thương có trách nhiệm hướng dẫn doanh nghiệp.\n"
                  "2. Sở Tài chính, trên cơ sở đề xuất của các đơn vị, chủ trì tổng hợp dự toán.\n")
    assert ("Sở Công Thương", "responsible", "IV.1") in got and ("Sở Tài chính", "lead", "IV.2") in got


def test_central_bodies_and_the_execution_article():
    got = _assign("QUYẾT ĐỊNH:\nĐiều 1. Ban hành kèm theo Quyết định này Kế hoạch thực hiện Đề án.\n"
                  "Điều 2. Bộ trưởng, Thủ trưởng cơ quan ngang bộ, Thủ trưởng cơ quan thuộc Chính phủ, Chủ tịch "
                  "Ủy ban nhân dân tỉnh, thành phố trực thuộc trung ương chịu trách nhiệm thi hành Quyết định này.\n"
                  "II. NHIỆM VỤ\n1. Bộ Nông nghiệp và Môi trường chủ trì, phối hợp với Bộ Dân tộc và Tôn giáo rà soát, "
                  "báo cáo Thủ tướng Chính phủ.\n", jurisdiction="Việt Nam")
    assert got == {("Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ", "responsible", "Điều 2"),
                   ("Ủy ban nhân dân các tỉnh, thành phố trực thuộc trung ương", "responsible", "Điều 2"),
                   ("Bộ Nông nghiệp và Môi trường", "lead", "II.1"), ("Bộ Dân tộc và Tôn giáo", "support", "II.1"),
                   ("Thủ tướng Chính phủ", "report_to", "II.1")}


def test_agencies_after_the_2025_reorganization_keep_their_names():
    from extractors.agencies import agency_rows, find_agencies

    names = [m.name for m in find_agencies("Sở Nông nghiệp và Môi trường, Ủy ban nhân dân các xã, phường, đặc khu",
                                           "Gia Lai")]
    assert names == ["Sở Nông nghiệp và Môi trường", "Ủy ban nhân dân các xã, phường, đặc khu"]
    rows = {r["name"]: r for r in agency_rows([("so-nong-nghiep-va-moi-truong@gia-lai",
                                                 "Sở Nông nghiệp và Môi trường", "department")], "Gia Lai")}
    assert rows["Sở Nông nghiệp và Môi trường"]["valid_from"].isoformat() == "2025-03-01"
    assert rows["Sở Tài nguyên và Môi trường"]["successor_ids"] == ["so-nong-nghiep-va-moi-truong@gia-lai"]
    assert rows["Sở Nông nghiệp và Phát triển nông thôn"]["valid_to"].isoformat() == "2025-02-28"


def test_each_clause_of_a_labelled_line_names_its_doer():
    got = _assign("II. NHIỆM VỤ\n2. Rà soát văn bản\n- Cơ quan thực hiện: Sở Tư pháp rà soát văn bản của tỉnh; "
                  "các sở, ngành và Ủy ban nhân dân các xã, phường rà soát văn bản do mình ban hành.\n",
                  jurisdiction="Gia Lai")
    assert got == {("Sở Tư pháp", "responsible", "II.2.-1"), ("Các Sở, ban, ngành", "responsible", "II.2.-1"),
                   ("Ủy ban nhân dân các xã, phường", "responsible", "II.2.-1")}


def test_a_section_stating_who_the_plan_covers_names_no_assignee():
    rows = rows_of(plan("1. Đối tượng: Các sở, ban, ngành, Ủy ban Mặt trận Tổ quốc tỉnh và các doanh nghiệp.\n"
                        "2. Sở Nội vụ chủ trì tổ chức thực hiện.", part="III. TỔ CHỨC THỰC HIỆN"),
                   "Nghệ An")
    assert keys(rows) == {("Sở Nội vụ", "lead", "III.2")}


def test_the_standing_body_that_also_leads_gets_both_roles():
    rows = rows_of(plan("1. Sở Khoa học và Công nghệ\n- Là cơ quan thường trực, chủ trì tham mưu UBND tỉnh "
                        "triển khai Kế hoạch.\n2. Công tác theo dõi\n- Sở Tư pháp là cơ quan thường trực, chủ trì "
                        "theo dõi việc thực hiện Kế hoạch.\n", part="V. TỔ CHỨC THỰC HIỆN"), "Đồng Tháp")
    got = keys(rows)
    for agency, sid in (("Sở Khoa học và Công nghệ", "V.1.-1"), ("Sở Tư pháp", "V.2.-1")):
        assert (agency, "standing", sid) in got and (agency, "lead", sid) in got


def test_a_closing_paragraph_after_the_last_bullets_belongs_to_the_part():
    rows = rows_of(plan("1. Sở Y tế\n- Hướng dẫn các cơ sở khám bệnh thực hiện.\n2. Sở Tài chính\n- Bố trí kinh phí.\n"
                        "Ủy ban nhân dân Thành phố yêu cầu các Sở, ban, ngành nghiêm túc triển khai thực hiện; "
                        "định kỳ báo cáo về Ủy ban nhân dân Thành phố (qua Sở Y tế)./.\n",
                        part="IV. TỔ CHỨC THỰC HIỆN"))
    got = keys(rows)
    assert ("Các Sở, ban, ngành", "responsible", "IV") in got
    assert ("Ủy ban nhân dân Thành phố", "report_to", "IV") in got
    assert {k for k in got if k[2] == "IV.2.-1"} == {("Sở Tài chính", "responsible", "IV.2.-1")}


def test_a_sub_unit_in_brackets_does_not_hide_the_role():
    rows = rows_of(plan("1. Sở Y tế (Phòng Nghiệp vụ Y) chủ trì, phối hợp với Bảo hiểm xã hội Thành phố (Phòng Thu) "
                        "tổ chức kiểm tra.\n", part="IV. TỔ CHỨC THỰC HIỆN"))
    assert keys(rows) == {("Sở Y tế", "lead", "IV.1"), (BHXH_TP, "support", "IV.1")}


def test_directed_bodies_and_their_partners_are_no_parties():
    rows = rows_of(plan("1. Sở Văn hóa, Thể thao và Du lịch chỉ đạo Báo Nghệ An phối hợp với Đài Phát thanh và "
                        "Truyền hình tỉnh tuyên truyền.\n", part="IV. TỔ CHỨC THỰC HIỆN"), "Nghệ An")
    assert keys(rows) == {("Sở Văn hóa, Thể thao và Du lịch", "responsible", "IV.1")}


def test_lists_and_information_sent_to_a_body_are_reports():
    rows = rows_of(plan("1. Các đơn vị chuyển danh sách người lao động cho Bảo hiểm xã hội tỉnh.\n"
                        "2. Sở Nội vụ thông tin cho Ủy ban nhân dân tỉnh kết quả thực hiện.\n",
                        part="IV. TỔ CHỨC THỰC HIỆN"), "Nghệ An")
    assert ("Bảo hiểm xã hội tỉnh", "report_to", "IV.1") in keys(rows)
    assert ("Ủy ban nhân dân tỉnh", "report_to", "IV.2") in keys(rows)


def test_a_submission_names_its_addressee():
    got = _assign("V. TỔ CHỨC THỰC HIỆN\n1. Sở Tài chính\n- Thẩm định dự toán, trình UBND tỉnh xem xét, quyết định.\n"
                  "- Theo dõi quá trình thực hiện chương trình UBND tỉnh giao.\n", jurisdiction="Sơn La")
    assert got == {("Sở Tài chính", "responsible", "V.1.-1"), ("Ủy ban nhân dân tỉnh", "report_to", "V.1.-1"),
                   ("Sở Tài chính", "responsible", "V.1.-2")}


def test_an_adverb_between_report_and_addressee_and_a_closing_via():
    got = _assign("IV. TỔ CHỨC THỰC HIỆN\n1. Sở Xây dựng\n- Nếu có vướng mắc, báo cáo kịp thời UBND tỉnh "
                  "(qua Sở Nội vụ).\n2. Sở Y tế\n- Các ý kiến phản hồi về Ban Chỉ đạo tỉnh (qua Sở Tài chính).\n",
                  jurisdiction="Quảng Ngãi")
    assert {k for k in got if k[1] == "report_to"} == {
        ("Ủy ban nhân dân tỉnh", "report_to", "IV.1.-1"), ("Sở Nội vụ", "report_to", "IV.1.-1"),
        ("Ban Chỉ đạo tỉnh", "report_to", "IV.2.-1"), ("Sở Tài chính", "report_to", "IV.2.-1")}


def test_collectives_named_as_doers_and_vague_parties_that_are_not():
    got = _assign("IV. TỔ CHỨC THỰC HIỆN\n1. Các cơ quan, đơn vị, địa phương, doanh nghiệp căn cứ chức năng, nhiệm vụ "
                  "xây dựng kế hoạch thực hiện.\n2. Các cơ quan, đơn vị có liên quan phối hợp thực hiện.\n"
                  "3. Đề nghị các cấp ủy Đảng và các tổ chức Hội: tuyên truyền, vận động hội viên.\n",
                  jurisdiction="Đắk Lắk")
    assert got == {("Các cơ quan, đơn vị, địa phương", "responsible", "IV.1"), ("Các doanh nghiệp", "responsible", "IV.1"),
                   ("Các cơ quan, đơn vị có liên quan", "responsible", "IV.2"),     # as printed, not "Các cơ quan, đơn vị"
                   ("Các cấp ủy Đảng", "responsible", "IV.3"), ("Các tổ chức Hội", "responsible", "IV.3")}


def test_a_heading_agency_answers_for_its_section_even_when_its_duty_only_says_it_leads():
    got = _assign("V. TỔ CHỨC THỰC HIỆN\n1. Công an tỉnh\nChủ trì, phối hợp với Sở Tư pháp triển khai.\n"
                  "2. Sở Công Thương, Sở Xây dựng\nSở Công Thương chủ trì xây dựng kế hoạch.\n",
                  jurisdiction="Sơn La")
    assert got == {("Công an tỉnh", "responsible", "V.1"), ("Công an tỉnh", "lead", "V.1"), ("Sở Tư pháp", "support", "V.1"),
                   ("Sở Công Thương", "responsible", "V.2"), ("Sở Xây dựng", "responsible", "V.2"),
                   ("Sở Công Thương", "lead", "V.2")}


def test_a_heading_whose_bodies_are_placed_on_the_territory_still_hands_its_duties_down():
    got = _assign("VI. TỔ CHỨC THỰC HIỆN\n13. Báo và Phát thanh, Truyền hình tỉnh và các cơ quan báo chí đóng trên địa bàn\n"
                  "Chủ trì, phối hợp với Sở Khoa học và Công nghệ triển khai tuyên truyền.\n", jurisdiction="Bắc Ninh")
    assert got == {("Báo và Phát thanh, Truyền hình tỉnh", "lead", "VI.13"), ("Các cơ quan báo chí", "lead", "VI.13"),
                   ("Báo và Phát thanh, Truyền hình tỉnh", "responsible", "VI.13"),
                   ("Các cơ quan báo chí", "responsible", "VI.13"), ("Sở Khoa học và Công nghệ", "support", "VI.13")}


def test_a_labelled_line_names_its_addressees_and_its_later_sentences_their_doers():
    got = _assign("II. NHIỆM VỤ\n2. Rà soát văn bản\n- Cơ quan thực hiện: Sở Tư pháp rà soát văn bản của tỉnh; các sở, "
                  "ngành rà soát văn bản do mình ban hành và gửi kết quả rà soát kèm theo đề xuất sửa đổi, bổ sung, thay "
                  "thế, bãi bỏ cụ thể từng văn bản và đánh giá sơ bộ tính tương thích của văn bản với Luật về Sở Tư pháp "
                  "để tổng hợp báo cáo Chủ tịch UBND tỉnh. Đồng thời, Ủy ban nhân dân các xã, phường tiếp tục rà soát.\n",
                  jurisdiction="Lai Châu")
    assert got == {("Sở Tư pháp", "responsible", "II.2.-1"), ("Các Sở, ban, ngành", "responsible", "II.2.-1"),
                   ("Sở Tư pháp", "report_to", "II.2.-1"), ("Ủy ban nhân dân tỉnh", "report_to", "II.2.-1"),
                   ("Ủy ban nhân dân các xã, phường", "responsible", "II.2.-1")}


def test_the_localities_of_a_central_plan_are_the_provinces_committees():
    got = _assign("IV. TỔ CHỨC THỰC HIỆN\n2. Các bộ, ngành, địa phương có trách nhiệm:\n- Tổ chức triển khai thực hiện.\n"
                  "5. Các bộ, ngành, địa phương định kỳ hằng năm gửi báo cáo Bộ Khoa học và Công nghệ.\n",
                  jurisdiction="Việt Nam")
    ministries, provinces = "Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ", "Ủy ban nhân dân các tỉnh, thành phố trực thuộc trung ương"
    assert got == {(ministries, "responsible", "IV.2"), (provinces, "responsible", "IV.2"),
                   (ministries, "responsible", "IV.5"), (provinces, "responsible", "IV.5"),
                   ("Bộ Khoa học và Công nghệ", "report_to", "IV.5")}
    assert _assign("IV. TỔ CHỨC THỰC HIỆN\n2. Các sở, ngành, địa phương có trách nhiệm triển khai.\n",
                   jurisdiction="Nghệ An") == {("Các Sở, ban, ngành", "responsible", "IV.2")}


def test_a_later_sentence_that_says_chu_tri_is_its_subjects_and_member_bodies_lead():
    got = _assign("IV. TỔ CHỨC THỰC HIỆN\n2. Các nhiệm vụ\nc) Bộ Công Thương chủ trì, phối hợp với Bộ Xây dựng bảo đảm chất "
                  "lượng nhiên liệu. Chủ trì, phối hợp với Bộ Tài chính rà soát giá.\nn) Đề nghị Ủy ban Trung ương Mặt trận "
                  "Tổ quốc Việt Nam và các tổ chức chính trị - xã hội thành viên chủ trì, phối hợp với Bộ Y tế vận động.\n"
                  "o) Các cơ sở sản xuất tuân thủ nghiêm các quy định về bảo vệ môi trường.\n", jurisdiction="Việt Nam")
    assert sorted(k for k in got if k[1] == "lead") == [
        ("Bộ Công Thương", "lead", "IV.2.c"), ("Các tổ chức chính trị - xã hội", "lead", "IV.2.n"),
        ("Ủy ban Trung ương Mặt trận Tổ quốc Việt Nam", "lead", "IV.2.n")]
    assert ("Các cơ sở sản xuất", "responsible", "IV.2.o") in got


def test_a_clause_after_a_semicolon_names_its_own_doers_a_list_does_not():
    got = _assign("III. TỔ CHỨC THỰC HIỆN\n1. Sở Y tế chủ trì, phối hợp với Sở Tài chính; Sở Nội vụ triển khai.\n"
                  "2. Sở Tư pháp tổ chức tập huấn; Công an tỉnh bảo đảm an ninh.\n"
                  "3. Bộ Tài chính, Ủy ban nhân dân tỉnh trên cơ sở đề xuất của các cơ quan, chủ trì bố trí kinh phí.\n",
                  jurisdiction="Nghệ An")
    assert got == {("Sở Y tế", "lead", "III.1"), ("Sở Tài chính", "support", "III.1"), ("Sở Nội vụ", "support", "III.1"),
                   ("Sở Tư pháp", "responsible", "III.2"), ("Công an tỉnh", "responsible", "III.2"),
                   ("Bộ Tài chính", "lead", "III.3"), ("Ủy ban nhân dân tỉnh", "lead", "III.3")}


def test_bare_role_words_as_labels_of_points():
    """"a) Chủ trì: X" / "b) Phối hợp: Y" are labelled role lines; without the colon the words are duties."""
    got = keys(rows_of(plan("2. Rà soát văn bản\na) Chủ trì: Sở Tư pháp.\nb) Phối hợp: Các sở, ban, ngành; Ủy ban "
                            "nhân dân các xã, phường.\nc) Thời gian hoàn thành: trước ngày 31/12/2025.\n")))
    assert {("Sở Tư pháp", "lead"), ("Các Sở, ban, ngành", "support")} <= {(a, r) for a, r, *_ in got}
    assert not {r for a, r, *_ in got if a == "Sở Tư pháp"} - {"lead"}


def test_numbered_bracket_items_open_with_their_subject():
    got = keys(rows_of(plan("3. Trong thời gian tới, yêu cầu các sở thực hiện:\n(1) Giao Sở Y tế chủ trì, phối hợp với "
                            "Sở Tài chính rà soát danh sách.\n(2) Giao Sở Nội vụ hướng dẫn thủ tục.\n")))
    assert {("Sở Y tế", "lead", "III.3.1"), ("Sở Y tế", "responsible", "III.3.1"), ("Sở Tài chính", "support", "III.3.1"),
            ("Sở Nội vụ", "responsible", "III.3.2")} <= got


def test_a_set_phrase_between_subject_and_verb_is_skipped():
    got = keys(rows_of(plan("2. Sở Y tế theo chức năng, nhiệm vụ được giao chủ trì, phối hợp với Sở Tài chính chỉ đạo "
                            "việc thanh toán chi phí khám bệnh.\n")))
    assert {("Sở Y tế", "lead", "III.2"), ("Sở Tài chính", "support", "III.2")} <= got


def test_a_role_stating_heading_over_lettered_points_states_its_roles_once():
    """"1. X chủ trì, phối hợp với Y:" over a), b): lead and support at the heading; each point is a duty X
    answers for (ANNOTATION.md: role-stating headings; points add a responsible row)."""
    got = keys(rows_of(plan("1. Sở Tài chính chủ trì, phối hợp với Sở Y tế:\na) Hướng dẫn thủ tục chi trả.\n"
                            "b) Kiểm tra việc chi trả.\n")))
    assert {("Sở Tài chính", "lead", "III.1"), ("Sở Y tế", "support", "III.1"),
            ("Sở Tài chính", "responsible", "III.1.a"), ("Sở Tài chính", "responsible", "III.1.b")} <= got
    assert not {k for k in got if k[1] in ("lead", "support") and k[2] != "III.1"}


def test_a_request_in_the_preamble_of_a_directive_names_who_acts():
    text = ("CÔNG ĐIỆN\nVề việc khắc phục hậu quả mưa lũ\nTHỦ TƯỚNG CHÍNH PHỦ điện:\nĐể khắc phục hậu quả, Thủ tướng "
            "Chính phủ yêu cầu Chủ tịch Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương: Quảng Bình, Huế "
            "tập trung thực hiện các việc sau:\n1. Bộ Tài chính chủ trì, phối hợp với các bộ, địa phương liên quan "
            "bố trí kinh phí.\n")
    got = keys(rows_of(text, "Việt Nam"))
    assert {("Ủy ban nhân dân tỉnh Quảng Bình", "responsible", "preamble"),
            ("Ủy ban nhân dân thành phố Huế", "responsible", "preamble"), ("Bộ Tài chính", "lead", "1"),
            ("Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ", "support", "1"),
            ("Ủy ban nhân dân các tỉnh, thành phố trực thuộc trung ương", "support", "1")} <= got
    assert not keys(rows_of("QUYẾT ĐỊNH\nVề việc thử\nTheo đề nghị của Giám đốc Sở Y tế.\nQUYẾT ĐỊNH:\n"
                            "Điều 1. Phê duyệt danh sách.\n", "Hà Nội"))


@pytest.mark.parametrize("sentence", [
    "Văn phòng Chính phủ thông báo để các bộ, cơ quan liên quan biết, thực hiện.",
    "Chính phủ được chủ động phân bổ và điều chỉnh kinh phí thực hiện Chương trình.",
])
def test_a_notice_or_a_permission_is_no_task(sentence):
    assert not rows_of(plan(f"4. {sentence}\n"), "Việt Nam")


def test_a_report_through_a_body_and_a_conditional_subject():
    got = keys(rows_of(plan("2. Các sở, ngành báo cáo UBND Thành phố kết quả thực hiện thông qua Sở Khoa học và Công "
                            "nghệ trước ngày 15 hằng tháng.\n3. Trong quá trình thực hiện, nếu có khó khăn, vướng mắc các "
                            "sở, ngành kịp thời phản ánh về Sở Tư pháp.\n", "IV. TỔ CHỨC THỰC HIỆN")))
    assert {("Ủy ban nhân dân Thành phố", "report_to", "IV.2"), ("Sở Khoa học và Công nghệ", "report_to", "IV.2"),
            ("Các Sở, ban, ngành", "responsible", "IV.3"), ("Sở Tư pháp", "report_to", "IV.3")} <= got
    assert ("Sở Khoa học và Công nghệ", "report_to", "IV.3") not in got
    # with marks, "kết quả" is no "qua": nothing goes through the body named after it
    assert ("Sở Nội vụ", "report_to", "IV.2") not in keys(rows_of(plan(
        "2. Các sở báo cáo UBND Thành phố kết quả Sở Nội vụ đã thẩm định.\n", "IV. TỔ CHỨC THỰC HIỆN")))


def test_marked_text_matches_role_words_with_their_marks():
    """With marks, "kết quả" holds no "qua", "Giáo dục" no "giao"; old and new tone placement are one."""
    from extractors.assignments import marked_form
    assert marked_form("hoà") == marked_form("hòa") and marked_form("Uỷ") == marked_form("ủy")
    assert marked_form("quả") != marked_form("qua") and marked_form("giáo") != marked_form("giao")
    got = keys(rows_of(plan("1. Sở Giáo dục và Đào tạo chủ trì tổ chức hội thi.\n2. Giao Sở Y tế kiểm tra.\n")))
    assert {("Sở Giáo dục và Đào tạo", "lead", "III.1"), ("Sở Y tế", "responsible", "III.2")} <= got


def test_an_award_quota_after_an_agency_and_a_colon_assigns_nothing():
    got = _assign("KẾ HOẠCH\nThi đua\nIV. SỐ LƯỢNG\n1. Khen thưởng cấp Nhà nước:\nSở Nội vụ phối hợp với các cơ "
                  "quan liên quan báo cáo Ủy ban bầu cử tỉnh, UBND tỉnh xem xét.\n2. Bằng khen\n"
                  "- Ban Chỉ đạo bầu cử của tỉnh: Không quá 05 cá nhân;\n- Ủy ban bầu cử của tỉnh: Tối đa 05 cá nhân;\n"
                  "- Sở Tư pháp: Tổng hợp hồ sơ khen thưởng.\n", "Đắk Lắk")
    assert {(a, r, s[:4]) for a, r, s in got} == {
        ("Sở Nội vụ", "responsible", "IV.1"), ("Ủy ban bầu cử tỉnh", "report_to", "IV.1"),
        ("Ủy ban nhân dân tỉnh", "report_to", "IV.1"), ("Sở Tư pháp", "responsible", "IV.2")}


def test_an_execution_article_lists_bodies_behind_their_heads_titles():
    """"Chánh Văn phòng Bộ, Vụ trưởng Vụ X, Cục trưởng Cục Y, Thủ trưởng …": every head maps to its body,
    and a lower-case comma name ends before the next title."""
    got = _assign("QUYẾT ĐỊNH:\nĐiều 1. Ban hành Kế hoạch.\nĐiều 3. Chánh Văn phòng Bộ, Vụ trưởng Vụ Kế hoạch, Tài "
                  "chính, Cục trưởng Cục Văn hóa cơ sở, gia đình và thư viện, Thủ trưởng các cơ quan, đơn vị có liên "
                  "quan chịu trách nhiệm thi hành Quyết định này.\n", "Việt Nam")
    assert {(a, r) for a, r, s in got if s == "Điều 3"} == {
        ("Văn phòng Bộ", "responsible"), ("Vụ Kế hoạch, Tài chính", "responsible"),
        ("Cục Văn hóa cơ sở, gia đình và thư viện", "responsible")}


def test_a_bare_bo_in_a_ministrys_own_plan_is_that_ministry(tmp_path):
    path = tmp_path / "qd.txt"
    path.write_text("BỘ VĂN HÓA, THỂ THAO VÀ DU LỊCH\nSố: 12/QĐ-BVHTTDL\nHà Nội, ngày 10 tháng 11 năm 2025\n"
                    "QUYẾT ĐỊNH\nBan hành Kế hoạch\nQUYẾT ĐỊNH:\nĐiều 1. Ban hành kèm theo Quyết định này Kế hoạch.\n"
                    "BỘ TRƯỞNG\nNguyễn Văn A\nKẾ HOẠCH\nPhát triển thư viện\nIII. TỔ CHỨC THỰC HIỆN\n"
                    "1. Cục Văn hóa cơ sở, gia đình và thư viện tổng hợp, báo cáo Lãnh đạo Bộ kết quả thực hiện.\n"
                    "2. Vụ Kế hoạch, Tài chính phối hợp với Bộ Tài chính bố trí kinh phí.\n", encoding="utf-8")
    from pipeline.process import process_file

    got = {(a["section_id"], a["agency_name"], a["role"]) for a in process_file(path).tables["assignments"]}
    assert ("III.1", "Bộ Văn hóa, Thể thao và Du lịch", "report_to") in got
    assert not any(name == "Bộ Văn hóa, Thể thao và Du lịch" for s, name, _ in got if s == "III.2")


def test_a_bare_plural_noun_heading_is_a_topic_and_the_state_banks_regions_are_bodies():
    got = _assign("KẾ HOẠCH\nKinh tế số\nIII. NHIỆM VỤ\n9. Doanh nghiệp số\nPhát triển các doanh nghiệp số là lực "
                  "đẩy chủ đạo.\na) Triển khai Chương trình hỗ trợ doanh nghiệp.\n10. Các doanh nghiệp\nChủ động "
                  "đầu tư.\n11. Ngân hàng nhà nước khu vực XII\nHướng dẫn tín dụng xanh.\n", "Bắc Ninh")
    assert {(a, r, s) for a, r, s in got} == {("Các doanh nghiệp", "responsible", "III.10"),
                                              ("Ngân hàng Nhà nước Khu vực XII", "responsible", "III.11")}


def test_an_item_introducing_sub_items_hands_its_bodies_down():
    got = _assign("KẾ HOẠCH\nHành động\nIV. TỔ CHỨC THỰC HIỆN\n2. Các địa phương\n- Ủy ban nhân dân thành phố Hà Nội "
                  "và Ủy ban nhân dân Thành phố Hồ Chí Minh cần tập trung các nhiệm vụ sau:\n+ Rà soát quy hoạch.\n"
                  "+ Chủ trì, phối hợp với bộ, ngành liên quan xây dựng vùng phát thải thấp.\n", "Việt Nam")
    leads = {a for a, r, s in got if r == "lead"}
    assert leads == {"Ủy ban nhân dân thành phố Hà Nội", "Ủy ban nhân dân Thành phố Hồ Chí Minh"}


def test_report_verbs_inside_names_are_no_reports():
    """"Chương trình Chính phủ số" holds no "trình Chính phủ"; "Hệ thống thông tin báo cáo Chính phủ" names a
    system; "định kỳ báo cáo X" reports to X."""
    got = _assign("KẾ HOẠCH\nX\nII. NHIỆM VỤ\n1. Bộ Khoa học và Công nghệ tham gia Chương trình Chính phủ số của "
                  "OECD.\n2. Văn phòng Chính phủ phát triển Hệ thống thông tin báo cáo Chính phủ.\n3. Bộ Tài chính "
                  "định kỳ báo cáo Thủ tướng Chính phủ.\n", "Việt Nam")
    assert {(a, s) for a, r, s in got if r == "report_to"} == {("Thủ tướng Chính phủ", "II.3")}


def test_a_task_cell_that_states_a_report_gives_report_to(tmp_path):
    lines = ["THỦ TƯỚNG CHÍNH PHỦ", "Số: 18/QĐ-TTg", "Hà Nội, ngày 05 tháng 01 năm 2026", "QUYẾT ĐỊNH",
             "Ban hành Chương trình", "Điều 1. Ban hành kèm theo Quyết định này Chương trình.", "THỦ TƯỚNG",
             "Nguyễn Văn A", "PHỤ LỤC", "NHIỆM VỤ", "TT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp",
             "Thời gian thực hiện", "1", "Theo dõi các chỉ số Chính phủ số; định kỳ báo cáo Chính phủ, Thủ tướng "
             "Chính phủ.", "Bộ Khoa học và Công nghệ", "Văn phòng Chính phủ", "Năm 2026"]
    path = tmp_path / "ct.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    from pipeline.process import process_file

    got = {(a["agency_name"], a["role"]) for a in process_file(path).tables["assignments"] if a["section_id"] == "PL1"}
    assert got == {("Bộ Khoa học và Công nghệ", "lead"), ("Văn phòng Chính phủ", "support"),
                   ("Chính phủ", "report_to"), ("Thủ tướng Chính phủ", "report_to")}


def test_a_heading_that_is_one_qualified_collective_names_it_in_full():
    got = _assign("KẾ HOẠCH\nHạ tầng số\nIV. TỔ CHỨC THỰC HIỆN\n5. Các nhà đầu tư xây dựng và kinh doanh hạ tầng KCN\n"
                  "- Phối hợp với Ban Quản lý các KCN rà soát nhu cầu.\n6. Các cơ sở giáo dục đại học, cao đẳng\na) Mở ngành "
                  "mới.\n7. Các doanh nghiệp viễn thông, tổ chức, cá nhân có liên quan\n- Đầu tư trạm.\n8. Đề nghị "
                  "các doanh nghiệp sản xuất và xuất khẩu\n- Chủ động đổi mới.\n", "Thanh Hóa")
    names = {a for a, r, s in got if r == "responsible"}
    assert "Các nhà đầu tư xây dựng và kinh doanh hạ tầng Khu công nghiệp" in names     # KCN expanded
    assert "Các cơ sở giáo dục đại học, cao đẳng" in names
    assert "Các doanh nghiệp viễn thông" in names                 # "tổ chức, cá nhân có liên quan" are others
    assert "Các doanh nghiệp sản xuất và xuất khẩu" not in names     # "Đề nghị ..." is a sentence
    assert ("Ban Quản lý các Khu công nghiệp", "support") in {(a, r) for a, r, s in got}   # a province's, not HEPZA


def test_the_execution_article_names_each_head_s_body():
    got = _assign("THỦ TƯỚNG CHÍNH PHỦ\nSố: 20/QĐ-TTg\nQUYẾT ĐỊNH\nBan hành Kế hoạch\nĐiều 1. Ban hành Kế hoạch.\n"
                  "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.\nĐiều 3. Các Bộ trưởng, Thủ trưởng cơ quan ngang "
                  "bộ, Thủ trưởng cơ quan thuộc Chính phủ, Chủ tịch Ủy ban nhân dân các tỉnh, thành phố và các cơ "
                  "quan, tổ chức có liên quan chịu trách nhiệm thi hành Quyết định này.\n", "Việt Nam")
    assert {a for a, r, s in got if s == "Điều 3"} == {"Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ",
                                                       "Ủy ban nhân dân các tỉnh, thành phố trực thuộc trung ương"}


def test_a_text_without_sections_is_read_whole():
    """A notice or a single paragraph has no labelled section: its statements are still assignments, and a
    leading "b)" or "2." is a label, not part of the subject."""
    got = {(a, r) for a, r, s in _assign("b) Sở Tư pháp chủ trì, phối hợp với Sở Nội vụ[3], Sở Tài chính thẩm định "
                                         "hồ sơ.\nHằng năm, Sở Y tế có trách nhiệm báo cáo Ủy ban nhân dân tỉnh.\n",
                                         "Quảng Trị")}
    assert got == {("Sở Tư pháp", "lead"), ("Sở Nội vụ", "support"), ("Sở Tài chính", "support"),
                   ("Sở Y tế", "responsible"), ("Ủy ban nhân dân tỉnh", "report_to")}


def test_a_passive_lead_and_an_adverb_before_a_reports_link():
    got = _assign("KẾ HOẠCH\nX\nIII. TỔ CHỨC THỰC HIỆN\n1. Ủy ban nhân dân các xã, phường:\n+ Kết nối phần mềm với cơ sở "
                  "dữ liệu dân cư do Công an tỉnh chủ trì, phối hợp với Sở Nội vụ thực hiện.\n2. Sở Y tế thông tin kịp "
                  "thời cho Bảo hiểm xã hội tỉnh để phối hợp.\n3. Hỗ trợ người lao động do Sở Y tế giới thiệu.\n",
                  "Quảng Trị")
    assert {(a, r) for a, r, s in got if s.startswith("III.1")} >= {("Công an tỉnh", "lead"), ("Sở Nội vụ", "support")}
    assert ("Bảo hiểm xã hội tỉnh", "report_to", "III.2") in got
    assert not any(s == "III.3" for a, r, s in got)                 # "do X giới thiệu" names no duty
    got = _assign("KẾ HOẠCH\nX\nIII. TỔ CHỨC THỰC HIỆN\n1. Sở Y tế\na) Chủ trì tổ chức tập huấn.\nb) Phối hợp cử cán bộ "
                  "tham gia theo kế hoạch do cơ quan có thẩm quyền chủ trì.\n", "Quảng Trị")
    assert ("Sở Y tế", "lead", "III.1.b") not in got and ("Sở Y tế", "lead", "III.1.a") in got


def test_an_article_that_hands_the_plan_to_a_department_and_a_list_narrowed_by_of_the_province():
    """"Điều 2. Giao Sở X chủ trì, phối hợp với các Sở, ban, ngành của tỉnh; UBND các xã, phường; ...": X answers
    for the plan and leads (ANNOTATION.md, "Giao"), and the whole list after "phối hợp với" supports."""
    got = _assign("ỦY BAN NHÂN DÂN TỈNH\nQUYẾT ĐỊNH\nBan hành Kế hoạch\nĐiều 1. Ban hành kèm theo Quyết định này Kế "
                  "hoạch.\nĐiều 2. Giao Sở Y tế chủ trì, phối hợp với các Sở, ban, ngành của tỉnh; Ủy ban nhân dân các "
                  "xã, phường tổ chức triển khai Kế hoạch này.\n", "Quảng Trị")
    assert {(a, r) for a, r, s in got if s == "Điều 2"} == {
        ("Sở Y tế", "responsible"), ("Sở Y tế", "lead"), ("Các Sở, ban, ngành", "support"),
        ("Ủy ban nhân dân các xã, phường", "support")}
    got = _assign("KẾ HOẠCH\nX\nIII. NHIỆM VỤ\n1. Sở Y tế chủ trì, phối hợp với các cơ quan, đơn vị và các doanh "
                  "nghiệp, hợp tác xã tổ chức đối thoại.\n", "Quảng Trị")
    assert {(a, r) for a, r, s in got} == {("Sở Y tế", "lead"), ("Các doanh nghiệp", "support"),
                                          ("Các hợp tác xã", "support")}
