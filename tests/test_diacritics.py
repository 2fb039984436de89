"""Diacritic restoration on short hand-written Vietnamese (not taken from the seeds)."""
from __future__ import annotations

import filecmp
import random

import pytest

import diacritics
from diacritics.detect import needs_restoration, token_class
from diacritics.inventory import (generated_syllables, is_real_syllable, is_vietnamese_syllable,
                                  normalize_syllable, place_tone, split_tone, strip_marks)


@pytest.fixture(scope="module")
def model():
    return diacritics.load_model()


# --- syllables -------------------------------------------------------------------------

@pytest.mark.parametrize("token", ["hòa", "HÒA", "Nghị", "người", "quý", "giữa", "khuỷu", "ngoài",
                                   "Ủy", "thuở", "nguoi", "KE", "hoach"])
def test_vietnamese_syllables_are_recognized(token):
    assert is_vietnamese_syllable(token)


@pytest.mark.parametrize("token", ["BHXH", "xyz", "UBND", "Covid", "ce", "ngi", "thàt", "hién", "s", "", "2025"])
def test_non_syllables_are_rejected(token):
    assert not is_vietnamese_syllable(token)


def test_real_syllables_need_their_marks():
    assert is_real_syllable("thức") and not is_real_syllable("thuc")
    assert is_real_syllable("ban") and not is_real_syllable("nguoi")


@pytest.mark.parametrize("given,expected", [("hoà", "hòa"), ("thuỷ", "thủy"), ("khoẻ", "khỏe"),
                                            ("HOÀ", "HÒA"), ("quý", "quý"), ("hoàn", "hoàn"),
                                            ("BHXH", "BHXH")])
def test_tone_placement_is_normalized(given, expected):
    assert normalize_syllable(given) == expected


def test_place_tone_and_strip_are_inverse_on_the_inventory():
    sample = sorted(generated_syllables())[::97]
    for syl in sample:
        base, tone = split_tone(syl)
        assert place_tone(base, tone) == syl
    assert strip_marks("Đường Nguyễn Thị Định") == "Duong Nguyen Thi Dinh"


# --- detection -------------------------------------------------------------------------

CORRECT = ("Ủy ban nhân dân tỉnh giao Sở Y tế chủ trì, phối hợp với các đơn vị liên quan "
           "triển khai thực hiện kế hoạch này; báo cáo kết quả trước ngày 15 tháng 12 năm 2024.")


def test_detection_of_correct_stripped_and_ocr_text():
    assert not needs_restoration(CORRECT)
    assert needs_restoration(strip_marks(CORRECT))
    assert needs_restoration("Chuong trinh s6 12 cua Uy ban nhan dan ngdy 05 thang 3 nam 2024 vé viéc "
                             "trién khai K& hoach bao hiém x3 hoi")
    assert not needs_restoration("The committee approved the budget for the next fiscal year.")
    assert not needs_restoration("")


@pytest.mark.parametrize("token,cls", [("S6", "garbled"), ("x3", "garbled"), ("hién", "garbled"),
                                       ("người", "marked"), ("nguoi", "plain"), ("BHXH", "other")])
def test_token_classes(token, cls):
    assert token_class(token) == cls


# --- candidates --------------------------------------------------------------------------

def words(cands):
    return {c.word for c in cands.cands}


def test_stripped_candidates(model):
    assert "người" in words(model.channel.stripped_candidates("nguoi"))
    assert {"đồng", "động", "dòng"} <= words(model.channel.stripped_candidates("dong"))
    assert words(model.channel.stripped_candidates("xyz")) == set()
    assert "hđnd" in words(model.channel.stripped_candidates("HDND"))


@pytest.mark.parametrize("garble,word", [("S6", "số"), ("x3", "xã"), ("ngdy", "ngày"), ("K&", "kế"),
                                         ("Pang", "đảng"), ("hi€u", "hiệu"), ("thirc", "thức"),
                                         ("v4i", "với"), ("HQI", "hội"), ("ctia", "của")])
def test_ocr_channel_candidates(model, garble, word):
    assert word in words(model.channel.search(garble))


def test_channel_candidates_are_real_words(model):
    for c in model.channel.search("d6i").cands:
        assert is_vietnamese_syllable(c.word)


# --- restoration -------------------------------------------------------------------------

