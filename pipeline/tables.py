"""Tables of a document, whatever form they came in, as `Table` objects (DESIGN.md, table `table_cells`).

Four forms:

- PDF ruled tables: ingest calls `PdfTables` page by page. pdfplumber finds the cells from the
  ruling lines (background fills that Word draws behind each text line are ignored, so they do
  not split rows and columns), stray rules that cut only a few rows are collapsed, wrapped lines
  are joined into one cell, and at the end of the file the pages are stitched: a table that runs
  on at the top of the next page continues, its repeated header row is dropped and a row cut by
  the page break (first cell empty) is merged into the row above. Each row is rendered as one
  text line `| cell | cell |` so segment and the extractors see a row per line.
- Word tables (python-docx), merged cells included (gridSpan, vMerge): `docx_table`.
- Markdown tables: runs of `| a | b |` lines left in the text.
- Flattened tables (one cell per line, empty cells dropped, as in many text layers): a run of
  header-cell lines (vocabulary in data/tables.yaml), then rows opened by STT numbers, group rows
  by roman numerals or letters, and fragments put into columns by what they look like.

Ingest stores PDF and Word tables as JSON-able specs on `Page.table_data`; `find_tables(doc)`
turns them into `Table` objects located in `doc.text` (row and cell offsets), adds the Markdown
and flattened tables, numbers them T1, T2, ... in document order and sets their section.
`cell_rows(doc)` gives the `table_cells` rows.
"""
from __future__ import annotations

import bisect
import re
import statistics
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from .model import Cell, Document, Table, TableRow
from .params import read_yaml
from .text import fold, marked_form

DATA = Path(__file__).parent / "data"

#: pdfplumber settings that follow the ruling lines of a table.
PDF_SETTINGS = {
    "vertical_strategy": "lines", "horizontal_strategy": "lines",
    "snap_tolerance": 3, "join_tolerance": 3, "edge_min_length": 5, "intersection_tolerance": 3,
}
RULE_MAX = 3.0          # a filled rectangle thinner than this (pt) is a ruling line; thicker ones are fills
SLOT_TOLERANCE = 2.0    # cell edges closer than this (pt) are the same grid line
MIN_COLUMN = 4.0        # narrower grid columns (double rules) are merged into their neighbour
MIN_ROW = 2.5
BORDER_SHARE = 0.5      # a column boundary must separate cells in this share of the rows, else it is stray
MARGIN = 0.09           # running headers / page numbers sit in this share of the page height at top/bottom
SMALL_FONT = 0.92       # lines in a font smaller than this share of the body size are footnotes
ALIGN = 12.0            # column boundaries of a table continued on the next page agree within this (pt)
FOOTNOTE_MARK = 0.8     # digits in a font smaller than this share of the cell's are footnote marks

STT = re.compile(r"^\d{1,3}(?:\.\d{1,3})*\.?$")
ROMAN = re.compile(r"^(?=[IVXL])[IVXL]{1,6}\s*[.:)]?$")
LETTER = re.compile(r"^[A-ZĐ]\s*[.)]?$")
GROUP_LABEL = re.compile(r"^(?:[IVXL]{1,6}|[A-ZĐ])\s*[.:)]\s+\S|^(?:[IVXL]{1,6}|[A-ZĐ])\s*[.:)]?$")
COLUMN_NUMBER = re.compile(r"^\(?\d{1,2}\)?$")


@cache
def vocab() -> dict:
    data = read_yaml(DATA / "tables.yaml")
    out = {k: v for k, v in data.items()}
    out["header_cells"] = {role: sorted({_key(p) for p in phrases}, key=len, reverse=True)
                           for role, phrases in data["header_cells"].items()}
    out["indicator_header"] = {_key(p): role for role, phrases in data["indicator_header"].items() for p in phrases}
    out["indicator_year_splits"] = tuple(_key(p) for p in data["indicator_year_splits"])
    for k in ("time_starts", "deliverable_starts", "result_cues", "budget_starts", "agency_starts"):
        out[k] = tuple(sorted({_key(p) for p in data[k]}, key=len, reverse=True))
    out["agency_starts_marked"] = tuple(sorted({_marked_key(p) for p in data["agency_starts"]}, key=len, reverse=True))
    out["named_heads"] = tuple(sorted({_key(p) for p in data["named_heads"]}, key=len, reverse=True))
    return out


_NON_WORD = re.compile(r"[^\w]+")


def _marked_key(text: str) -> str:
    """Lower case with marks kept (one tone placement: pipeline.text.marked_form), punctuation as spaces."""
    return " ".join(marked_form(w) for w in _NON_WORD.sub(" ", unicodedata.normalize("NFC", text)).split())


@lru_cache(maxsize=1 << 14)
def _key(text: str) -> str:
    """Lower case, no marks, punctuation as spaces, single spaces (memoised: a table's lines and cells are
    keyed again for every header tried, 11,871 calls for 3,672 texts in the dev plans)."""
    return " ".join(_NON_WORD.sub(" ", fold(text)).split())


# ---------------------------------------------------------------- cells as text


def join_lines(lines: list[str]) -> str:
    """Wrapped lines of one cell as one string: a space between lines, none after a word-final hyphen."""
    out = ""
    for ln in lines:
        ln = " ".join(ln.split())
        if not ln:
            continue
        if not out:
            out = ln
        elif re.search(r"\w-$", out):
            out += ln
        else:
            out += " " + ln
    return out


def clean_cell(text: str | None) -> str:
    """One-line cell text: whitespace collapsed; a `|` would break the row line, so it becomes `/`."""
    return " ".join((text or "").replace("|", "/").split())


def render_row(texts: list[str]) -> str:
    """A table row as one text line `| a | b |` (what segment recognises as a table line)."""
    return "| " + " | ".join(clean_cell(t) for t in texts) + " |"


# ---------------------------------------------------------------- PDF: one page


class _Cell:
    """A cell while a PDF or Word table is assembled; the same object fills every slot it spans."""

    __slots__ = ("text", "page")

    def __init__(self, text: str = "", page: int | None = None):
        self.text = text
        self.page = page


@dataclass
class _Grid:
    """One table found on one page, in reading orientation."""

    page: int
    top: float
    bottom: float
    edges: list[float]                 # column boundaries, left to right (reading orientation)
    rows: list[list[_Cell]]            # one slot per column
    first: bool = False                # nothing but running header lines above it on its page
    last: bool = False                 # nothing but footnotes and page numbers below it


@dataclass
class _PageLayout:
    number: int
    lines: list[tuple[float, str]]     # text outside tables, with its top
    grids: list[_Grid]
    legacy: bool = False               # text needed fix_legacy_text


def _keep_object(obj: dict) -> bool:
    """Drop filled rectangles that are backgrounds (Word shades each text line), keep rules and text."""
    if obj.get("object_type") != "rect" or obj.get("stroke"):
        return True
    return min(obj.get("width", 0), obj.get("height", 0)) <= RULE_MAX


