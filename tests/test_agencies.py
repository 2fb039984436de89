"""Agency gazetteer: canonical names, abbreviations, scopes and jurisdictions, OCR variants, and the
words that look like agencies but are not (hand-written surfaces, not seed text)."""
from __future__ import annotations

import pytest
import yaml

from extractors.agencies import DATA, Agency, agency_rows, find_agencies, gazetteer, key, resolve_agency, tokenize

HN = "Hà Nội"
HCM = "Thành phố Hồ Chí Minh"
DISTRICT = "huyện Ia H'Drai"


@pytest.mark.parametrize("surface, name", [
    ("Sở LĐTB&XH", "Sở Lao động - Thương binh và Xã hội"),
    ("Sở LĐTBXH", "Sở Lao động - Thương binh và Xã hội"),
    ("Sở Lao động, Thương binh và Xã hội", "Sở Lao động - Thương binh và Xã hội"),
    ("Sở Lao động Thương binh và Xã hội", "Sở Lao động - Thương binh và Xã hội"),
    ("Sở KH&ĐT", "Sở Kế hoạch và Đầu tư"),
    ("Sở GD&ĐT", "Sở Giáo dục và Đào tạo"),
    ("BHXH thành phố Hà Nội", "Bảo hiểm xã hội Thành phố"),
    ("BHXH Thành phố", "Bảo hiểm xã hội Thành phố"),
    ("cơ quan Bảo hiểm xã hội thành phố", "Bảo hiểm xã hội Thành phố"),
    ("cơ quan BHXH", "Cơ quan Bảo hiểm xã hội"),
    ("BHXH Việt Nam", "Bảo hiểm xã hội Việt Nam"),
    ("UBND TP", "Ủy ban nhân dân Thành phố"),
    ("Uỷ ban nhân dân thành phố", "Ủy ban nhân dân Thành phố"),
    ("UBND các quận, huyện, thị xã", "Ủy ban nhân dân các quận, huyện, thị xã"),
    ("UBND cấp huyện", "Ủy ban nhân dân các quận, huyện, thị xã"),
    ("Ủy ban nhân dân quận, huyện", "Ủy ban nhân dân các quận, huyện, thị xã"),
    ("UBND cấp xã", "Ủy ban nhân dân các xã, phường, thị trấn"),
    ("BHXH huyện", "Bảo hiểm xã hội các quận, huyện, thị xã"),
    ("HĐND TP", "Hội đồng nhân dân Thành phố"),
    ("Ủy ban MTTQ Việt Nam thành phố", "Ủy ban Mặt trận Tổ quốc Việt Nam Thành phố"),
    ("UBMTTQ", "Ủy ban Mặt trận Tổ quốc Việt Nam Thành phố"),
    ("Cục Thuế Hà Nội", "Cục Thuế Thành phố"),
    ("Liên đoàn Lao động", "Liên đoàn Lao động Thành phố"),
    ("các Sở - ngành", "Các Sở, ban, ngành"),
    ("Sở, ban, ngành", "Các Sở, ban, ngành"),
    ("các cơ sở KCB", "Các cơ sở khám bệnh, chữa bệnh"),
    ("các đoàn thể", "Các tổ chức chính trị - xã hội"),
    ("Ban Chỉ đạo thực hiện chính sách BHXH, BHYT", "Ban Chỉ đạo thực hiện chính sách bảo hiểm xã hội, bảo hiểm y tế Thành phố"),
    ("BCĐ", "Ban Chỉ đạo Thành phố"),
    ("Ban Chỉ đạo thực hiện chính sách BHXH, BHYT Thành phố", "Ban Chỉ đạo thực hiện chính sách bảo hiểm xã hội, bảo hiểm y tế Thành phố"),
    ("Bộ LĐTB&XH", "Bộ Lao động - Thương binh và Xã hội"),
])
def test_canonical_names(surface, name):
    a = resolve_agency(surface, HN)
    assert a is not None and a.name == name


@pytest.mark.parametrize("surface, jurisdiction, agency_id", [
    ("Sở Y tế", HN, "so-y-te@ha-noi"),
    ("Sở Y tế", HCM, "so-y-te@thanh-pho-ho-chi-minh"),
    ("Bảo hiểm xã hội thành phố", HCM, "bao-hiem-xa-hoi-thanh-pho@thanh-pho-ho-chi-minh"),
    ("Bảo hiểm xã hội Việt Nam", HN, "bao-hiem-xa-hoi-viet-nam@viet-nam"),
    ("Bộ Y tế", HN, "bo-y-te@viet-nam"),
    ("Bảo hiểm xã hội huyện", DISTRICT, "bao-hiem-xa-hoi-huyen@huyen-ia-h-drai"),
    ("UBND huyện Ia H'Drai", DISTRICT, "uy-ban-nhan-dan-huyen@huyen-ia-h-drai"),
    ("Ủy ban nhân dân xã Ia Tơi", DISTRICT, "uy-ban-nhan-dan-xa-ia-toi@huyen-ia-h-drai"),
    ("Phòng Lao động - Thương binh và Xã hội huyện", DISTRICT,
     "phong-lao-dong-thuong-binh-va-xa-hoi@huyen-ia-h-drai"),
    ("Sở Y tế", None, "so-y-te"),
])
def test_agency_ids_carry_the_jurisdiction(surface, jurisdiction, agency_id):
    assert resolve_agency(surface, jurisdiction).agency_id == agency_id


