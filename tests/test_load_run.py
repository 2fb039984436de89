"""load_run: typed DataFrames, SQL over the Parquet files, and refusal of incompatible runs."""
from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from pipeline import RunError, load_run
from pipeline.run import write_run
from pipeline.schema import SCHEMA_VERSION, SCHEMAS

from _plans import PLAN_A, PLAN_B, run_plans, write_plans

DOC = {"doc_id": "aaaaaaaaaaaaaaaa", "source_path": "plans/kh-45.txt", "source_sha256": "a" * 64,
       "file_type": "txt", "ingest_method": "text", "n_pages": None, "diacritics_restored": True,
       "restored_share": 0.25, "doc_number": "45/KH-UBND", "jurisdiction": "An Giang",
       "issue_date": dt.date(2024, 3, 10), "recipients": ["Sở Y tế", "Bảo hiểm xã hội tỉnh"], "n_chars": 120,
       "pipeline_version": "test", "status": "ok"}
TARGETS = [
    {"target_id": "t1", "doc_id": DOC["doc_id"], "section_id": "I.1", "char_start": 10, "char_end": 20, "page": None,
     "sentence": "s1", "confidence": 0.9, "indicator": "bhyt_coverage", "value": 93.0, "unit": "percent",
     "target_year": 2024, "period_end": dt.date(2024, 12, 31), "kind": "target"},
    {"target_id": "t2", "doc_id": DOC["doc_id"], "section_id": "I.2", "char_start": 30, "char_end": 40, "page": None,
     "sentence": "s2", "confidence": 0.8, "indicator": "bhxh_participation", "value": 35.0, "unit": "percent",
     "target_year": None, "kind": "baseline"},
]
ASSIGNMENTS = [{"assignment_id": "a1", "doc_id": DOC["doc_id"], "section_id": "II.1", "char_start": 50,
                "char_end": 60, "agency_id": "so-y-te-an-giang", "agency_name": "Sở Y tế", "role": "lead",
                "task": "kiểm tra", "task_refs": [], "deadline_ids": ["d1", "d2"]}]


@pytest.fixture(scope="module")
def handmade(tmp_path_factory) -> Path:
    """A run written from hand-made rows (independent of the extractors)."""
    out = tmp_path_factory.mktemp("load") / "run"
    tables = {t: [] for t in SCHEMAS}
    tables.update(documents=[DOC], targets=TARGETS, assignments=ASSIGNMENTS)
    write_run(out, tables, {"schema_version": SCHEMA_VERSION, "pipeline_version": "test"})
    return out


@pytest.fixture(scope="module")
def real_run(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("load_real")
    return run_plans(write_plans(base / "in", plan_a=PLAN_A, plan_b=PLAN_B), base / "run")


def test_one_typed_dataframe_per_table(handmade):
    t = load_run(handmade)
    assert set(t.tables) == set(SCHEMAS)
    for name, schema in SCHEMAS.items():
        assert list(getattr(t, name).columns) == schema.names
    d = t.documents
    assert str(d["n_chars"].dtype) == "Int32" and d["n_chars"].iloc[0] == 120
    assert d["n_pages"].isna().iloc[0]                       # null int stays null, not NaN-float
    assert str(d["diacritics_restored"].dtype) == "boolean"
    assert isinstance(d["doc_id"].dtype, pd.StringDtype)
    assert d["issue_date"].iloc[0] == dt.date(2024, 3, 10)
    assert d["recipients"].iloc[0] == ["Sở Y tế", "Bảo hiểm xã hội tỉnh"]
    assert type(d["recipients"].iloc[0]) is list
    tg = t.targets.set_index("target_id")
    assert tg.loc["t1", "value"] == 93.0 and tg["value"].dtype == "float64"
    assert tg.loc["t1", "period_end"] == dt.date(2024, 12, 31)
    assert pd.isna(tg.loc["t2", "target_year"]) and str(tg["target_year"].dtype) == "Int32"
    assert t.assignments["deadline_ids"].iloc[0] == ["d1", "d2"]
    assert t.assignments["task_refs"].iloc[0] == []
    assert t.errors.empty and list(t.errors.columns) == SCHEMAS["errors"].names


def test_sql_runs_duckdb_over_the_tables_by_name(handmade):
    t = load_run(handmade)
    df = t.sql("""SELECT d.jurisdiction, t.target_year, count(*) AS n, max(t.value) AS top
                  FROM targets t JOIN documents d USING (doc_id)
                  WHERE t.kind = 'target' GROUP BY ALL""")
    assert df.to_dict("records") == [{"jurisdiction": "An Giang", "target_year": 2024, "n": 1, "top": 93.0}]
    leads = t.sql("SELECT agency_name, unnest(deadline_ids) AS d FROM assignments WHERE role = ? ORDER BY d",
                  ["lead"])
    assert leads["d"].tolist() == ["d1", "d2"]
    assert t.sql("SELECT count(*) AS n FROM errors")["n"].iloc[0] == 0


def test_real_run_loads_and_sql_agrees_with_pandas(real_run):
    t = load_run(real_run)
    assert len(t.documents) == 2
    assert t.sql("SELECT count(*) AS n FROM sections")["n"].iloc[0] == len(t.sections) > 0
    per_doc = t.sql("SELECT doc_id, count(*) AS n FROM sections GROUP BY doc_id ORDER BY doc_id")
    assert per_doc.set_index("doc_id")["n"].to_dict() == t.sections.groupby("doc_id").size().to_dict()
    assert all(isinstance(x, dt.date) for x in t.documents["issue_date"].dropna())
    assert all(type(x) is list for x in t.documents["recipients"].dropna())
    assert "documents 2" in repr(t)


def test_refuses_a_run_of_another_major_schema_version(handmade, tmp_path):
    other = tmp_path / "old"
    shutil.copytree(handmade, other)
    mf = json.loads((other / "manifest.json").read_text())
    major = int(SCHEMA_VERSION.split(".")[0])
    mf["schema_version"] = f"{major + 1}.0"
    (other / "manifest.json").write_text(json.dumps(mf))
    with pytest.raises(RunError) as err:
        load_run(other)
    msg = str(err.value)
    assert f"{major + 1}.0" in msg and f"{major}.x" in msg and "kehoach run" in msg

    mf["schema_version"] = f"{major}.99"                        # a newer minor version still loads
    (other / "manifest.json").write_text(json.dumps(mf))
    assert len(load_run(other).targets) == 2


def test_refuses_a_folder_that_is_not_a_run(tmp_path):
    with pytest.raises(RunError, match="no manifest.json"):
        load_run(tmp_path)
    with pytest.raises(RunError, match="no such run folder"):
        load_run(tmp_path / "missing")


def test_a_table_written_as_a_folder_of_parts(handmade, tmp_path):
    parted = tmp_path / "parted"
    shutil.copytree(handmade, parted)
    table = pq.read_table(parted / "targets.parquet")
    (parted / "targets.parquet").unlink()
    (parted / "targets").mkdir()
    pq.write_table(table.slice(0, 1), parted / "targets" / "part-0.parquet")
    pq.write_table(table.slice(1), parted / "targets" / "part-1.parquet")
    t = load_run(parted)
    assert sorted(t.targets["target_id"]) == ["t1", "t2"]
    assert t.sql("SELECT count(*) AS n FROM targets")["n"].iloc[0] == 2
