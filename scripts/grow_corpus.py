#!/usr/bin/env python3
"""Grow a distractor corpus from real and held-out policy documents (stdlib only).

Usage:
    python3 scripts/grow_corpus.py OUT_DIR [--n 120] [--seed 7] [--source DIR ...]

Default sources (relative to the repository root): eval/heldout/corpus and ../shared/corpus.
Every output document is a variant of one source document (sources are used round-robin, in
sorted order), written as OUT_DIR/grow_NNN_<original stem>.<ext>:

  * place names are replaced consistently by invented ones from PLACE_POOL (no two places of
    one variant get the same new name). A place "南京市" is replaced through its bare form
    "南京", so "南京市", "南京" and "南京六朝" all change together; the short form used in
    document numbers (宁政办发〔2023〕3号, 澜政办发〔2024〕12号) changes to the first
    character of the new name.
    Place names are found automatically (find_places): 2-character names + 市/区/县/镇/省 in
    the first lines that occur at least twice in the document, and district names in lists
    (after a line start or a separator such as "、"), filtered against common words
    (城市, 小区, 全区 ...). EXPLICIT_PLACES adds the names of the held-out documents and a few
    the heuristic misses in the real corpus (雨花台区, 江北新区, ...).
  * 4-digit years 2015-2030 (also in ranges like 2025—2027 and in 〔2024〕) are shifted by one
    random non-zero offset in -6..+6 per variant;
  * about half of the figures with a unit (36座, 95%, 3200万元, 0.5分 ...) and of the
    Chinese-numeral amounts (五百元, 七日, 七十二小时, 百分之二十 ...) are changed, so that
    the values differ from the originals.

The output is deterministic for a given seed, source set and --n.
"""

import argparse
import os
import random
import re
import sys
from pathlib import Path

# The Chinese-numeral parser is the product's (stdlib only); the repo root is on the path when run
# as `python3 scripts/grow_corpus.py`.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from retrieval.figures import chinese_numeral_value  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_SOURCES = [
    os.path.join(REPO, "eval", "heldout", "corpus"),
    os.path.normpath(os.path.join(REPO, "..", "shared", "corpus")),
]

# Invented 2-character place names (checked by eye not to be real cities/counties/districts).
PLACE_POOL = """
澈川 霁原 岚港 汀澜 溱川 泠江 沄州 澹溪 漪城 湄澄 渟州 霏江 翠岚 映川 砚溪 枫澜 榆汀 澄岚
璟川 瑜江 琅汀 珂州 蘅江 芷川 苓溪 鹤汀 鸾江 雁澄 鹊川 翎州 泓澄 溪澄 汐川 沁岚 濯江 溶川
洛岚 沂澜 霞汀 云岫 岫川 峤江 嵘州 崇岚 峦江 岑川 岱澄 岭汀 屿川 矶江 渚澜 澜屿 汀岫 霁屿
岚溪 澈溪 漪岚 雁汀 鹤澄 鸾川 翠汀 砚川 榆岚 蘅川 芷澜 苓江 璟澜 瑜汀 琅川 珂澜 泠汀 沄川
""".split()

# Names the heuristic cannot find (held-out documents written for eval/heldout, and a few in the
# real corpus), by file stem. Full names with their suffix; the bare form is derived.
EXPLICIT_PLACES = {
    "notice_tasks": ["澜江市", "临波区", "望潮区", "北汀区"],
    "regulation": ["青岚市", "江岳省"],
    "scoring": [
        "云澄市",
        "桐溪区",
        "梧岚街道",
        "溪月街道",
        "南汐街道",
        "沙汀街道",
        "凤澜街道",
        "枫汀镇",
        "石岚镇",
        "柳澄镇",
    ],
    "faq": ["鹭川市", "鹭湖区", "沁沙区", "东屿区", "栖凤区"],
    "plan_2024_2027": ["霁州市"],
    "000_ed09b5e7b1c27f21": ["南京市", "雨花台区", "江北新区"],
    "001_efbb80b5b0164357": ["南京市", "鼓楼区"],
    "002_983e4c4aba65749a": ["海安市", "南通市", "江苏省"],
    "003_deb2ec29f324010a": ["南京市"],
    "004_d947e63a6949b241": ["无锡市", "梁溪区", "锡山区", "新吴区"],
}
# Short forms used in document numbers when they are not the first character of the bare name.
ABBREV = {"南京": "宁"}

