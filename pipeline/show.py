"""`kehoach show RUN [--doc DOC]... -o report.html`: each document's text with every extracted fact highlighted.

One self-contained page (inline CSS and script, no network), in the style of the
diff report. Each fact (targets, assignments, deadlines, legal_refs, tasks) is a
`<mark>` over [char_start, char_end) of `texts.text`, coloured by table; section
headings carry their section id; words changed by diacritic restoration are
underlined. A click on a highlight shows the fields of its row (and of the facts
around it); filters hide tables and facts below a confidence.

Overlapping spans. Spans are nested by start (longer first); a span that
crosses the end of the one it sits in is split there, and the rest continues
after it, so the markup is always well formed. The first piece of a fact carries
`data-row` (one per row), later pieces `data-part`: the number of `data-row`
elements is the number of rows with offsets, and the page's text is exactly
`texts.text`.
"""
from __future__ import annotations

import argparse
import heapq
import html
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .facts import FACT_TABLES, DocFacts, run_facts

#: Nesting order of spans that start and end at the same place (outermost first).
RANK = {"sec": 0, "tasks": 1, "assignments": 2, "legal_refs": 3, "deadlines": 4, "targets": 5, "rs": 6}

#: Sections whose heading is a heading (bold); the others (items, bullets) are list lines.
HEADING_KINDS = {"title", "part", "article", "appendix", "clause", "point"}


@dataclass
class Span:
    start: int
    end: int
    kind: str                 # a fact table, "sec" or "rs"
    index: int                # row index (facts), section or restoration index
    attrs: dict = field(default_factory=dict)


@dataclass
class Node:
    start: int
    end: int
    span: Span | None = None
    first: bool = True
    children: list["Node"] = field(default_factory=list)


def nest(spans: list[Span], length: int) -> Node:
    """A tree of well-nested pieces: a span crossing the end of its container is split at that end."""
    root = Node(0, length)
    heap = [(s.start, -s.end, RANK[s.kind], n, s.start, s.end, True) for n, s in enumerate(spans)]
    heapq.heapify(heap)
    stack = [root]
    while heap:
        start, _, rank, n, s, e, first = heapq.heappop(heap)
        while len(stack) > 1 and stack[-1].end <= start:
            stack.pop()
        top = stack[-1]
        if e > top.end:
            heapq.heappush(heap, (top.end, -e, rank, n, top.end, e, False))
            e = top.end
        node = Node(s, e, spans[n], first)
        top.children.append(node)
        stack.append(node)
    return root


def _e(v) -> str:
    return html.escape("" if v is None else str(v), quote=True)


def summary(table: str, r: dict) -> str:
    """One line that says what a fact is (the highlight's tooltip)."""
    def j(*vals):
        return " ".join(str(v) for v in vals if v not in (None, "", []))

    if table == "targets":
        return j(r.get("indicator"), r.get("comparator"), r.get("value"), r.get("unit"), r.get("target_year"),
                 f"({r.get('kind')})" if r.get("kind") else None)
    if table == "assignments":
        return j(r.get("agency_name"), "—", r.get("role"))
    if table == "deadlines":
        return j(r.get("kind"), r.get("date"), "→ " + str(r["date_end"]) if r.get("date_end") else None,
                 r.get("recurrence"))
    if table == "legal_refs":
        return j(r.get("canonical_id"), r.get("article"), r.get("clause"), r.get("point"),
                 f"({r.get('relation')})" if r.get("relation") else None)
    if table == "tasks":
        return j(r.get("number"), "— lead:", ", ".join(r.get("lead_names") or []) or "∅")
    return ""


def _open(node: Node) -> str:
    s = node.span
    if s.kind == "sec":
        sid = f' data-sec="{_e(s.attrs["section_id"])}"' if node.first else ""
        return f'<span class="sec k-{_e(s.attrs["kind"])}"{sid}>'
    if s.kind == "rs":
        return f'<span class="rs" title="{_e(s.attrs["title"])}">'
    a = s.attrs
    mark = f'data-row="{s.index}"' if node.first else f'data-part="{s.index}"'
    role = f' data-role="{_e(a["role"])}"' if a.get("role") else ""
    return (f'<mark class="{"hl" if node.first else "hl-part"} t-{s.kind}" data-table="{s.kind}" {mark} '
            f'data-conf="{_e(a.get("confidence"))}"{role} title="{_e(s.kind + ": " + a["summary"])}">')


def _close(node: Node) -> str:
    return "</mark>" if node.span.kind in FACT_TABLES else "</span>"


