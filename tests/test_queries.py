"""The README's example queries (examples/queries/*.sql) over `kehoach run` of the five seeds, with DuckDB."""
from __future__ import annotations

from conftest import ROOT
from pipeline import load_run

QUERIES = ROOT / "examples" / "queries"


def test_plans_000_and_001_cite_the_same_three_2021_plans(seeds_run):
    run = load_run(seeds_run)
    rows = run.sql((QUERIES / "shared_citations.sql").read_text(encoding="utf-8"))
    shared = {r.canonical_id: list(r.citing) for r in rows.itertuples(index=False)}
    for cid in ("192/KH-UBND", "193/KH-UBND", "194/KH-UBND"):
        assert shared[cid] == ["15/KH-UBND", "238/KH-UBND"], cid


def test_citation_join_finds_both_plans_by_canonical_id(seeds_run):
    run = load_run(seeds_run)
    got = run.sql("""
        SELECT r.canonical_id, list(DISTINCT d.doc_number ORDER BY d.doc_number) AS plans
        FROM legal_refs r JOIN documents d USING (doc_id)
        WHERE r.canonical_id IN ('192/KH-UBND', '193/KH-UBND', '194/KH-UBND')
        GROUP BY 1 ORDER BY 1""")
    assert [(c, list(p)) for c, p in got.itertuples(index=False)] == [
        (c, ["15/KH-UBND", "238/KH-UBND"]) for c in ("192/KH-UBND", "193/KH-UBND", "194/KH-UBND")]


def test_led_tasks_query_with_a_parameter(seeds_run):
    con = load_run(seeds_run).connect()
    rows = con.execute((QUERIES / "led_tasks.sql").read_text(encoding="utf-8"),
                       ["Bảo hiểm xã hội Thành phố"]).fetchall()
    by_plan = {}
    for source_path, doc_number, assigned_in, task_section, task in rows:
        by_plan.setdefault(source_path.rsplit("/", 1)[-1][:3], set()).add(task_section)
        assert task
    assert by_plan == {
        "001": {"III.4.-1"},
        "002": {"II.1.b", "II.1.d", "II.1.đ", "II.2.a", "II.2.đ", "II.3.c.-9", "II.3.c.-10"},
        "004": {"III.1.a", "III.4.a.-1", "III.4.a.-2"},
    }
