"""Open a run in a notebook: `load_run(DIR)` gives one typed pandas DataFrame per table and SQL over them.

The Parquet files are read with their Arrow schema and mapped to pandas dtypes
that keep nulls and types (Int32, boolean, string, dates as `datetime.date`,
lists as Python lists), so a DataFrame says what the table says. `Run.sql` runs
DuckDB directly over the run's Parquet files, each table a view by its name.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .schema import SCHEMA_VERSION, SCHEMAS


class RunError(ValueError):
    """The folder is not a kehoach run this version can read."""


def _major(version: str) -> str:
    return str(version).split(".", 1)[0]


def table_files(path: Path, table: str) -> Path | None:
    """`DIR/<table>.parquet`, or the folder of parts `DIR/<table>/` written by big runs."""
    single = path / f"{table}.parquet"
    if single.is_file():
        return single
    parts = path / table
    return parts if parts.is_dir() else None


def read_manifest(path: str | Path) -> dict:
    """The run's manifest.json, after checking that this version can read the run."""
    path = Path(path)
    if not path.is_dir():
        raise RunError(f"{path}: no such run folder")
    mf = path / "manifest.json"
    if not mf.is_file():
        raise RunError(f"{path}: not a kehoach run (no manifest.json); write one with `kehoach run INPUT --out {path}`")
    manifest = json.loads(mf.read_text(encoding="utf-8"))
    found = manifest.get("schema_version")
    if found is None or _major(found) != _major(SCHEMA_VERSION):
        raise RunError(
            f"{path} was written with table schema version {found}, and this kehoach reads version "
            f"{_major(SCHEMA_VERSION)}.x (schema {SCHEMA_VERSION}); re-run `kehoach run INPUT --out {path}` "
            f"with this version, or open it with the kehoach version that wrote it "
            f"(pipeline {manifest.get('pipeline_version')})")
    return manifest


def _pandas_dtype(t: pa.DataType):
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return pd.StringDtype()
    if pa.types.is_int32(t):
        return pd.Int32Dtype()
    if pa.types.is_int64(t):
        return pd.Int64Dtype()
    if pa.types.is_boolean(t):
        return pd.BooleanDtype()
    return None  # floats stay float64 (null = NaN); dates become datetime.date objects


def to_pandas(table: pa.Table, schema: pa.Schema) -> pd.DataFrame:
    """An Arrow table as a DataFrame with the dtypes of `schema` (missing columns become nulls)."""
    cols = [table.column(f.name).cast(f.type) if f.name in table.column_names else pa.nulls(table.num_rows, f.type)
            for f in schema]
    df = pa.table(cols, schema=schema).to_pandas(types_mapper=_pandas_dtype, date_as_object=True)
    for f in schema:
        if pa.types.is_list(f.type) or pa.types.is_large_list(f.type):
            df[f.name] = pd.Series([None if v is None else list(v) for v in df[f.name]], dtype="object",
                                   index=df.index)
    return df


def read_table(path: str | Path, table: str) -> pd.DataFrame:
    """One table of a run as a typed DataFrame (empty with the right columns when absent)."""
    schema = SCHEMAS[table]
    src = table_files(Path(path), table)
    data = pq.read_table(src) if src is not None else schema.empty_table()
    return to_pandas(data, schema)


@dataclass
class Run:
    """A run loaded for analysis: `run.targets`, `run.documents`, ... and `run.sql(query)`."""

    path: Path
    manifest: dict
    documents: pd.DataFrame
    texts: pd.DataFrame
    sections: pd.DataFrame
    targets: pd.DataFrame
    assignments: pd.DataFrame
    deadlines: pd.DataFrame
    legal_refs: pd.DataFrame
    tasks: pd.DataFrame
    table_cells: pd.DataFrame
    agencies: pd.DataFrame
    restorations: pd.DataFrame
    errors: pd.DataFrame
    _con: object = field(default=None, repr=False, compare=False)

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        return {name: getattr(self, name) for name in SCHEMAS}

    def __repr__(self) -> str:
        rows = ", ".join(f"{t} {len(df)}" for t, df in self.tables.items())
        return f"Run({str(self.path)!r}: {rows})"

    def connect(self):
        """A DuckDB connection where every table of the run is a view over its Parquet files."""
        if self._con is None:
            import duckdb

            con = duckdb.connect()
            for name in SCHEMAS:
                src = table_files(self.path, name)
                if src is None:
                    continue
                pattern = str(src / "*.parquet") if src.is_dir() else str(src)
                con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{pattern.replace(chr(39), chr(39) * 2)}')")
            self._con = con
        return self._con

    def sql(self, query: str, params: list | dict | None = None) -> pd.DataFrame:
        """Run DuckDB SQL over the run's tables (by name) and return a DataFrame."""
        con = self.connect()
        rel = con.execute(query, params) if params is not None else con.execute(query)
        return rel.df()


def load_run(path: str | Path = "outputs/latest") -> Run:
    """Load every table of the run written to `path` (refuses runs of an incompatible schema version)."""
    path = Path(path)
    manifest = read_manifest(path)
    return Run(path=path.resolve(), manifest=manifest, **{name: read_table(path, name) for name in SCHEMAS})