def render(node: Node, text: str, out: list[str]) -> None:
    pos = node.start
    for c in node.children:
        out.append(html.escape(text[pos:c.start], quote=False))
        out.append(_open(c))
        render(c, text, out)
        out.append(_close(c))
        pos = c.end
    out.append(html.escape(text[pos:node.end], quote=False))


def doc_spans(d: DocFacts, first_row: int) -> tuple[list[Span], list[dict]]:
    """The spans of one document (facts numbered from first_row) and the rows for the page's data."""
    spans, rows = [], []
    for table in FACT_TABLES:
        for r in d.facts[table]:
            n = first_row + len(rows)
            fields = {k: v for k, v in r.items() if k != "doc_id"}
            rows.append({"t": table, "f": fields})
            spans.append(Span(r["char_start"], r["char_end"], table, n,
                              {"confidence": r.get("confidence"), "role": r.get("role"),
                               "summary": summary(table, r)}))
    for k, s in enumerate(d.sections):
        h, start = s.get("heading"), s.get("char_start")
        if not h or not isinstance(start, int) or not d.text.startswith(h, start):
            continue
        spans.append(Span(start, start + len(h), "sec", k, {"section_id": s["section_id"], "kind": s.get("kind")}))
    for k, r in enumerate(d.restorations):
        alts = [a for a in (r.get("alternatives") or []) if a != r.get("restored")]
        conf = r.get("confidence")
        title = f"restored: {r.get('original')} → {r.get('restored')}" + (
            f" (confidence {conf:.2f})" if isinstance(conf, float) else "") + (
            f"; also: {', '.join(alts[:5])}" if alts else "")
        spans.append(Span(r["char_start"], r["char_end"], "rs", k, {"title": title}))
    return spans, rows


HTML_STYLE = """
body{margin:0} main{margin:1.5em 400px 3em 1.5em}
.filters{z-index:2} .filters label{white-space:nowrap}
.sw{display:inline-block;width:.9em;height:.9em;border-radius:2px;vertical-align:-.1em;margin-right:.2em}
aside#panel{position:fixed;top:0;right:0;width:370px;height:100vh;overflow:auto;box-sizing:border-box;
  padding:1em;border-left:1px solid #ccc;background:#fafafa;font-size:13px}
aside#panel table{margin:.3em 0 1em} aside#panel th{width:38%;color:#555;font-weight:normal}
aside#panel h3{margin:.6em 0 .2em;font-size:1em} .hint{color:#666}
.doc{border-top:2px solid #444;margin-top:2em;padding-top:.5em} .doc h2{font-size:1.1em;margin:.2em 0}
.meta{color:#555;margin:.2em 0} .counts span{margin-right:1em}
.text{white-space:pre-wrap;font:14px/1.9 system-ui,sans-serif;background:#fff;border:1px solid #e3e3e3;padding:1em}
mark{color:inherit;border-radius:2px;cursor:pointer;padding:0}
.t-targets{background:#cfe8ff;border-bottom:2px solid #0969da}
.t-assignments{background:#fff1b8;border-bottom:2px solid #bf8700}
.t-deadlines{background:#ffd8b5;border-bottom:2px solid #bc4c00}
.t-legal_refs{background:#ead9ff;border-bottom:2px solid #8250df}
.t-tasks{background:#e6f7ea;border-bottom:2px solid #1a7f37}
mark.hl.t-assignments::after{content:attr(data-role);font-size:9px;vertical-align:super;color:#7d4e00;margin-left:1px}
mark.off{background:none!important;border-bottom-color:transparent!important;cursor:auto}
mark.off::after{content:none!important}
mark.sel{outline:2px solid #cf222e}
.sec[data-sec]::before{content:attr(data-sec);font:11px/1.3 monospace;color:#fff;background:#57606a;
  border-radius:3px;padding:0 4px;margin-right:4px;font-weight:normal}
.sec.k-title,.sec.k-part,.sec.k-article,.sec.k-appendix{font-weight:bold}
.rs{text-decoration:underline dotted #cf222e 2px;text-underline-offset:3px}
body.no-rs .rs{text-decoration:none} body.no-sec .sec::before{content:none} body.no-sec .sec{font-weight:inherit}
"""