def test_province_level_words_follow_the_jurisdiction():
    assert resolve_agency("BHXH tỉnh", "Kon Tum").name == "Bảo hiểm xã hội tỉnh"
    assert resolve_agency("Liên đoàn Lao động", "Kon Tum").name == "Liên đoàn Lao động tỉnh"
    assert resolve_agency("UBND huyện", DISTRICT).name == "Ủy ban nhân dân huyện"


@pytest.mark.parametrize("surface, name", [
    ("S& Y té", "Sở Y tế"),
    ("S¢ Tai chinh", "Sở Tài chính"),
    ("Cuc Thué thanh ph6é Ha Ngi", "Cục Thuế Thành phố"),
    ("Sé& Thong tin va Truyén thong", "Sở Thông tin và Truyền thông"),
    ("Lién doan Lao dong Thanh phd", "Liên đoàn Lao động Thành phố"),
    ("UBND céc quéan, huyén, thi xi", "Ủy ban nhân dân các quận, huyện, thị xã"),
    ("Cang an cac quan, huyén, thi xa", "Công an các quận, huyện, thị xã"),
    ("Bao hiém xi hdi Thanh pho", "Bảo hiểm xã hội Thành phố"),
    ("HPND Thanh phd", "Hội đồng nhân dân Thành phố"),
    ("Thanh Poan Ha Noi", "Thành đoàn"),
])
def test_ocr_variants(surface, name):
    a = resolve_agency(surface, HN)
    assert a is not None and a.name == name


@pytest.mark.parametrize("text", [
    "Thực hiện tốt chính sách BHXH, BHYT cho người lao động.",
    "Tăng cường thanh tra, kiểm tra các đơn vị chậm đóng.",
    "Triển khai các văn bản chỉ đạo của cấp trên.",
    "Xử lý các trường hợp vi phạm.",
    "Bảo đảm công bằng xã hội và ổn định chính trị.",
    "Cơ quan chức năng quan tâm đầu tư, điều chỉnh phù hợp.",
    "Công an nhân dân không tham gia.",
    "Đoàn viên thanh niên và hoạt động kiểm tra.",
])
def test_words_that_are_not_agencies(text):
    assert [m.surface for m in find_agencies(text, HN)] == []


def test_bare_scheme_names_need_a_scope():
    assert resolve_agency("BHXH", HN) is None
    assert resolve_agency("Công an", HN) is None
    assert resolve_agency("Thanh tra", HN) is None


def test_mentions_in_a_sentence_with_spans_and_types():
    text = ("Thanh tra Thành phố chủ trì, phối hợp với Công an Thành phố, Cục Thuế Thành phố, "
            "Liên đoàn Lao động Thành phố và các cơ sở khám bệnh, chữa bệnh.")
    ms = find_agencies(text, HN)
    assert [(m.name, m.type) for m in ms] == [
        ("Thanh tra Thành phố", "inspectorate"), ("Công an Thành phố", "police"),
        ("Cục Thuế Thành phố", "tax"), ("Liên đoàn Lao động Thành phố", "union"),
        ("Các cơ sở khám bệnh, chữa bệnh", "hospital")]
    assert all(text[m.start:m.end] == m.surface for m in ms)


def test_exact_names_win_over_fuzzy_neighbours():
    ms = find_agencies("b) Sở Lao động - Thương binh và Xã hội: Sở Nội vụ và Ban Quản lý Khu Công nghệ cao", HN)
    assert [m.name for m in ms] == ["Sở Lao động - Thương binh và Xã hội", "Sở Nội vụ",
                                    "Ban Quản lý Khu Công nghệ cao"]


def test_matching_key_keeps_offsets():
    for s in ("S& Y té", "Sở LĐTB&XH", "ph01 hợp", "Thanh Poan", "2025"):
        assert len(key(s)) == len(s)
    assert key("S6Y té") == "soy te" and key("2025") == "2025"


def test_gazetteer_lists_the_abbreviations_and_valid_types():
    data = yaml.safe_load((DATA / "agencies.yaml").read_text(encoding="utf-8"))
    for abbr in ("BHXH", "BHYT", "UBND", "HĐND", "LĐTB&XH", "LĐTBXH", "MTTQ", "KCB", "TU", "BCĐ"):
        assert abbr in data["abbreviations"]
    assert {v.entry.type for v in gazetteer()["variants"]} <= {
        "department", "insurance", "peoples_committee", "police", "tax", "union", "front",
        "inspectorate", "school", "hospital", "other"}
    assert isinstance(resolve_agency("Sở Y tế", HN), Agency)


def test_unlisted_names_run_to_their_last_capitalised_word():
    names = lambda t: [m.name for m in find_agencies(t, "Thành phố Hồ Chí Minh")]  # noqa: E731
    assert names("Trung tâm Chuyển đổi số Thành phố chủ trì") == ["Trung tâm Chuyển đổi số Thành phố"]
    assert names("Viện Nghiên cứu phát triển Thành phố tham mưu") == ["Viện Nghiên cứu phát triển Thành phố"]
    assert names("Trung tâm Văn hóa tổ chức Hội nghị") == ["Trung tâm Văn hóa"]
    assert names("Ban Quản lý Khu kinh tế Vân Phong phối hợp") == ["Ban Quản lý Khu kinh tế Vân Phong"]
    assert names("Ban Quản lý Dự án 85 khẩn trương tiếp tục chủ trì") == ["Ban Quản lý Dự án 85"]
    assert names("Cục Đường thủy nội địa Việt Nam lập hồ sơ") == ["Cục Đường thủy nội địa Việt Nam"]
    assert names("Cục Đường thủy nội địa Việt Nam bố trí cán bộ") == ["Cục Đường thủy nội địa Việt Nam"]