def _cluster(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > SLOT_TOLERANCE:
            out.append(v)
    return out


def _nearest(edges: list[float], v: float) -> int:
    i = bisect.bisect_left(edges, v)
    if i >= len(edges):
        return len(edges) - 1
    if i > 0 and v - edges[i - 1] < edges[i] - v:
        return i - 1
    return i


def _orientation(chars: list[dict]) -> str | None:
    """None for upright text; 'btt' / 'ttb' when most characters run up / down the page (rotated table)."""
    rotated = [c for c in chars if not c.get("upright", True)]
    if len(rotated) * 2 <= len(chars):
        return None
    up = sum(1 for c in rotated if (c.get("matrix") or (0, 0))[1] > 0)
    return "btt" if up * 2 >= len(rotated) else "ttb"


def _transform(rot: str | None, width: float, height: float):
    """Page bbox → bbox in reading orientation (a rotated table is turned upright)."""
    if rot == "btt":
        return lambda b: (height - b[3], b[0], height - b[1], b[2])
    if rot == "ttb":
        return lambda b: (b[1], width - b[2], b[3], width - b[0])
    return lambda b: (b[0], b[1], b[2], b[3])


def _text_of(chars: list[dict]) -> str:
    """Text of one cell's characters (already upright), wrapped lines joined, footnote marks dropped."""
    from pdfplumber.utils import extract_text

    if not chars:
        return ""
    size = statistics.median(c["size"] for c in chars)
    chars = [c for c in chars if not (c["size"] < FOOTNOTE_MARK * size and c["text"].isdigit())]
    return join_lines(extract_text(chars, x_tolerance=1.5).split("\n"))


def _upright(ch: dict, tf) -> dict:
    """A rotated character turned upright with its table (its box in reading orientation)."""
    x0, top, x1, bottom = tf((ch["x0"], ch["top"], ch["x1"], ch["bottom"]))
    return {**ch, "x0": x0, "x1": x1, "top": top, "bottom": bottom, "doctop": top, "upright": True,
            "width": x1 - x0, "height": bottom - top}


class _Union:
    def __init__(self):
        self.parent: dict[int, int] = {}

    def find(self, a: int) -> int:
        p = self.parent.setdefault(a, a)
        if p != a:
            p = self.parent[a] = self.find(p)
        return p

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _page_grid(table, page, number: int) -> _Grid | None:
    """A pdfplumber table as a grid of cells with their text, stray rules collapsed."""
    x0, top, x1, bottom = table.bbox
    chars = [c for c in page.chars
             if x0 <= (c["x0"] + c["x1"]) / 2 <= x1 and top <= (c["top"] + c["bottom"]) / 2 <= bottom]
    if not chars:
        return None
    rot = _orientation(chars)
    tf = _transform(rot, page.width, page.height)
    boxes = [tf(b) for b in table.cells]
    xs = _cluster([v for b in boxes for v in (b[0], b[2])])
    ys = _cluster([v for b in boxes for v in (b[1], b[3])])
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    if n_rows < 1 or n_cols < 2:
        return None
    grid = [[-1] * n_cols for _ in range(n_rows)]
    for i, (bx0, by0, bx1, by1) in enumerate(boxes):
        c0, c1, r0, r1 = _nearest(xs, bx0), _nearest(xs, bx1), _nearest(ys, by0), _nearest(ys, by1)
        for r in range(r0, max(r1, r0 + 1)):
            for c in range(c0, max(c1, c0 + 1)):
                if r < n_rows and c < n_cols:
                    grid[r][c] = i
    fresh = len(boxes)
    for r in range(n_rows):
        for c in range(n_cols):
            if grid[r][c] < 0:
                grid[r][c], fresh = fresh, fresh + 1
    uf = _Union()
    # stray vertical rules: boundaries that separate cells in few rows, and sliver columns
    keep = []
    full = [r for r in range(n_rows) if len(set(grid[r])) > 1]
    for k in range(1, n_cols):
        borders = sum(1 for r in full if grid[r][k - 1] != grid[r][k])
        narrow = min(xs[k] - xs[k - 1], xs[k + 1] - xs[k]) < MIN_COLUMN
        if narrow or (full and borders < BORDER_SHARE * len(full)):
            for r in range(n_rows):
                uf.union(grid[r][k - 1], grid[r][k])
        else:
            keep.append(k)
    # sliver rows (double horizontal rules)
    keep_rows = [k for k in range(1, n_rows) if min(ys[k] - ys[k - 1], ys[k + 1] - ys[k]) >= MIN_ROW]
    for k in range(1, n_rows):
        if k not in keep_rows:
            for c in range(n_cols):
                uf.union(grid[k - 1][c], grid[k][c])
    col_of = [0] * n_cols
    for k in range(n_cols):
        col_of[k] = sum(1 for b in keep if b <= k)
    row_of = [sum(1 for b in keep_rows if b <= k) for k in range(n_rows)]
    edges = [xs[0]] + [xs[k] for k in keep] + [xs[-1]]
    row_edges = [ys[0]] + [ys[k] for k in keep_rows] + [ys[-1]]
    # characters to cells
    texts: dict[int, list[dict]] = {}
    for ch in chars:
        if rot:
            ch = _upright(ch, tf)
        c = bisect.bisect_right(xs, (ch["x0"] + ch["x1"]) / 2) - 1
        r = bisect.bisect_right(ys, (ch["top"] + ch["bottom"]) / 2) - 1
        if 0 <= r < n_rows and 0 <= c < n_cols:
            texts.setdefault(uf.find(grid[r][c]), []).append(ch)
    cells: dict[int, _Cell] = {}
    rows = [[None] * (len(edges) - 1) for _ in range(len(row_edges) - 1)]
    for r in range(n_rows):
        for c in range(n_cols):
            root = uf.find(grid[r][c])
            if root not in cells:
                cells[root] = _Cell(_text_of(texts.get(root, [])), number)
            rows[row_of[r]][col_of[c]] = cells[root]
    if not any(c.text for c in cells.values()):
        return None
    return _Grid(number, top, bottom, edges, rows)


class PdfTables:
    """Collects the ruled tables of a PDF page by page (`read_page`), then stitches them (`finish`)."""

    def __init__(self):
        self.layouts: dict[int, _PageLayout] = {}

    def read_page(self, page, number: int) -> tuple[str, list[list[list[str]]]]:
        """The page's text, each table row rendered as one line, and the page's grids as lists of strings."""
        ruled = page.filter(_keep_object)
        pairs = []
        for t in ruled.find_tables(PDF_SETTINGS):
            g = _page_grid(t, page, number)
            if g is not None:
                pairs.append((g, t.bbox))
        if not pairs:
            self.layouts[number] = _PageLayout(number, [], [])
            return page.extract_text(x_tolerance=1.5) or "", []
        grids = [g for g, _ in pairs]
        boxes = [b for _, b in pairs]

        def outside(obj):
            cx = (obj["x0"] + obj["x1"]) / 2
            cy = (obj["top"] + obj["bottom"]) / 2
            return not any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes)

        lines = ruled.filter(outside).extract_text_lines(x_tolerance=1.5)
        sizes = [c["size"] for c in page.chars[:4000]]
        body = statistics.median(sizes) if sizes else 0.0

        def minor(ln) -> bool:
            size = statistics.median(c["size"] for c in ln["chars"]) if ln.get("chars") else body
            return (size < SMALL_FONT * body or ln["bottom"] < MARGIN * page.height
                    or ln["top"] > (1 - MARGIN) * page.height or bool(re.fullmatch(r"[\d\s/-]+", ln["text"])))

        for i, g in enumerate(grids):
            g.first = i == 0 and all(minor(ln) for ln in lines if ln["bottom"] <= g.top + 1)
            g.last = i == len(grids) - 1 and all(minor(ln) for ln in lines if ln["top"] >= g.bottom - 1)
        layout = _PageLayout(number, [(ln["top"], ln["text"]) for ln in lines], grids)
        self.layouts[number] = layout
        text = _render(layout, {id(g): _shown(g.rows) for g in grids})
        return text, [[[c.text for c in row] for row in g.rows] for g in grids]

    def drop_page(self, number: int) -> None:
        """The page was OCR'd instead: forget its tables."""
        self.layouts.pop(number, None)

    def finish(self, pages) -> None:
        """Stitch tables across pages, put their specs on `Page.table_data`, re-render pages with tables."""
        from .encodings import fix_legacy_text

        tables: list[_Assembly] = []
        current: _Assembly | None = None
        for number in sorted(self.layouts):
            layout = self.layouts[number]
            if not layout.grids:
                current = None
                continue
            for g in layout.grids:
                if current is not None and current.accepts(g):
                    current.append(g)
                else:
                    current = _Assembly(g)
                    tables.append(current)
            if not layout.grids[-1].last:
                current = None
        shown: dict[int, dict[int, list]] = {}
        for t in tables:
            t.drop_empty()
            for g, rows in t.shown_by_grid():
                shown.setdefault(g.page, {})[id(g)] = rows
        by_number = {p.number: p for p in pages}
        for number, layout in self.layouts.items():
            page = by_number.get(number)
            if page is None or not layout.grids or page.method != "pdf_text":
                continue
            page.text = fix_legacy_text(_render(layout, shown.get(number, {})))[0]
        for t in tables:
            if not t.rows:
                continue
            spec = t.spec()
            page = by_number.get(spec["page"])
            if page is None or page.method != "pdf_text":
                continue
            for row in spec["rows"]:
                for c in row["cells"]:
                    c["text"] = fix_legacy_text(c["text"])[0]
            page.table_data.append(spec)


_BLANK = _Cell("")


