"""spaCy: the "kehoach" component on real text, and `kehoach export --format spacy` round trip over the seeds run."""
from __future__ import annotations

import subprocess
import sys

import pytest

from pipeline import load_run
from pipeline.facts import FACT_TABLES
from pipeline.schema import ID_COLUMNS

from _plans import PLAN_A, PLAN_B, ROOT, kehoach, run_plans, write_plans

spacy = pytest.importorskip("spacy", reason="spaCy is the [spacy] extra (pip install -e '.[spacy]')")


def _run_rows(run, doc_id: str, table: str) -> list[dict]:
    lengths = {d: len(t) for d, t in zip(run.texts["doc_id"], run.texts["text"])}
    return [r for r in run.tables[table].to_dict("records")
            if r["doc_id"] == doc_id and 0 <= r["char_start"] <= r["char_end"] <= lengths[doc_id]]


def test_component_on_a_plan_gives_the_rows_of_a_run(tmp_path):
    inputs = write_plans(tmp_path / "plans", plan_a=PLAN_A, plan_b=PLAN_B)
    run = load_run(run_plans(inputs, tmp_path / "run"))
    nlp = spacy.blank("vi")                       # pyvi is installed with the dev extra
    nlp.add_pipe("kehoach")                       # registered through the spacy_factories entry point
    assert nlp.pipe_names == ["kehoach"]
    for name, text in (("plan_a.txt", PLAN_A), ("plan_b.txt", PLAN_B)):
        doc = nlp(text)
        d = run.documents[run.documents["source_path"].str.endswith(name)].iloc[0]
        final = run.texts.set_index("doc_id").loc[d["doc_id"], "text"]
        assert doc._.kehoach["doc_id"] == d["doc_id"]             # same bytes, same ids
        for table in FACT_TABLES:
            rows = _run_rows(run, d["doc_id"], table)
            spans = list(doc.spans[table])
            assert len(spans) == len(rows), table
            assert sorted(s.id_ for s in spans) == sorted(r[ID_COLUMNS[table]] for r in rows), table
            by_id = {r[ID_COLUMNS[table]]: r for r in rows}
            for s in spans:
                row = by_id[s.id_]
                assert s.label_ == table
                assert s.start_char <= s._.char_start <= s._.char_end <= s.end_char
                assert " ".join(text[s._.char_start:s._.char_end].split()) == \
                    " ".join(final[row["char_start"]:row["char_end"]].split())
                assert s._.confidence == row["confidence"]
    doc = nlp(PLAN_A)
    [target] = [s for s in doc.spans["targets"] if s._.value == 93.0]
    assert (target._.indicator, target._.unit, target._.target_year) == ("bhyt_coverage", "percent", 2024)
    roles = {(s._.agency_name, s._.role) for s in doc.spans["assignments"]}
    assert ("Sở Y tế", "lead") in roles
    [due] = [s for s in doc.spans["deadlines"] if s._.date == "2024-12-15"]
    assert due._.kind == "due" and "15/12/2024" in due.text
    [ref] = list(doc.spans["legal_refs"])
    assert ref._.canonical_id == "28-NQ/TW" and ref._.kehoach["relation"] == ref._.relation


def test_component_maps_offsets_back_through_markdown_and_restoration():
    text = ("# KẾ HOẠCH\n\n## I. MỤC TIÊU\n\n1. **Ty le bao phu bao hiem y te dat 95% dan so** vao nam 2025.\n"
            "2. Căn cứ Nghị quyết số 28-NQ/TW ngày 23/5/2018 của Ban Chấp hành Trung ương.\n")
    nlp = spacy.blank("xx")
    nlp.add_pipe("kehoach", config={"source_name": "plan.md"})
    doc = nlp(text)
    [ref] = list(doc.spans["legal_refs"])
    assert doc.text[ref._.char_start:ref._.char_end].endswith("28-NQ/TW") and ref.text == ref.text.strip()
    targets = list(doc.spans["targets"])
    assert targets and all("95%" in doc.text[s._.char_start:s._.char_end] or s._.value != 95.0 for s in targets)
    assert any(s._.value == 95.0 for s in targets)
    assert doc._.kehoach["diacritics_restored"]           # the spans point at the unmarked words of doc.text
    assert all(doc.text[s._.char_start:s._.char_end] in text for s in targets)


def test_blank_vietnamese_needs_pyvi_so_blank_falls_back_to_xx():
    code = ("import sys; sys.modules['pyvi'] = None\n"
            "import spacy\n"
            "try:\n    spacy.blank('vi'); print('vi ok')\nexcept ImportError as e:\n    print('vi needs pyvi')\n"
            "from pipeline.spacy_component import blank\n"
            "nlp = blank(); nlp.add_pipe('kehoach', config={'restore': False}); print(nlp.lang)\n"
            "doc = nlp('Sở Y tế chủ trì, báo cáo trước ngày 15/12/2024.'); print(len(doc.spans['deadlines']))\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["vi", "needs", "pyvi", "xx", "1"]


def test_docbin_round_trip_equals_the_run(seeds_run, tmp_path):
    out = tmp_path / "seeds.spacy"
    proc = kehoach("export", str(seeds_run), "--format", "spacy", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    from spacy.tokens import DocBin

    from pipeline.spacy_component import read_docbin

    run = load_run(seeds_run)
    texts = dict(zip(run.texts["doc_id"], run.texts["text"]))
    assert len(DocBin().from_disk(out)) == len(run.documents)
    docs = read_docbin(out)                        # a fresh vocab: everything comes from the file
    assert sorted(d._.kehoach["doc_id"] for d in docs) == sorted(run.documents["doc_id"])
    total = 0
    for doc in docs:
        doc_id = doc._.kehoach["doc_id"]
        assert doc.text == texts[doc_id]
        for table in FACT_TABLES:
            rows = _run_rows(run, doc_id, table)
            spans = list(doc.spans[table])
            idc = ID_COLUMNS[table]
            assert len(spans) == len(rows), (doc_id, table)
            assert sorted((s._.kehoach[idc], s._.char_start, s._.char_end) for s in spans) == \
                sorted((r[idc], r["char_start"], r["char_end"]) for r in rows), (doc_id, table)
            for s in spans:
                assert s.start_char <= s._.char_start <= s._.char_end <= s.end_char
                assert s.label_ == table
            total += len(spans)
        if doc.spans["assignments"]:
            s = doc.spans["assignments"][0]
            row = next(r for r in _run_rows(run, doc_id, "assignments") if r["assignment_id"] == s._.assignment_id)
            assert (s._.agency_name, s._.role, s._.task) == (row["agency_name"], row["role"], row["task"])
    assert total == sum(len(_run_rows(run, d, t)) for d in texts for t in FACT_TABLES) > 500


def test_the_core_run_does_not_import_spacy(tmp_path):
    inputs = write_plans(tmp_path / "plans", plan_a=PLAN_A)
    code = ("import sys\nfrom pipeline.cli import main\n"
            f"main(['run', {str(inputs)!r}, '--out', {str(tmp_path / 'run')!r}, '-q', '--workers', '1'])\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'spacy', 'thinc', 'pyvi'}))\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "[]"
    assert (tmp_path / "run" / "targets.parquet").is_file()
