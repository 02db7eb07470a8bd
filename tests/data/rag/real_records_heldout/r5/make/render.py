#!/usr/bin/env python3
"""Render a transcribed C-CDA narrative file (xml/<name>.xml) to plain text.

Input format (made by hand from the public XML, copying each section's <title> and
<text> element verbatim; entries are not copied):
  <doc><title>..</title><hdr name="Date">..</hdr>...<section><title/><text/>[<section>..]</section>...</doc>

Output: title, header lines, then per section: TITLE IN CAPITALS, then the narrative:
  paragraphs / inline runs -> one line each (whitespace collapsed)
  <br/> -> line break
  <list> -> "- item" lines (nested lists indented by two spaces)
  <table> -> one line per body row, "Header: value | Header: value" (empty cells left out);
             a row whose first cell is a <th> is written "RowHeader - ColumnHeader: value | ..."
  <caption> inside a paragraph -> "Caption: " before the paragraph text
Wording is not changed.
"""
import copy
import re
import sys
import xml.etree.ElementTree as ET

BLOCK = {"paragraph", "list", "table", "br", "section", "title"}


def ws(s):
    return re.sub(r"\s+", " ", s or "")


def fmt_time(v):
    m = re.match(r"^(\d{4})(\d{2})(\d{2})(\d{2})?(\d{2})?(\d{2})?([+-]\d{4})?$", v.strip())
    if not m:
        return v
    y, mo, d, hh, mi, ss, tz = m.groups()
    out = f"{y}-{mo}-{d}"
    if hh:
        out += f" {hh}:{mi or '00'}"
    if tz:
        out += f" {tz}"
    return out


def inline_text(el):
    """All text inside an element, br -> newline, caption -> 'Caption: '."""
    parts = []

    def walk(e):
        tag = e.tag
        if tag == "br":
            parts.append("\x00")
        elif tag == "caption":
            parts.append(ws("".join(e.itertext())).strip() + ": ")
            if e.tail:
                parts.append(e.tail)
            return
        else:
            # vendor styleCode "xdiv" marks a block (div) in the vendor's stylesheet:
            # keep its text apart from neighbouring text by a space
            div = "xdiv" in (e.get("styleCode") or "").split()
            if div:
                parts.append(" ")
            if e.text:
                parts.append(e.text)
            for c in e:
                walk(c)
            if div:
                parts.append(" ")
        if e.tail and tag != "caption":
            parts.append(e.tail)

    if el.text:
        parts.append(el.text)
    for c in el:
        walk(c)
    s = "".join(parts)
    lines = [ws(x).strip() for x in s.split("\x00")]
    return [x for x in lines if x]


def cell_text(td):
    lines = []
    for item in render_block_children(td):
        item = item.strip()
        if item.startswith("- "):
            item = item[2:]
        lines.append(item)
    return " ".join(x for x in lines if x)


def render_table(tb):
    """One line per body row: 'Header: value | ...' (empty cells left out).
    rowspan/colspan are honoured so that values stay under their column header."""
    headers = []
    thead = tb.find("thead")
    if thead is not None:
        tr = thead.find("tr")
        if tr is not None:
            headers = [ws("".join(c.itertext())).strip() for c in tr]
    rows = []
    bodies = tb.findall("tbody") or [tb]
    pending = {}  # column index -> [text, rows left]
    for body in bodies:
        for tr in body.findall("tr"):
            cells = [c for c in tr if c.tag in ("td", "th")]
            if not headers and cells and all(c.tag == "th" for c in cells):
                headers = [ws("".join(c.itertext())).strip() for c in cells]
                continue
            row = []  # (column index, tag, text)
            col = 0
            it = iter(cells)
            while True:
                if col in pending:
                    txt, left = pending[col]
                    row.append((col, "td", txt))
                    if left <= 1:
                        del pending[col]
                    else:
                        pending[col][1] = left - 1
                    col += 1
                    continue
                c = next(it, None)
                if c is None:
                    break
                txt = cell_text(c)
                row.append((col, c.tag, txt))
                rs = int(c.get("rowspan", "1") or 1)
                if rs > 1:
                    pending[col] = [txt, rs - 1]
                col += int(c.get("colspan", "1") or 1)
            if row and row[0][1] == "th" and len(row) > 1:
                rh = row[0][2]
                parts = []
                for i, _, v in row[1:]:
                    if not v:
                        continue
                    h = headers[i] if i < len(headers) else ""
                    parts.append(f"{rh} - {h}: {v}" if h else f"{rh}: {v}")
                if parts:
                    rows.append(" | ".join(parts))
                continue
            parts = []
            for i, _, v in row:
                if not v:
                    continue
                h = headers[i] if i < len(headers) else ""
                parts.append(f"{h}: {v}" if h else v)
            if parts:
                rows.append(" | ".join(parts))
    return rows


def render_list(lst, depth=0):
    out = []
    ind = "  " * depth
    cap = lst.find("caption")
    if cap is not None:
        t = ws("".join(cap.itertext())).strip()
        if t:
            out.append(f"{ind}{t}")
    for item in lst.findall("item"):
        lines = []
        for line in render_block_children(item):
            lines.append(line)
        if lines:
            out.append(f"{ind}- {lines[0]}")
            for extra in lines[1:]:
                out.append(f"{ind}  {extra}")
    return out


def render_block_children(el):
    """Render an element's children as lines; inline runs become one line."""
    out = []
    run = ET.Element("run")
    run.text = el.text

    def flush():
        nonlocal run
        out.extend(inline_text(run))
        run = ET.Element("run")

    for c in el:
        if c.tag in BLOCK:
            tail = c.tail
            flush()
            if c.tag == "paragraph":
                out.extend(inline_text(c))
            elif c.tag == "list":
                out.extend(render_list(c))
            elif c.tag == "table":
                out.extend(render_table(c))
            run.text = tail
        else:
            c2 = copy.deepcopy(c)
            run.append(c2)
    flush()
    return out


def render_section(sec, out):
    title = sec.find("title")
    out.append("")
    out.append(ws(title.text if title is not None else "").strip().upper())
    text = sec.find("text")
    if text is not None:
        out.extend(render_block_children(text))
    for sub in sec.findall("section"):
        render_section(sub, out)


def render(path):
    root = ET.parse(path).getroot()
    out = [ws(root.find("title").text).strip()]
    for h in root.findall("hdr"):
        v = h.text.strip()
        if h.get("name") == "Date":
            v = fmt_time(v)
        v = re.sub(r"born (\d{8})", lambda m: "born " + fmt_time(m.group(1)), v)
        out.append(f"{h.get('name')}: {v}")
    for sec in root.findall("section"):
        render_section(sec, out)
    return "\n".join(out).strip() + "\n"


if __name__ == "__main__":
    sys.stdout.write(render(sys.argv[1]))