def _shown(rows: list[list[_Cell]], seen: set[int] | None = None) -> list[list[_Cell]]:
    """Rows as printed: a cell spanning columns or rows shows its text in its first slot only."""
    seen = set() if seen is None else seen
    out = []
    for row in rows:
        shown = []
        for c in row:
            shown.append(_BLANK if id(c) in seen else c)
            seen.add(id(c))
        out.append(shown)
    return out


def _render(layout: _PageLayout, shown_of: dict[int, list[list[_Cell]]]) -> str:
    """Page text: lines outside tables and table rows (one line each), in vertical order."""
    items = list(layout.lines)
    for g in layout.grids:
        for k, row in enumerate(shown_of.get(id(g), [])):
            items.append((g.top + k * 0.001, render_row([c.text for c in row])))
    items.sort(key=lambda x: x[0])
    return "\n".join(t for _, t in items)


class _Assembly:
    """One logical table built from page grids: repeated headers dropped, page-cut rows merged."""

    def __init__(self, g: _Grid):
        self.grids: list[_Grid] = [g]
        self.edges = g.edges
        self.n_cols = len(g.edges) - 1
        self.rows: list[list[_Cell]] = []
        self.origin: list[_Grid] = []     # the grid (page) each row is printed on
        self.n_header = _header_count(g.rows)
        self._add(g, list(range(len(g.rows))))

    def _add(self, g: _Grid, indexes: list[int]) -> None:
        for k in indexes:
            self.rows.append(g.rows[k])
            self.origin.append(g)

    @property
    def header(self) -> list[list[_Cell]]:
        return self.rows[:self.n_header]

    def accepts(self, g: _Grid) -> bool:
        last = self.grids[-1]
        if not (last.last and g.first and g.page == last.page + 1 and len(g.edges) - 1 == self.n_cols):
            return False
        if all(abs(a - b) <= ALIGN for a, b in zip(g.edges, self.edges)):
            return True
        return bool(self.header) and _row_key(g.rows[0]) == _row_key(self.header[0])

    def append(self, g: _Grid) -> None:
        self.grids.append(g)
        rows = list(range(len(g.rows)))
        heads = {_row_key(h) for h in self.header}
        heads |= {_row_key(r) for r in self.rows[:self.n_header + 1] if _numbering_row(r)}
        while rows and _row_key(g.rows[rows[0]]) in heads:
            rows.pop(0)
        if rows and len(self.rows) > self.n_header:
            last, first = self.rows[-1], g.rows[rows[0]]
            above = self.rows[-2] if len(self.rows) >= 2 else None
            if _continues(last, first, above):
                _merge_into(last, first, [g.rows[k] for k in rows[1:]])
                rows.pop(0)
            else:
                # cells merged vertically across the page break go on in the new row
                for c in range(self.n_cols):
                    if above is not None and above[c] is last[c] and not first[c].text:
                        old = first[c]
                        for k in rows:
                            if g.rows[k][c] is old:
                                g.rows[k][c] = last[c]
        self._add(g, rows)

    def drop_empty(self) -> None:
        """Remove rows with no text of their own (only cells spanning from above, or nothing)."""
        shown = _shown(self.rows)
        keep = [i for i, row in enumerate(shown) if any(c.text for c in row) or i < self.n_header]
        self.n_header = sum(1 for i in keep if i < self.n_header)
        self.rows = [self.rows[i] for i in keep]
        self.origin = [self.origin[i] for i in keep]

    def shown_by_grid(self):
        """Each grid with its rows as printed (in order), for rendering its page."""
        out: dict[int, list] = {id(g): [] for g in self.grids}
        for row, g in zip(_shown(self.rows), self.origin):
            out[id(g)].append(row)
        return [(g, out[id(g)]) for g in self.grids]

    def spec(self) -> dict:
        """The table as JSON-able data: headers, rows with kind and page, cells with spans."""
        return build_spec("pdf", self.rows, self.n_header, [g.page for g in self.origin])


def _row_key(row: list[_Cell]) -> str:
    return "|".join(_key(c.text) for c in row)


def _numbering_row(row: list[_Cell]) -> bool:
    """The row of column numbers under a header: (1) (2) (3) ... or 1 2 3 ..."""
    vals = [c.text for c in _distinct(row) if c.text]
    return len(vals) >= 2 and len(vals) * 2 >= len(_distinct(row)) and all(COLUMN_NUMBER.match(v) for v in vals)


def _distinct(row: list) -> list:
    out, seen = [], set()
    for c in row:
        if id(c) not in seen:
            seen.add(id(c))
            out.append(c)
    return out


def _continues(last: list[_Cell], first: list[_Cell], above: list[_Cell] | None) -> bool:
    """Is `first` (top row of a page) the rest of `last` (bottom row of the previous page)?
    Not when it fills every column `last` filled (cells merged from rows above aside) with text
    that starts like a new cell: then it is the next row of a group whose first cells are merged."""
    if first[0].text:
        return False
    filled = [c for c in _distinct(first) if c.text]
    if not filled:
        return True
    had = {i for i, c in enumerate(last) if c.text and i and (above is None or above[i] is not c)}
    has = {i for i, c in enumerate(first) if c.text}
    complete = had <= has and not any(c.text[0].islower() for c in filled)
    return not complete


def _merge_into(last: list[_Cell], first: list[_Cell], later: list[list[_Cell]]) -> None:
    done: set[int] = set()
    for c in range(len(last)):
        cf, cl = first[c], last[c]
        if cf is cl or id(cf) in done:
            continue
        done.add(id(cf))
        if cf.text:
            cl.text = join_lines([cl.text, cf.text])
    for row in later:
        for c in range(len(row)):
            if row[c] is first[c]:
                row[c] = last[c]


def _header_count(rows: list[list[_Cell]]) -> int:
    """Leading header rows: the first row (unless it is already a numbered row), then rows under a
    header cell that spans columns or rows, and the row of column numbers (1) (2) (3)."""
    if not rows:
        return 0
    first = rows[0][0].text.strip()
    if (STT.match(first) or GROUP_LABEL.match(first)) and not _numbering_row(rows[0]):
        return 0
    n = 1
    while n < min(len(rows), 4):
        above, row = rows[n - 1], rows[n]
        label = row[0].text.strip()
        if _numbering_row(row):
            return n + 1
        if STT.match(label) or GROUP_LABEL.match(label):
            break
        spans_cols = any(above[c] is above[c + 1] and row[c] is not row[c + 1] for c in range(len(row) - 1))
        spans_rows = any(row[c] is above[c] for c in range(len(row)))
        if not (spans_cols or spans_rows):
            break
        n += 1
    return n


def build_spec(source: str, rows: list[list[_Cell]], n_header: int, pages: list[int | None]) -> dict:
    """JSON-able table from a slot grid (the same cell object in every slot it spans)."""
    n_cols = max((len(r) for r in rows), default=0)
    anchor: dict[int, tuple[int, int]] = {}
    spans: dict[int, list[int]] = {}
    for i, row in enumerate(rows):
        for c, cell in enumerate(row):
            if id(cell) not in anchor:
                anchor[id(cell)] = (i, c)
                spans[id(cell)] = [1, 0]
            a_row, _ = anchor[id(cell)]
            if a_row == i:
                spans[id(cell)][1] += 1
            elif i > a_row and spans[id(cell)][0] < i - a_row + 1:
                spans[id(cell)][0] = i - a_row + 1
    headers = []
    for c in range(n_cols):
        parts = []
        for row in rows[:n_header]:
            if c < len(row) and row[c].text and not _numbering_row(row) and row[c].text not in parts:
                parts.append(row[c].text)
        headers.append(clean_cell(" ".join(parts)))
    out_rows = []
    body = rows[n_header:]
    for i, row in enumerate(rows):
        cells = []
        for c, cell in enumerate(row):
            if anchor[id(cell)] != (i, c):
                continue
            rs, cs = spans[id(cell)]
            cells.append({"col": c, "text": clean_cell(cell.text), "row_span": rs, "col_span": cs,
                          "page": cell.page})
        if i < n_header or (i == n_header and _numbering_row(row)):
            kind = "header"
        else:
            kind = _row_kind(row, body, i - n_header)
        out_rows.append({"kind": kind, "page": pages[i] if i < len(pages) else None, "cells": cells})
    return {"source": source, "headers": headers, "n_cols": n_cols, "page": pages[0] if pages else None,
            "rows": out_rows}


