"""`kehoach diff`: real runs of small plans, one edited between runs; text, JSON and HTML reports."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from pipeline import load_run
from pipeline.diff import diff

from _plans import EDIT, PLAN_A, PLAN_B, PLAN_C, kehoach, run_plans, write_plans

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    """before: plans a, b; again: the same files re-run; after: plan a edited (same path); swapped: b → c."""
    base = tmp_path_factory.mktemp("diff")
    inputs = write_plans(base / "plans", plan_a=PLAN_A, plan_b=PLAN_B)
    out = {"before": run_plans(inputs, base / "before", "--no-cache"),
           "again": run_plans(inputs, base / "again", "--no-cache")}
    write_plans(inputs, plan_a=PLAN_A.replace(*EDIT))
    out["after"] = run_plans(inputs, base / "after", "--no-cache")
    write_plans(inputs, plan_a=PLAN_A)
    (inputs / "plan_b.txt").unlink()
    write_plans(inputs, plan_c=PLAN_C)
    out["swapped"] = run_plans(inputs, base / "swapped", "--no-cache")
    for name, run in out.items():
        assert len(load_run(run).documents) == 2, f"{name}: documents failed"
    return out


@pytest.fixture(scope="module")
def edit_diff(runs):
    return diff(runs["before"], runs["after"])


def _edited_doc(run: Path) -> dict:
    t = load_run(run)
    return t.documents[t.documents["source_path"].str.endswith("plan_a.txt")].iloc[0].to_dict()


def test_identical_runs_diff_to_nothing_with_exit_0(runs):
    proc = kehoach("diff", str(runs["before"]), str(runs["again"]))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "runs are equal" in proc.stdout
    js = kehoach("diff", str(runs["before"]), str(runs["again"]), "--format", "json")
    assert js.returncode == 0
    data = json.loads(js.stdout)
    assert data["equal"] is True and data["changes"] == []


def test_one_edited_document_gives_exactly_the_expected_diff(runs, edit_diff):
    before, after = load_run(runs["before"]), load_run(runs["after"])
    doc_a, doc_b = _edited_doc(runs["before"]), _edited_doc(runs["after"])
    text_a = before.texts.set_index("doc_id").loc[doc_a["doc_id"], "text"]
    pos = text_a.index(EDIT[0])
    secs = before.sections[before.sections["doc_id"] == doc_a["doc_id"]]
    covering = set(secs[(secs["char_start"] <= pos) & (pos < secs["char_end"])]["section_id"])
    assert covering, "the edit lies inside some section"

    d = edit_diff
    assert not d.equal
    assert {c.change for c in d.changes} == {"changed"}, [(c.table, c.change, c.row) for c in d.changes]
    assert {c.doc_id for c in d.changes} == {doc_b["doc_id"]}
    assert all(c.source_path.endswith("plan_a.txt") for c in d.changes)

    by_table: dict[str, list] = {}
    for c in d.changes:
        by_table.setdefault(c.table, []).append(c)
    doc = by_table.pop("documents")
    assert len(doc) == 1
    assert {f["field"]: (f["a"], f["b"]) for f in doc[0].fields} == {
        "doc_id": (doc_a["doc_id"], doc_b["doc_id"]),
        "source_sha256": (doc_a["source_sha256"], doc_b["source_sha256"])}
    texts = by_table.pop("texts")
    assert len(texts) == 1 and {f["field"] for f in texts[0].fields} == {"text", "raw_text"}
    text_field = next(f for f in texts[0].fields if f["field"] == "text")
    assert "93%" in text_field["a"] and "95%" in text_field["b"]
    sections = by_table.pop("sections")
    assert {c.section_id for c in sections} == covering
    for c in sections:
        fields = {f["field"] for f in c.fields}
        assert "text" in fields and fields <= {"text", "heading"}

    # extracted facts: only the edited value may change, and the fact keeps its place
    for table, changes in by_table.items():
        for c in changes:
            assert c.row_id_a is not None and c.row_id != c.row_id_a, (table, c.row_id)
            assert c.section_id in covering, (table, c.section_id)
    targets_a = before.targets[before.targets["doc_id"] == doc_a["doc_id"]]
    if (targets_a["value"] == 93.0).any():
        [t] = by_table.pop("targets")
        fields = {f["field"]: (f["a"], f["b"]) for f in t.fields}
        assert fields["value"] == (93.0, 95.0)
        assert "95%" in t.context
        assert set(fields) <= {"value", "sentence", "indicator_text", "confidence"}
    assert not by_table.get("targets")


def test_added_and_removed_documents_bring_all_their_rows(runs):
    before, swapped = load_run(runs["before"]), load_run(runs["swapped"])
    d = diff(runs["before"], runs["swapped"])
    counts = d.counts()
    gone = before.documents[before.documents["source_path"].str.endswith("plan_b.txt")]["doc_id"].iloc[0]
    new = swapped.documents[swapped.documents["source_path"].str.endswith("plan_c.txt")]["doc_id"].iloc[0]
    assert counts["documents"] == {"added": 1, "removed": 1, "changed": 0}
    for table in ("texts", "sections", "targets", "legal_refs"):
        a, b = before.tables[table], swapped.tables[table]
        assert counts[table]["removed"] == (a["doc_id"] == gone).sum(), table
        assert counts[table]["added"] == (b["doc_id"] == new).sum(), table
        assert counts[table]["changed"] == 0, table
    assert all(c.doc_id in (gone, new) for c in d.changes if c.table != "legal_refs")


def test_text_report_names_document_sentence_and_fields(runs):
    proc = kehoach("diff", str(runs["before"]), str(runs["after"]))
    assert proc.returncode == 1
    quiet = proc.stdout                  # the edit's text changes are one line; the changed fact is listed
    assert re.search(r"^plan_a.txt: text changed in \d+ sections?.*; details with --text$", quiet, re.M)
    assert re.search(r"^targets: 0 added, 0 removed, 1 changed$", quiet, re.M)
    assert "value: 93.0 → 95.0" in quiet and "“Phấn đấu đến năm 2024" in quiet
    assert not re.search(r"^(documents|texts|sections):", quiet, re.M) and "sentence:" not in quiet
    assert quiet.rstrip().splitlines()[-1].startswith("total: 0 added, 0 removed, 1 changed (and ")

    proc = kehoach("diff", str(runs["before"]), str(runs["after"]), "--text")
    assert proc.returncode == 1
    out = proc.stdout
    assert re.search(r"^documents: 0 added, 0 removed, 1 changed$", out, re.M)
    assert re.search(r"^texts: 0 added, 0 removed, 1 changed$", out, re.M)
    assert "plan_a.txt" in out and "plan_b.txt" not in out
    assert re.search(r"source_sha256: \"[0-9a-f]{64}\" → \"[0-9a-f]{64}\"", out)
    assert "93% dân số" in out and "95% dân số" in out
    assert out.rstrip().splitlines()[-1].startswith("total: 0 added, 0 removed,")


def test_json_report_matches_the_diff(runs, edit_diff):
    proc = kehoach("diff", str(runs["before"]), str(runs["after"]), "--format", "json")
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    d = edit_diff
    assert data["equal"] is False and data["counts"] == d.counts()
    assert len(data["changes"]) == len(d.changes)
    assert all({"table", "change", "doc_id", "source_path", "section_id", "context", "fields"} <= set(c)
               for c in data["changes"])


def test_table_option_keeps_only_those_tables(runs, capsys):
    from pipeline.cli import main

    code = main(["diff", str(runs["before"]), str(runs["after"]), "--format", "json", "--table", "sections"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1 and {c["table"] for c in data["changes"]} == {"sections"}
    code = main(["diff", str(runs["before"]), str(runs["after"]), "--table", "errors"])
    assert code == 0 and "runs are equal" in capsys.readouterr().out


def test_not_a_run_exits_2_with_a_message(runs, tmp_path):
    proc = kehoach("diff", str(runs["before"]), str(tmp_path), check=False)
    assert proc.returncode == 2
    assert "not a kehoach run" in proc.stderr and proc.stdout == ""


def _dump_dom(url: str) -> str:
    with tempfile.TemporaryDirectory() as profile:
        proc = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--virtual-time-budget=5000", "--dump-dom", url],
            capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (Debian: apt-get install -y chromium, "
                                               "or `make system-deps` as root)")
def test_html_report_renders_in_headless_chromium_with_filters(runs, edit_diff, tmp_path):
    page = tmp_path / "diff.html"
    proc = kehoach("diff", str(runs["before"]), str(runs["after"]), "--format", "html", "-o", str(page))
    assert proc.returncode == 1
    html = page.read_text(encoding="utf-8")
    assert "<script src" not in html and "<link" not in html      # self-contained
    n_changes = len(edit_diff.changes)
    n_listed = len(edit_diff.listed())
    assert 0 < n_listed < n_changes

    dom = _dump_dom(page.as_uri())
    rows = re.findall(r'<tr class="changed"[^>]*data-table="(\w+)"[^>]*>(.*?)</tr>', dom, re.S)
    assert len(rows) == n_changes                                  # every change is on the page ...
    assert re.search(r'<span id="shown">' + str(n_listed) + "</span>", dom)   # ... text-only ones hidden
    assert 'id="text-summary"' in dom
    sections_row = next(body for table, body in rows if table == "sections")
    assert "<del>" in sections_row and "93%" in sections_row and "95%" in sections_row

    filtered = _dump_dom(page.as_uri() + "#table=texts&text=1")
    visible = re.findall(r'<tr class="changed" data-table="(\w+)"[^>]*data-change="changed"[^>]*?(?<!hidden="")>',
                         filtered)
    hidden = re.findall(r'<tr class="changed" data-table="(\w+)"[^>]*data-change="changed"[^>]* hidden="">', filtered)
    assert visible == ["texts"] and len(hidden) == n_changes - 1
    assert '<span id="shown">1</span>' in filtered
