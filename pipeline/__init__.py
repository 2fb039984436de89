"""kehoach: Vietnamese government plans into Parquet tables. `from pipeline import load_run` opens a run."""
from __future__ import annotations

import os

# Arrow's memory from the C library's allocator, not mimalloc: mimalloc reserves about 1.1 GB of address
# space at its first allocation, which a worker forked after it inherits, so a --max-memory cap
# (RLIMIT_DATA) under ~1.3 GB left a worker no room at all (docs/performance.md). Set before anything
# imports pyarrow (every module of the package is imported after this one); an explicit setting wins.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")

__all__ = ["load_run", "Run", "RunError"]


def __getattr__(name: str):
    # Lazy: pipeline workers import this package and need neither pandas nor DuckDB.
    if name in __all__:
        from . import load

        return getattr(load, name)
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