HTML_SCRIPT = """
const sel = id => document.getElementById(id);
const ROWS = JSON.parse(sel('kh-rows').textContent);
let current = null;
function apply(){
  const hidden = new Set([...document.querySelectorAll('.f-table')].filter(e => !e.checked).map(e => e.value));
  const min = parseFloat(sel('f-conf').value) || 0;
  sel('conf-value').textContent = min.toFixed(2);
  let n = 0;
  for (const el of document.querySelectorAll('mark.hl, mark.hl-part')) {
    const c = el.dataset.conf === '' ? 1 : parseFloat(el.dataset.conf);
    const off = hidden.has(el.dataset.table) || c < min;
    el.classList.toggle('off', off);
    if (!off && el.classList.contains('hl')) n++;
  }
  document.body.classList.toggle('no-rs', !sel('f-rs').checked);
  document.body.classList.toggle('no-sec', !sel('f-sec').checked);
  sel('shown').textContent = n;
  const p = new URLSearchParams();
  if (hidden.size) p.set('hide', [...hidden].join(','));
  if (min > 0) p.set('conf', String(min));
  if (!sel('f-rs').checked) p.set('restored', 'off');
  if (!sel('f-sec').checked) p.set('sections', 'off');
  if (current !== null) p.set('row', current);
  history.replaceState(null, '', p.toString() ? '#' + p.toString() : location.pathname);
}
function fmt(v){
  if (v === null || v === undefined) return '∅';
  if (Array.isArray(v)) return v.length ? v.join('; ') : '[]';
  return String(v);
}
function show(el){
  for (const x of document.querySelectorAll('mark.sel')) x.classList.remove('sel');
  const panel = sel('panel'); panel.replaceChildren();
  current = el.dataset.row ?? el.dataset.part;
  let x = el;
  while (x) {
    if (!x.classList.contains('off')) {
      const i = x.dataset.row ?? x.dataset.part, row = ROWS[+i];
      for (const m of document.querySelectorAll(`[data-row="${i}"],[data-part="${i}"]`)) m.classList.add('sel');
      const h = document.createElement('h3'); h.textContent = row.t; panel.append(h);
      const t = document.createElement('table');
      for (const [k, v] of Object.entries(row.f)) {
        const tr = t.insertRow(); const th = document.createElement('th'); th.textContent = k; tr.append(th);
        tr.insertCell().textContent = fmt(v);
      }
      panel.append(t);
    }
    x = x.parentElement ? x.parentElement.closest('mark.hl, mark.hl-part') : null;
  }
  if (!panel.children.length) panel.innerHTML = '<p class="hint">This fact is filtered out.</p>';
}
document.addEventListener('click', ev => {
  const m = ev.target.closest('mark.hl, mark.hl-part'); if (m) { show(m); apply(); }
});
const h = new URLSearchParams(location.hash.slice(1));
const hide = new Set((h.get('hide') || '').split(',').filter(Boolean));
for (const e of document.querySelectorAll('.f-table')) e.checked = !hide.has(e.value);
if (h.get('conf')) sel('f-conf').value = h.get('conf');
if (h.get('restored') === 'off') sel('f-rs').checked = false;
if (h.get('sections') === 'off') sel('f-sec').checked = false;
for (const e of document.querySelectorAll('.filters input')) e.addEventListener('input', apply);
const linked = h.get('row') !== null && document.querySelector(`mark[data-row="${CSS.escape(h.get('row'))}"]`);
apply();
if (linked) { show(linked); apply(); linked.scrollIntoView({block: 'center'}); }
"""


