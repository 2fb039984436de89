"""Plans written for the OCR benchmarks, and page images of them as a scanner would give.

`plan_text(name)` is the source text of an invented plan: `long` (about 10 A4 pages),
`medium` (about 4), `short` (about 2). `render(text, dpi)` lays it out on A4 page images (DejaVu
Serif 12 pt: a serif face with every Vietnamese letter; `layout` also says where each line went);
`save_pdf(pages, path, dpi)` writes them as an image-only PDF, the way corpus/scan-*.pdf was made
(scripts/corpus/make_pdfs.py).
"""
from __future__ import annotations

import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf"
POINT = 12

COMMUNES = ["Tân Lập", "Hòa Bình", "Phú Mỹ", "Thạnh Lộc", "Đông Hưng", "An Khánh", "Bình Minh", "Quảng Phú",
            "Vĩnh Hòa", "Long Thành", "Tiên Phong", "Hưng Đạo", "Cẩm Xuyên", "Ngọc Lặc", "Thiệu Đô", "Yên Lạc",
            "Xuân Trường", "Đức Thắng", "Minh Khai", "Nghĩa Hưng", "Kim Sơn", "Thái Hòa"]
AGENCIES = ["Sở Y tế", "Sở Tài chính", "Sở Giáo dục và Đào tạo", "Sở Nội vụ", "Công an tỉnh",
            "Sở Khoa học và Công nghệ", "Thuế tỉnh", "Sở Văn hóa, Thể thao và Du lịch", "Báo Quảng Trị",
            "Đài Phát thanh và Truyền hình tỉnh", "Liên đoàn Lao động tỉnh", "Hội Nông dân tỉnh",
            "Tỉnh đoàn", "Hội Liên hiệp Phụ nữ tỉnh", "Thanh tra tỉnh", "Sở Công Thương"]
TASKS = ["tuyên truyền, phổ biến chính sách bảo hiểm xã hội tự nguyện đến người lao động khu vực phi chính thức",
         "rà soát, cập nhật danh sách hộ gia đình chưa tham gia bảo hiểm y tế trên địa bàn",
         "kiểm tra việc đóng bảo hiểm xã hội bắt buộc tại các doanh nghiệp có dấu hiệu trốn đóng",
         "hướng dẫn người dân cài đặt và sử dụng ứng dụng VssID để tra cứu quá trình tham gia",
         "tổ chức hội nghị đối thoại với người sử dụng lao động về chính sách bảo hiểm thất nghiệp",
         "bố trí kinh phí hỗ trợ mức đóng bảo hiểm y tế cho người thuộc hộ cận nghèo",
         "vận động học sinh, sinh viên tham gia bảo hiểm y tế theo năm học",
         "thanh tra chuyên ngành về đóng bảo hiểm xã hội, bảo hiểm thất nghiệp",
         "đẩy mạnh giao dịch điện tử trong giải quyết thủ tục hành chính về bảo hiểm",
         "xây dựng chuyên trang, chuyên mục về chính sách bảo hiểm trên báo và đài",
         "chia sẻ dữ liệu dân cư để xác thực thông tin người tham gia bảo hiểm",
         "đôn đốc các đơn vị nợ đóng kéo dài nộp đủ số tiền còn thiếu"]
INDICATORS = [("tỷ lệ bao phủ bảo hiểm y tế đạt", "dân số"),
              ("số người tham gia bảo hiểm xã hội đạt", "lực lượng lao động trong độ tuổi"),
              ("số người tham gia bảo hiểm thất nghiệp đạt", "lực lượng lao động trong độ tuổi"),
              ("tỷ lệ hài lòng của người dân đạt", "số người được khảo sát")]
REFS = ["Nghị quyết số 28-NQ/TW ngày 23/5/2018 của Ban Chấp hành Trung ương",
        "Luật Bảo hiểm xã hội ngày 29 tháng 6 năm 2024",
        "Nghị định số 146/2018/NĐ-CP ngày 17/10/2018 của Chính phủ",
        "Quyết định số 546/QĐ-TTg ngày 29/4/2022 của Thủ tướng Chính phủ",
        "Chỉ thị số 15/CT-UBND ngày 12/3/2024 của Ủy ban nhân dân tỉnh",
        "Thông tư số 30/2020/TT-BYT ngày 31/12/2020 của Bộ Y tế"]


def _header(number: str, title: str) -> list[str]:
    return ["ỦY BAN NHÂN DÂN", "TỈNH QUẢNG TRỊ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc", f"Số: {number}/KH-UBND", "Quảng Trị, ngày 14 tháng 3 năm 2025",
            "KẾ HOẠCH", title]


def _footer() -> list[str]:
    return ["Nơi nhận:", "- Bảo hiểm xã hội Việt Nam;", "- Các sở, ban, ngành;", "- Lưu: VT.",
            "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Trần Văn Hùng"]


SIZES = {"long": (6, 3, 60, 22), "medium": (2, 2, 16, 6), "short": (1, 2, 6, 0)}   # years, indicators, clauses, communes