def _row_kind(row: list[_Cell], body: list[list[_Cell]], k: int) -> str:
    """`group` for a row that heads the rows below it ("I. ...", "A. BỘ ...", a title spanning columns)."""
    cells = _distinct(row)
    filled = [c for c in cells if c.text]
    if not filled or len(filled) > 2 or len(row) < 2:
        return "data"
    label = row[0].text.strip()
    if len(filled) == 1:
        only = filled[0]
        span = sum(1 for c in row if c is only)
        if span >= max(2, len(row) - 1) or GROUP_LABEL.match(only.text):
            return "group"
        return "data"
    if not label:
        return "data"
    title = next(c for c in filled if c is not row[0])
    span = sum(1 for c in row if c is title)
    if ROMAN.match(label) or LETTER.match(label):
        return "group"
    if span >= 2 and len(row) >= 4:
        return "group"
    m = STT.match(label)
    if m:
        base = label.rstrip(".")
        nxt = next((r[0].text.strip() for r in body[k + 1:k + 2]), "")
        if nxt.startswith(base + ".") and len(nxt) > len(base) + 1:
            return "group"
    return "data"


def assemble(source: str, grid: list[list[_Cell]], pages: list[int | None] | None = None) -> tuple[dict, list[str]]:
    """A slot grid (Word table) → its spec and its rows rendered as text lines, empty rows dropped."""
    n = max((len(r) for r in grid), default=0)
    for row in grid:
        row.extend(_Cell("") for _ in range(n - len(row)))
    keep = [i for i, r in enumerate(_shown(grid)) if any(c.text for c in r)]
    grid = [grid[i] for i in keep]
    pages = [pages[i] for i in keep] if pages else [None] * len(grid)
    spec = build_spec(source, grid, _header_count(grid), pages)
    return spec, [render_row([c.text for c in r]) for r in _shown(grid)]


# ---------------------------------------------------------------- Word


def docx_table(table) -> tuple[dict, list[str]]:
    """A python-docx table → (spec, row lines). Merged cells (gridSpan, vMerge) are one cell,
    their text once: python-docx gives every slot of a merged cell the same `<w:tc>`."""
    cells: dict = {}
    grid: list[list[_Cell]] = []
    for r in table.rows:
        row = [_Cell("") for _ in range(getattr(r, "grid_cols_before", 0) or 0)]
        for c in r.cells:
            tc = c._tc
            if tc not in cells:
                cells[tc] = _Cell(join_lines(c.text.split("\n")))
            row.append(cells[tc])
        row.extend(_Cell("") for _ in range(getattr(r, "grid_cols_after", 0) or 0))
        grid.append(row)
    return assemble("docx", grid)


# ---------------------------------------------------------------- locating rendered rows in the text


def _sig(text: str) -> str:
    return re.sub(r"[\W_]+", "", fold(text))


def _pipe_lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line that is a table row `| ... |`."""
    out, pos = [], 0
    for raw in text.split("\n"):
        s = raw.strip()
        if len(s) >= 2 and s[0] == "|" and s[-1] == "|":
            lead = len(raw) - len(raw.lstrip())
            out.append((pos + lead, pos + lead + len(s)))
        pos += len(raw) + 1
    return out


def _slot_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of the cells of a row line, between its `|` separators, without the padding spaces."""
    pipes = [i for i in range(start, end) if text[i] == "|"]
    spans = []
    for a, b in zip(pipes, pipes[1:]):
        s, e = a + 1, b
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        spans.append((s, e))
    return spans


def _locate(text: str, spec: dict, lines: list[tuple[int, int]], cursor: int) -> tuple[list, int]:
    """The line of each row of `spec`, searched in order from `cursor` (None where not found)."""
    from rapidfuzz import fuzz

    sigs = {}
    out = []
    for row in spec["rows"]:
        want = _sig("".join(c["text"] for c in row["cells"]))
        hit = None
        for k in range(cursor, min(len(lines), cursor + 60)):
            if k not in sigs:
                sigs[k] = _sig(text[lines[k][0]:lines[k][1]])
            if sigs[k] == want:
                hit = k
                break
        if hit is None and want:
            for k in range(cursor, min(len(lines), cursor + 4)):
                if fuzz.ratio(sigs.get(k) or _sig(text[lines[k][0]:lines[k][1]]), want) >= 90:
                    hit = k
                    break
        if hit is None:
            out.append(None)
            continue
        out.append(lines[hit])
        cursor = hit + 1
    return out, cursor


def _from_spec(doc: Document, spec: dict, located: list, source: str | None = None) -> Table:
    """A Table from a spec; cells located in doc.text take their text from it (cell text = text slice)."""
    headers = list(spec["headers"])
    n_cols = spec["n_cols"]
    has_header = any(r["kind"] == "header" for r in spec["rows"])
    base = 0 if has_header else 1
    pdf = spec["source"] == "pdf"
    rows = []
    for i, (r, loc) in enumerate(zip(spec["rows"], located)):
        spans = _slot_spans(doc.text, *loc) if loc else None
        if spans is not None and len(spans) != n_cols:
            spans = None
        cells = []
        for c in r["cells"]:
            if not c["text"]:
                continue
            s = e = None
            text = c["text"]
            if spans:
                s, e = spans[c["col"]]
                if s < e:
                    text = doc.text[s:e]
                else:
                    s = e = None
            cells.append(Cell(row=i + base, col=c["col"], text=text, header=headers[c["col"]] or None,
                              row_span=c["row_span"], col_span=c["col_span"],
                              page=c.get("page") if pdf else None, char_start=s, char_end=e,
                              confidence=1.0 if s is not None else 0.8))
        rows.append(TableRow(i + base, cells, r["kind"], loc[0] if loc else None, loc[1] if loc else None))
    found = [r for r in rows if r.char_start is not None]
    share = len(found) / len(rows) if rows else 0.0
    return Table("", source or spec["source"], headers, rows,
                 char_start=found[0].char_start if found else None,
                 char_end=found[-1].char_end if found else None,
                 page=spec.get("page") if pdf else None, confidence=round(0.8 + 0.2 * share, 3))


# ---------------------------------------------------------------- Markdown (pipe rows left in the text)

_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")


def _markdown_tables(doc: Document, lines: list[tuple[int, int]], source: str) -> list[Table]:
    """Runs of consecutive `| a | b |` lines (a `|---|` separator marks the header)."""
    text = doc.text
    runs: list[list[tuple[int, int]]] = []
    for ln in lines:
        if runs and text[runs[-1][-1][1]:ln[0]].strip() == "":
            runs[-1].append(ln)
        else:
            runs.append([ln])
    out = []
    for run in runs:
        rule = [i for i, (s, e) in enumerate(run) if _RULE.match(text[s:e])]
        body = [ln for i, ln in enumerate(run) if i not in rule]
        if len(body) < 2:
            continue
        grid = [[_Cell(text[s:e]) for s, e in _slot_spans(text, *ln)] for ln in body]
        n = max(len(r) for r in grid)
        if n < 2:
            continue
        for row in grid:
            row.extend(_Cell("") for _ in range(n - len(row)))
        n_header = 1 if rule and rule[0] == 1 else _header_count(grid)
        spec = build_spec(source, grid, min(n_header, 1) if rule else n_header, [None] * len(grid))
        out.append(_from_spec(doc, spec, body, source))
    return out


# ---------------------------------------------------------------- flattened tables (one cell per line)


@dataclass
class _Line:
    start: int
    end: int
    text: str


@dataclass
class _Frag:
    """A fragment of a flattened row and what it looks like."""

    line: _Line
    agency: float = 0.0
    time: float = 0.0
    deliverable: float = 0.0
    budget: float = 0.0
    bullet: bool = False

    @property
    def text(self) -> str:
        return self.line.text


_BULLET = re.compile(r"^[-–—+•*]\s*")
_DATE = re.compile(r"\b(?:quý\s+[IVX]+|tháng\s+\d{1,2}|\d{1,2}/\d{4}|\d{1,2}/\d{1,2}/\d{4}|năm\s+20\d\d|20\d\d)\b", re.I)
_YEARS = re.compile(r"^(?:năm\s+)?20\d\d(?:\s*[-–]\s*20\d\d)?\.?$", re.I)
_STRUCTURE_END = re.compile(r"^(?:Điều\s+\d+|Nơi nhận|NƠI NHẬN|TM\.|KT\.|TL\.|T/M|\[\d+\]|Ghi chú\s*:|\(Kèm theo|"
                            r"\((?:Ban hành )?[Kk]èm theo|Đơn vị\s*:)")
