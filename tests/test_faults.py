"""Faults: a run killed with SIGKILL, an extractor that raises, a document that takes too long,
and the exit status of `kehoach run`."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline import process
from pipeline.run import run

ROOT = Path(__file__).resolve().parents[1]
KEHOACH = [sys.executable, "-m", "pipeline.cli"]

PLAN = """ỦY BAN NHÂN DÂN
XÃ SỐ {n}
Số: {n}/KH-UBND

KẾ HOẠCH
Thực hiện bảo hiểm y tế năm 2025

I. MỤC TIÊU
1. Phấn đấu đạt {pct}% dân số tham gia bảo hiểm y tế.
II. TỔ CHỨC THỰC HIỆN
1. Trạm Y tế chủ trì, phối hợp với Bảo hiểm xã hội huyện rà soát hộ gia đình chưa có thẻ.
2. Báo cáo kết quả trước ngày 15/12/2025.
"""

TASKS = ["Tuyên truyền bảo hiểm xã hội tự nguyện", "Phát triển người tham gia bảo hiểm y tế",
         "Kiểm tra việc đóng bảo hiểm thất nghiệp", "Giao chỉ tiêu cho các xã, thị trấn",
         "Báo cáo kết quả thực hiện hằng quý", "Rà soát hộ gia đình chưa có thẻ bảo hiểm",
         "Tổng kết, đánh giá kế hoạch vào cuối năm"]


def write_plans(folder: Path, count: int, repeat: int = 1) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(1, count + 1):
        p = folder / f"ke-hoach-{n:03d}.txt"
        p.write_text(PLAN.format(n=n, pct=50 + n % 45) * repeat, encoding="utf-8")
        paths.append(p)
    return paths


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {str(f.relative_to(folder)): f.read_bytes() for f in sorted(folder.rglob("*")) if f.is_file()}


def children(pid: int) -> set[int]:
    """Live (non-zombie) processes whose parent is `pid`."""
    out = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            out.add(int(stat.parent.name))
    return out


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.glob(f".{out.name}.*"))


def start_run(inputs: Path, out: Path, *flags: str) -> subprocess.Popen:
    return subprocess.Popen([*KEHOACH, "run", str(inputs), "--out", str(out), "-q", *flags], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_sigkill_mid_run_keeps_previous_output_and_next_run_completes(tmp_path):
    inputs, out = tmp_path / "inputs", tmp_path / "run"
    write_plans(inputs, 30, repeat=60)      # long enough (a few seconds) to be killed while processing
    first = subprocess.run([*KEHOACH, "run", str(inputs), "--out", str(out), "-q", "--workers", "2"], cwd=ROOT,
                           capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stderr
    previous = tree_bytes(out)

    # 1. killed while documents are being processed
    proc = start_run(inputs, out, "--workers", "2", "--no-cache")
    deadline = time.monotonic() + 120
    while len(children(proc.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    workers = children(proc.pid)
    assert len(workers) == 2, "the run never started its workers"
    time.sleep(0.3)
    assert proc.poll() is None, "the run ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert tree_bytes(out) == previous
    assert leftovers(out) == []
    deadline = time.monotonic() + 10
    while any(alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(w) for w in workers), "workers outlived the killed run"

    # 2. killed while the tables are being written: a hidden half-written folder, `out` untouched
    (inputs / "ke-hoach-001.txt").write_text(PLAN.format(n=1, pct=99), encoding="utf-8")
    proc = start_run(inputs, out, "--workers", "2")
    while proc.poll() is None and not any(n.startswith(f".{out.name}.tmp-") for n in leftovers(out)):
        time.sleep(0.002)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the run finished before its output was being written"
    assert tree_bytes(out) == previous
    assert leftovers(out) == [f".{out.name}.tmp-{proc.pid}"]

    # 3. the next run completes and removes the stale folder
    last = subprocess.run([*KEHOACH, "run", str(inputs), "--out", str(out), "-q", "--workers", "2"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert last.returncode == 0, last.stderr
    assert leftovers(out) == []
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["inputs"]) == 30 and {f["status"] for f in manifest["inputs"]} == {"ok"}
    assert tree_bytes(out) != previous


def extract(doc):
    """An extractor with a real bug: it looks for a heading the document does not have."""
    start = doc.text.index("PHỤ LỤC KINH PHÍ")
    return [{"doc_id": doc.doc_id, "char_start": start}]


@pytest.mark.parametrize("workers,timeout", [(1, None), (2, 600)], ids=["in-process", "worker-pool"])
def test_failing_extractor_makes_the_document_partial(tmp_path, monkeypatch, workers, timeout):
    docs = write_plans(tmp_path / "inputs", 2)
    clean = run(docs, tmp_path / "clean", workers=1, progress=False, timeout=None)
    monkeypatch.setattr(process, "EXTRACTORS", process.EXTRACTORS + [("budget", __name__)])
    broken = run(docs, tmp_path / "broken", workers=workers, progress=False, timeout=timeout)

    assert (clean.exit_code, broken.exit_code) == (0, 1)
    assert (broken.n_ok, broken.n_partial, broken.n_failed) == (0, 2, 0)
    errors = pq.read_table(broken.out / "errors.parquet").to_pylist()
    assert sorted(e["source_path"] for e in errors) == sorted(map(str, docs))
    for e in errors:
        assert (e["stage"], e["error_type"]) == ("budget", "ValueError")
        assert "budget extractor failed" in e["message"] and "other tables of this document were written" in e["message"]
    for table in ("documents", "texts", "sections", "targets", "assignments", "deadlines", "legal_refs"):
        got = pq.read_table(broken.out / f"{table}.parquet").to_pylist()
        want = pq.read_table(clean.out / f"{table}.parquet").to_pylist()
        if table == "documents":
            assert [d["status"] for d in got] == ["partial", "partial"]
            assert all("budget extractor failed" in d["error"] for d in got)
            got = [{**d, "status": None, "error": None} for d in got]
            want = [{**d, "status": None, "error": None} for d in want]
        assert got == want, table
    assert len(pq.read_table(broken.out / "sections.parquet")) > 0


def test_document_over_the_timeout_is_stopped_and_the_run_goes_on(tmp_path, text_pdf):
    inputs = tmp_path / "inputs"
    good = write_plans(inputs, 2)
    slow = text_pdf(inputs / "2000-trang.pdf", [[f"{TASKS[i % 7]} (trang {i})"] for i in range(1, 2001)],
                    size=(90, 12), font_size=8)
    for workers in ("1", "2"):
        out = tmp_path / f"run-{workers}"
        t = time.monotonic()
        proc = subprocess.run([*KEHOACH, "run", str(inputs), "--out", str(out), "-q", "--workers", workers,
                               "--timeout", "2"], cwd=ROOT, capture_output=True, text=True, timeout=600)
        seconds = time.monotonic() - t
        assert proc.returncode == 1, proc.stderr
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        status = {Path(f["path"]).name: f["status"] for f in manifest["inputs"]}
        assert status == {slow.name: "failed", good[0].name: "ok", good[1].name: "ok"}
        [row] = pq.read_table(out / "errors.parquet").to_pylist()
        assert (row["source_path"], row["stage"], row["error_type"]) == (str(slow), "worker", "timeout")
        assert "stopped after 2 s" in row["message"] and "--timeout" in row["message"]
        assert f"{slow}: [worker] stopped after 2 s" in proc.stderr
        assert seconds < 30


def test_exit_status(tmp_path):
    inputs = tmp_path / "inputs"
    write_plans(inputs, 1)

    def kehoach(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*KEHOACH, *args], cwd=ROOT, capture_output=True, text=True, timeout=300)

    assert kehoach("run", str(inputs), "--out", str(tmp_path / "ok"), "-q").returncode == 0
    (inputs / "rong.txt").write_bytes(b"")
    bad = kehoach("run", str(inputs), "--out", str(tmp_path / "bad"), "-q")
    assert bad.returncode == 1 and (tmp_path / "bad" / "errors.parquet").exists()
    assert "errors.parquet" in bad.stderr
    for args in (["run", str(tmp_path / "khong-co"), "--out", str(tmp_path / "x")],
                 ["run", str(inputs), "--out", str(tmp_path / "x"), "--workers", "0"],
                 ["run", str(inputs), "--out", str(tmp_path / "x"), "--timeout", "-1"],
                 ["run", str(inputs), "--out", str(tmp_path / "x"), "--no-such-flag"],
                 ["run", str(inputs)]):
        r = kehoach(*args)
        assert r.returncode == 2, (args, r.stderr)
        assert r.stderr.strip()
    assert not (tmp_path / "x").exists()
    help_text = kehoach("run", "--help").stdout
    assert "exit status" in help_text and "usage error" in help_text and "--timeout" in help_text
