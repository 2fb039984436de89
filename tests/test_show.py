"""`kehoach show`: the seeds run as one HTML page, rendered in headless Chromium (highlights, text, filters)."""
from __future__ import annotations

import html
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from pipeline import load_run
from pipeline.facts import FACT_TABLES, DocFacts
from pipeline.show import report_html

from _plans import kehoach

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (Debian: apt-get install -y "
                                                             "chromium, or `make system-deps` as root)")


def chromium(url: str, *, screenshot: Path | None = None) -> str:
    """The DOM after the page's script ran (and a screenshot when asked)."""
    with tempfile.TemporaryDirectory() as profile:
        what = [f"--screenshot={screenshot}", "--window-size=1400,1000"] if screenshot else ["--dump-dom"]
        proc = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--no-first-run", "--disable-quic", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--virtual-time-budget=5000", *what, url],
            capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def _rows(run) -> dict[str, list[dict]]:
    """Rows of the fact tables whose offsets lie in their document's text."""
    lengths = {d: len(t) for d, t in zip(run.texts["doc_id"], run.texts["text"])}
    out = {}
    for t in FACT_TABLES:
        df = run.tables[t]
        out[t] = [r for r in df.to_dict("records")
                  if not (r["char_start"] is None or r["char_start"] != r["char_start"])
                  and 0 <= r["char_start"] <= r["char_end"] <= lengths.get(r["doc_id"], -1)]
    return out


def _texts(dom: str) -> dict[str, str]:
    """Each document's text as the browser holds it (tags stripped)."""
    return {m.group(1): html.unescape(re.sub(r"<[^>]+>", "", m.group(2)))
            for m in re.finditer(r'<div class="text" id="text-(\w+)">(.*?)</div>', dom, re.S)}


def _doc(text: str, facts: dict[str, list[tuple[int, int]]], restored=()) -> DocFacts:
    d = DocFacts({"doc_id": "d1", "source_path": "mem.txt"}, text, text)
    for t in FACT_TABLES:
        d.facts[t] = [{"doc_id": "d1", "char_start": s, "char_end": e, "confidence": 0.9}
                      for s, e in facts.get(t, [])]
        d.no_offsets[t] = 0
    d.restorations = [{"doc_id": "d1", "char_start": s, "char_end": e, "original": "x", "restored": "y",
                       "confidence": 0.5, "alternatives": []} for s, e in restored]
    d.sections = [{"section_id": "I", "kind": "part", "heading": "I. MỤC TIÊU", "char_start": 0, "char_end": len(text)}]
    return d


def test_crossing_and_equal_spans_nest_or_split():
    text = "I. MỤC TIÊU\nSở Y tế chủ trì, báo cáo trước ngày 15/12/2024 <b>&amp;"
    facts = {"tasks": [(12, 47)], "assignments": [(12, 19)], "deadlines": [(40, 60), (40, 60)],
             "targets": [(0, 5)], "legal_refs": [(25, 25)]}
    page = report_html([_doc(text, facts, restored=[(20, 23), (44, 52)])], "mem")
    body = re.search(r'<div class="text" id="text-d1">(.*?)</div>', page, re.S).group(1)
    assert html.unescape(re.sub(r"<[^>]+>", "", body)) == text
    assert len(re.findall(r"data-row=", body)) == 6                 # one first piece per row
    # the two deadlines crossing the end of the task are split there; so is a restored word
    assert sorted(re.findall(r'data-part="(\d+)"', body)) == sorted(re.findall(r't-deadlines"[^>]*data-row="(\d+)"',
                                                                                body))
    assert body.count('<span class="rs"') == 3
    opened = re.findall(r"<(/?)(mark|span)\b", body)
    depth = []
    for close, tag in opened:                       # well formed
        if close:
            assert depth.pop() == tag
        else:
            depth.append(tag)
    assert not depth


