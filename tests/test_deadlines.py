"""extractors.deadlines: pattern families on hand-written sentences, then precision/recall on the seeds."""
from __future__ import annotations

import datetime as dt

import pytest

from conftest import SEED_IDS, check_gold, gold_rows, text_document
from extractors import deadlines
from pipeline.model import Document, Section

KEYS = ("kind", "date", "date_end", "recurrence")
THRESHOLD = 0.90
D = dt.date


def make_doc(text: str, year: int | None = 2022, sections: list[Section] | None = None) -> Document:
    """A document issued on 1 March of `year` (no issue date when `year` is None)."""
    return text_document(text, sections=sections, meta={"issue_date": D(year, 3, 1)} if year else None)


def rows(text: str, **kw) -> list[dict]:
    return deadlines.extract(make_doc(text, **kw))


def keys(text: str, **kw) -> list[tuple]:
    return [tuple(r[k] for k in KEYS) for r in rows(text, **kw)]


# ---------------------------------------------------------------- dates


def test_due_date_with_marker_in_expression():
    [r] = rows("- Các đơn vị gửi báo cáo về Sở Tài chính trước ngày 15/11/2022 để tổng hợp.")
    assert (r["kind"], r["date"], r["expression"]) == ("due", D(2022, 11, 15), "trước ngày 15/11/2022")
    assert r["task"].startswith("- Các đơn vị gửi báo cáo")
    assert keys("Hoàn thành chậm nhất ngày 05 tháng 12 năm 2022.") == [("due", D(2022, 12, 5), None, None)]


def test_scheduled_event_with_time():
    [r] = rows("Hội nghị sơ kết tổ chức lúc 14h00 ngày 03/6/2023 tại hội trường.")
    assert (r["kind"], r["date"], r["time"]) == ("scheduled", D(2023, 6, 3), "14:00")
    [r] = rows("Khai mạc: 7 giờ 45 phút, ngày 12/9/2023")
    assert (r["kind"], r["time"]) == ("scheduled", "07:45")


def test_period_between_two_dates():
    assert keys("Số liệu kiểm tra: từ 01/3/2022 đến 31/5/2022.") == [("period", D(2022, 3, 1), D(2022, 5, 31), None)]


def test_date_without_year_takes_document_year():
    assert rows("Báo cáo trước ngày 15/12 hằng năm", year=2019)[0]["recurrence_anchor"] == "12-15"
    assert keys("- Gửi kết quả trước ngày 15/12.", year=2019) == [("due", D(2019, 12, 15), None, None)]


def test_year_from_title_when_no_issue_date():
    text = "KẾ HOẠCH\nThực hiện chính sách năm 2017\nCác đơn vị nộp báo cáo trước ngày 20/11."
    assert keys(text, year=None) == [("due", D(2017, 11, 20), None, None)]


def test_end_of_month():
    assert keys("Số liệu tính đến hết tháng 6/2022.") == [("due", D(2022, 6, 30), None, None)]


# ---------------------------------------------------------------- quarters and parts of a year


def test_quarters_due_and_scheduled():
    assert keys("Các Sở hoàn thành chậm nhất trong quý II năm 2022.") == [("due", D(2022, 6, 30), None, None)]
    assert keys("Sơ kết vào quý IV năm 2023 và tổng kết vào quý 1/2025.") == [
        ("scheduled", D(2023, 10, 1), D(2023, 12, 31), None), ("scheduled", D(2025, 1, 1), D(2025, 3, 31), None)]
    assert keys("Đánh giá trong quý III.", year=2020) == [("scheduled", D(2020, 7, 1), D(2020, 9, 30), None)]


def test_quy_as_fund_is_not_a_quarter():
    assert keys("Quỹ I của hội được dùng đúng mục đích.") == []


def test_parts_of_a_year():
    assert keys("Kết quả 6 tháng đầu năm 2023 và nhiệm vụ 6 tháng cuối năm 2023.") == [
        ("period", D(2023, 1, 1), D(2023, 6, 30), None), ("period", D(2023, 7, 1), D(2023, 12, 31), None)]
    assert keys("Đánh giá ba tháng cuối năm.", year=2021) == [("period", D(2021, 10, 1), D(2021, 12, 31), None)]
    assert keys("Ước thực hiện 9 tháng đầu năm nay.", year=2021) == [("period", D(2021, 1, 1), D(2021, 9, 30), None)]


