"""Vietnamese diacritic restoration for OCR output and text whose marks were stripped.

    >>> import diacritics
    >>> diacritics.restore("Ke hoach thuc hien").text
    'Kế hoạch thực hiện'

`restore` never raises: text it cannot read comes back unchanged.
"""
from __future__ import annotations

from pathlib import Path

from .detect import needs_restoration
from .restore import DEFAULT_MODEL, Model, RestoreResult, restore_text

__all__ = ["load_model", "restore", "needs_restoration", "RestoreResult", "Model"]

_MODELS: dict[Path, Model] = {}


def load_model(path: str | Path | None = None) -> Model:
    """The model at `path` (default: the one shipped in diacritics/data/model), loaded once per process."""
    key = Path(path or DEFAULT_MODEL).resolve()
    if key not in _MODELS:
        _MODELS[key] = Model(key)
    return _MODELS[key]


def restore(text: str, model: Model | None = None) -> RestoreResult:
    """Restore lost or garbled marks in `text`, keeping everything but the words' letters.

    Returns the restored text, the list of changes (pipeline.model.Restoration,
    offsets into the restored text), whether anything changed, and the share of
    words changed.
    """
    if not isinstance(text, str) or not text:
        return RestoreResult(text if isinstance(text, str) else "")
    model = model or load_model()
    try:
        return restore_text(model, text)
    except MemoryError:  # a memory cap (kehoach run --max-memory) is the caller's to report
        raise
    except Exception:  # noqa: BLE001 - the pipeline must go on; text is kept as it came
        return RestoreResult(text)
