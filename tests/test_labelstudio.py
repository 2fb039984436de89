"""Label Studio: export the seeds run as pre-annotations, review it (accept, remove one fact, add one), eval."""
from __future__ import annotations

import copy
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pipeline import load_run
from pipeline.facts import FACT_TABLES

from _plans import kehoach

ROOT = Path(__file__).resolve().parents[1]
SEED_GOLD = ROOT / "tests" / "gold" / "seeds"


@pytest.fixture(scope="module")
def exported(seeds_run, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("ls") / "tasks.json"
    proc = kehoach("export", str(seeds_run), "--format", "label-studio", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    return out


def _accept(tasks: list[dict]) -> list[dict]:
    """What Label Studio exports when a reviewer submits every pre-annotation as it is."""
    out = copy.deepcopy(tasks)
    for k, t in enumerate(out):
        t["id"] = k + 1
        t["annotations"] = [{"id": 100 + k, "result": copy.deepcopy(t["predictions"][0]["result"]),
                             "was_cancelled": False, "updated_at": "2026-01-02T10:00:00Z"}]
    return out


def _eval(run: Path, gold: Path, tmp: Path) -> dict:
    out = tmp / f"{gold.stem}.metrics.json"
    proc = kehoach("eval", str(run), "--gold", str(gold), "--json", str(out))
    assert proc.returncode == 0, proc.stderr
    return json.loads(out.read_text(encoding="utf-8"))


def test_export_holds_every_fact_as_a_pre_annotation(seeds_run, exported):
    run = load_run(seeds_run)
    tasks = json.loads(exported.read_text(encoding="utf-8"))
    texts = dict(zip(run.texts["doc_id"], run.texts["text"]))
    assert sorted(t["data"]["doc_id"] for t in tasks) == sorted(run.documents["doc_id"])
    for t in tasks:
        text = t["data"]["text"]
        assert text == texts[t["data"]["doc_id"]]
        result = t["predictions"][0]["result"]
        labels = [r for r in result if r["type"] == "labels"]
        areas = {r["id"]: r for r in result if r["type"] == "textarea"}
        assert len(labels) == len(areas) == len({r["id"] for r in labels})
        for r in labels:
            v = r["value"]
            assert v["text"] == text[v["start"]:v["end"]] and len(v["labels"]) == 1
            assert areas[r["id"]]["value"]["start"] == v["start"] and areas[r["id"]]["from_name"] == "fields"
        for table in FACT_TABLES:
            df = run.tables[table]
            assert sum(1 for r in labels if r["value"]["labels"] == [table]) == \
                int((df["doc_id"] == t["data"]["doc_id"]).sum()), table
    config = ET.fromstring(exported.with_name("tasks.config.xml").read_text(encoding="utf-8"))
    assert [l.get("value") for l in config.iter("Label")] == list(FACT_TABLES)
    assert config.find("TextArea").get("perRegion") == "true"


def test_review_round_trip_changes_the_figures_exactly(seeds_run, exported, tmp_path):
    tasks = json.loads(exported.read_text(encoding="utf-8"))
    accepted = tmp_path / "accepted.json"
    accepted.write_text(json.dumps(_accept(tasks), ensure_ascii=False), encoding="utf-8")
    base = _eval(seeds_run, accepted, tmp_path)["accepted"]
    assert set(base) >= {"targets", "assignments", "deadlines", "legal_refs", "tasks"}
    for measure, s in base.items():
        assert (s["precision"], s["recall"], s["tp"]) == (1.0, 1.0, s["n_gold"]), measure
    n_refs, n_targets = base["legal_refs"]["n_gold"], base["targets"]["n_gold"]

    # the reviewer removes a wrong legal reference and adds a target kehoach missed
    edited = _accept(tasks)
    doc = next(t for t in edited if any(r["value"].get("labels") == ["legal_refs"]
                                        for r in t["annotations"][0]["result"] if r["type"] == "labels"))
    result = doc["annotations"][0]["result"]
    gone = next(r["id"] for r in result if r["type"] == "labels" and r["value"]["labels"] == ["legal_refs"])
    doc["annotations"][0]["result"] = [r for r in result if r["id"] != gone]
    text = doc["data"]["text"]
    start = text.index("\n", len(text) // 2) + 1
    end = text.index("\n", start)
    doc["annotations"][0]["result"] += [
        {"id": "added1", "from_name": "label", "to_name": "text", "type": "labels", "origin": "manual",
         "value": {"start": start, "end": end, "text": text[start:end], "labels": ["targets"]}},
        {"id": "added1", "from_name": "fields", "to_name": "text", "type": "textarea", "origin": "manual",
         "value": {"start": start, "end": end, "text": ["indicator: bhyt_coverage\nvalue: 99.5\nunit: percent\n"
                                                        "target_year: 2031"]}}]
    path = tmp_path / "reviewed.json"
    path.write_text(json.dumps(edited, ensure_ascii=False), encoding="utf-8")
    after = _eval(seeds_run, path, tmp_path)["reviewed"]

    refs, targets = after["legal_refs"], after["targets"]
    assert (refs["n_pred"], refs["n_gold"], refs["tp"]) == (n_refs, n_refs - 1, n_refs - 1)
    assert refs["recall"] == 1.0 and refs["precision"] == round((n_refs - 1) / n_refs, 4)
    assert (targets["n_pred"], targets["n_gold"], targets["tp"]) == (n_targets, n_targets + 1, n_targets)
    assert targets["precision"] == 1.0 and targets["recall"] == round(n_targets / (n_targets + 1), 4)
    for measure, s in after.items():
        if measure not in ("legal_refs", "targets"):
            assert s == base[measure], measure

    # the same gold written as folders (tests/gold/dev format) scores the same
    gold_dir = tmp_path / "gold" / "reviewed"
    conv = subprocess.run([sys.executable, "-m", "pipeline.labelstudio", str(path), "--out", str(gold_dir)],
                          cwd=ROOT, capture_output=True, text=True)
    assert conv.returncode == 0, conv.stderr
    assert sorted(p.name for p in gold_dir.iterdir()) == sorted(t["data"]["name"] for t in tasks)
    assert sorted(p.name for p in next(gold_dir.iterdir()).iterdir()) == sorted(f"{t}.yaml" for t in FACT_TABLES)
    assert _eval(seeds_run, gold_dir, tmp_path)["reviewed"] == after


def test_unreviewed_tasks_are_not_gold(seeds_run, exported, tmp_path):
    from pipeline.gold import load_gold

    tasks = _accept(json.loads(exported.read_text(encoding="utf-8")))
    tasks[0]["annotations"] = []
    tasks[1]["annotations"][0]["was_cancelled"] = True
    path = tmp_path / "partial.json"
    path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    gold = load_gold(path)
    assert sorted(g.name for g in gold) == sorted(t["data"]["name"] for t in tasks[2:])
    assert all(set(g.tables) == set(FACT_TABLES) and g.group == "partial" for g in gold)


def test_bad_fields_are_reported_with_the_region(seeds_run, exported, tmp_path):
    tasks = _accept(json.loads(exported.read_text(encoding="utf-8")))
    area = next(r for r in tasks[0]["annotations"][0]["result"] if r["type"] == "textarea")
    area["value"]["text"] = ["target_year: next year"]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    proc = kehoach("eval", str(seeds_run), "--gold", str(path), check=False)
    assert proc.returncode == 2
    assert f"region {area['id']}" in proc.stderr and "target_year" in proc.stderr


def test_eval_over_the_seeds_run_gives_the_test_suite_figures(seeds_run, tmp_path):
    """The seeds' gold keeps bullet section ids; eval scores them as the extractor tests do."""
    from conftest import SEED_IDS, gold_rows
    from pipeline.evaluate import Score, score
    from pipeline.gold import read_run

    figures = _eval(seeds_run, SEED_GOLD, tmp_path)["seeds"]
    run = read_run(seeds_run)
    docs = {Path(d["source_path"]).stem: d["doc_id"] for d in run["documents"]}
    for table, keys in (("assignments", ("agency_name", "role", "section_id")),
                        ("deadlines", ("kind", "date", "date_end", "recurrence"))):
        total = Score(0, 0, 0)
        for seed in SEED_IDS:
            total = total + score([r for r in run[table] if r["doc_id"] == docs[seed]], gold_rows(seed, table), keys)
        s = figures[table]
        assert (s["tp"], s["n_pred"], s["n_gold"]) == (total.tp, total.n_pred, total.n_gold), table
