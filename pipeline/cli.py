"""The `kehoach` command: run, restore, train-diacritics."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

EPILOG_RUN = """\
examples:
  kehoach run corpus/ --out outputs/latest
  kehoach run plans/2024 plans/2025/KH-15.pdf --out outputs/2025 --workers 2
  kehoach run plans/ --out outputs/all --dask tcp://scheduler:8786

re-runs into the same DIR reuse the results of files that did not change (same bytes, same
path, same kehoach code, parameters and model); --no-cache processes every file again.

inputs: .pdf (text layer; scanned pages are OCR'd with tesseract 'vie'), .png/.jpg/.tif,
.txt/.md (UTF-8, UTF-16, cp1258, TCVN3, VNI, VISCII are detected), .docx.
outputs in DIR: documents, texts, sections, targets, assignments, deadlines, legal_refs,
restorations, errors (.parquet) and manifest.json. DIR is replaced only when the run ends.

bad files never stop a run: each gets a row in the errors table (stage, error_type and a
message saying what to do) and a status in documents/manifest.json; a document taking longer
than --timeout seconds is stopped and recorded as failed (error_type timeout), one needing more
than --max-memory fails (error_type memory), and a worker that crashes or is killed is replaced:
the run goes on and writes every other document.

exit status:
  0  every document ok
  1  some documents failed or are partial (outputs still written: see DIR/errors.parquet)
  2  usage error (bad option, missing input path); nothing was written
"""


def _positive_int(value: str) -> int:
    n = int(value)
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return n


def _seconds(value: str) -> float:
    x = float(value)
    if not x >= 0:
        raise argparse.ArgumentTypeError(f"must be a number of seconds >= 0, not {value}")
    return x


def _memory(value: str) -> int:
    """A size in bytes from '2G', '1500M', '512MB', '1.5GB' or a number of bytes; 0 = no limit."""
    text = value.strip().upper().removesuffix("B")
    scale = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}.get(text[-1:], 1)
    try:
        n = float(text[:-1] if scale > 1 else text) * scale
    except ValueError:
        n = -1
    if not n >= 0:
        raise argparse.ArgumentTypeError(f"must be a size such as 2G or 1500M (0 = no limit), not {value}")
    return int(n)


def _cmd_run(args: argparse.Namespace) -> int:
    from .run import run

    try:
        s = run(args.inputs, args.out, workers=args.workers, progress=False if args.quiet else None,
                cache=not args.no_cache, dask=args.dask, timeout=args.timeout or None,
                max_memory=args.max_memory or None)
    except FileNotFoundError as e:
        print(f"kehoach: {e}", file=sys.stderr)
        return 2
    total = s.n_ok + s.n_partial + s.n_failed
    print(f"{total} documents: {s.n_ok} ok, {s.n_partial} partial, {s.n_failed} failed  ({s.seconds:.1f} s)")
    print("rows: " + ", ".join(f"{t} {n}" for t, n in s.rows.items()))
    print(f"written to {s.out}")
    if s.exit_code:
        print(f"see {s.out}/errors.parquet for what failed and what to do", file=sys.stderr)
    return s.exit_code


def _cmd_restore(args: argparse.Namespace) -> int:
    import diacritics

    data = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    from .encodings import EncodingError, decode_text

    try:
        text, _ = decode_text(data)
    except EncodingError as e:
        print(f"kehoach: {args.file}: {e}", file=sys.stderr)
        return 1
    sys.stdout.write(diacritics.restore(text).text)
    return 0


def _cmd_train(args: argparse.Namespace) -> int:
    from diacritics.train import train

    train(args.corpus, args.out)
    return 0


def _cmd_eval(args: argparse.Namespace) -> int:
    import json

    from .gold import evaluate_run, format_report, load_gold, read_run

    if not Path(args.run).is_dir():
        print(f"kehoach eval: {args.run} is not a run directory (write one with `kehoach run ... --out DIR`)",
              file=sys.stderr)
        return 2
    gold = []
    for g in args.gold:
        if not (Path(g).is_dir() or (Path(g).is_file() and g.endswith(".json"))):
            print(f"kehoach eval: gold folder (or Label Studio .json export) {g} not found", file=sys.stderr)
            return 2
        try:
            gold += load_gold(Path(g))
        except ValueError as err:  # a Label Studio export that cannot be read as gold
            print(f"kehoach eval: {err}", file=sys.stderr)
            return 2
    result = evaluate_run(read_run(Path(args.run)), gold)
    print(format_report(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result["groups"], indent=1, sort_keys=True) + "\n", encoding="utf-8")
    if args.details:
        details = result["details"]
        if not args.show_check_rows:      # the check half is scored, never read row by row (tests/gold/dev)
            details = {name: {m: ({k: v for k, v in f.items() if k not in ("false_positives", "missed")}
                                  if isinstance(f, dict) else f) for m, f in d.items()} if d.get("group") in HELD_OUT
                       else d for name, d in details.items()}
        Path(args.details).write_text(json.dumps(details, indent=1, sort_keys=True, ensure_ascii=False)
                                      + "\n", encoding="utf-8")
    return 0


#: Gold groups that are scored, never read row by row (tests/gold/dev/split.yaml).
HELD_OUT = ("check", "holdout")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="kehoach",
        description="Turn Vietnamese government plans (Kế hoạch on BHXH, BHYT, BHTN) into Parquet tables.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Run `kehoach COMMAND --help` for the options of a command.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    r = sub.add_parser("run", help="convert files and folders of plans into Parquet tables",
                       description="Convert plans into Parquet tables (one row per fact, with its source span).",
                       formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG_RUN)
    r.add_argument("inputs", nargs="+", metavar="INPUT", help="files or folders (searched recursively)")
    r.add_argument("--out", required=True, metavar="DIR", help="output directory (replaced atomically)")
    r.add_argument("--workers", type=_positive_int, default=min(4, os.cpu_count() or 1), metavar="N",
                   help="parallel processes (default: %(default)s)")
    r.add_argument("--timeout", type=_seconds, default=600.0, metavar="SECONDS",
                   help="stop a document after this long and record it as failed; 0 = no limit "
                        "(default: %(default)g)")
    r.add_argument("--max-memory", type=_memory, default="2G", metavar="SIZE",
                   help="memory a worker process may use (2G, 1500M; 0 = no limit); a document that needs "
                        "more is recorded as failed (default: 2G)")
    r.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    r.add_argument("--no-cache", action="store_true",
                   help="process every file again (by default files unchanged since the last run into DIR are reused)")
    r.add_argument("--dask", metavar="ADDRESS", default=None,
                   help="run on a Dask cluster: a scheduler address (tcp://host:8786) or 'local'")
    r.set_defaults(func=_cmd_run)

    s = sub.add_parser("restore", help="restore Vietnamese diacritics of a text file (or - for stdin)",
                       description="Print FILE with its lost or garbled Vietnamese marks restored; "
                                   "lines, spacing and punctuation are kept.")
    s.add_argument("file", metavar="FILE", help="text file, or - to read standard input")
    s.set_defaults(func=_cmd_restore)

    t = sub.add_parser("train-diacritics", help="train the diacritic restorer's language model",
                       description="Train the syllable n-gram model from a corpus of correctly marked text.")
    t.add_argument("--corpus", required=True, metavar="PATH", help="UTF-8 text, one paragraph per line (.gz ok)")
    t.add_argument("--out", required=True, metavar="FILE", help="where to write the model")
    t.set_defaults(func=_cmd_train)

    e = sub.add_parser("eval", help="precision, recall and F1 of a run against hand-made gold",
                       description="Score a run against gold folders (tests/gold/dev format, or the seeds' flat "
                                   "files): P/R/F1 per table for each group of the gold (seeds, tune, check).",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       epilog="example:\n  kehoach eval outputs/dev --gold tests/gold/dev --gold tests/gold/seeds")
    e.add_argument("run", metavar="RUN", help="a run directory written by `kehoach run`")
    e.add_argument("--gold", action="append", required=True, metavar="DIR",
                   help="gold folder, or the JSON export of a reviewed Label Studio project (repeatable)")
    e.add_argument("--json", metavar="FILE", help="also write the figures as JSON (a DVC metrics file)")
    e.add_argument("--details", metavar="FILE", help="write per-document figures, false positives and misses "
                   "(for the held-out `check` and `holdout` groups figures only, unless --show-check-rows)")
    e.add_argument("--show-check-rows", action="store_true",
                   help="also list the held-out groups' false positives and misses (spoils the held-out check)")
    e.set_defaults(func=_cmd_eval)

    from .diff import add_parser as add_diff_parser

    add_diff_parser(sub)
    from .export import add_parser as add_export_parser
    from .show import add_parser as add_show_parser

    add_show_parser(sub)
    add_export_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