# ---------------------------------------------------------------- recurrences


@pytest.mark.parametrize("text, recurrence", [
    ("- Hàng quý, cung cấp danh sách doanh nghiệp.", "quarterly"),
    ("- Hằng tháng, tổng hợp số nợ.", "monthly"),
    ("Sáu tháng một lần, rà soát đối tượng.", "semiannual"),
    ("3 tháng/lần kiểm tra đột xuất.", "quarterly"),
    ("rà soát dữ liệu hằng tuần, kịp thời thông tin.", "weekly"),
    ("Cập nhật số liệu hàng ngày.", "daily"),
    ("- Định kỳ hàng năm, tổ chức khảo sát.", "yearly"),
    ("- Pinh ky hing quy, cung cap thong tin.", "quarterly"),
    ("Hang niam, cung cap so lieu.", "yearly"),
])
def test_recurrences(text, recurrence):
    assert keys(text) == [("recurring", None, None, recurrence)]


def test_two_units_in_one_expression():
    assert keys("- Hàng tháng, quý, báo cáo UBND huyện.") == [
        ("recurring", None, None, "monthly"), ("recurring", None, None, "quarterly")]


def test_a_list_of_units_and_months_after_one_each():
    assert keys("Đánh giá kết quả định kỳ hằng tháng, quý, 6 tháng, năm và đột xuất.") == [
        ("recurring", None, None, "monthly"), ("recurring", None, None, "quarterly"),
        ("recurring", None, None, "semiannual"), ("recurring", None, None, "yearly")]


def test_a_condition_on_the_distant_past_is_no_deadline():
    assert keys("Đất đã sử dụng ổn định trước ngày 15 tháng 10 năm 1993 thì được bồi thường.", year=2025) == []


@pytest.mark.parametrize("text", [
    "Cán bộ được nghỉ phép hàng năm theo quy định.",
    "Tài sản gắn liền với đất thuê trả tiền thuê đất hằng năm.",
    "Bố trí trong kế hoạch đầu tư công trung hạn và hằng năm.",
])
def test_annual_things_that_are_no_duty(text):
    assert keys(text) == []


def test_periodic_without_unit():
    assert keys("Định kỳ báo cáo kết quả về Sở.") == [("recurring", None, None, None)]


def test_recurrence_with_anchor_and_next_year():
    rs = rows("Định kỳ hàng năm, trước ngày 10 tháng 12, các đơn vị báo cáo để tổng hợp trình UBND "
              "chậm nhất ngày 15 tháng 01 năm sau.", year=2020)
    assert [(r["kind"], r["date"], r["recurrence"], r["recurrence_anchor"]) for r in rs] == [
        ("recurring", None, "yearly", "12-10"), ("recurring", None, "yearly", "01-15")]   # the due day is the anchor
    assert rs[0]["expression"].startswith("Định kỳ hàng năm, trước ngày 10 tháng 12")


def test_next_year_without_recurrence_is_due():
    assert keys("Nộp báo cáo trước ngày 10 tháng 01 năm sau.", year=2020) == [("due", D(2021, 1, 10), None, None)]


# ---------------------------------------------------------------- what is not a deadline


@pytest.mark.parametrize("text", [
    "Người hưởng lương hưu, trợ cấp mất sức lao động hàng tháng.",
    "chi trả lương hưu, trợ cấp BHXH hàng tháng qua tài khoản.",
    "nguồn kết dư hàng năm từ Quỹ bảo hiểm y tế",
    "phù hợp với khả năng cân đối nguồn vốn hằng năm của địa phương",
    "cần so sánh với 31/12/2020 và cùng kỳ năm trước",
    "tham gia kháng chiến từ ngày 30 tháng 4 năm 1975 trở về trước",
    "Thực hiện Kế hoạch số 5/KH-UBND ngày 10/01/2022 của UBND tỉnh.",
    "Ngày 26 tháng 5 năm 1997, Bộ Chính trị đã ban hành Chỉ thị số 15-CT/TW.",
    "Phấn đấu đến năm 2025 đạt 95% dân số tham gia.",
])
def test_not_deadlines(text):
    assert keys(text) == []