def plan_text(name: str) -> str:
    """The source text of an invented plan (`long` ~10 pages, `medium` ~4, `short` ~2); deterministic."""
    rnd = random.Random(name)
    n_years, n_indicators, n_clauses, n_communes = SIZES[name]
    number = {"long": "47", "medium": "61", "short": "52"}[name]
    period = "giai đoạn 2025 - 2030" if n_years > 1 else "năm 2025"
    lines = _header(number, "Thực hiện chính sách bảo hiểm xã hội, bảo hiểm y tế, bảo hiểm thất nghiệp trên "
                    f"địa bàn tỉnh {period}")
    for ref in REFS[:3 + 3 * (n_years > 1)]:
        lines.append(f"Căn cứ {ref};")
    lines.append("Ủy ban nhân dân tỉnh ban hành Kế hoạch thực hiện như sau:")
    lines.append("I. MỤC ĐÍCH, YÊU CẦU")
    lines.append("1. Mục đích")
    lines.append("Nâng cao nhận thức của người dân, doanh nghiệp về quyền lợi và trách nhiệm tham gia bảo hiểm.")
    lines.append("2. Chỉ tiêu")
    k = 0
    for year in range(2025, 2025 + n_years):
        for ind, base in INDICATORS[:n_indicators]:
            k += 1
            value = f"{rnd.randint(40, 96)},{rnd.randint(1, 9)}"
            lines.append(f"{chr(ord('a') + (k - 1) % 26)}) Phấn đấu đến năm {year} {ind} {value}% {base}.")
    lines.append("II. NHIỆM VỤ, GIẢI PHÁP")
    for i in range(1, n_clauses + 1):
        lead = AGENCIES[(i * 7) % len(AGENCIES)]
        support = AGENCIES[(i * 3 + 1) % len(AGENCIES)]
        task = TASKS[i % len(TASKS)]
        day, month = rnd.randint(1, 28), rnd.randint(1, 12)
        lines.append(f"{i}. {lead} chủ trì, phối hợp với {support} {task}; hoàn thành trước ngày "
                     f"{day}/{month}/{2025 + i % 3}.")
        if n_clauses > 10 and i % 3 == 0:
            lines.append(f"- Định kỳ hằng quý báo cáo kết quả về Ủy ban nhân dân tỉnh qua Bảo hiểm xã hội tỉnh "
                         f"(nhóm nhiệm vụ số {i}).")
    if n_communes:
        lines.append("III. NHIỆM VỤ CỦA ỦY BAN NHÂN DÂN CÁC XÃ")
        for i, name_ in enumerate(COMMUNES[:n_communes], start=1):
            task = TASKS[(i * 5) % len(TASKS)]
            lines.append(f"{i}. Ủy ban nhân dân xã {name_} {task}; phấn đấu đến năm 2026 tỷ lệ bao phủ bảo hiểm "
                         f"y tế của xã đạt {rnd.randint(88, 99)},{rnd.randint(1, 9)}% dân số.")
    lines.append(f"{'IV' if n_communes else 'III'}. TỔ CHỨC THỰC HIỆN")
    lines.append("1. Bảo hiểm xã hội tỉnh là cơ quan thường trực, theo dõi, đôn đốc việc thực hiện Kế hoạch này; "
                 "tổng hợp báo cáo Ủy ban nhân dân tỉnh trước ngày 15 tháng 12 hằng năm.")
    lines.append("2. Các sở, ban, ngành, Ủy ban nhân dân các xã căn cứ nhiệm vụ được giao triển khai thực hiện; "
                 "trong quá trình thực hiện nếu có vướng mắc, phản ánh về Sở Nội vụ để tổng hợp./.")
    return "\n".join(lines + _footer()) + "\n"


def render(text: str, dpi: int = 300) -> list[Image.Image]:
    """A4 grayscale page images of `text` (lines wrapped to the margins, 1.5 line spacing)."""
    return layout(text, dpi)[0]


def layout(text: str, dpi: int = 300) -> tuple[list[Image.Image], list[tuple[int, int, int, str]]]:
    """The page images of `text` and where each printed line went: (page index, x, y, line)."""
    width, height = round(8.27 * dpi), round(11.69 * dpi)
    size = round(POINT / 72 * dpi)
    font, bold = ImageFont.truetype(FONT, size=size), ImageFont.truetype(FONT_BOLD, size=size)
    margin, step = round(0.9 * dpi), round(size * 1.5)
    pages: list[Image.Image] = []
    placed: list[tuple[int, int, int, str]] = []
    draw, y = None, height

    def put(line: str, face) -> None:
        nonlocal draw, y
        if draw is None or y + step > height - margin:
            pages.append(Image.new("L", (width, height), 255))
            draw, y = ImageDraw.Draw(pages[-1]), margin
        draw.text((margin, y), line, font=face, fill=0)
        placed.append((len(pages) - 1, margin, y, line))
        y += step

    measure = ImageDraw.Draw(Image.new("L", (1, 1)))
    for row in text.splitlines():
        face = bold if row.isupper() or row.split(".")[0] in ("I", "II", "III", "IV", "V") else font
        line = ""
        for w in row.split():
            trial = f"{line} {w}".strip()
            if line and measure.textlength(trial, font=face) > width - 2 * margin:
                put(line, face)
                line = w
            else:
                line = trial
        put(line, face)
    return pages, placed


def save_pdf(pages: list[Image.Image], path: Path, dpi: int = 300) -> None:
    """An image-only PDF (no text layer), one page per image."""
    pages[0].save(path, "PDF", resolution=dpi, save_all=True, append_images=pages[1:])
