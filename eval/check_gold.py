#!/usr/bin/env python3
"""Validate a held-out gold set (eval/heldout, eval/heldout2) against its corpus (stdlib only).

Usage:
    python3 eval/check_gold.py eval/heldout2

The set folder holds questions.jsonl, corpus/ and set.json (its classes, the minimum count per
class and in total, and the CJK length range of its documents). HTML corpus files (*.html, *.htm) are checked against their
visible text (script/style/comments dropped, block elements -> line breaks, table cells -> TABs,
other tags removed, entities unescaped); a section heading of an HTML file must be the text of one of
its <h1>..<h6> elements, and a quote must also occur in the raw file after the scorer's normalisation
(citation_valid in score.py reads the raw file).

Checks (any failure -> exit status 1):
  * every line is a JSON object with id/question/type/answers/sources/difficulty/class,
    ids are unique, type/class/difficulty come from the allowed sets;
  * unanswerable questions have answers == [] and sources == []; answerable ones have both non-empty;
  * every source file exists; every quote is a verbatim substring of its file, contains no line break,
    is 8..60 characters long (8 also after the scorer's normalisation);
  * every heading of a source's section path starts a line of the file (Markdown '#' stripped),
    the headings occur in path order, and the quote occurs somewhere after
    the last heading of the path (not required for a one-heading
    section naming the document title: header facts such as the 文号 may stand above the title);
  * every answer key is a verbatim substring of (one of) the question's source files;
  * minimum counts per class and in total, and the documents' CJK length range, from set.json
    (visible text for HTML).
Warnings (do not fail): a quote that occurs more than once in its file (a hit may then come from
another place), a gold section key shorter than 2 characters.
Prints counts by class, type, difficulty and (answerable questions) source file.
"""

import argparse
import html
import json
import os
import re
import sys
from collections import Counter

TYPES = {"fact", "number", "section", "compare", "target", "unanswerable"}
DIFFS = {"easy", "medium", "hard"}
HEADER_CHARS = 400  # a one-heading section whose heading starts this early is the document title

# --- the scorer's normalisation (copied from /work/shared/eval/score.py)
_TRANS = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_TRANS[0x3000] = 0x20
for _q in "“”‘’\"'＂＇":
    _TRANS[ord(_q)] = ord('"')
_WS = re.compile(r"\s+")


def norm(s):
    s = s.translate(_TRANS)
    s = _WS.sub("", s)
    return "".join(c.lower() if "A" <= c <= "Z" else c for c in s)


_ENUM = re.compile(
    r"^(?:\([一二三四五六七八九十百零〇0-9]+\)|[一二三四五六七八九十百零〇]+[、.,]"
    r"|[0-9]+(?:\.[0-9]+)*[.、,](?![0-9])|[①-⑳])"
)


def gold_section_key(section):
    parts = [p for p in re.split(r"\s*>\s*", section.strip()) if p.strip()]
    h = norm(parts[-1]) if parts else ""
    core = _ENUM.sub("", h, count=1) or h
    core = core.split("。", 1)[0] or core
    return core[:12]


_HTML_DROP = re.compile(r"<!--.*?-->|<(script|style)\b[^>]*>.*?</\1\s*>", re.S | re.I)
_HTML_BLOCK = re.compile(
    r"</?(?:html|head|body|title|div|p|h[1-6]|ul|ol|li|table|thead|tbody|tfoot|tr|nav|header|footer|"
    r"section|article|br|hr|caption)\b[^>]*>",
    re.I,
)
_HTML_CELL = re.compile(r"</?(?:td|th)\b[^>]*>", re.I)
_HTML_HEAD = re.compile(r"<h[1-6]\b[^>]*>(.*?)</h[1-6]\s*>", re.S | re.I)