_APPENDIX = re.compile(r"^(?:PHỤ LỤC|Phụ lục)\b")
_DANGLING = re.compile(r"\b(?:19|20)\d\d\s*[-–]$")      # a year span broken after its dash
_YEAR_START = re.compile(r"^(?:19|20)\d\d\b")
_INLINE_GROUP = re.compile(r"^(?P<label>[IVXL]{1,6}|[A-ZĐ])\s*[.:)]\s+(?P<title>\S.*)$")
_BARE_GROUP = re.compile(r"^(?P<label>[IVXL]{1,6}|[A-ZĐ])\s*[.:)]?$")
_SUB_GROUP = re.compile(r"^(?P<label>[IVXL]{1,6}(?:\.\d{1,2})+)\.?$")


def _text_lines(text: str) -> list[_Line]:
    out, pos = [], 0
    for raw in text.split("\n"):
        s = raw.strip()
        if s:
            lead = len(raw) - len(raw.lstrip())
            out.append(_Line(pos + lead, pos + lead + len(s), s))
        pos += len(raw) + 1
    return out


_NOTE_OR_STAR = re.compile(r"\[\d+\]|\*")


def header_role(text: str) -> str | None:
    """The column role of a header cell line ("Cơ quan chủ trì" → lead), None if it is not one."""
    t = _NOTE_OR_STAR.sub("", text).strip(" :")
    if not t or len(t) > 70 or t.endswith((".", ";")):
        return None
    k = _key(t)
    roles = _header_roles()
    if k in roles:                       # the whole cell is a phrase
        return roles[k]
    end = len(k)
    while (end := k.rfind(" ", 0, end)) > 3:   # else the longest phrase that starts it
        if k[:end] in roles and len(k) - end <= 32:
            return roles[k[:end]]
    return None


@cache
def _header_roles() -> dict[str, str]:
    """Header cell phrase -> its role (the first role that lists it)."""
    out: dict[str, str] = {}
    for role, phrases in vocab()["header_cells"].items():
        for p in phrases:
            out.setdefault(p, role)
    return out


def _unknown_header_cell(text: str) -> bool:
    """A short line between header cells that the vocabulary does not know ("Tình trạng")."""
    return (len(text) <= 40 and not text.endswith((".", ";", ":")) and not STT.match(text)
            and not _BARE_GROUP.match(text) and not _BULLET.match(text) and not any(ch.isdigit() for ch in text))


def _starts(k: str, words: tuple[str, ...]) -> bool:
    return k in words or k.startswith(_spaced(words))


@cache
def _spaced(words: tuple[str, ...]) -> tuple[str, ...]:
    """Each of `words` and a space: what a key starting with that word starts with."""
    return tuple(w + " " for w in words)


@lru_cache(maxsize=4096)
def _agency_letters(text: str, jurisdiction: str | None) -> int:
    """Letters and digits of `text` inside agency names (a line is described again when a table is read
    from another header)."""
    from extractors.agencies import find_agencies

    return sum(sum(map(str.isalnum, m.surface)) for m in find_agencies(text, jurisdiction))


def _describe(line: _Line, jurisdiction: str | None) -> _Frag:
    return _Frag(line, *_looks(line.text, jurisdiction))


@lru_cache(maxsize=4096)
def _looks(text: str, jurisdiction: str | None) -> tuple[float, float, float, float, bool]:
    """(agency, time, deliverable, budget, bullet) of a line, as _Frag holds them (a line is described
    again when a table is read from another header)."""
    v = vocab()
    bullet = bool(_BULLET.match(text))
    body = _BULLET.sub("", text)
    k = _key(body)
    agency = time = deliverable = budget = 0.0
    letters = sum(map(str.isalnum, body)) or 1
    if len(body) <= 400:
        covered = _agency_letters(body, jurisdiction)
        agency = min(1.0, covered / letters)
        if _starts(k, v["agency_starts"]) and len(body) <= 200 and not _starts(k, v["deliverable_starts"]) \
                and (body.isascii() or _starts(_marked_key(body), v["agency_starts_marked"])) \
                and _named_after_head(body, k, v["named_heads"]):
            agency = max(agency, 0.7)       # with marks, "Bố trí" is no "Bộ"
    if _YEARS.match(body) or (_starts(k, v["time_starts"]) and len(body) <= 160):
        time = 1.0
    elif _DATE.search(body) and len(body) <= 150:
        time = 0.6
    if any(c in k for c in v["result_cues"]):
        deliverable = 0.9
    elif _starts(k, v["deliverable_starts"]):
        deliverable = 0.7
    if _starts(k, v["budget_starts"]):
        budget = 1.0
    return agency, time, deliverable, budget, bullet


def _named_after_head(body: str, k: str, heads: tuple[str, ...]) -> bool:
    """A head that needs a proper name ("Trung tâm", "Viện") is followed by a capitalised word: "Trung tâm
    Dữ liệu quốc gia" names a body, "Trung tâm điều hành hạ tầng thông minh" a thing to build."""
    head = next((h for h in heads if k == h or k.startswith(h + " ")), None)
    if head is None:
        return True
    words = body.split()
    n = len(head.split())
    return len(words) > n and (words[n][:1].isupper() or body.isupper())


def _emission(f: _Frag, role: str) -> float:
    """How well a fragment fits a column of this role, -1..1."""
    n = len(f.text)
    if role in ("lead", "support"):
        return 2 * f.agency - 1
    if role == "time":
        return 2 * f.time - 1 if f.time else -1.0
    if role == "deliverable":
        return 2 * f.deliverable - 1 if f.deliverable else (-0.3 if f.agency < 0.5 and f.time < 0.6 else -0.8)
    if role == "budget":
        return 1.0 if f.budget else -0.6
    if role == "task":
        if f.agency >= 0.6 or f.time >= 0.6 or f.budget:
            return -0.6
        return 0.5 if n >= 30 else (0.1 if n >= 12 else -0.3)
    return 0.0


NEW_ROW = 1.0
SAME_CELL = 1.2
SAME_LIST = 0.05
LIST_BREAK = 0.6     # a "- item;" list going on is one cell: leaving it for the next column costs this


def _align(frags: list[_Frag], roles: list[str], opened: bool) -> list[tuple[int, bool]]:
    """Best assignment of fragments to columns, in order: (column, starts a new sub-row) per fragment.

    A fragment goes to a later column (the ones skipped are empty cells, which cost by role), to the same
    cell (a "- item" list going on), or opens a new sub-row (its first columns merged with the row above)."""
    pen = vocab()["empty_cell_penalty"]
    skip = [pen.get(r, 0.15) for r in roles]
    n, m = len(roles), len(frags)
    emit = [[_emission(f, r) for r in roles] for f in frags]
    gap = [[sum(skip[a:b]) for b in range(n + 1)] for a in range(n + 1)]    # gap[a][b] == sum(skip[a:b])
    neg = float("-inf")
    best = [[neg] * n for _ in range(m)]
    back: list[list[tuple[int, bool] | None]] = [[None] * n for _ in range(m)]
    for j in range(n):
        start = sum(skip[:j]) if opened else NEW_ROW
        best[0][j] = emit[0][j] - start
    for i in range(1, m):
        f, g = frags[i], frags[i - 1]
        listed = (f.bullet and g.bullet) or (f.agency >= 0.6 and g.agency >= 0.6 and f.bullet == g.bullet)
        same = SAME_LIST if listed else SAME_CELL
        going_on = f.bullet and g.bullet and g.text.rstrip().endswith((";", ","))
        brk = LIST_BREAK if going_on else 0.0
        prev, row, came, emit_i = best[i - 1], best[i], back[i], emit[i]
        live = [jp for jp in range(n) if prev[jp] != neg]
        # a new sub-row after column jp costs the same whatever column it opens in
        opening = {jp: prev[jp] - NEW_ROW - 0.5 * gap[jp + 1][n] for jp in live}
        for j in range(n):
            e = emit_i[j]
            for jp in live:
                if j >= jp:         # on in the same row: a later column, or the same cell
                    score = (prev[jp] - gap[jp + 1][j] - brk if j > jp else prev[jp] - same) + e
                    if score > row[j]:
                        row[j] = score
                        came[j] = (jp, False)
                score = opening[jp] + e
                if score > row[j]:
                    row[j] = score
                    came[j] = (jp, True)
    j = max(range(n), key=lambda c: best[m - 1][c] - sum(skip[c + 1:]))
    out: list[tuple[int, bool]] = [(j, False)] * m
    for i in range(m - 1, -1, -1):
        prev = back[i][j]
        out[i] = (j, bool(prev and prev[1]))
        if prev is not None:
            j = prev[0]
    if not opened:
        out[0] = (out[0][0], True)
    return out


