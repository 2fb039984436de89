"""Arrow schemas of every output table (DESIGN.md, 'Tables'), and row sort keys.

Bump SCHEMA_VERSION when a column is added, removed or changes type; load_run
refuses runs whose major version differs.
"""
from __future__ import annotations

import pyarrow as pa

SCHEMA_VERSION = "1.2"

STR = pa.string()
LIST = pa.list_(pa.string())
I32 = pa.int32()
F64 = pa.float64()
DATE = pa.date32()

PROVENANCE = [
    ("doc_id", STR), ("section_id", STR), ("char_start", I32), ("char_end", I32),
    ("page", I32), ("sentence", STR), ("confidence", F64),
]


def _schema(fields) -> pa.Schema:
    return pa.schema([pa.field(n, t) for n, t in fields])


SCHEMAS: dict[str, pa.Schema] = {
    "documents": _schema([
        ("doc_id", STR), ("source_path", STR), ("source_sha256", STR), ("file_type", STR),
        ("ingest_method", STR), ("n_pages", I32), ("ocr_mean_confidence", F64),
        ("encoding_detected", STR), ("diacritics_restored", pa.bool_()), ("restored_share", F64),
        ("doc_number", STR), ("doc_type", STR), ("issuer", STR), ("issuer_level", STR),
        ("jurisdiction", STR), ("place", STR), ("issue_date", DATE), ("title", STR),
        ("signer_name", STR), ("signer_title", STR), ("recipients", LIST), ("n_chars", I32),
        ("pipeline_version", STR), ("status", STR), ("error", STR),
        ("attached_type", STR), ("attached_title", STR),
    ]),
    "texts": _schema([("doc_id", STR), ("text", pa.large_string()), ("raw_text", pa.large_string())]),
    "sections": _schema([
        ("doc_id", STR), ("section_id", STR), ("parent_id", STR), ("level", I32), ("kind", STR),
        ("label", STR), ("heading", STR), ("text", pa.large_string()), ("char_start", I32),
        ("char_end", I32), ("page_start", I32), ("page_end", I32), ("ordinal", I32),
    ]),
    "targets": _schema([
        ("target_id", STR), *PROVENANCE, ("indicator", STR), ("indicator_text", STR),
        ("value", F64), ("value_max", F64), ("unit", STR), ("comparator", STR), ("base", STR),
        ("population_group", STR), ("geography", STR), ("period_start", DATE), ("period_end", DATE),
        ("target_year", I32), ("assigned_by", STR), ("kind", STR),
    ]),
    "assignments": _schema([
        ("assignment_id", STR), *PROVENANCE, ("agency_id", STR), ("agency_name", STR),
        ("agency_surface", STR), ("agency_type", STR), ("role", STR), ("task", STR),
        ("task_refs", LIST), ("deadline_ids", LIST), ("task_id", STR),
    ]),
    "deadlines": _schema([
        ("deadline_id", STR), *PROVENANCE, ("kind", STR), ("date", DATE), ("date_end", DATE),
        ("time", STR), ("recurrence", STR), ("recurrence_anchor", STR), ("expression", STR),
        ("task", STR), ("agency_ids", LIST), ("task_id", STR),
    ]),
    "tasks": _schema([
        ("task_id", STR), *PROVENANCE, ("number", STR), ("text", STR), ("group", STR),
        ("lead_ids", LIST), ("lead_names", LIST), ("support_ids", LIST), ("support_names", LIST),
        ("deliverable", STR), ("deadline_ids", LIST), ("deadline_text", STR), ("source", STR),
    ]),
    "legal_refs": _schema([
        ("ref_id", STR), *PROVENANCE, ("ref_type", STR), ("number", STR), ("year", I32),
        ("symbol", STR), ("canonical_id", STR), ("issue_date", DATE), ("issuer", STR),
        ("subject", STR), ("article", STR), ("clause", STR), ("point", STR), ("relation", STR),
        ("surface", STR), ("resolved_doc_id", STR),
    ]),
    "table_cells": _schema([
        ("doc_id", STR), ("table_id", STR), ("section_id", STR), ("row", I32), ("col", I32), ("header", STR),
        ("text", STR), ("row_span", I32), ("col_span", I32), ("page", I32), ("char_start", I32),
        ("char_end", I32), ("confidence", F64),
    ]),
    "agencies": _schema([
        ("agency_id", STR), ("name", STR), ("agency_type", STR), ("level", STR), ("jurisdiction", STR),
        ("valid_from", DATE), ("valid_to", DATE), ("predecessor_ids", LIST), ("successor_ids", LIST), ("source", STR),
    ]),
    "restorations": _schema([
        ("doc_id", STR), ("char_start", I32), ("char_end", I32), ("original", STR),
        ("restored", STR), ("confidence", F64), ("alternatives", LIST),
    ]),
    "errors": _schema([
        ("doc_id", STR), ("source_path", STR), ("stage", STR), ("error_type", STR), ("message", STR),
    ]),
}

#: Row order in the Parquet files: deterministic, independent of worker scheduling.
SORT_KEYS: dict[str, list[str]] = {
    "documents": ["doc_id"],
    "texts": ["doc_id"],
    "sections": ["doc_id", "ordinal"],
    "targets": ["doc_id", "char_start", "target_id"],
    "assignments": ["doc_id", "char_start", "assignment_id"],
    "deadlines": ["doc_id", "char_start", "deadline_id"],
    "legal_refs": ["doc_id", "char_start", "ref_id"],
    "tasks": ["doc_id", "char_start", "task_id"],
    "table_cells": ["doc_id", "table_id", "row", "col"],
    "agencies": ["agency_id"],
    "restorations": ["doc_id", "char_start"],
    "errors": ["source_path", "stage", "message"],
}

#: Tables whose rows are shared by documents: one row per key in a run.
UNIQUE_KEYS = {"agencies": "agency_id"}

#: The id column of each extracted table (used by diff to pair rows).
ID_COLUMNS = {
    "documents": "doc_id", "targets": "target_id", "assignments": "assignment_id",
    "deadlines": "deadline_id", "legal_refs": "ref_id", "tasks": "task_id",
}

TABLES = list(SCHEMAS)
