"""assignments.PLACE_LIST accepts the lines the backtracking pattern it replaced accepted, and fails at once
on a long run of capitalised words that ends in a lower-case one (that took minutes per line)."""
import itertools
import re
import time

from extractors.assignments import PLACE_LIST

BACKTRACKING = re.compile(r"^[\s:]*(?:[A-ZĐÀ-Ỹ][\w'’]*(?:\s+[A-ZĐÀ-Ỹ][\w'’]*)*\s*[,.;:]?\s*)+$")


def test_same_lines_as_the_backtracking_pattern():
    for n in range(7):
        for chars in itertools.product(["A", "b", "Đ", " ", "\n", ",", ":", "'"], repeat=n):
            s = "".join(chars)
            assert bool(PLACE_LIST.match(s)) == bool(BACKTRACKING.match(s)), repr(s)
    for s in [": Hà Nội, Hải Phòng, Đà Nẵng.", "Hà Nội và Huế", "Quảng Trị; Thừa Thiên Huế", "An Giang\n"]:
        assert bool(PLACE_LIST.match(s)) == bool(BACKTRACKING.match(s)), s


def test_long_run_of_names_fails_fast():
    line = " ".join(["Bộ Tài Chính, Ngân Hàng Nhà Nước Việt Nam"] * 6) + " và"
    t = time.perf_counter()
    assert PLACE_LIST.match(line) is None
    assert time.perf_counter() - t < 0.1
