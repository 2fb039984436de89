"""Rows become Arrow without importing pandas (pipeline.process.arrow_without_pandas), and pandas still works after."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = """
import sys
import pyarrow as pa
from pipeline.process import arrow_without_pandas
arrow_without_pandas()
t = pa.Table.from_pylist([{"a": 1, "b": ["x"]}])
print("pandas" in sys.modules)
print(t.to_pandas().shape, "pandas" in sys.modules)
"""


def test_rows_to_arrow_without_pandas_then_pandas_on_demand():
    out = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["False", "(1, 2) True"]
