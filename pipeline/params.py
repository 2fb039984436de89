"""Run parameters (params.yaml, shared with DVC) and the hashes of the model files a run used."""
from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)   # libyaml where PyYAML has it: the same data, faster


def read_yaml(path: Path):
    """A YAML data file (vocabularies, params) as Python data, like yaml.safe_load."""
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_LOADER)


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