def test_a_board_joins_the_party_committee_printed_after_it():
    names = [m.name for m in find_agencies("Phối hợp với Ban Dân vận Huyện ủy và Sở Tư pháp", "Nghệ An")]
    assert names == ["Ban Dân vận Huyện ủy", "Sở Tư pháp"]
    assert [m.name for m in find_agencies("Tỉnh ủy, Ban Nội chính", "Nghệ An")][0] == "Tỉnh ủy"


def test_a_bare_steering_committee_is_the_one_named_before_or_the_documents_own_level():
    text = ("Ban Chỉ đạo thực hiện chính sách BHXH, BHYT huyện ban hành Kế hoạch. Khó khăn báo cáo về "
            "Ban Chỉ đạo (qua Bảo hiểm xã hội huyện).")
    ms = [m for m in find_agencies(text, "Kon Tum") if "Chỉ đạo" in m.name]
    assert len({m.name for m in ms}) == 1 and ms[1].surface == "Ban Chỉ đạo"
    ms = find_agencies("phản hồi về Ban Chỉ đạo Trung ương và Ban Chỉ đạo (qua Sở Tài chính)", "Quảng Ngãi")
    assert [m.name for m in ms] == ["Ban Chỉ đạo Trung ương", "Ban Chỉ đạo tỉnh", "Sở Tài chính"]


def test_a_collective_keeps_the_words_that_narrow_it():
    names = lambda t: [m.name for m in find_agencies(t, "Nghệ An")]  # noqa: E731
    assert names("Các doanh nghiệp viễn thông chủ trì đầu tư hạ tầng") == ["Các doanh nghiệp viễn thông"]
    assert names("phối hợp với các doanh nghiệp, hộ gia đình") == ["Các doanh nghiệp"]
    assert names("các doanh nghiệp trên địa bàn tỉnh thực hiện") == ["Các doanh nghiệp"]
    assert names("Các nhà cung cấp dịch vụ IoT triển khai; các nhà cung cấp và Sở Y tế") == [
        "Các nhà cung cấp dịch vụ IoT", "Sở Y tế"]


def test_in_marked_text_a_fuzzy_match_only_fixes_typos():
    names = [m.name for m in find_agencies("Ban Quản lý các khu chế xuất và công nghiệp mới, Sở Tư phap", "Cần Thơ")]
    assert names[-1] == "Sở Tư pháp"
    assert "Ban Quản lý các Khu chế xuất và Công nghiệp" not in [
        m.name for m in find_agencies("Ban Quản lý các khu công nghệ cao chủ trì", "Cần Thơ")]


def test_a_central_document_gives_no_provincial_scope():
    """No "tỉnh" of the document's own: a bare council in a central plan is every province's (one plural form
    per level, ANNOTATION.md)."""
    names = [m.name for m in find_agencies("Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam và Hội đồng nhân dân", "Việt Nam")]
    assert names == ["Ủy ban Mặt trận Tổ quốc Việt Nam", "Hội đồng nhân dân các tỉnh, thành phố trực thuộc trung ương"]


@pytest.mark.parametrize("surface, name", [
    ("Liên minh Hợp tác xã tỉnh", "Liên minh Hợp tác xã tỉnh"),
    ("Đoàn TNCS Hồ Chí Minh tỉnh", "Đoàn Thanh niên Cộng sản Hồ Chí Minh tỉnh"),
    ("Hiệp hội doanh nghiệp tỉnh", "Hiệp hội Doanh nghiệp tỉnh"),
    ("Trung tâm Xúc tiến đầu tư, thương mại và du lịch", "Trung tâm Xúc tiến đầu tư, thương mại và du lịch"),
    ("Liên hiệp các Hội Khoa học và Kỹ thuật", "Liên hiệp các Hội Khoa học và Kỹ thuật"),
])
def test_provincial_unions_and_centres(surface, name):
    assert [m.name for m in find_agencies(f"Đề nghị {surface} phối hợp", "Sơn La")] == [name]


def test_a_media_body_keeps_its_provinces_name():
    names = [m.name for m in find_agencies("Báo và phát thanh, truyền hình Sơn La; Báo và Phát thanh, Truyền hình tỉnh",
                                           "Sơn La")]
    assert names == ["Báo và Phát thanh, Truyền hình Sơn La", "Báo và Phát thanh, Truyền hình tỉnh"]


def test_ministry_units_in_sentence_case():
    names = [m.name for m in find_agencies(
        "Vụ Tổ chức cán bộ chủ trì, phối hợp với Cục Văn hóa cơ sở, Thanh tra Bộ và Tổng cục Thể dục thể thao",
        "Việt Nam")]
    assert names == ["Vụ Tổ chức cán bộ", "Cục Văn hóa cơ sở", "Thanh tra Bộ", "Tổng cục Thể dục thể thao"]
    assert [m.name for m in find_agencies("Trung tâm Văn hóa tổ chức các hoạt động", "Nghệ An")] == ["Trung tâm Văn hóa"]