def _next_stt(last: str | None, after_group: bool) -> set[str]:
    if last is None:
        return {"1", "1.", "1.1"}
    parts = last.rstrip(".").split(".")
    nxt = set()
    head = int(parts[0])
    nxt |= {str(head + 1), f"{head + 1}.", f"{last.rstrip('.')}.1"}
    if len(parts) > 1:
        nxt |= {".".join(parts[:-1] + [str(int(parts[-1]) + 1)])}
    if after_group:
        nxt |= {"1", "1.", f"{head + 1}.1"}
    return nxt


_ROMANS = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV",
           "XVI", "XVII", "XVIII", "XIX", "XX"]
_LETTERS = ["A", "B", "C", "D", "Đ", "E", "G", "H", "I", "K", "L", "M", "N", "O", "P", "Q", "R", "S", "T", "U", "V",
            "X", "Y"]   # Vietnamese order; F, J, W, Z are accepted after their Latin predecessor


def _next_group(last: str | None, mode: str | None) -> set[str]:
    """Labels that may open the next group row: a following roman numeral, or the next letter."""
    if last is None:
        return {"I", "A"}
    if mode == "roman":
        k = _ROMANS.index(last) if last in _ROMANS else -1
        return set(_ROMANS[k + 1:k + 7]) if k >= 0 else set()      # groups may be left out ("…")
    nxt = {chr(ord(last) + 1)} if last.isascii() else set()
    if last in _LETTERS:
        k = _LETTERS.index(last)
        nxt |= set(_LETTERS[k + 1:k + 3])
    return nxt


class _FlatBuilder:
    """Rows of one flattened table, built while its lines are read."""

    def __init__(self, header: list[tuple[_Line, str]]):
        self.header = header
        self.roles = [r for _, r in header]
        if self.roles.count("lead") > 1:  # a bare "Đơn vị" beside "Cơ quan chủ trì" is the unit column
            for k, (ln, r) in enumerate(header):
                if r == "lead" and _key(ln.text) in ("don vi", "co quan"):
                    self.roles[k] = "other"
        self.num_col = self.roles.index("number") if "number" in self.roles else None
        self.cols = [i for i, r in enumerate(self.roles) if r != "number"]
        self.rows: list[dict] = []     # {kind, cells: {col: [lines]}, conf, span, colspan: {col: ...}}

    def open_row(self, kind: str, cells: dict[int, list[_Line]]) -> dict:
        row = {"kind": kind, "cells": cells, "conf": {c: 1.0 for c in cells}, "span": {}, "colspan": {}}
        self.rows.append(row)
        return row

    def place(self, frags: list[_Frag], opened: dict | None) -> None:
        """Put the fragments that follow a row opener (or none) into columns and sub-rows.
        A sub-row's first columns are the merged cells of the row it belongs to (their row_span grows)."""
        if not frags:
            return
        roles = [self.roles[c] for c in self.cols]
        plan = _align(frags, roles, opened is not None)
        row, prev = opened, opened
        groups: list[tuple[dict, dict | None, list[tuple[int, _Frag, float]]]] = []
        if opened is not None:
            groups.append((opened, None, []))
        for f, (j, new) in zip(frags, plan):
            if row is None or new:
                anchor = opened if opened is not None else prev
                row = self.open_row("data", {})
                groups.append((row, anchor, []))
                prev = row
            groups[-1][2].append((self.cols[j], f, _emission(f, roles[j])))
        for row, anchor, placed in groups:
            if not placed:
                continue
            by_col: dict[int, list[tuple[_Frag, float]]] = {}
            for col, f, e in placed:
                by_col.setdefault(col, []).append((f, e))
            complete = len(by_col) == len(self.cols)     # no column left empty: nothing was guessed
            for col, items in by_col.items():
                row["cells"][col] = [f.line for f, _ in items]
                row["conf"][col] = 0.95 if complete else round(0.5 + 0.4 * max(0.0, min(e for _, e in items)), 3)
            first = min(by_col)
            if anchor is not None:
                for col in anchor["cells"]:
                    if col < first:
                        anchor["span"][col] = anchor["span"].get(col, 1) + 1


def _flattened_tables(doc: Document, claimed: list[tuple[int, int]], jurisdiction: str | None) -> list[Table]:
    lines = [ln for ln in _text_lines(doc.text)
             if not any(a <= ln.start < b for a, b in claimed)]
    tables = []
    i, n = 0, len(lines)
    min_cells = vocab()["min_header_cells"]
    roles_cache: dict[int, str | None] = {}

    def role(k: int) -> str | None:
        if k not in roles_cache:
            roles_cache[k] = header_role(lines[k].text)
        return roles_cache[k]

    while i < n:
        if role(i) is None:
            i += 1
            continue
        j = i
        header: list[tuple[_Line, str]] = []
        while j < n and (not header or role(j) != "number"):
            r = role(j)
            if r is None and header and j + 1 < n and _unknown_header_cell(lines[j].text) and (
                    role(j + 1) not in (None, "number")
                    or (header[0][1] == "number" and lines[j + 1].text.rstrip(".") == "1"
                        and not _INLINE_GROUP.match(lines[j].text))):
                r = "other"
            if r is None:
                break
            header.append((lines[j], r))
            j += 1
        kinds = {r for _, r in header}
        if len(header) < min_cells or not kinds & {"lead", "support", "time"} or len(kinds - {"number"}) < 2:
            i += 1
            continue
        if any(lines[k].end + 1 < lines[k + 1].start and doc.text[lines[k].end:lines[k + 1].start].count("\n") > 1
               for k in range(i, j - 1)):
            i += 1
            continue
        table, j = _read_flat(doc, header, lines, j, role, jurisdiction, _outer_starts(doc, lines[i].start))
        if table is not None:
            tables.append(table)
        i = max(j, i + 1)
    return tables


def _outer_starts(doc: Document, start: int) -> set[int]:
    """Starts of the parts, articles and appendices after `start` that lie outside the section holding it.

    A heading the section tree knows ("III. TỔ CHỨC THỰC HIỆN" after a table of part II) ends a
    flattened table; an appendix's own group rows (PL1.I, PL1.II) are inside its section and do not.
    """
    holder = doc.section_at(start)
    if holder is None:
        return set()
    inside = holder.section_id + "."
    return {s.char_start for s in doc.sections
            if s.char_start > start and s.kind in ("part", "article", "appendix")
            and not s.section_id.startswith(inside)}