SENTENCES = [
    "Ủy ban nhân dân tỉnh ban hành kế hoạch thực hiện chính sách bảo hiểm y tế năm 2024.",
    "Sở Lao động - Thương binh và Xã hội chủ trì, phối hợp với Bảo hiểm xã hội tỉnh kiểm tra việc đóng bảo hiểm.",
    "Tỷ lệ người tham gia bảo hiểm thất nghiệp đạt 35% lực lượng lao động trong độ tuổi.",
    "Các cơ quan, đơn vị báo cáo kết quả thực hiện về Ủy ban nhân dân huyện trước ngày 20 hằng tháng.",
]


@pytest.mark.parametrize("sentence", SENTENCES)
def test_stripped_sentences_are_restored(model, sentence):
    result = diacritics.restore(strip_marks(sentence), model)
    assert result.text == sentence
    assert result.restored and 0 < result.share <= 1


def test_correct_text_passes_through_untouched(model):
    result = diacritics.restore(CORRECT, model)
    assert result.text == CORRECT
    assert result.changes == [] and not result.restored and result.share == 0


def test_case_is_kept(model):
    assert diacritics.restore("KE HOACH TRIEN KHAI", model).text == "KẾ HOẠCH TRIỂN KHAI"
    assert diacritics.restore("Ke hoach cua UBND thanh pho Ha Noi", model).text == \
        "Kế hoạch của UBND thành phố Hà Nội"


def test_codes_numbers_and_abbreviations_stay(model):
    text = "Thuc hien Ke hoach so 238/KH-UBND ve phong chong dich Covid-19 va BHXH, BHYT nam 2021"
    out = diacritics.restore(text, model).text
    for kept in ("238/KH-UBND", "Covid-19", "BHXH, BHYT", "2021"):
        assert kept in out
    assert out.startswith("Thực hiện Kế hoạch số 238/KH-UBND")


def test_garbled_tokens_in_a_correct_line_are_fixed_one_by_one(model):
    text = "Ủy ban nhân dân tỉnh ban hành Kế hoạch s6 12/KH-UBND về bảo hiểm x3 hội."
    result = diacritics.restore(text, model)
    assert result.text == "Ủy ban nhân dân tỉnh ban hành Kế hoạch số 12/KH-UBND về bảo hiểm xã hội."
    assert [(c.original, c.restored) for c in result.changes] == [("s6", "số"), ("x3", "xã")]


def test_ocr_lines_are_restored_with_their_garbles(model):
    text = "Chuong trinh s6 12 cua Uy ban nhan dan ngdy 05 thang 3 nam 2024\nvé viéc trién khai K& hoach"
    out = diacritics.restore(text, model).text
    assert out == ("Chương trình số 12 của Ủy ban nhân dân ngày 05 tháng 3 năm 2024\n"
                   "về việc triển khai Kế hoạch")


def test_changes_point_into_the_output(model):
    text = strip_marks(SENTENCES[1]) + "\n\n" + "S6 nguoi tham gia BHXH"
    result = diacritics.restore(text, model)
    assert result.changes
    for c in result.changes:
        assert result.text[c.char_start:c.char_end] == c.restored
        assert c.original != c.restored
        assert 0.0 <= c.confidence <= 1.0
        assert c.restored not in c.alternatives


# --- decoder internals ---------------------------------------------------------------------

def test_path_scores_are_the_single_query_scores(model):
    """The batch of every n-gram path through a chain gives exactly NgramLM.score's numbers."""
    import numpy as np
    lm, k = model.lm, model.lm.order - 1
    tokens = "ke hoach thuc hien bao hiem xa hoi nam , cua tinh".split()
    cands = [model.channel.stripped_candidates(t).ids or (lm.id(t),) for t in tokens]
    n = np.array([1] * k + [len(c) for c in cands] + [1], dtype=np.int64)
    ids = np.array([lm.bos] * k + [i for c in cands for i in c] + [lm.eos], dtype=np.int64)
    paths = lm.path_scores(n, ids, np.arange(len(n)))
    off = np.cumsum(n) - n
    rng = np.random.default_rng(0)
    checked = 0
    for p in range(k, len(n)):
        for _ in range(20):
            digits = [int(rng.integers(n[p - i])) for i in range(k, -1, -1)]   # oldest first
            index = 0
            for i, d in enumerate(digits):
                index = index * n[p - k + i] + d
            words = [ids[off[p - k + i] + d] for i, d in enumerate(digits)]
            expected = lm.score(np.array([words[:-1]]), np.array([words[-1]]))[0]
            assert paths.score[paths.base[p] + index] == expected
            checked += 1
    assert checked == 20 * (len(n) - k)


