"""Bytes of a text file or web page to `str`, strictly; and the line-ending normalisation of extracted text.

A wrongly guessed encoding gives mojibake that would be indexed and quoted as if it were the
document, so nothing is decoded with replacement characters: the encodings Chinese government
files come in are tried in order (BOM, UTF-8, the page's declared charset, GB18030, then
charset-normalizer's guess), and a legacy codec's result is kept only if it reads as clean text.
"""

from __future__ import annotations

import re

from policyqa.errors import DocumentError


def normalise_newlines(text: str) -> str:
    """`text` with every line ending as `\\n`."""
    # Only line endings change: \r\n, lone \r and the Unicode line/paragraph separators.
    return re.sub(r"\r\n?|[\u2028\u2029\x85]", "\n", text)


# Characters that real text in the encodings we accept is made of; mojibake lands elsewhere.
_PLAUSIBLE = re.compile(
    r"[\t\n\r\x0c\x20-\x7e\u00a0-\u024f\u0370-\u03ff\u0400-\u04ff\u2000-\u2bff"
    r"\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3200-\u33ff\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]"
)


def _looks_clean(text: str) -> bool:
    """True when decoded text has no controls, no private-use characters and little mess."""
    from charset_normalizer.md import mess_ratio

    if not text:
        return True
    odd = len(text) - len(_PLAUSIBLE.findall(text))
    if odd > max(2, len(text) // 200):
        return False
    # mess_ratio catches one encoding read as another (e.g. UTF-8 bytes read as GBK).
    return mess_ratio(text[:50_000], maximum_threshold=0.2) < 0.2


def decode_text(data: bytes, rel: str, declared: str = "") -> tuple[str, str]:
    """Decode bytes strictly: BOM, then UTF-8, a declared charset, GB18030, charset-normalizer."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data[3:], "utf-8", rel), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16", rel).lstrip("\ufeff"), "utf-16"
    tried = []
    for encoding in ("utf-8", declared, "gb18030"):
        if not encoding or encoding in tried:
            continue
        tried.append(encoding)
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        # Valid UTF-8 is trusted (other encodings almost never decode as UTF-8); a legacy codec
        # decodes most byte soups, so its result must also read as clean text.
        clean = encoding.replace("_", "-") in ("utf-8", "utf8") or _looks_clean(text)
        if "\x00" not in text and clean:
            return text.lstrip("\ufeff"), encoding

    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and best.encoding:
        text = str(best)
        if "\x00" not in text and _looks_clean(text):
            return text.lstrip("\ufeff"), best.encoding
    raise DocumentError(
        f"{rel}: cannot tell the text encoding (tried {', '.join(tried)} and automatic detection); "
        "save the file as UTF-8 and index again",
        zh=f"{rel}：无法识别文件的文字编码，请将文件另存为 UTF-8 编码后重新上传。",
    )


def _strict(data: bytes, encoding: str, rel: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise DocumentError(
            f"{rel}: starts with a {encoding} byte-order mark but byte {exc.start} is not valid {encoding}; "
            "save the file again as UTF-8",
            zh=f"{rel}：文件开头标明是 {encoding} 编码，但内容不符合该编码，请将文件另存为 UTF-8 编码后重新上传。",
        ) from None