SUFFIXES = ("街道", "新区", "市", "区", "县", "镇", "省")
# "X市/区/..." is not a place when the last character of X plus the suffix is a common word,
# or when X contains one of these characters.
COMMON_TAILS = {
    "城市",
    "全市",
    "本市",
    "我市",
    "各市",
    "城区",
    "小区",
    "社区",
    "街区",
    "片区",
    "园区",
    "景区",
    "地区",
    "辖区",
    "全区",
    "该区",
    "各区",
    "市区",
    "新区",
    "郊区",
    "乡镇",
    "城镇",
    "村镇",
    "古镇",
    "集镇",
    "重镇",
    "制镇",
    "全省",
    "本省",
    "我省",
    "各县",
    "全县",
    "本县",
    "貌区",
    "聚区",
    "点区",
    "范区",
    "验区",
    "控区",
    "护区",
    "放区",
    "车区",
    "闭区",
    "建区",
}
GENERIC_CHARS = set(
    "城全本我各该市区县镇省小社街片园景地新老主跨的之于与和对向等是为在有关已经"
    "进化升强善好动展现高明推落实提突出建立通过同意转发按照年月日"
)
SEPARATORS = set('、，,；;：:（(）) \t\u3000\n“”"')

YEAR_RE = re.compile(
    r"(?<![0-9])(20(?:1[5-9]|2[0-9]|30))(?![0-9])"
    r"(?!\s*(?:万|亿|个|座|元|人|户|平方|立方|吨|辆|条|处|家|件|台|公里|米|多|余))"
)
UNITS = (
    "万平方米|平方米|立方米|万元|亿元|元|公里|%|％|个|座|条|处|吨|台|辆|人|户|栋|分|次|起|家|件|项|"
    "名|块|盏|套|所"
)
FIG_RE = re.compile(r"(?<![0-9.第〔])([0-9]+(?:\.[0-9]+)?)(?=(?:" + UNITS + "))")
CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
CN_RE = re.compile(
    r"(?<![0-9.第之点一二三四五六七八九十百千万])([一二三四五六七八九十百千万两]+)"
    r"(?=(?:元|小时|日|个工作日|个月|平方米|米))"
)
CN_PCT_RE = re.compile(r"百分之([一二三四五六七八九十]+)")


# ------------------------------------------------------------------ place names
def bare(name):
    for s in SUFFIXES:
        if name.endswith(s) and len(name) > len(s) + 1:
            return name[: -len(s)]
    return name


def plausible(x, suffix):
    return (
        len(x) == 2
        and all("\u4e00" <= c <= "\u9fff" for c in x)
        and not (set(x) & GENERIC_CHARS)
        and (x[-1] + suffix) not in COMMON_TAILS
    )


def find_places(text, stem, head_lines=25):
    """Bare place names of one document: explicit ones + heuristics (see module docstring)."""
    names = {bare(n) for n in EXPLICIT_PLACES.get(stem, [])}
    head = "\n".join(text.split("\n")[:head_lines])
    for m in re.finditer(r"(?=([\u4e00-\u9fff]{2})(市|区|县|镇|省))", head):
        x, suf = m.group(1), m.group(2)
        if plausible(x, suf) and text.count(x + suf) >= 2:
            names.add(x)
    for m in re.finditer(r"(?=(.)([\u4e00-\u9fff]{2})(区|县))", text):
        prev, x, suf = m.groups()
        if prev in SEPARATORS and plausible(x, suf) and text.count(x + suf) >= 2:
            names.add(x)
    return sorted(names, key=lambda n: (-len(n), n))


def replace_places(text, mapping):
    if not mapping:
        return text
    pat = re.compile("|".join(re.escape(k) for k in sorted(mapping, key=len, reverse=True)))
    out = pat.sub(lambda m: mapping[m.group(0)], text)
    # short forms in document numbers: 宁政办发〔2023〕 -> 岚政办发〔2023〕
    for old, new in mapping.items():
        short = ABBREV.get(old, old[0])
        out = re.sub(
            r"(?<![\u4e00-\u9fff])" + re.escape(short) + r"(?=[政建城][\u4e00-\u9fff]{0,3}〔)", new[0], out
        )
    return out