def report_html(docs: list[DocFacts], run_path: str) -> str:
    """The page for these documents of a run."""
    from .diff import HTML_STYLE as BASE

    e = _e
    rows: list[dict] = []
    bodies: list[str] = []
    totals = {t: 0 for t in FACT_TABLES}
    n_rs = 0
    for d in docs:
        spans, doc_rows = doc_spans(d, len(rows))
        rows += doc_rows
        out: list[str] = []
        render(nest(spans, len(d.text)), d.text, out)
        counts = {t: len(d.facts[t]) for t in FACT_TABLES}
        for t in FACT_TABLES:
            totals[t] += counts[t]
        n_rs += len(d.restorations)
        doc = d.doc
        meta = " · ".join(str(v) for v in (doc.get("doc_number"), doc.get("doc_type"), doc.get("issuer"),
                                             doc.get("issue_date"), doc.get("status")) if v)
        missing = sum(d.no_offsets.values())
        bodies.append(
            f'<section class="doc" id="doc-{e(d.doc_id)}" data-doc="{e(d.doc_id)}">'
            f'<h2>{e(doc.get("source_path"))} <span class="id">{e(d.doc_id)}</span></h2>'
            + (f'<p class="meta">{e(meta)}</p>' if meta else "")
            + (f'<p class="meta">{e(doc.get("title"))}</p>' if doc.get("title") else "")
            + '<p class="counts">' + "".join(
                f'<span><span class="sw t-{t}"></span>{t} {counts[t]}</span>' for t in FACT_TABLES)
            + f"<span>restored words {len(d.restorations)}</span>"
            + (f"<span>rows without offsets {missing}</span>" if missing else "") + "</p>"
            + (f'<div class="text" id="text-{e(d.doc_id)}">' + "".join(out) + "</div>" if d.text
               else f'<p class="meta">no text ({e(doc.get("error") or doc.get("status"))})</p>')
            + "</section>")
    toc = "".join(f'<li><a href="#doc-{e(d.doc_id)}">{e(d.doc.get("source_path") or d.doc_id)}</a> '
                  f'({sum(len(v) for v in d.facts.values())} facts)</li>' for d in docs)
    data = json.dumps(rows, ensure_ascii=False, default=str).replace("</", "<\\/")
    n = sum(totals.values())
    page = ["<!DOCTYPE html>", '<html lang="vi"><head><meta charset="utf-8">',
            f"<title>kehoach show: {e(Path(run_path).name)}</title>",
            f"<style>{BASE}{HTML_STYLE}</style></head><body><main>",
            f"<h1>kehoach show</h1><p>run <code>{e(run_path)}</code>: {len(docs)} document(s), {n} facts "
            f"with offsets, {n_rs} restored words</p>",
            f"<ul class=\"toc\">{toc}</ul>",
            '<div class="filters">'
            + "".join(f'<label><input type="checkbox" class="f-table" value="{t}" checked>'
                      f'<span class="sw t-{t}"></span>{t} ({totals[t]})</label>' for t in FACT_TABLES)
            + '<label>confidence ≥ <input type="range" id="f-conf" min="0" max="1" step="0.05" value="0"> '
              '<span id="conf-value">0.00</span></label>'
            + '<label><input type="checkbox" id="f-rs" checked><span class="rs">restored words</span></label>'
            + '<label><input type="checkbox" id="f-sec" checked>section ids</label>'
            + ' <span><span id="shown">0</span> shown</span></div>',
            *bodies,
            '</main><aside id="panel"><p class="hint">Click a highlight to see its row (and the facts around '
            "it). Hover for a summary; dotted red underlines are words whose marks were restored.</p></aside>",
            f'<script type="application/json" id="kh-rows">{data}</script>',
            f"<script>{HTML_SCRIPT}</script></body></html>"]
    return "\n".join(page) + "\n"


# ---------------------------------------------------------------- command

EPILOG = """\
examples:
  kehoach show outputs/latest -o outputs/show.html
  kehoach show outputs/latest --doc plans/kh-45.txt --doc 2b0fdda88e26 -o kh45.html

Open the page in a browser: click a highlight to see its row's fields; the filters
(tables, minimum confidence) and the chosen row are kept in the address, so a link
points a colleague at them (show.html#hide=tasks&conf=0.8&row=12).

exit status: 0 written; 2 not a run, or a --doc that names no document of the run.
"""


def add_parser(sub) -> None:
    p = sub.add_parser("show", help="one HTML page with every extracted fact highlighted in its document's text",
                       description="Write one self-contained HTML page showing each document's text with every "
                                   "extracted fact highlighted where it was found (coloured by table), section "
                                   "headings and restored words marked; a click shows the row's fields.",
                       formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG)
    p.add_argument("run", metavar="RUN", help="a run folder written by `kehoach run`")
    p.add_argument("--doc", action="append", metavar="DOC",
                   help="only this document: doc_id (or its first 6+ characters), source path or file name "
                        "(repeatable; default: every document)")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="the HTML file to write")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from .load import RunError, load_run

    try:
        run = load_run(args.run)
        docs = run_facts(run, args.doc)
    except RunError as err:
        print(f"kehoach show: {err}", file=sys.stderr)
        return 2
    except KeyError as err:
        print(f"kehoach show: no document of {args.run} matches {err.args[0]} (give a doc_id, a source path or "
              "a file name; see documents.parquet)", file=sys.stderr)
        return 2
    page = report_html(docs, str(args.run))
    Path(args.output).write_text(page, encoding="utf-8")
    n = sum(len(v) for d in docs for v in d.facts.values())
    print(f"{len(docs)} document(s), {n} facts written to {args.output}", file=sys.stderr)
    return 0