def test_top_entries_per_slot_follow_a_stable_sort():
    import numpy as np
    from diacritics.restore import _top
    rng = np.random.default_rng(1)
    n = rng.integers(1, 7, 300)
    off = np.cumsum(n) - n
    slot = np.repeat(np.arange(len(n)), n)
    score = rng.integers(0, 4, int(n.sum())).astype(float)       # many ties
    score[::11] = -np.inf
    order = np.lexsort((-score, slot))
    rank = np.empty(len(score), dtype=np.int64)
    rank[order] = np.arange(len(score)) - off[slot[order]]
    for k in (1, 2, 3):
        assert (_top(score, slot, off, k) == (rank < k)).all()


def test_recombination_keeps_the_best_of_each_history_then_the_beam():
    import numpy as np
    from diacritics.restore import _recombine
    line = np.array([0, 0, 0, 0, 1, 1, 1])
    key = np.array([5, 7, 5, 9, 5, 5, 3], dtype=np.uint64)
    score = np.array([-3.0, -1.0, -2.0, -2.0, -4.0, -4.0, -9.0])
    # line 0: key 5 keeps row 2 (-2 beats -3); rows 2 and 3 tie at -2: key 5 goes first.
    # line 1: rows 4 and 5 share key 5 and tie: the earlier row stays
    assert _recombine(line, key, score, 1).tolist() == [1, 4]
    assert _recombine(line, key, score, 2).tolist() == [1, 2, 4, 6]
    assert _recombine(line, key, score, 4).tolist() == [1, 2, 3, 4, 6]


# --- training ----------------------------------------------------------------------------

def _tiny_corpus(path, lines=600, seed=7):
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as f:
        for _ in range(lines):
            f.write(rng.choice(SENTENCES) + "\n")


def test_training_is_deterministic_and_loadable(tmp_path):
    from diacritics.train import train
    corpus = tmp_path / "corpus.txt"
    _tiny_corpus(corpus)
    a, b = tmp_path / "a", tmp_path / "b"
    train(corpus, a, log=lambda m: None)
    train(corpus, b, log=lambda m: None)
    names = sorted(p.name for p in a.iterdir())
    assert "vocab.tsv" in names and "meta.json" in names
    match, mismatch, errors = filecmp.cmpfiles(a, b, names, shallow=False)
    assert mismatch == [] and errors == []
    small = diacritics.load_model(a)
    out = diacritics.restore(strip_marks(SENTENCES[2]), small).text
    assert out == SENTENCES[2]


def test_a_bigram_model_decodes_too(tmp_path):
    from diacritics.train import train
    corpus = tmp_path / "corpus.txt"
    _tiny_corpus(corpus)
    train(corpus, tmp_path / "m2", {"order": 2}, log=lambda m: None)
    small = diacritics.load_model(tmp_path / "m2")
    assert diacritics.restore(strip_marks(SENTENCES[0]), small).text == SENTENCES[0]


def test_training_command_line(tmp_path):
    from diacritics.train import main
    corpus = tmp_path / "corpus.txt"
    _tiny_corpus(corpus, lines=50)
    assert main(["--corpus", str(corpus), "--out", str(tmp_path / "m")]) == 0
    assert (tmp_path / "m" / "meta.json").exists()


def test_names_whose_only_mark_is_d_stroke_stay_in_correct_text():
    text = "Ủy ban nhân dân xã Ia Đal và xã Ia Tơi phối hợp thực hiện kế hoạch."
    assert diacritics.restore(text).text == text


def test_only_vietnamese_letters_are_offered(model):
    """The corpus holds a few foreign words (ï, ç, ñ): a lone roman numeral of a table row stays "I"."""
    offered = {c.word for s in (model.channel.stripped_candidates("i"), model.channel.search("I")) for c in s.cands}
    assert "ï" not in offered and offered & {"í", "ì", "ị"}
    assert diacritics.restore("Ghi chu\nX\nY\nI\nVung nuoi trong thuy san\n", model).text.split("\n")[3] == "I"


def test_units_and_codes_in_typed_text_are_no_garbles(model):
    text = ("Ủy ban nhân dân các tỉnh, thành phố trực thuộc trung ương chịu trách nhiệm toàn diện về các nhiệm vụ "
            "được giao, báo cáo tình hình và kết quả thực hiện trên địa bàn; lồng ghép các mục tiêu về quản lý chất "
            "lượng môi trường không khí vào các kế hoạch phát triển kinh tế - xã hội của địa phương. Tại thành phố "
            "Hà Nội, nồng độ bụi trung bình năm vào năm 2030 đạt dưới 40 μg/m3 tại các điểm đo của các trạm.")
    assert diacritics.restore(text, model).text == text