# ------------------------------------------------------------------ years and figures
def shift_years(text, offset):
    return YEAR_RE.sub(lambda m: str(int(m.group(1)) + offset), text)


def perturb_number(value_str, rng, percent=False, cap=None):
    decimals = len(value_str.split(".")[1]) if "." in value_str else 0
    v = float(value_str)
    f = rng.choice([0.5, 0.6, 0.75, 0.8, 1.2, 1.25, 1.5, 2.0])
    new = round(v * f, decimals)
    if decimals == 0:
        new = max(1, int(new))
    if percent and v <= 100:
        new = min(new, cap if cap is not None else (99 if v < 100 else 100))
    if new == (int(v) if decimals == 0 else v):
        step = 10**-decimals if decimals else 1
        new = new - step if (percent and v >= 100) else new + step
        new = round(new, decimals) if decimals else int(new)
    return f"{new:.{decimals}f}" if decimals else str(new)


def perturb_figures(text, rng, p=0.5):
    def fig(m):
        if rng.random() >= p:
            return m.group(0)
        unit = text[m.end() : m.end() + 1]
        return perturb_number(m.group(1), rng, percent=unit in "%％")

    return FIG_RE.sub(fig, text)


def cn2int(s):
    """A Chinese numeral's value, read by the product's own parser."""
    return int(chinese_numeral_value(s))


def int2cn(n):
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n >= 10000:
        hi, lo = divmod(n, 10000)
        rest = int2cn(lo) if lo else ""
        if lo and lo < 1000:
            rest = "零" + rest
        return int2cn(hi) + "万" + rest
    out, zero = "", False
    for unit_val, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d, n = divmod(n, unit_val)
        if d:
            if zero:
                out += "零"
            out += digits[d] + unit
            zero = False
        elif out:
            zero = True
    if out.startswith("一十"):
        out = out[1:]
    return out


def perturb_cn(text, rng, p=0.5):
    def amount(m):
        if rng.random() >= p:
            return m.group(0)
        v = cn2int(m.group(1))
        if v <= 0:
            return m.group(0)
        return int2cn(int(perturb_number(str(v), rng)))

    def pct(m):
        if rng.random() >= p:
            return m.group(0)
        v = cn2int(m.group(1))
        return "百分之" + int2cn(int(perturb_number(str(v), rng, percent=True, cap=99)))

    return CN_PCT_RE.sub(pct, CN_RE.sub(amount, text))


# ------------------------------------------------------------------ main
def make_variant(text, stem, rng):
    olds = find_places(text, stem)
    used = set(olds)
    pool = [n for n in PLACE_POOL if n not in used and n not in text]
    news = rng.sample(pool, len(olds)) if len(pool) >= len(olds) else pool + olds[len(pool) :]
    text = replace_places(text, dict(zip(olds, news, strict=False)))
    text = shift_years(text, rng.choice([d for d in range(-6, 7) if d]))
    text = perturb_figures(text, rng)
    return perturb_cn(text, rng)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--n", type=int, default=120, help="number of documents to write (default 120)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--source", action="append", help="source directory (repeatable)")
    a = ap.parse_args(argv)

    sources = []
    for d in a.source or DEFAULT_SOURCES:
        if not os.path.isdir(d):
            print(f"warning: source directory not found: {d}", file=sys.stderr)
            continue
        for fn in sorted(os.listdir(d)):
            fp = os.path.join(d, fn)
            if os.path.isfile(fp) and fn.endswith((".txt", ".md")):
                sources.append(fp)
    if not sources:
        print("no source documents", file=sys.stderr)
        return 2
    os.makedirs(a.out_dir, exist_ok=True)
    rng = random.Random(a.seed)
    for i in range(a.n):
        src = sources[i % len(sources)]
        stem, ext = os.path.splitext(os.path.basename(src))
        with open(src, encoding="utf-8") as fh:
            text = fh.read()
        out = make_variant(text, stem, random.Random(rng.getrandbits(64)))
        with open(os.path.join(a.out_dir, f"grow_{i + 1:03d}_{stem}{ext}"), "w", encoding="utf-8") as fh:
            fh.write(out)
    print(f"wrote {a.n} documents from {len(sources)} sources to {a.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