@needs_chromium
def test_seeds_page_renders_every_fact_in_chromium(seeds_run, tmp_path):
    page = tmp_path / "show.html"
    proc = kehoach("show", str(seeds_run), "-o", str(page))
    assert proc.returncode == 0, proc.stderr
    source = page.read_text(encoding="utf-8")
    assert "<script src" not in source and "<link" not in source and "http" not in source.split("<body>")[0]

    run = load_run(seeds_run)
    rows = _rows(run)
    n = sum(len(v) for v in rows.values())
    assert n > 500

    shot = tmp_path / "show.png"
    chromium(page.as_uri(), screenshot=shot)
    assert shot.is_file() and shot.stat().st_size > 20_000 and shot.read_bytes()[:4] == b"\x89PNG"

    dom = chromium(page.as_uri())
    marks = re.findall(r'<mark class="hl t-(\w+)"[^>]*data-row="(\d+)"', dom)
    assert len(marks) == n                                           # one highlight per row with offsets
    assert len({i for _, i in marks}) == n
    for t in FACT_TABLES:
        assert sum(1 for table, _ in marks if table == t) == len(rows[t]), t
    assert f'<span id="shown">{n}</span>' in dom                     # the script ran
    texts = dict(zip(run.texts["doc_id"], run.texts["text"]))
    shown = _texts(dom)
    assert set(shown) == set(texts)
    for doc_id, text in texts.items():
        assert shown[doc_id] == text, doc_id                        # nesting kept the text intact
    n_rs = sum(1 for r in run.restorations.to_dict("records") if r["char_end"] <= len(texts[r["doc_id"]]))
    assert dom.count('<span class="rs"') >= n_rs > 0                 # restored words marked
    assert len(re.findall(r'class="sec k-\w+" data-sec="', dom)) > 100


@needs_chromium
def test_filters_and_row_link_in_the_address(seeds_run, tmp_path):
    page = tmp_path / "show.html"
    kehoach("show", str(seeds_run), "-o", str(page))
    rows = _rows(load_run(seeds_run))
    keep = sum(1 for t in FACT_TABLES if t != "tasks" for r in rows[t] if r["confidence"] >= 0.85)
    dom = chromium(page.as_uri() + "#hide=tasks&conf=0.85")
    assert f'<span id="shown">{keep}</span>' in dom
    visible = re.findall(r'<mark class="hl t-(\w+)"', dom)
    assert len(visible) == keep and "tasks" not in visible
    assert set(re.findall(r'<mark class="hl t-tasks([^"]*)"', dom)) == {" off"}

    target = rows["targets"][0]
    index = next(int(i) for t, i in re.findall(r'<mark class="hl t-(\w+)"[^>]*data-row="(\d+)"', dom) if t == "targets")
    dom = chromium(page.as_uri() + f"#row={index}")
    panel = re.search(r'<aside id="panel">(.*?)</aside>', dom, re.S).group(1)
    assert "<h3>targets</h3>" in panel and target["target_id"] in panel and "indicator" in panel


def test_doc_option_selects_documents(seeds_run, tmp_path):
    run = load_run(seeds_run)
    doc = run.documents.sort_values("source_path").iloc[0]
    page = tmp_path / "one.html"
    proc = kehoach("show", str(seeds_run), "--doc", Path(doc["source_path"]).name, "-o", str(page))
    assert proc.returncode == 0, proc.stderr
    source = page.read_text(encoding="utf-8")
    assert re.findall(r'<section class="doc" id="doc-(\w+)"', source) == [doc["doc_id"]]
    n = sum(1 for t in FACT_TABLES for r in _rows(run)[t] if r["doc_id"] == doc["doc_id"])
    assert len(re.findall(r'data-row="\d+"', source)) == n
    bad = kehoach("show", str(seeds_run), "--doc", "no-such-plan.txt", "-o", str(tmp_path / "x.html"), check=False)
    assert bad.returncode == 2 and "no-such-plan.txt" in bad.stderr