def test_own_date_and_header_are_not_deadlines():
    header = "UBND TỈNH X\nSố: 9/KH-UBND\nX, ngày 01 tháng 3 năm 2022\n"
    body = "KẾ HOẠCH\n(Kèm theo Kế hoạch số 9/KH-UBND ngày 01/3/2022)\nBáo cáo trước ngày 30/6/2022."
    text = header + body
    sections = [Section("header", None, 0, "header", None, None, 0, len(header), 0)]
    assert keys(text, sections=sections) == [("due", D(2022, 6, 30), None, None)]
    assert keys(text) == [("due", D(2022, 6, 30), None, None)]


def test_spans_open_periods_and_completion_cells():
    assert keys("Thời gian thực hiện: từ quý III/2022 đến quý I/2023.") == [("period", D(2022, 7, 1), D(2023, 3, 31), None)]
    assert keys("Tập huấn từ ngày 03 đến ngày 05 tháng 9 năm 2022.") == [("period", D(2022, 9, 3), D(2022, 9, 5), None)]
    assert keys("Thời gian: năm 2022 và các năm tiếp theo.") == [("period", D(2022, 1, 1), None, None)]
    assert keys("Thời gian: Quý II năm 2022 và các năm tiếp theo.") == [("period", D(2022, 4, 1), None, None)]
    assert keys("Triển khai từ quý II/2022.") == [("period", D(2022, 4, 1), None, None)]
    assert keys("Thời gian hoàn thành: Tháng 12/2022.") == [("due", D(2022, 12, 31), None, None)]
    assert keys("Thực hiện trong giai đoạn 2022 - 2025.") == [("period", D(2022, 1, 1), D(2025, 12, 31), None)]
    cells = {"Quý I/2023": [("due", D(2023, 3, 31), None)], "Năm 2023": [("due", D(2023, 12, 31), None)],
             "2023 - 2025": [("period", D(2023, 1, 1), D(2025, 12, 31))], "Thường xuyên": []}
    for cell, want in cells.items():
        got = [(x.kind, x.date, x.date_end) for x in deadlines.completion_expressions(cell, 2022)]
        assert got == want, cell


def test_history_and_funding_rhythm_are_not_deadlines():
    assert keys("Luật được Quốc hội thông qua ngày 26 tháng 6 năm 2021.") == []
    assert keys("Kinh phí bố trí trong dự toán ngân sách hằng năm của các sở.") == []
    assert keys("Kết quả giai đoạn 2016 - 2020 còn hạn chế.") == []


def test_row_ids_stable_and_distinct():
    text = "Lịch: 8h30 ngày 27/10/2022.\nLịch: 8h30 ngày 27/10/2022."
    a, b = rows(text), rows(text)
    assert [r["deadline_id"] for r in a] == [r["deadline_id"] for r in b]
    assert len({r["deadline_id"] for r in a}) == 2
    assert all(r["agency_ids"] == [] for r in a)


# ---------------------------------------------------------------- seeds


@pytest.mark.parametrize("nnn", SEED_IDS)
def test_seed_precision_recall(nnn, seed_documents):
    pred = deadlines.extract(seed_documents[nnn])
    check_gold("deadlines", nnn, pred, KEYS, THRESHOLD)
    anchored = [(r["recurrence_anchor"], r["time"]) for r in pred if r["recurrence_anchor"] or r["time"]]
    want = [(g.get("anchor"), g.get("time")) for g in gold_rows(nnn, "deadlines") if g.get("anchor") or g.get("time")]
    assert sorted(anchored, key=str) == sorted(want, key=str)


def test_months_of_an_event_are_scheduled_one_row_each():
    assert keys("Thời gian quan trắc vào tháng 4 và tháng 8 năm 2022; số lượng mẫu 120 mẫu.") == [
        ("scheduled", D(2022, 4, 1), D(2022, 4, 30), None), ("scheduled", D(2022, 8, 1), D(2022, 8, 31), None)]
    assert keys("Tổ chức hội nghị sơ kết vào tháng 9/2022.") == [("scheduled", D(2022, 9, 1), D(2022, 9, 30), None)]
    assert keys("Quan trắc từ tháng 3 đến tháng 10 năm 2022.") == [("period", D(2022, 3, 1), D(2022, 10, 31), None)]