def test_a_fuzzy_match_in_marked_text_respects_the_marks():
    assert "Cục Thuế" not in [m.name for m in find_agencies("Tổng cục Thể dục thể thao hướng dẫn", "Việt Nam")]


def test_bodies_of_the_national_assembly():
    names = [m.name for m in find_agencies("Giao Ủy ban Pháp luật chủ trì thẩm tra, phối hợp với Hội đồng Dân tộc, "
                                           "các Ủy ban của Quốc hội và Văn phòng Quốc hội", "Việt Nam")]
    assert names == ["Ủy ban Pháp luật", "Hội đồng Dân tộc", "Các Ủy ban của Quốc hội", "Văn phòng Quốc hội"]


def test_communes_after_the_two_level_reform():
    import datetime as dt
    text = "Ủy ban nhân dân cấp xã chủ trì; UBND các xã, thị trấn phối hợp"
    assert [m.name for m in find_agencies(text, "Đồng Tháp", as_of=dt.date(2025, 12, 1))] == [
        "Ủy ban nhân dân các xã, phường", "Ủy ban nhân dân các xã, phường, thị trấn"]
    assert [m.name for m in find_agencies(text, "Đồng Tháp", as_of="2024-05-01")][0] == \
        "Ủy ban nhân dân các xã, phường, thị trấn"


def test_one_plural_form_per_level_in_central_documents():
    names = lambda j: [m.name for m in find_agencies("Các bộ, ngành và các địa phương có liên quan; Các địa phương", j)]  # noqa: E731
    assert names("Việt Nam") == ["Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ"] + [
        "Ủy ban nhân dân các tỉnh, thành phố trực thuộc trung ương"] * 2
    assert names("Nghệ An") == ["Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ", "Các địa phương"]


def agency_names(text: str, jurisdiction: str, as_of: str | None = None) -> list[str]:
    """Canonical names of the agencies found in `text`, in order."""
    return [m.name for m in find_agencies(text, jurisdiction, tokenize(text), as_of=as_of)]


def test_a_named_province_keeps_its_name_a_home_province_is_the_documents_own():
    assert agency_names("Ủy ban nhân dân thành phố Hà Nội và UBND Thành phố Hồ Chí Minh chủ trì", "Việt Nam") == [
        "Ủy ban nhân dân thành phố Hà Nội", "Ủy ban nhân dân Thành phố Hồ Chí Minh"]
    assert agency_names("UBND tỉnh Nghệ An phối hợp với UBND tỉnh Hà Tĩnh", "Nghệ An") == [
        "Ủy ban nhân dân tỉnh", "Ủy ban nhân dân tỉnh Hà Tĩnh"]
    assert agency_names("UBND tỉnh Thành Công chủ trì", "Nghệ An") == ["Ủy ban nhân dân tỉnh"]     # no province of that name


@pytest.mark.parametrize("surface,name", [
    ("Ban Chỉ huy Phòng, chống thiên tai và Tìm kiếm cứu nạn tỉnh", "Ban Chỉ huy Phòng, chống thiên tai và Tìm kiếm cứu nạn tỉnh"),
    ("Ban Chỉ huy PCTT và TKCN tỉnh", "Ban Chỉ huy Phòng, chống thiên tai và Tìm kiếm cứu nạn tỉnh"),
    ("Ban Chỉ huy Phòng thủ dân sự tỉnh", "Ban Chỉ huy Phòng thủ dân sự tỉnh"),
    ("Bộ Chỉ huy Bộ đội Biên phòng tỉnh", "Bộ Chỉ huy Bộ đội Biên phòng tỉnh"),
    ("Chánh Văn phòng UBND tỉnh", "Văn phòng Ủy ban nhân dân tỉnh"),
])
def test_civil_defence_disaster_and_office_bodies(surface, name):
    assert agency_names(surface, "Nghệ An") == [name]


@pytest.mark.parametrize("surface,name", [
    ("Sở KH&CN", "Sở Khoa học và Công nghệ"), ("Sở NN&MT", "Sở Nông nghiệp và Môi trường"),
    ("Sở VH,TT&DL", "Sở Văn hóa, Thể thao và Du lịch"), ("Sở KHCN", "Sở Khoa học và Công nghệ"),
])
def test_department_abbreviations(surface, name):
    assert agency_names(surface, "Bắc Ninh", as_of="2025-10-01") == [name]


