"""Run parameters (params.yaml, shared with DVC) and the hashes of the model files a run used."""
from __future__ import annotations

import datetime
import hashlib
import os
import pickle
import sys
from functools import cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)   # libyaml where PyYAML has it: the same data, faster


def read_yaml(path: Path):
    """A YAML data file (vocabularies, params) as Python data, like yaml.safe_load.

    The data is kept pickled beside the file, as Python keeps bytecode: `__pycache__/NAME.DIGEST.pickle`,
    DIGEST from the file's bytes (and the YAML loader), so an edited file is parsed again. Loading the
    pickle costs a twentieth of parsing (0.07 s of every worker's start for the vocabularies). It is
    written where Python would write bytecode (not under PYTHONDONTWRITEBYTECODE; `make setup` writes
    them with `write_yaml_caches`)."""
    path = Path(path)
    data = path.read_bytes()
    cached = _cache_path(path, data)
    try:
        with open(cached, "rb") as f:
            return _DataUnpickler(f).load()
    except Exception:  # none yet, or unreadable: parse the file
        pass
    out = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    if not sys.dont_write_bytecode:
        _write_cache(cached, out)
    return out


def _cache_path(path: Path, data: bytes) -> Path:
    key = hashlib.sha256(data + f"\0{yaml.__version__}\0{_LOADER.__name__}".encode()).hexdigest()[:16]
    return path.parent / "__pycache__" / f"{path.name}.{key}.pickle"


def _write_cache(cached: Path, value) -> None:
    """Write the pickle atomically and remove the file's older ones; a folder that cannot be written is
    left alone (the data is parsed again next time)."""
    try:
        cached.parent.mkdir(exist_ok=True)
        tmp = cached.with_name(f".{cached.name}.{os.getpid()}")
        tmp.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, cached)
        for old in cached.parent.glob(f"{cached.name.rsplit('.', 2)[0]}.*.pickle"):   # NAME.*.pickle
            if old != cached:
                old.unlink(missing_ok=True)
    except OSError:
        pass


class _DataUnpickler(pickle.Unpickler):
    """Plain data only (what safe YAML gives: containers, strings, numbers, dates): a pickle in a cache
    folder cannot make it run code."""

    _ALLOWED = {("datetime", "date"), ("datetime", "datetime"), ("datetime", "timedelta"),
                ("datetime", "timezone")}

    def find_class(self, module: str, name: str):
        if (module, name) in self._ALLOWED:
            return getattr(datetime, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not YAML data")


def write_yaml_caches() -> int:
    """Write the pickles of every vocabulary (extractors/data, pipeline/data) and params.yaml (make setup);
    the number of files."""
    files = [ROOT / "params.yaml", *sorted((ROOT / "extractors" / "data").glob("*.yaml")),
             *sorted((ROOT / "pipeline" / "data").glob("*.yaml"))]
    for f in files:
        if f.exists():
            _write_cache(_cache_path(f, f.read_bytes()), yaml.load(f.read_text(encoding="utf-8"), Loader=_LOADER))
    return len(files)


@cache
def load_params() -> dict:
    p = ROOT / "params.yaml"
    return read_yaml(p) if p.exists() else {}


@cache
def model_hashes() -> dict[str, str]:
    """sha256 (first 16 hex) of every file of the diacritic model, by path under diacritics/data."""
    folder = Path(__file__).resolve().parent.parent / "diacritics" / "data"
    out = {}
    for f in sorted(folder.rglob("*")) if folder.exists() else []:
        if f.is_file():
            h = hashlib.sha256()
            with open(f, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
            out[f.relative_to(folder).as_posix()] = h.hexdigest()[:16]
    return out