def test_from_now_until_a_date_is_a_period_from_the_document_date():
    [r] = rows("Thời gian thực hiện: từ nay đến ngày 31/12/2022.")
    assert (r["kind"], r["date"], r["date_end"], r["expression"]) == (
        "period", D(2022, 3, 1), D(2022, 12, 31), "từ nay đến ngày 31/12/2022")


def test_year_spans_in_brackets_after_a_task_are_periods():
    assert keys("Tích hợp vào Hệ thống quốc gia (2022 - 2025).") == [("period", D(2022, 1, 1), D(2025, 12, 31), None)]
    assert keys("Kết nối với Trung tâm dữ liệu (2023 trở đi).") == [("period", D(2023, 1, 1), None, None)]
    assert keys("Số liệu dân số (2016 - 2020) của tỉnh.") == []            # before the plan: no deadline


def test_a_reporting_regime_gives_each_period_its_due_day():
    rs = rows("Sở Công Thương báo cáo UBND tỉnh định kỳ hàng tháng (trước ngày 18 hàng tháng), 6 tháng "
              "(trước ngày 18/5), tổng kết năm (trước ngày 30/11 hàng năm).")
    assert [(r["kind"], r["date"], r["recurrence"], r["recurrence_anchor"]) for r in rs] == [
        ("recurring", None, "monthly", "18"), ("recurring", None, "semiannual", "05-18"),
        ("recurring", None, "yearly", "11-30")]


def test_a_period_restated_on_a_line_of_its_own_is_a_time_cell():
    text = ("Kế hoạch thực hiện giai đoạn 2026 - 2030 như sau.\nTriển khai giai đoạn 2026 - 2030 các nhiệm vụ.\n"
            "- Xây dựng hệ thống quan trắc.\nGiai đoạn 2026 - 2030\n- Đào tạo cán bộ.\nGiai đoạn 2026 - 2030\n")
    assert keys(text, year=2025) == [("period", D(2026, 1, 1), D(2030, 12, 31), None)] * 3


@pytest.mark.parametrize("text,expected", [
    ("Di dời các cơ sở gây ô nhiễm trước năm 2030.", ("due", D(2029, 12, 31), None)),
    ("Thực hiện trong năm 2026 và có rà soát, bổ sung.", ("period", D(2026, 1, 1), D(2026, 12, 31))),
    ("Tổ chức thí điểm từ sau năm 2027.", ("period", D(2028, 1, 1), None)),
    ("Bộ Tài chính tổ chức sơ kết kết quả vào cuối năm 2027.", ("scheduled", D(2027, 12, 31), None)),
    ("Tổ chức tổng kết đánh giá kết quả thực hiện vào năm 2030.", ("scheduled", D(2030, 1, 1), D(2030, 12, 31))),
    ("Báo cáo giữa kỳ thực hiện Kế hoạch (năm 2030).", ("scheduled", D(2030, 1, 1), D(2030, 12, 31))),
])
def test_years_dated_by_the_words_before_them(text, expected):
    assert [k[:3] for k in keys(text, year=2025)] == [expected]


def test_a_year_in_a_target_or_a_plans_figures_is_no_deadline():
    assert keys("Phấn đấu đến cuối năm 2026 đạt 95%. Chỉ tiêu kế hoạch thực hiện năm 2024 đạt 90%.", year=2025) == []


def test_a_month_span_without_its_year_is_no_open_period():
    assert keys("Thời gian quan trắc: 08 tháng (từ tháng 3 đến tháng 10).", year=2025) == []
    assert keys("Thời gian quan trắc từ tháng 3 đến tháng 10 năm 2026.", year=2025) == [
        ("period", D(2026, 3, 1), D(2026, 10, 31), None)]


def test_an_anniversarys_span_is_no_period():
    assert keys("Kỷ niệm 80 năm Ngày Tổng tuyển cử đầu tiên (06/01/1946 - 06/01/2026).", year=2025) == []