@pytest.mark.parametrize("surface,name", [
    ("Chi nhánh Ngân hàng Chính sách xã hội tỉnh", "Ngân hàng Chính sách xã hội tỉnh"),
    ("Thuế tỉnh Bắc Ninh", "Thuế tỉnh"), ("Công ty Điện lực Bắc Ninh", "Công ty Điện lực Bắc Ninh"),
    ("Hội LHPN tỉnh", "Hội Liên hiệp Phụ nữ tỉnh"), ("Ủy ban MTTQVN tỉnh", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh"),
])
def test_banks_treasury_tax_power_and_union_abbreviations(surface, name):
    assert agency_names(surface, "Bắc Ninh", as_of="2025-10-01") == [name]


def test_the_tax_word_in_lower_case_is_no_agency():
    assert find_agencies("thuế tỉnh tăng 10%", "Bắc Ninh", tokenize("thuế tỉnh tăng 10%")) == []


@pytest.mark.parametrize("surface,name", [
    ("các cơ quan chuyên môn thuộc UBND tỉnh", "Các cơ quan chuyên môn thuộc Ủy ban nhân dân tỉnh"),
    ("Đoàn đại biểu Quốc hội tỉnh", "Đoàn đại biểu Quốc hội tỉnh"),
    ("Hội đồng Thi đua - Khen thưởng các cấp", "Hội đồng Thi đua - Khen thưởng các cấp"),
])
def test_bodies_that_contain_another_bodys_name(surface, name):
    assert agency_names(surface, "Bắc Ninh", as_of="2025-10-01") == [name]


@pytest.mark.parametrize("text,expected", [
    ("Vụ Pháp chế, Vụ Kế hoạch, Tài chính, Cục Văn hóa cơ sở, Gia đình và Thư viện, Thanh tra Bộ",
     ["Vụ Pháp chế", "Vụ Kế hoạch, Tài chính", "Cục Văn hóa cơ sở, Gia đình và Thư viện", "Thanh tra Bộ"]),
    ("Trung tâm Văn hóa tỉnh, Công an tỉnh", ["Trung tâm Văn hóa tỉnh", "Công an tỉnh"]),
    ("Vụ Pháp chế, Văn phòng Bộ", ["Vụ Pháp chế", "Văn phòng Bộ"]),
])
def test_an_unlisted_name_goes_on_after_a_comma_unless_another_body_starts(text, expected):
    assert agency_names(text, "Việt Nam" if "Bộ" in text else "Nghệ An") == expected


def test_culture_and_sports_apart_from_tourism():
    t = "Sở Văn hóa và Thể thao, Sở Du lịch, Sở Văn hóa, Thể thao và Du lịch"
    assert agency_names(t, "Hà Nội") == [
        "Sở Văn hóa và Thể thao", "Sở Du lịch", "Sở Văn hóa, Thể thao và Du lịch"]


def test_named_provinces_after_a_scoped_body_share_its_head():
    t = "UBND thành phố Hà Nội, Thành phố Hồ Chí Minh và các tỉnh/thành phố khác"
    assert agency_names(t, "Việt Nam") == [
        "Ủy ban nhân dân thành phố Hà Nội", "Ủy ban nhân dân Thành phố Hồ Chí Minh",
        "Ủy ban nhân dân các tỉnh, thành phố trực thuộc trung ương"]
    t = "UBND tỉnh Nghệ An, tỉnh Hà Tĩnh và tỉnh Quảng Trị"
    assert agency_names(t, "Việt Nam") == [
        "Ủy ban nhân dân tỉnh Nghệ An", "Ủy ban nhân dân tỉnh Hà Tĩnh", "Ủy ban nhân dân tỉnh Quảng Trị"]


def test_a_collective_narrowed_up_to_a_proper_name_and_acronyms_kept():
    t = "các Hiệp hội và Doanh nghiệp công nghệ số Việt Nam; Các nhà cung cấp dịch vụ IoT"
    assert agency_names(t, "Việt Nam") == [
        "Các Hiệp hội", "Các doanh nghiệp công nghệ số", "Các nhà cung cấp dịch vụ IoT"]


def test_places_and_things_are_no_bodies_in_an_agency_cell():
    from extractors.tasks import _members
    assert [m.name for m in _members("Bộ Công an, Bộ Từ điển dữ liệu dùng chung; Việt Nam", "Việt Nam")] == ["Bộ Công an"]


def test_a_vague_party_in_an_agency_cell_is_no_body():
    from extractors.tasks import _members
    assert [m.name for m in _members("Bộ Công an\nCác cơ quan liên quan", "Việt Nam")] == ["Bộ Công an"]


@pytest.mark.parametrize("surface,name", [
    ("Văn phòng Tỉnh ủy", "Văn phòng Tỉnh ủy"), ("Ủy ban Kiểm tra Tỉnh ủy", "Ủy ban Kiểm tra Tỉnh ủy"),
    ("Đảng ủy Ủy ban nhân dân tỉnh", "Đảng ủy Ủy ban nhân dân tỉnh"), ("Tỉnh ủy", "Tỉnh ủy"),
])
def test_a_party_committees_own_bodies_are_not_the_committee(surface, name):
    assert agency_names(surface, "Nghệ An") == [name]


def test_named_provinces_without_their_unit_word_share_the_head():
    assert agency_names("Giao UBND thành phố Hà Nội, Thành phố Hồ Chí Minh, Quảng Ninh, Đà Nẵng chủ trì", "Việt Nam") == [
        "Ủy ban nhân dân thành phố Hà Nội", "Ủy ban nhân dân Thành phố Hồ Chí Minh", "Ủy ban nhân dân tỉnh Quảng Ninh",
        "Ủy ban nhân dân thành phố Đà Nẵng"]
    assert agency_names("Sở Y tế, Quảng Ninh và các đơn vị liên quan", "Quảng Ninh")[:1] == ["Sở Y tế"]


@pytest.mark.parametrize("text, name", [
    ("Cục Bản quyền tác giả, văn học và nghệ thuật chủ trì hướng dẫn", "Cục Bản quyền tác giả, văn học và nghệ thuật"),
    ("giao Vụ Gia đình, trẻ em và bình đẳng giới phối hợp", "Vụ Gia đình, trẻ em và bình đẳng giới"),
    ("Trung tâm Thông tin, lưu trữ và thư viện\n- Chủ trì số hóa tài liệu", "Trung tâm Thông tin, lưu trữ và thư viện"),
])
def test_an_unlisted_name_goes_on_after_a_comma_in_lower_case_to_its_last_pair(text, name):
    assert agency_names(text, "Việt Nam")[0] == name


def test_a_comma_before_other_parties_still_ends_an_unlisted_name():
    assert agency_names("Trung tâm Hỗ trợ doanh nghiệp, các hiệp hội và doanh nghiệp phối hợp", "Việt Nam")[0] == \
        "Trung tâm Hỗ trợ doanh nghiệp"


def test_a_collective_then_a_colon_names_its_provinces():
    assert agency_names("Chủ tịch Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương: Hà Tĩnh, Quảng Trị, Huế "
                        "và Lâm Đồng chủ động phối hợp", "Việt Nam") == [
        "Ủy ban nhân dân các tỉnh, thành phố trực thuộc trung ương", "Ủy ban nhân dân tỉnh Hà Tĩnh",
        "Ủy ban nhân dân tỉnh Quảng Trị", "Ủy ban nhân dân thành phố Huế", "Ủy ban nhân dân tỉnh Lâm Đồng"]


@pytest.mark.parametrize("text, names", [
    ("phối hợp với các bộ, địa phương liên quan", ["Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ",
                                                  "Ủy ban nhân dân các tỉnh, thành phố trực thuộc trung ương"]),
    ("giao các bộ phận chuyên môn rà soát", []),
    ("tinh gọn bộ máy của các bộ, ngành", ["Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ"]),
    ("Ủy ban Kinh tế và Tài chính của Quốc hội, Hội đồng Dân tộc của Quốc hội", ["Ủy ban Kinh tế và Tài chính",
                                                                             "Hội đồng Dân tộc"]),
])
def test_ministries_collective_and_words_that_only_start_like_a_name(text, names):
    assert agency_names(text, "Việt Nam") == names


def test_press_abbreviations_need_capitals():
    assert agency_names("phối hợp với VTV, VOV, TTXVN đưa tin", "Việt Nam") == [
        "Đài Truyền hình Việt Nam", "Đài Tiếng nói Việt Nam", "Thông tấn xã Việt Nam"]


def test_every_provinces_department_is_one_plural_name():
    """"Sở X các tỉnh, thành phố (trực thuộc trung ương)" is every province's department: one plural form
    (ANNOTATION.md, collectives), not a national "Sở X"."""
    assert agency_names("Sở Văn hóa, Thể thao và Du lịch các tỉnh, thành phố trực thuộc trung ương chủ trì",
                        "Việt Nam") == ["Sở Văn hóa, Thể thao và Du lịch các tỉnh, thành phố trực thuộc trung ương"]
    assert agency_names("Sở Y tế các tỉnh, thành phố phối hợp", "Việt Nam") == [
        "Sở Y tế các tỉnh, thành phố trực thuộc trung ương"]
    assert agency_names("Sở Y tế chủ trì", "Nghệ An") == ["Sở Y tế"]


def test_party_groups_of_state_bodies_are_bodies_of_their_own():
    assert agency_names("Đảng đoàn Quốc hội, Tổng Thư ký Quốc hội phối hợp", "Việt Nam") == [
        "Đảng đoàn Quốc hội", "Tổng Thư ký Quốc hội"]


def test_one_named_provinces_department_in_a_central_plan_keeps_its_province():
    assert agency_names("Sở Y tế tỉnh Nghệ An và Sở Y tế thành phố Hà Nội chủ trì", "Việt Nam") == [
        "Sở Y tế tỉnh Nghệ An", "Sở Y tế thành phố Hà Nội"]
    assert agency_names("Sở Y tế tỉnh Nghệ An chủ trì", "Nghệ An") == ["Sở Y tế"]


def test_national_assembly_bodies_by_their_abbreviations():
    assert agency_names("Thường trực HĐDT, UBPL, VPQH phối hợp; UBTVQH cho ý kiến", "Việt Nam") == [
        "Hội đồng Dân tộc", "Ủy ban Pháp luật", "Văn phòng Quốc hội", "Ủy ban Thường vụ Quốc hội"]


def test_named_communes_after_a_commune_collective_and_a_colon():
    """Communes have no gazetteer: capitalised names after "UBND các xã:" are communes of that unit; a
    capitalised verb after the colon names none."""
    got = [m.name for m in find_agencies("12. Ủy ban nhân dân các xã: Gia Thuận, Tân Điền và Tân Phú Đông",
                                         "Đồng Tháp", as_of="2025-11-01")]
    assert got == ["Ủy ban nhân dân các xã, phường", "Ủy ban nhân dân xã Gia Thuận", "Ủy ban nhân dân xã Tân Điền",
                   "Ủy ban nhân dân xã Tân Phú Đông"]
    got = [m.name for m in find_agencies("UBND các phường: Chủ động triển khai kế hoạch", "Đồng Tháp",
                                         as_of="2025-11-01")]
    assert got == ["Ủy ban nhân dân các xã, phường"]


def test_a_match_does_not_run_over_a_sentence_end_into_the_next_item():
    text = ("- Phối hợp với các địa phương liên vùng, liên tỉnh.\n- Ủy ban nhân dân thành phố Hà Nội cần tập trung:\n"
            "Sở Lao động - Thương binh\nvà Xã hội chủ trì.")
    got = [m.name for m in find_agencies(text, "Việt Nam")]
    assert "Tỉnh ủy" not in " ".join(got) and "Ủy ban nhân dân thành phố Hà Nội" in got
    assert "Sở Lao động - Thương binh và Xã hội" in got          # a name wrapped onto the next line still matches


def test_a_ministry_after_a_comma_is_the_next_member_not_a_scope():
    got = [m.name for m in find_agencies("Bộ Công an, Bộ Quốc phòng và các bộ, ngành liên quan", "Việt Nam")]
    assert got[:2] == ["Bộ Công an", "Bộ Quốc phòng"]
    got = [m.name for m in find_agencies("UBND thành phố Hà Nội, Thành phố Hồ Chí Minh chủ trì", "Việt Nam")]
    assert got == ["Ủy ban nhân dân thành phố Hà Nội", "Ủy ban nhân dân Thành phố Hồ Chí Minh"]


def test_a_bare_peoples_council_in_a_central_plan_is_the_provinces_councils():
    assert [m.name for m in find_agencies("Ủy ban nhân dân cấp tỉnh trình Hội đồng nhân dân phê duyệt", "Việt Nam")][1:] \
        == ["Hội đồng nhân dân các tỉnh, thành phố trực thuộc trung ương"]
    assert [m.name for m in find_agencies("trình Hội đồng nhân dân tỉnh Nghệ An", "Việt Nam")] == [
        "Hội đồng nhân dân tỉnh Nghệ An"]
    assert [m.name for m in find_agencies("trình Hội đồng nhân dân phê duyệt", "Nghệ An")] == ["Hội đồng nhân dân tỉnh"]


def test_names_without_a_known_place_keep_what_is_printed():
    """With no jurisdiction (a text of unknown origin) "tỉnh" stays "tỉnh", and the provinces' committees printed
    in full are named in any document."""
    assert [m.name for m in find_agencies("Ủy ban nhân dân tỉnh chịu trách nhiệm", None)] == ["Ủy ban nhân dân tỉnh"]
    full = "Ủy ban nhân dân các tỉnh, thành phố trực thuộc trung ương"
    for place in (None, "Nghệ An", "Việt Nam"):
        assert [m.name for m in find_agencies(full + " chỉ đạo", place)] == [full]
    assert [m.name for m in find_agencies("các địa phương chỉ đạo", "Nghệ An")] != [full]


def test_unlisted_boards_and_specialised_units_are_found():
    assert [m.name for m in find_agencies("Ban quản lý Khu Kinh tế Dung Quất, Ban Quản lý khu Kinh tế chủ trì",
                                          "Quảng Ngãi")] == ["Ban quản lý Khu Kinh tế Dung Quất", "Ban Quản lý khu Kinh tế"]
    assert [m.name for m in find_agencies("phối hợp với cơ quan chuyên môn thuộc UBND tỉnh", "Nghệ An")] == [
        "Các cơ quan chuyên môn thuộc Ủy ban nhân dân tỉnh"]
    assert [m.name for m in find_agencies("các phòng, ban chuyên môn thuộc UBND huyện", "Nghệ An")] == [
        "Các phòng, ban chuyên môn thuộc Ủy ban nhân dân các quận, huyện, thị xã"]


# ---- families from the lm-corpus coverage study (scripts/agency_coverage.py); phrases written for the tests

PROVINCE = "Quảng Trị"


def _names(text: str, jurisdiction: str = PROVINCE, **kw) -> list[str]:
    return [m.name for m in find_agencies(text, jurisdiction, **kw)]


def test_the_provinces_committees_are_a_body_in_a_provincial_plan_too():
    # the central-only collective must not hide "Ủy ban nhân dân" + its plural scope
    assert _names("Đề nghị Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương phối hợp cung cấp số liệu.") == [
        "Ủy ban nhân dân các tỉnh, thành phố trực thuộc trung ương"]
    assert _names("UBND các tỉnh, thành phố trực thuộc trung ương có trách nhiệm báo cáo.") == [
        "Ủy ban nhân dân các tỉnh, thành phố trực thuộc trung ương"]
    assert _names("phối hợp với các địa phương trong vùng") == []          # still no body in a provincial plan
    assert _names("phối hợp với các địa phương trong vùng", "Việt Nam") == [
        "Ủy ban nhân dân các tỉnh, thành phố trực thuộc trung ương"]


@pytest.mark.parametrize("text, name", [
    ("Cục Quản lý thị trường trả lời kiến nghị của doanh nghiệp.", "Cục Quản lý thị trường"),
    ("Cục Đăng kiểm Việt Nam có trách nhiệm kiểm định phương tiện.", "Cục Đăng kiểm Việt Nam"),
    ("Trung tâm Dữ liệu vùng đáp ứng yêu cầu kết nối.", "Trung tâm Dữ liệu vùng"),
    ("Trung tâm Chuyển đổi số tỉnh cấu hình quy trình điện tử.", "Trung tâm Chuyển đổi số tỉnh"),
    ("Chi cục Trồng trọt xem xét hồ sơ đề nghị.", "Chi cục Trồng trọt"),
    ("Vụ Tổ chức cán bộ chủ trì thẩm định.", "Vụ Tổ chức cán bộ"),          # sentence case still goes on
    ("Trung tâm Văn hóa - Thể thao và Truyền thông tỉnh tổ chức hội thi.", "Trung tâm Văn hóa - Thể thao và Truyền thông tỉnh"),
])
def test_an_unlisted_name_stops_before_a_printed_verb(text, name):
    assert _names(text)[0] == name


@pytest.mark.parametrize("text, name", [
    ("Trung tâm Phục vụ hành chính công tỉnh tiếp nhận hồ sơ.", "Trung tâm Phục vụ hành chính công tỉnh"),
    ("nộp hồ sơ tại Trung tâm PVHCC", "Trung tâm Phục vụ hành chính công"),
    ("Giao Văn phòng đăng ký đất đai cung cấp bản trích lục.", "Văn phòng Đăng ký đất đai"),
    ("Văn phòng ĐKĐĐ chủ trì đo đạc.", "Văn phòng Đăng ký đất đai"),
    ("Chi nhánh Văn phòng đăng ký đất đai khu vực III có trách nhiệm lưu hồ sơ.",
     "Chi nhánh Văn phòng Đăng ký đất đai khu vực III"),
    ("Quỹ Bảo vệ môi trường tỉnh cho vay ưu đãi.", "Quỹ Bảo vệ môi trường tỉnh"),
    ("Quỹ BVMT hướng dẫn hồ sơ vay vốn.", "Quỹ Bảo vệ môi trường"),
])
def test_service_centres_land_offices_and_funds(text, name):
    assert _names(text)[0] == name


def test_the_standing_board_of_the_front_acts_for_the_front_committee():
    assert _names("Ban Thường trực Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh chủ trì hội nghị.") == [
        "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh"]
    assert _names("Đề nghị Ban Thường trực Uỷ ban MTTQ tỉnh phối hợp.") == ["Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh"]


def test_the_offices_of_the_councils():
    assert _names("Văn phòng Đoàn đại biểu Quốc hội và Hội đồng nhân dân tỉnh tham mưu.") == [
        "Văn phòng Đoàn đại biểu Quốc hội và Hội đồng nhân dân tỉnh"]       # not the delegation and the council
    assert _names("Văn phòng Đoàn ĐBQH và HĐND tỉnh tổng hợp ý kiến.") == [
        "Văn phòng Đoàn đại biểu Quốc hội và Hội đồng nhân dân tỉnh"]
    assert _names("Văn phòng HĐND - UBND cấp xã tiếp nhận đơn.", as_of="2025-09-01") == [
        "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân các xã, phường"]
    assert _names("Văn phòng HĐND và UBND xã Cam Lộ báo cáo.") == [
        "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân xã Cam Lộ"]


def test_the_tax_authority_by_its_generic_names():
    assert _names("phối hợp với cơ quan thuế rà soát") == ["Cơ quan Thuế"]
    assert _names("cơ quan thuế tỉnh kiểm tra") == ["Thuế tỉnh"]
    assert _names("Ngành Thuế triển khai hóa đơn điện tử") == ["Ngành Thuế"]


@pytest.mark.parametrize("text, name, agency_id", [
    ("báo cáo Kiểm toán nhà nước khu vực II", "Kiểm toán nhà nước khu vực II", "kiem-toan-nha-nuoc-khu-vuc-ii@viet-nam"),
    ("Kho bạc Nhà nước khu vực VII kiểm soát chi", "Kho bạc Nhà nước khu vực VII", None),
    ("Chi cục Thuế khu vực IV phối hợp", "Chi cục Thuế khu vực IV", None),
    ("Chi cục Hải quan khu vực IX hướng dẫn thủ tục", "Chi cục Hải quan khu vực IX", None),
    ("Chi cục Thuế phối hợp", "Chi cục Thuế tỉnh", None),          # without a region: the scope as before
])
def test_a_regional_branch_keeps_its_region(text, name, agency_id):
    m = find_agencies(text, PROVINCE)[0]
    assert m.name == name and (agency_id is None or m.agency_id == agency_id)


def test_the_former_general_departments_are_central_from_march_2025():
    got = find_agencies("Về vấn đề này, Cục Thuế có ý kiến như sau", PROVINCE, as_of="2025-10-01")
    assert [(m.name, m.agency_id) for m in got] == [("Cục Thuế", "cuc-thue@viet-nam")]
    assert _names("Cục Thuế phối hợp kiểm tra", as_of="2024-10-01") == ["Cục Thuế tỉnh"]     # the province's, before
    assert _names("Cục Thuế tỉnh Quảng Trị báo cáo", as_of="2025-10-01") == ["Cục Thuế tỉnh"]  # printed scope kept
    assert _names("Cục Thống kê công bố số liệu", as_of="2025-05-01") == ["Cục Thống kê"]
    rows = {r["name"]: r for r in agency_rows([("cuc-thue@viet-nam", "Cục Thuế", "tax")], PROVINCE)}
    assert rows["Cục Thuế"]["level"] == "central" and rows["Tổng cục Thuế"]["successor_ids"] == ["cuc-thue@viet-nam"]
