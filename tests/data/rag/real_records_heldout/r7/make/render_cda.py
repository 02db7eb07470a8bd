"""Render the narrative transcriptions in make/xml/*.xml to plain text.

Output: title, header lines (document date, patient, author/organization, encounter),
then for each section its title in capitals and its narrative:
  * <paragraph> / loose text -> one line
  * <list> -> optional caption line "Caption:" then one "- item" line per item; an item that holds a
    table is written as one "- row" line per table row
  * <table> -> one line per body row, "Header: value | Header: value" (empty cells left out);
    a row whose first cell is <th> -> "RowHeader - ColumnHeader: value"; rowspan values are repeated
    on the spanned rows; colspan is honoured so later cells stay under their header; a table without
    header row -> cells joined with " | "; rows with no text are dropped.
Inside a cell or item, text is flattened: <br/>, styleCode="xdiv" blocks, nested cells and items are
separated by one space; runs of whitespace become one space. No wording is changed or added.
"""
import re, sys, os
import xml.etree.ElementTree as ET

BLOCK = {'br', 'td', 'th', 'tr', 'item', 'paragraph', 'caption', 'list', 'table', 'tbody', 'thead'}

def flat(el):
    out = []
    def walk(e):
        block = e.tag in BLOCK or e.get('styleCode') == 'xdiv'
        if block: out.append(' ')
        if e.text: out.append(e.text)
        for c in e:
            walk(c)
            if c.tail: out.append(c.tail)
        if block: out.append(' ')
    walk(el)
    return re.sub(r'\s+', ' ', ''.join(out)).strip()

def table_lines(tbl):
    headers = []
    thead = tbl.find('thead')
    if thead is not None:
        tr = thead.find('tr')
        headers = [flat(c) for c in tr if c.tag in ('th', 'td')]
    rows = []
    for body in [b for b in tbl if b.tag == 'tbody'] or [tbl]:
        rows += [r for r in body if r.tag == 'tr']
    lines, carry = [], {}
    for tr in rows:
        cells, col = [], 0
        src = [c for c in tr if c.tag in ('td', 'th')]
        i = 0
        while i < len(src) or col in carry:
            if col in carry:
                val, left, is_th = carry[col]
                cells.append((col, val, is_th))
                if left - 1 > 0: carry[col] = (val, left - 1, is_th)
                else: del carry[col]
                col += 1
                continue
            c = src[i]; i += 1
            val = flat(c)
            span = int(c.get('colspan', 1)); rs = int(c.get('rowspan', 1))
            cells.append((col, val, c.tag == 'th'))
            if rs > 1: carry[col] = (val, rs - 1, c.tag == 'th')
            col += span
        if not any(v for _, v, _ in cells):
            continue
        hdr = lambda k: headers[k] if k < len(headers) else ''
        if cells and cells[0][2] and len(cells) > 1:
            rh = cells[0][1]
            parts = [f"{rh} - {hdr(k)}: {v}" if hdr(k) else f"{rh}: {v}" for k, v, _ in cells[1:] if v]
        elif headers:
            parts = [f"{hdr(k)}: {v}" if hdr(k) else v for k, v, _ in cells if v]
        else:
            parts = [v for _, v, _ in cells if v]
        lines.append(' | '.join(parts))
    return lines

def block_lines(el):
    lines = []
    buf = []
    def flush():
        t = re.sub(r'\s+', ' ', ''.join(buf)).strip()
        if t: lines.append(t)
        buf.clear()
    if el.text: buf.append(el.text)
    for c in el:
        if c.tag == 'table':
            flush(); lines += table_lines(c)
        elif c.tag == 'list':
            flush()
            cap = c.find('caption')
            if cap is not None and flat(cap): lines.append(flat(cap) + ':')
            for it in c.findall('item'):
                inner = it.find('table')
                if inner is not None:
                    lines += ['- ' + l for l in table_lines(inner)]
                else:
                    t = flat(it)
                    if t: lines.append('- ' + t)
        elif c.tag == 'paragraph':
            flush(); t = flat(c)
            if t: lines.append(t)
        else:
            buf.append(' ' + flat(c) + ' ' if c.tag == 'content' else flat(c))
        if c.tail: buf.append(c.tail)
    flush()
    return lines

def ts(v):
    m = re.match(r'(\d{4})(\d{2})(\d{2})(\d{2})?(\d{2})?', v)
    y, mo, d, h, mi = m.groups()
    return f"{y}-{mo}-{d}" + (f" {h}:{mi}" if h and mi else '')

def render(path):
    root = ET.parse(path).getroot()
    h = root.find('header')
    p = h.find('patient'); enc = h.find('encounter')
    out = [h.findtext('title'),
           f"Document date: {ts(h.find('effectiveTime').get('value'))}",
           f"Patient: {p.get('given')} {p.get('family')} | Sex: {p.get('gender')} | Birth date: {ts(p.get('birthTime'))}",
           f"Author: {h.find('author').get('name')} | Organization: {h.find('organization').get('name')}"]
    e = f"Encounter: {ts(enc.get('low'))} to {ts(enc.get('high'))}"
    if enc.get('code'): e += f" | Reason: {enc.get('code')}"
    if enc.get('responsible'): e += f" | Clinician: {enc.get('responsible')}"
    out.append(e)
    for s in root.findall('section'):
        out.append('')
        out.append(s.findtext('title').upper())
        out += block_lines(s.find('text'))
    return '\n'.join(out) + '\n'

if __name__ == '__main__':
    here = os.path.dirname(os.path.abspath(__file__))
    for src, dst in [('T7a_nist_health_summary.xml', 'T7a_clinic_health_summary_pneumonia_ccd.txt'),
                     ('T7b_allscripts_visit_summary.xml', 'T7b_visit_summary_pneumonia_ccd.txt')]:
        txt = render(os.path.join(here, 'xml', src))
        with open(os.path.join(here, '..', 'docs', dst), 'w', encoding='utf-8') as f:
            f.write(txt)
        print(dst, len(txt.split()))