def test_of_the_following_year():
    assert keys("Tổng hợp, báo cáo Thủ tướng Chính phủ trước ngày 30 tháng 01 của năm tiếp theo.", year=2025) == [
        ("due", D(2026, 1, 30), None, None)]


def test_days_counted_from_the_document_date_and_quarters_sharing_a_year():
    import datetime as dt
    from conftest import text_document
    from extractors import deadlines as dl
    doc = text_document("KẾ HOẠCH\nThử\nII. NHIỆM VỤ\n1. Trong thời hạn 30 ngày kể từ ngày ban hành Kế hoạch, các sở "
                        "xây dựng kế hoạch.\n2. Hoàn thành trong Quý I và Quý II năm 2026.\n3. Trong 10 ngày làm việc "
                        "kể từ ngày nhận hồ sơ, Sở Tư pháp trả lời.\n", meta={"issue_date": dt.date(2025, 11, 18)},
                        segment_text=True)
    got = {(r["section_id"], r["kind"], str(r["date"])) for r in dl.extract(doc)}
    assert {("II.1", "due", "2025-12-18"), ("II.2", "due", "2026-03-31"), ("II.2", "due", "2026-06-30")} <= got
    assert not {g for g in got if g[0] == "II.3"}         # working days from an event: no calendar date


def test_a_recurring_quarter_has_no_dates():
    """ANNOTATION.md: a recurring row's date and date_end are null; "vào quý III hằng năm" is yearly."""
    import datetime as dt
    from conftest import text_document
    from extractors import deadlines as dl
    doc = text_document("KẾ HOẠCH\nThử\nII. NHIỆM VỤ\n3. Tổ chức diễn tập vào quý III hằng năm.\n",
                        meta={"issue_date": dt.date(2025, 11, 18)}, segment_text=True)
    assert [(r["kind"], r["date"], r["date_end"], r["recurrence"]) for r in dl.extract(doc)] == [
        ("recurring", None, None, "yearly")]


def test_a_span_to_the_end_of_a_month_is_one_period():
    got = deadlines.find_expressions("Phong trào được triển khai từ tháng 10 năm 2025 đến hết tháng 3 năm 2026. "
                                     "Tổng kết vào tháng 4 năm 2026.", 2025)
    assert [(x.kind, x.date, x.date_end) for x in got] == [
        ("period", dt.date(2025, 10, 1), dt.date(2026, 3, 31)), ("scheduled", dt.date(2026, 4, 1), dt.date(2026, 4, 30))]


def test_dinh_ky_must_be_printed_as_such_when_the_text_has_marks():
    assert deadlines.find_expressions("Căn cứ Thông tư quy định kỹ thuật quan trắc môi trường", 2025) == []
    assert [x.kind for x in deadlines.find_expressions("báo cáo định kỳ về Sở", 2025)] == ["recurring"]
    assert [x.kind for x in deadlines.find_expressions("bao cao dinh ky ve So", 2025)] == ["recurring"]


@pytest.mark.parametrize("bare_year, expected", [
    ("due", ("due", dt.date(2026, 12, 31), None)),
    ("period", ("period", dt.date(2026, 1, 1), dt.date(2026, 12, 31)))])
def test_a_year_alone_in_a_time_column_depends_on_what_the_column_dates(bare_year, expected):
    """"Thời hạn hoàn thành: 2026" is due at the year's end; "Thời gian thực hiện: 2026" is the year of the
    work. Stated completion ("Hoàn thành trong năm 2026") is due whatever the column."""
    got = deadlines.completion_expressions("Năm 2026", 2025, bare_year)
    assert [(x.kind, x.date, x.date_end) for x in got] == [expected]
    done = deadlines.completion_expressions("Hoàn thành trong năm 2026", 2025, bare_year)
    assert [(x.kind, x.date) for x in done] == [("due", dt.date(2026, 12, 31))]


def test_a_year_span_after_a_completion_word_is_due_at_its_end():
    got = deadlines.find_expressions("Hoàn thành trong giai đoạn 2026 - 2027 và vận hành thường xuyên. "
                                     "Thí điểm trong giai đoạn 2026 - 2028.", 2025)
    assert [(x.kind, x.date, x.date_end) for x in got] == [
        ("due", dt.date(2027, 12, 31), None), ("period", dt.date(2026, 1, 1), dt.date(2028, 12, 31))]


