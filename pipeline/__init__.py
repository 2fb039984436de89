"""kehoach: Vietnamese government plans into Parquet tables. `from pipeline import load_run` opens a run."""
from __future__ import annotations

__all__ = ["load_run", "Run", "RunError"]


def __getattr__(name: str):
    # Lazy: pipeline workers import this package and need neither pandas nor DuckDB.
    if name in __all__:
        from . import load

        return getattr(load, name)
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
