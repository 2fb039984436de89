"""A decision that promulgates a plan, written for the tests (invented: no real decision's text).

The decision (three articles, "KT. THỦ TƯỚNG / PHÓ THỦ TƯỚNG" signature, Nơi nhận), then the
attached plan with its own title block, parts I.–III. and a PHỤ LỤC whose task table is
flattened one cell per line with group rows "I", "II".
"""
from __future__ import annotations

from pathlib import Path

import pytest

DEV_PLANS = Path(__file__).resolve().parents[2] / "shared" / "dev-plans" / "text"

HEAD = """THỦ TƯỚNG CHÍNH PHỦ
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Số: 118/QĐ-TTg
Hà Nội, ngày 12 tháng 3 năm 2026
QUYẾT ĐỊNH
Ban hành Kế hoạch hành động nâng cao chất lượng
chăm sóc sức khỏe người cao tuổi giai đoạn 2026 - 2030
THỦ TƯỚNG CHÍNH PHỦ
Căn cứ Luật Tổ chức Chính phủ ngày 18 tháng 02 năm 2025;
Căn cứ Luật Người cao tuổi ngày 23 tháng 11 năm 2009;
Theo đề nghị của Bộ trưởng Bộ Y tế.
QUYẾT ĐỊNH:
Điều 1. Ban hành kèm theo Quyết định này Kế hoạch hành động nâng cao chất lượng chăm sóc sức khỏe người cao tuổi giai đoạn 2026 - 2030.
Điều 2. Quyết định này có hiệu lực thi hành kể từ ngày ký ban hành.
Điều 3. Các Bộ trưởng, Thủ trưởng cơ quan ngang bộ, Chủ tịch Ủy ban nhân dân các tỉnh, thành phố trực thuộc trung ương chịu trách nhiệm thi hành Quyết định này./.
Nơi nhận:
- Ban Bí thư Trung ương Đảng;
- Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ;
- UBND các tỉnh, thành phố trực thuộc trung ương;
- Lưu: VT, KGVX (2).
KT. THỦ TƯỚNG
PHÓ THỦ TƯỚNG
Lê Văn Bình
KẾ HOẠCH
HÀNH ĐỘNG NÂNG CAO CHẤT LƯỢNG CHĂM SÓC SỨC KHỎE NGƯỜI CAO TUỔI GIAI ĐOẠN 2026 - 2030
(Ban hành kèm theo Quyết định số 118/QĐ-TTg ngày 12 tháng 3 năm 2026 của Thủ tướng Chính phủ)
I. MỤC TIÊU
1. Đến năm 2030, 95% người cao tuổi được lập hồ sơ theo dõi sức khỏe.
2. Mỗi xã, phường có ít nhất một câu lạc bộ chăm sóc sức khỏe người cao tuổi.
II. NHIỆM VỤ, GIẢI PHÁP
1. Truyền thông về chăm sóc sức khỏe người cao tuổi
a) Xây dựng bộ tài liệu truyền thông;
b) Tổ chức chiến dịch truyền thông hằng năm.
2. Nâng cao năng lực của mạng lưới y tế cơ sở.
III. TỔ CHỨC THỰC HIỆN
1. Bộ Tài chính bố trí kinh phí thực hiện Kế hoạch.
2. Ủy ban nhân dân các tỉnh, thành phố xây dựng kế hoạch của địa phương.
3. Các bộ, ngành gửi báo cáo kết quả thực hiện về Bộ Y tế trước ngày 15 tháng 12 hằng năm.
4. Bộ Y tế chủ trì, phối hợp với các bộ, ngành, địa phương theo dõi, đôn đốc việc thực hiện Kế hoạch; tổng hợp, báo cáo Thủ tướng Chính phủ.
"""

APPENDIX = """PHỤ LỤC
DANH MỤC NHIỆM VỤ
(Kèm theo Quyết định số 118/QĐ-TTg ngày 12 tháng 3 năm 2026 của Thủ tướng Chính phủ)
STT
Nhiệm vụ
Cơ quan chủ trì
Thời gian hoàn thành
I
Truyền thông
1
Xây dựng bộ tài liệu truyền thông
Bộ Y tế
Quý II/2026
II
Đào tạo
1
Tập huấn cho nhân viên y tế xã
Bộ Y tế
Năm 2027
"""

DECISION = HEAD + APPENDIX

#: Section ids in document order, without the "-" items.
DECISION_IDS = [
    "header", "decision_title", "preamble", "Điều 1", "Điều 2", "Điều 3", "recipients", "signature",
    "title", "I", "I.1", "I.2", "II", "II.1", "II.1.a", "II.1.b", "II.2",
    "III", "III.1", "III.2", "III.3", "III.4", "PL1", "PL1.I", "PL1.II",
]


def dev_plan(stem: str):
    """A real plan of ../shared/dev-plans/text through build_document; skips when it is absent."""
    found = sorted(DEV_PLANS.glob(f"{stem}*.txt")) if DEV_PLANS.is_dir() else []
    if not found:
        pytest.skip(f"../shared/dev-plans/text/{stem}* is not present")
    from pipeline.process import build_document

    return build_document(found[0])