def test_a_bracketed_span_closing_an_item_is_its_own_time():
    doc = make_doc("KẾ HOẠCH\nDữ liệu quy hoạch giai đoạn 2025 - 2030\nIII. NHIỆM VỤ\n"
                   "2. Số hóa cơ sở dữ liệu quy hoạch (2025 - 2030).\n"
                   "4. Rà soát thủ tục hành chính trong lĩnh vực quy hoạch (2027 - 2030).\n"
                   "5. Tổng kết giai đoạn trước (2020 - 2024).\n", year=2025)
    spans = [(r["kind"], str(r["date"]), str(r["date_end"])) for r in deadlines.extract(doc)]
    assert ("period", "2027-01-01", "2030-12-31") in spans
    assert ("period", "2025-01-01", "2030-12-31") in spans
    assert ("period", "2020-01-01", "2024-12-31") not in spans


# ---------------------------------------------------------------- families from the corpus study
# (scripts/deadline_coverage.py on the language-model corpus; the phrases are written for the tests)


def test_a_monthly_duty_with_its_day():
    [r] = rows("Các phường gửi số liệu về Sở trước ngày 18 hằng tháng để tổng hợp.")
    assert (r["kind"], r["recurrence"], r["recurrence_anchor"], r["expression"]) == (
        "recurring", "monthly", "18", "trước ngày 18 hằng tháng")
    [r] = rows("Cập nhật dữ liệu vào ngày 05 của hàng tháng.")
    assert (r["recurrence"], r["recurrence_anchor"]) == ("monthly", "05")
    assert keys("Trợ cấp hằng tháng được chi trả đúng hạn.") == []


def test_a_month_of_a_relative_year():
    assert keys("Hoàn thành trong tháng 10 năm nay.") == [("due", D(2022, 10, 31), None, None)]
    assert keys("Tổng kết, báo cáo trước tháng 02 năm sau.") == [("due", D(2023, 2, 28), None, None)]
    [r] = rows("Hằng năm, gửi báo cáo trước tháng 01 của năm tiếp theo.")
    assert (r["kind"], r["recurrence"], r["recurrence_anchor"]) == ("recurring", "yearly", "01-31")
    assert keys("Tăng tần suất tưới nước từ tháng 11 đến tháng 3 năm sau.") == []


def test_completion_in_a_quarter_or_half_year_is_due_at_its_end_and_a_period_in_months_recurs():
    """ANNOTATION.md hard case 2: a quarter the work is completed in is `due` on its last day, even with words
    between the verb and the time; an event in a quarter stays scheduled."""
    assert keys("Sở Nội vụ hoàn thành việc thẩm định hồ sơ trong Quý III/2026.") == [("due", D(2026, 9, 30), None, None)]
    assert keys("Tổ chức hội nghị tập huấn trong Quý III/2026.") == [("scheduled", D(2026, 7, 1), D(2026, 9, 30), None)]
    assert keys("Hoàn thành việc số hóa hồ sơ trong 6 tháng đầu năm 2026.") == [("due", D(2026, 6, 30), None, None)]
    assert keys("Các đơn vị gửi báo cáo trước cuối năm 2026.") == [("due", D(2026, 12, 31), None, None)]
    assert [r["recurrence"] for r in rows("Định kỳ 3 tháng, kiểm tra việc chi trả.")] == ["quarterly"]


def test_a_readiness_date_is_due_and_a_start_of_work_an_open_period():
    """ANNOTATION.md hard case 3: in force or in place from day X → `due` X; "Từ ngày X" opening work → period."""
    assert keys("Hệ thống đưa vào vận hành chính thức từ ngày 01/7/2026.") == [("due", D(2026, 7, 1), None, None)]
    assert keys("Quy chế có hiệu lực thi hành kể từ ngày 15/3/2026.") == [("due", D(2026, 3, 15), None, None)]
    assert keys("Từ ngày 01/3/2026, các đơn vị chi trả qua tài khoản.") == [("period", D(2026, 3, 1), None, None)]
