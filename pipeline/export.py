"""`kehoach export RUN --format spacy|label-studio -o FILE`: a run's documents with their facts for other tools.

spacy: a DocBin (.spacy), one Doc per document, each fact table's rows as
`doc.spans[table]` with the row's fields as span attributes (pipeline.spacy_component;
needs the [spacy] extra). label-studio: tasks with the facts as pre-annotations,
and the labeling config beside them (pipeline.labelstudio).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

EPILOG = """\
examples:
  kehoach export outputs/latest --format spacy -o outputs/latest.spacy
  kehoach export outputs/latest --format label-studio -o review/tasks.json   # + review/tasks.config.xml
  kehoach eval outputs/latest --gold review/export.json                      # after the review

exit status: 0 written; 2 not a run, a --doc that names no document, or spaCy not installed.
"""


def add_parser(sub) -> None:
    p = sub.add_parser("export", help="write a run's documents and facts for spaCy or Label Studio",
                       description="Write every document of a run with its facts: a spaCy DocBin (spans per "
                                   "table) or Label Studio tasks with the facts as pre-annotations.",
                       formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG)
    p.add_argument("run", metavar="RUN", help="a run folder written by `kehoach run`")
    p.add_argument("--format", required=True, choices=["spacy", "label-studio"], help="what to write")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="the file to write (.spacy or .json)")
    p.add_argument("--doc", action="append", metavar="DOC",
                   help="only this document: doc_id, source path or file name (repeatable; default: all)")
    p.add_argument("--lang", choices=["xx", "vi"], default="xx",
                   help="spacy: the tokenizer of the Docs; xx (syllables, default) or vi (pyvi words, needs pyvi)")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from .facts import run_facts
    from .load import RunError, load_run

    try:
        run = load_run(args.run)
        docs = run_facts(run, args.doc)
    except RunError as err:
        print(f"kehoach export: {err}", file=sys.stderr)
        return 2
    except KeyError as err:
        print(f"kehoach export: no document of {args.run} matches {err.args[0]}", file=sys.stderr)
        return 2
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    if args.format == "spacy":
        try:
            from .spacy_component import write_docbin
        except ImportError as err:
            print(f"kehoach export: spaCy is not installed ({err}); install it with pip install -e '.[spacy]'",
                  file=sys.stderr)
            return 2
        try:
            n = write_docbin(docs, out, args.lang)
        except ImportError as err:           # --lang vi without pyvi
            print(f"kehoach export: {err}", file=sys.stderr)
            return 2
        print(f"{len(docs)} document(s), {n} spans written to {out}", file=sys.stderr)
        return 0
    from .labelstudio import write_tasks
    from .process import PIPELINE_VERSION

    config, n = write_tasks(docs, out, f"kehoach {run.manifest.get('pipeline_version') or PIPELINE_VERSION}")
    print(f"{len(docs)} task(s), {n} pre-annotated facts written to {out}; labeling config: {config}",
          file=sys.stderr)
    return 0