def _read_flat(doc, header, lines, j, role, jurisdiction, outer: set[int] = frozenset()) -> tuple[Table | None, int]:
    """Rows of a flattened table whose header ends before lines[j]; returns the table and the next line.

    `outer` holds the starts of headings that end the table unless they read as its next group row.
    """
    b = _FlatBuilder(header)
    n = len(lines)
    last_stt: str | None = None
    last_group: str | None = None
    group_mode: str | None = None
    after_group = False
    pending: list[_Frag] = []
    opened: dict | None = None
    width = len(b.roles)

    def flush():
        nonlocal pending
        b.place(pending, opened)
        pending = []

    k = j
    while k < n:
        ln = lines[k]
        t = ln.text
        if _STRUCTURE_END.match(t) or (_APPENDIX.match(t) and t[:7].isupper()) or (
                k + 2 < n and all(role(x) is not None for x in (k, k + 1, k + 2))):
            break
        if re.fullmatch(r"[.…\s]+", t):     # rows left out ("…......")
            k += 1
            continue
        restart = len(pending) >= len(b.cols) - 1 and not (k + 1 < n and STT.match(lines[k + 1].text))
        if b.num_col is not None and STT.match(t) and (t in _next_stt(last_stt, after_group) or restart):
            flush()
            opened = b.open_row("data", {b.num_col: [ln]})
            last_stt, after_group = t.rstrip("."), False
            k += 1
            continue
        m = _BARE_GROUP.match(t)
        if m and m.group("label") in _next_group(last_group, group_mode) and k + 1 < n \
                and not STT.match(lines[k + 1].text) and not _BARE_GROUP.match(lines[k + 1].text):
            flush()
            col = b.num_col if b.num_col is not None else 0
            title_col = next((c for c in range(width) if c != col), col)
            opened = None
            row = b.open_row("group", {col: [ln], title_col: [lines[k + 1]]})
            row["colspan"] = {title_col: width - title_col}
            last_group, after_group = m.group("label"), True
            group_mode = group_mode or ("roman" if last_group in _ROMANS else "letter")
            k += 2
            continue
        m = _SUB_GROUP.match(t)
        if m and k + 1 < n and not STT.match(lines[k + 1].text):
            flush()
            opened = None
            col = b.num_col if b.num_col is not None else 0
            title_col = next((c for c in range(width) if c != col), col)
            row = b.open_row("group", {col: [ln], title_col: [lines[k + 1]]})
            row["colspan"] = {title_col: width - title_col}
            after_group = True
            k += 2
            continue
        m = _INLINE_GROUP.match(t)
        if m and m.group("label") in _next_group(last_group, group_mode) and (
                m.group("label") in _ROMANS or m.group("title")[:12].isupper()):
            flush()
            opened = None
            row = b.open_row("group", {0: [ln]})
            row["colspan"] = {0: width}
            last_group, after_group = m.group("label"), True
            group_mode = group_mode or ("roman" if last_group in _ROMANS else "letter")
            k += 1
            continue
        if ln.start in outer:
            break
        if _DANGLING.search(t) and k + 1 < n and _YEAR_START.match(lines[k + 1].text):
            ln = _Line(ln.start, lines[k + 1].end, f"{t} {lines[k + 1].text}")     # "giai đoạn 2026 -" / "2027."
            k += 1
        pending.append(_describe(ln, jurisdiction))
        k += 1
    flush()
    body = [r for r in b.rows if r["cells"]]
    if not body or not any(r["kind"] == "data" and any(c != b.num_col for c in r["cells"]) for r in body):
        return None, k
    return _flat_table(doc, b, body), k


def _flat_table(doc: Document, b: _FlatBuilder, body: list[dict]) -> Table:
    headers = [ln.text for ln, _ in b.header]
    text = doc.text
    rows = [TableRow(0, [Cell(0, c, ln.text, header=ln.text, page=doc.page_at(ln.start), char_start=ln.start,
                                char_end=ln.end, confidence=1.0) for c, (ln, _) in enumerate(b.header)], "header",
                     b.header[0][0].start, b.header[-1][0].end)]
    confs = []
    for i, r in enumerate(body, start=1):
        cells = []
        for col in sorted(r["cells"]):
            lns = r["cells"][col]
            s, e = lns[0].start, lns[-1].end
            conf = r["conf"].get(col, 1.0)
            if r["kind"] == "data" and col != b.num_col:
                confs.append(conf)
            cells.append(Cell(i, col, text[s:e].replace("\n", " "), header=headers[col],
                              row_span=r["span"].get(col, 1), col_span=r.get("colspan", {}).get(col, 1),
                              page=doc.page_at(s), char_start=s, char_end=e, confidence=conf))
        rows.append(TableRow(i, cells, r["kind"], min(c.char_start for c in cells), max(c.char_end for c in cells)))
    conf = round(sum(confs) / len(confs), 3) if confs else 0.5
    return Table("", "flattened", headers, rows, char_start=rows[0].char_start, char_end=rows[-1].char_end,
                 page=doc.page_at(rows[0].char_start), confidence=conf)


# ---------------------------------------------------------------- flattened indicator tables

_CELL_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:[.,]\d+)?\s*%?"
                          r"(?:\s*[-–]\s*(?:\d{1,3}(?:\.\d{3})+|\d+)(?:[.,]\d+)?\s*%?)?$")
_ROW_NUMBER = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*\.?|[IVXL]{1,6}\.?|[a-zđ]\)|[A-ZĐ]\.?|[-–+*•])$")
_ONE_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
BRACKET_UNIT = re.compile(r"\(([^()]{1,25})\)\s*$")   # "Giá trị (Nghìn USD)": a unit in brackets


def indicator_role(text: str) -> str | None:
    """number | label | unit for a header cell before the year columns, else None."""
    return vocab()["indicator_header"].get(_key(text)) if len(text) <= 40 else None


def header_year(text: str) -> int | None:
    """The year a header cell names ("Năm 2026", "Kế hoạch 2027", "ƯTH Năm 2025"), None for a span."""
    years = _ONE_YEAR.findall(text)
    return int(years[0]) if len(years) == 1 and len(text) <= 40 else None


def _span_cell(text: str) -> bool:
    """A header cell over several year columns ("GIAI ĐOẠN 2026 - 2030", "Dự kiến 03 năm kế hoạch")."""
    return len(text) <= 60 and (len(_ONE_YEAR.findall(text)) == 2 or bool(re.search(r"\bnăm kế hoạch\b", text, re.I)))


