"""pipeline.params.read_yaml: the parsed data kept pickled in __pycache__, the same as parsing the file."""
from __future__ import annotations

import datetime
import pickle
import sys

import pytest
import yaml

from pipeline import params
from pipeline.params import read_yaml


def test_cached_data_equals_the_parsed_file(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    f = tmp_path / "v.yaml"
    f.write_text("a: [1, 2.5, 'x']\nb: {c: 2025-07-01, d: null}\ne: &x [y]\nf: *x\n", encoding="utf-8")
    first = read_yaml(f)
    assert first == yaml.safe_load(f.read_text(encoding="utf-8"))
    assert first["b"]["c"] == datetime.date(2025, 7, 1)
    pickles = list((tmp_path / "__pycache__").glob("v.yaml.*.pickle"))
    assert len(pickles) == 1
    assert read_yaml(f) == first                      # from the pickle
    f.write_text("a: 2\n", encoding="utf-8")           # an edit: parsed again, the old pickle removed
    assert read_yaml(f) == {"a": 2}
    assert [p.name for p in (tmp_path / "__pycache__").glob("v.yaml.*.pickle")] != [pickles[0].name]
    assert len(list((tmp_path / "__pycache__").glob("v.yaml.*.pickle"))) == 1


def test_nothing_written_under_dont_write_bytecode(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    f = tmp_path / "v.yaml"
    f.write_text("a: 1\n", encoding="utf-8")
    assert read_yaml(f) == {"a": 1}
    assert not (tmp_path / "__pycache__").exists()


def test_a_pickle_that_is_not_data_is_not_loaded(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    f = tmp_path / "v.yaml"
    f.write_text("a: 1\n", encoding="utf-8")
    cached = params._cache_path(f, f.read_bytes())
    cached.parent.mkdir()
    cached.write_bytes(pickle.dumps({"a": sys.exit}))     # a function: refused, the file is parsed
    assert read_yaml(f) == {"a": 1}
    cached.write_bytes(b"not a pickle")
    assert read_yaml(f) == {"a": 1}


def test_the_vocabularies_read_the_same_from_their_pickles(tmp_path, monkeypatch):
    files = [params.ROOT / "params.yaml", *sorted((params.ROOT / "extractors" / "data").glob("*.yaml")),
             *sorted((params.ROOT / "pipeline" / "data").glob("*.yaml"))]
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    for f in files:
        copy = tmp_path / f.name
        copy.write_bytes(f.read_bytes())
        parsed = yaml.safe_load(f.read_text(encoding="utf-8"))
        assert read_yaml(copy) == parsed
        assert read_yaml(copy) == parsed and params._cache_path(copy, copy.read_bytes()).exists()


def test_the_gazetteer_reads_the_same_from_its_pickle(tmp_path, monkeypatch):
    from extractors import agencies

    built = agencies.build_gazetteer()
    cached = tmp_path / "__pycache__" / "agencies.gazetteer.0.pickle"
    monkeypatch.setattr(agencies, "_gazetteer_pickle", lambda: cached)
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    agencies.write_gazetteer_cache()
    with open(cached, "rb") as f:
        loaded = agencies._GazetteerUnpickler(f).load()
    assert loaded == built and list(loaded) == list(built)
    assert all(list(loaded[k]) == list(built[k]) for k in built if isinstance(built[k], (dict, list, tuple)))
    cached.write_bytes(pickle.dumps({"variants": sys.exit}))     # a function: refused
    with open(cached, "rb") as f, pytest.raises(pickle.UnpicklingError):
        agencies._GazetteerUnpickler(f).load()


def test_the_gazetteer_pickle_is_named_by_its_sources():
    from extractors import agencies

    path = agencies._gazetteer_pickle()
    assert path.parent == agencies.DATA / "__pycache__" and path.name.startswith("agencies.gazetteer.")
    assert agencies._gazetteer_pickle() == path