def html_text(raw):
    """Visible text of an HTML page: one line per block element, TAB between table cells."""
    s = _HTML_DROP.sub("", raw)
    s = _HTML_BLOCK.sub("\n", s)
    s = _HTML_CELL.sub("\t", s)
    s = re.sub(r"<[^>]+>", "", s)
    s = html.unescape(s)
    lines = [re.sub(r"[ \t]*\t[ \t]*", "\t", ln).strip(" \t") for ln in s.split("\n")]
    return "\n".join(ln for ln in lines if ln)


def html_headings(raw):
    return {html.unescape(re.sub(r"<[^>]+>", "", m)).strip() for m in _HTML_HEAD.findall(raw)}


def is_html(fn):
    return fn.lower().endswith((".html", ".htm"))


def line_starts(text):
    """Positions and stripped text of every line (Markdown heading marks and indentation removed)."""
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, line.lstrip("#").strip(" \t\u3000>")))
        pos += len(line) + 1
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folder", help="the set's folder, e.g. eval/heldout2")
    a = ap.parse_args(argv)
    a.gold = os.path.join(a.folder, "questions.jsonl")
    a.corpus = os.path.join(a.folder, "corpus")
    with open(os.path.join(a.folder, "set.json"), encoding="utf-8") as fh:
        spec = json.load(fh)
    classes, min_class, min_total = set(spec["classes"]), spec["min_class"], spec["min_total"]
    doc_cjk = tuple(spec["doc_cjk"])

    errors, warnings = [], []
    docs, raw_of, heads_of = {}, {}, {}
    for fn in sorted(os.listdir(a.corpus)):
        with open(os.path.join(a.corpus, fn), encoding="utf-8") as fh:
            raw_of[fn] = fh.read()
        if is_html(fn):
            docs[fn] = html_text(raw_of[fn])
            heads_of[fn] = html_headings(raw_of[fn])
        else:
            docs[fn] = raw_of[fn]
        n_cjk = len(re.findall(r"[\u4e00-\u9fff]", docs[fn]))
        if not doc_cjk[0] <= n_cjk <= doc_cjk[1]:
            errors.append(f"{fn}: {n_cjk} CJK characters, outside {doc_cjk}")
    lines_of = {fn: line_starts(t) for fn, t in docs.items()}

    seen, by_class, by_type, by_diff, by_file = set(), Counter(), Counter(), Counter(), Counter()
    with open(a.gold, encoding="utf-8") as fh:
        rows = [(ln, text) for ln, text in enumerate(fh, 1) if text.strip()]
    for ln, line in rows:
        try:
            r = json.loads(line)
        except ValueError as e:
            errors.append(f"line {ln}: bad JSON: {e}")
            continue
        qid = r.get("id", f"line{ln}")
        E = lambda m, qid=qid: errors.append(f"{qid}: {m}")  # noqa: E731
        for k in ("id", "question", "type", "answers", "sources", "difficulty", "class"):
            if k not in r:
                E(f"missing key {k}")
        if qid in seen:
            E("duplicate id")
        seen.add(qid)
        t, c, d = r.get("type"), r.get("class"), r.get("difficulty")
        if t not in TYPES:
            E(f"bad type {t!r}")
        if c not in classes:
            E(f"bad class {c!r}")
        if d not in DIFFS:
            E(f"bad difficulty {d!r}")
        by_class[c] += 1
        by_type[t] += 1
        by_diff[d] += 1
        answers, sources = r.get("answers", []), r.get("sources", [])
        if (t == "unanswerable") != (c == "nearmiss"):
            E("class nearmiss <-> type unanswerable mismatch")
        if t == "unanswerable":
            if answers or sources:
                E("unanswerable must have empty answers and sources")
            continue
        if not answers or not sources:
            E("answerable question needs answers and sources")
        files = []
        for j, s in enumerate(sources):
            f, sec, quote = s.get("file"), s.get("section", ""), s.get("quote", "")
            if f not in docs:
                E(f"source {j}: unknown file {f!r}")
                continue
            files.append(f)
            text = docs[f]
            if "\n" in quote:
                E(f"source {j}: quote spans a line break")
            if not (8 <= len(quote) <= 60) or len(norm(quote)) < 8:
                E(f"source {j}: quote length {len(quote)} (norm {len(norm(quote))}) outside 8..60: {quote!r}")
            pos = text.find(quote)
            if pos < 0:
                E(
                    f"source {j}: quote not verbatim in {f}"
                    + (" (visible text)" if is_html(f) else "")
                    + f": {quote!r}"
                )
                continue
            if is_html(f) and norm(quote) not in norm(raw_of[f]):
                E(f"source {j}: quote not in the raw HTML of {f} (after norm): {quote!r}")
            if text.count(quote) > 1:
                warnings.append(f"{qid}: source {j}: quote occurs {text.count(quote)}x in {f}: {quote!r}")
            heads = [h.strip() for h in sec.split(">") if h.strip()]
            if not heads:
                E(f"source {j}: empty section")
                continue
            last_pos = None
            for h in heads:
                hits = [p for p, ltxt in lines_of[f] if ltxt.startswith(h)]
                if not hits:
                    E(f"source {j}: heading {h!r} does not start any line of {f}")
                if is_html(f) and not any(x == h or x.startswith(h) for x in heads_of[f]):
                    E(f"source {j}: heading {h!r} is not the text of an <h1>..<h6> of {f}")
                if h == heads[-1]:
                    last_pos = hits
            # heldout2 addition: the headings of a path must occur in document order
            # (e.g. '第二章 > 第八条' needs a 第八条 line after the 第二章 line)
            prev = -1
            for h in heads:
                nxt = [p for p, ltxt in lines_of[f] if ltxt.startswith(h) and p > prev]
                if not nxt:
                    if any(ltxt.startswith(h) for _, ltxt in lines_of[f]):
                        E(f"source {j}: heading {h!r} does not follow the previous heading of the path")
                    break
                prev = nxt[0]
            else:
                if last_pos:
                    last_pos = [p for p in last_pos if p >= prev]
            # header facts (文号 above the title, 落款 below it) are filed under the title line
            header = len(heads) == 1 and any(p <= HEADER_CHARS for p in (last_pos or []))
            if last_pos and not header and not any(text.find(quote, p) >= 0 for p in last_pos):
                E(f"source {j}: quote does not occur after its section heading {heads[-1]!r}")
            if len(gold_section_key(sec)) < 2:
                warnings.append(f"{qid}: source {j}: short section key {gold_section_key(sec)!r}")
        for f in set(files):
            by_file[f] += 1
        pool = "\n".join(docs[f] for f in set(files))
        for k in answers:
            if not isinstance(k, str) or not k:
                E(f"empty/non-string answer key {k!r}")
            elif k not in pool:
                E(f"answer key not verbatim in its source file(s): {k!r}")

    total = sum(by_class.values())
    for cls, n in min_class.items():
        if by_class[cls] < n:
            errors.append(f"class {cls}: {by_class[cls]} < required {n}")
    if total < min_total:
        errors.append(f"total {total} < {min_total}")

    print(f"questions: {total}")
    print("by class:      " + ", ".join(f"{k}={v}" for k, v in sorted(by_class.items())))
    print("by type:       " + ", ".join(f"{k}={v}" for k, v in sorted(by_type.items())))
    print("by difficulty: " + ", ".join(f"{k}={v}" for k, v in sorted(by_diff.items())))
    print("by file:       " + ", ".join(f"{k}={v}" for k, v in sorted(by_file.items())) + " (answerable)")
    print(
        "documents:     " + ", ".join(f"{fn}({len(re.findall(r'[一-鿿]', t))} CJK)" for fn, t in docs.items())
    )
    for w in warnings:
        print("WARNING " + w)
    for e in errors:
        print("ERROR " + e)
    print("OK" if not errors else f"{len(errors)} problem(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