def _repeated_subs(subs: list[_Line], years: int) -> int:
    """m when the first m * years sub-header cells repeat m names under every year ("Lượng | Giá trị")."""
    for m in range(len(subs) // years, 0, -1):
        names = [_key(s.text) for s in subs[:m * years]]
        if all(names[a * m + b] == names[b] for a in range(years) for b in range(m)):
            return m
    return 0


def _numbering_run(lines: list[_Line], k: int) -> int:
    """Length of a run of column numbers "1", "2", "3" ... (also "A", "B" before them, "4=3/2") at lines[k]."""
    j = k
    while j < len(lines) and lines[j].text in ("A", "B", "C"):
        j += 1
    want = 1
    while j < len(lines) and re.fullmatch(rf"\(?{want}\)?(?:\s*=\s*[\d/+*-]+)?", lines[j].text):
        want += 1
        j += 1
    return j - k if want > 3 else 0


def _indicator_header(lines: list[_Line], i: int) -> tuple[list[tuple[_Line, str]], list[str], int] | None:
    """The header of an indicator table starting at lines[i]: its cells with roles (number, label, unit,
    value), one heading per value column ("Kế hoạch 2026 - Lượng (Tấn)"), and the first body line."""
    head: list[tuple[_Line, str]] = []
    j, n = i, len(lines)
    for role in ("number", "label", "unit"):
        if j < n and indicator_role(lines[j].text) == role:
            head.append((lines[j], role))
            j += 1
    if "label" not in {r for _, r in head}:
        return None
    years: list[_Line] = []
    while j < n and (header_year(lines[j].text) or _span_cell(lines[j].text)):
        if header_year(lines[j].text):
            years.append(lines[j])
        j += 1
    if len(years) < 2:
        return None
    subs: list[_Line] = []
    head_end = j
    while j < n and len(lines[j].text) <= 60 and not _CELL_NUMBER.match(lines[j].text) \
            and not _ROW_NUMBER.match(lines[j].text) and not header_year(lines[j].text) \
            and indicator_role(lines[j].text) is None and any(ch.isalpha() for ch in lines[j].text):
        subs.append(lines[j])
        j += 1
    k = len(years)
    m = _repeated_subs(subs, k)
    if m:
        subs = subs[:m * k]
        cols = [(y, subs[a * m + b]) for a, y in enumerate(years) for b in range(m)]
    else:                # the current year printed over "Kế hoạch | Ước thực hiện", the later years single
        split = []
        for s_ in subs[:k - 1]:
            if not _starts(_key(s_.text), vocab()["indicator_year_splits"]):
                break
            split.append(s_)
        subs = split if len(split) >= 2 else []
        cols = [(years[0], s_) for s_ in subs] + [(y, None) for y in (years[1:] if subs else years)]
    j = head_end + len(subs)
    has_unit = "unit" in {r for _, r in head} or all(s is not None and BRACKET_UNIT.search(s.text) for _, s in cols)
    if not has_unit:
        return None
    for y in years:
        head.append((y, "value"))
    head.extend((s, "sub") for s in subs)
    headings = [y.text + (f" - {s.text}" if s is not None else "") for y, s in cols]
    return head, headings, j + _numbering_run(lines, j)


def _indicator_rows(lines: list[_Line], j: int, width: int, per_year: int, has_unit_col: bool) -> tuple[list[dict], int]:
    """Body rows from lines[j]: {marker, label, unit, values} each (lines); stops at the table's end."""
    rows: list[dict] = []
    cur: dict | None = None
    n = len(lines)
    last_number = 0          # the last row number "1", "2" ...: a cell "4" before a label that follows "3" is one

    def new(marker=None):
        row = {"marker": marker, "label": [], "unit": None, "values": []}
        rows.append(row)
        return row

    k = j
    while k < n:
        ln = lines[k]
        t = ln.text
        if _STRUCTURE_END.match(t) or _APPENDIX.match(t) or len(t) > 250 or indicator_role(t) == "number":
            break
        nxt = lines[k + 1].text if k + 1 < n else ""
        label_next = bool(nxt) and not _CELL_NUMBER.match(nxt) and not _ROW_NUMBER.match(nxt)
        done = cur is None or not cur["values"] or len(cur["values"]) >= width or (
            per_year > 1 and len(cur["values"]) == width // per_year) or (label_next and t == str(last_number + 1))
        if done and label_next and t.isdigit():
            last_number = int(t)
        if _ROW_NUMBER.match(t) and (label_next or t in ("-", "–", "+", "*", "•")) and done:
            cur = new(ln)
        elif _CELL_NUMBER.match(t) and cur is not None and cur["label"] and len(cur["values"]) < width:
            cur["values"].append(ln)
        elif _CELL_NUMBER.match(t):
            break
        elif has_unit_col and cur is not None and cur["label"] and cur["unit"] is None and not cur["values"] \
                and len(t) <= 20 and nxt and _CELL_NUMBER.match(nxt):
            cur["unit"] = ln
        elif cur is not None and not cur["label"] and not cur["values"]:
            cur["label"].append(ln)
        else:
            cur = new()
            cur["label"].append(ln)
        k += 1
    return [r for r in rows if r["label"]], k


def _unclaimed(lines: list[_Line], claimed: list[tuple[int, int]]) -> list[_Line]:
    """The lines that start outside every claimed (start, end) span."""
    spans = sorted(claimed)
    starts = [a for a, _ in spans]
    reach, ends = 0, []
    for _, b in spans:                  # the furthest end among the spans starting at or before each one
        reach = max(reach, b)
        ends.append(reach)
    out = []
    for ln in lines:
        k = bisect.bisect_right(starts, ln.start) - 1
        if k < 0 or ends[k] <= ln.start:
            out.append(ln)
    return out


def _indicator_tables(doc: Document, claimed: list[tuple[int, int]]) -> list[Table]:
    """Flattened tables of yearly indicators (pipeline/data/tables.yaml, indicator_header)."""
    lines = _unclaimed(_text_lines(doc.text), claimed)
    tables: list[Table] = []
    i = 0
    while i < len(lines):
        found = _indicator_header(lines, i) if indicator_role(lines[i].text) in ("number", "label") else None
        if found is None:
            i += 1
            continue
        head, headings, j = found
        roles = [r for _, r in head if r in ("number", "label", "unit")]
        per_year = max(1, len(headings) // max(1, sum(r == "value" for _, r in head)))
        body, end = _indicator_rows(lines, j, len(headings), per_year, "unit" in roles)
        if any(len(r["values"]) == len(headings) for r in body):
            tables.append(_indicator_table(doc, head, roles, headings, body, per_year))
        i = max(end, i + 1)
    return tables


def _indicator_table(doc: Document, head, roles: list[str], headings: list[str], body: list[dict],
                     per_year: int) -> Table:
    """A Table from the header and rows of a flattened indicator table. A row with one number per year
    under "Lượng | Giá trị" sub-columns (a total) fills the last sub-column of each year; a row with
    another count of numbers keeps them from the first value column at confidence 0.5."""
    text = doc.text
    headers = [ln.text for ln, r in head if r in ("number", "label", "unit")] + headings
    first_value = len(roles)
    col_of = {r: c for c, r in enumerate(roles)}
    header_cells = [Cell(0, c, h, header=h, page=None, confidence=1.0) for c, h in enumerate(headers)]
    hs = [ln for ln, r in head]
    rows = [TableRow(0, header_cells, "header", hs[0].start, hs[-1].end)]
    width = len(headings)

    def cell(r: int, c: int, lns: list[_Line], conf: float) -> Cell:
        s, e = lns[0].start, lns[-1].end
        return Cell(r, c, text[s:e].replace("\n", " "), header=headers[c], page=doc.page_at(s), char_start=s,
                    char_end=e, confidence=conf)

    for i, row in enumerate(body, start=1):
        cells = []
        if row["marker"] is not None and "number" in col_of:
            cells.append(cell(i, col_of["number"], [row["marker"]], 1.0))
        cells.append(cell(i, col_of["label"], row["label"], 1.0))
        if row["unit"] is not None and "unit" in col_of:
            cells.append(cell(i, col_of["unit"], [row["unit"]], 1.0))
        values = row["values"]
        if len(values) == width:
            cols, conf = list(range(width)), 0.95
        elif per_year > 1 and len(values) == width // per_year:
            cols, conf = [a * per_year + per_year - 1 for a in range(len(values))], 0.9
        else:
            cols, conf = list(range(len(values))), 0.5
        cells.extend(cell(i, first_value + c, [v], conf) for c, v in zip(cols, values))
        for c in cells:
            c.header = headers[c.col]
        cells.sort(key=lambda c: c.col)
        kind = "data" if values else "group"
        rows.append(TableRow(i, cells, kind, min(c.char_start for c in cells), max(c.char_end for c in cells)))
    return Table("", "flattened", headers, rows, char_start=rows[0].char_start, char_end=rows[-1].char_end,
                 page=doc.page_at(rows[0].char_start), confidence=0.9)


# ---------------------------------------------------------------- the document


def find_tables(doc: Document) -> list[Table]:
    """Every table of the document as `Table` objects in document order (T1, T2, ...), also set on doc.tables."""
    text = doc.text
    pipes = _pipe_lines(text)
    tables: list[Table] = []
    used: set[int] = set()
    cursor = 0
    index = {ln: k for k, ln in enumerate(pipes)}
    for page in doc.raw.pages:
        for spec in page.table_data:
            located, cursor = _locate(text, spec, pipes, cursor)
            used.update(index[ln] for ln in located if ln is not None)
            tables.append(_from_spec(doc, spec, located))
    claimed = [ln for k, ln in enumerate(pipes) if k in used]
    if doc.raw.file_type not in ("pdf", "docx", "image"):
        source = "doc" if doc.raw.file_type == "doc" else "markdown"
        md = _markdown_tables(doc, [ln for k, ln in enumerate(pipes) if k not in used], source)
        tables.extend(md)
        claimed = pipes
    if doc.raw.file_type != "docx":
        jurisdiction = (doc.meta or {}).get("jurisdiction")
        flat = _flattened_tables(doc, claimed, jurisdiction)
        tables.extend(flat)
        tables.extend(_indicator_tables(doc, claimed + [(t.char_start, t.char_end) for t in flat]))
    tables.sort(key=lambda t: (t.char_start is None, t.char_start or 0, t.page or 0))
    for k, t in enumerate(tables, start=1):
        t.table_id = f"T{k}"
        if t.char_start is not None:
            sec = doc.section_at(t.char_start, t.char_end) or doc.section_at(t.char_start)
            t.section_id = sec.section_id if sec else None
    doc.tables = tables
    return tables


def cell_rows(doc: Document) -> list[dict]:
    """`table_cells` rows of doc.tables (DESIGN.md): one per non-empty cell, header cells as row 0."""
    out = []
    for t in doc.tables:
        headers = t.headers
        for r in t.rows:
            for c in r.cells:
                sid = t.section_id
                out.append({
                    "doc_id": doc.doc_id, "table_id": t.table_id, "section_id": sid, "row": c.row, "col": c.col,
                    "header": c.header if c.header is not None else (headers[c.col] if c.col < len(headers) else None),
                    "text": c.text, "row_span": c.row_span, "col_span": c.col_span,
                    "page": c.page if c.page is not None else (doc.page_at(c.char_start)
                                                               if c.char_start is not None else t.page),
                    "char_start": c.char_start, "char_end": c.char_end, "confidence": round(c.confidence, 3),
                })
    return out
