"""Read a .pdf file: its text layer as plain lines, or OCR for pages that have none.

pypdf's text layer breaks every paragraph at the page margin and includes page numbers, so page
numbers are dropped and hard wraps are joined back, but only where a line reaches the page's measured
right margin and does not end a sentence or precede a heading, so titles and table cells stay apart.
Scanned pages (no text layer) are OCRed with tesseract (Simplified Chinese) when it is installed,
and `tidy_ocr` undoes its habits (spaces between Chinese characters, misread heading commas).
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import tempfile
import unicodedata
from pathlib import Path

from index.cjk import CJK_CHARS
from index.decode import normalise_newlines
from policyqa.errors import DocumentError

log = logging.getLogger(__name__)

_PDF_PASSWORD_ZH = "{rel}：这个 PDF 设有密码，请提供未加密的版本。"
_OCR_HINT = (
    "Install OCR with `apt-get install tesseract-ocr tesseract-ocr-chi-sim poppler-utils` "
    "and index again, or provide a text version."
)

_SENTENCE_END = "。！？；：!?;:.…"
_CLOSERS = "”’」』）)】〕》"
_HEADING_START = re.compile(
    r"^[ \u3000]*("
    r"[一二三四五六七八九十百]+[、．.]"
    r"|[（(][一二三四五六七八九十百]+[）)]"
    r"|\d{1,3}[、．.](?!\d)"
    r"|[（(]\d{1,3}[）)]"
    r"|[①-⑳]"
    r"|第[一二三四五六七八九十百零〇\d]+[章节条款部分篇]"
    r"|附件|附表"
    r")"
)
_PAGE_NUMBER = re.compile(
    r"^[ \u3000]*([-—－–─]+[ \u3000]*\d{1,4}[ \u3000]*[-—－–─]+|第[ \u3000]*\d+[ \u3000]*页([ \u3000]*[,，/]?[ \u3000]*共[ \u3000]*\d+[ \u3000]*页)?|\d{1,4}[ \u3000]*/[ \u3000]*\d{1,4})[ \u3000]*$"
)


def read_pdf(path: Path, data: bytes, rel: str) -> str:
    """Text of a PDF, OCRing pages without a text layer; raises DocumentError if it cannot be read."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

    if b"%PDF" not in data[:1024]:
        raise DocumentError(
            f"{rel}: not a PDF file (no %PDF header); check the file or export it to PDF again",
            zh=f"{rel}：不是有效的 PDF 文件，请检查文件或重新导出为 PDF。",
        )
    try:
        reader = PdfReader(str(path), strict=False)
        if reader.is_encrypted:
            # Many PDFs are encrypted only against editing and open with an empty password.
            try:
                ok = reader.decrypt("")
            except DependencyError:
                raise DocumentError(
                    f"{rel}: this PDF is AES-encrypted and decrypting it needs the `cryptography` package; "
                    "install it (pip install cryptography) or provide an unencrypted copy",
                    zh=_PDF_PASSWORD_ZH.format(rel=rel),
                ) from None
            if not ok:
                raise DocumentError(
                    f"{rel}: this PDF is protected with a password; provide an unprotected copy",
                    zh=_PDF_PASSWORD_ZH.format(rel=rel),
                )
        pages = [page.extract_text() or "" for page in reader.pages]
    except DocumentError:
        raise
    except FileNotDecryptedError:
        raise DocumentError(
            f"{rel}: this PDF is protected with a password; provide an unprotected copy",
            zh=_PDF_PASSWORD_ZH.format(rel=rel),
        ) from None
    except (
        PyPdfError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        IndexError,
        RecursionError,
        OSError,
    ) as exc:
        raise DocumentError(
            f"{rel}: cannot read this PDF, it seems damaged ({type(exc).__name__}: {exc}); export it to PDF again",
            zh=f"{rel}：无法读取这个 PDF，文件可能已损坏，请重新导出为 PDF 后再上传。",
        ) from None

    pages = [_clean_pdf_page(text) for text in pages]
    # A scanned page has no text layer; at most a stray mark or two gets extracted.
    empty = [i for i, text in enumerate(pages) if len(re.sub(r"\s", "", text)) < 5]
    if empty:
        if _have_ocr():
            for i in empty:
                pages[i] = _clean_pdf_page(_ocr_page(path, i + 1, rel))
        elif len(empty) == len(pages):
            raise DocumentError(
                f"{rel}: this PDF has no text layer (scanned). {_OCR_HINT}",
                zh=f"{rel}：这是扫描版 PDF，没有可读取的文字层；请提供文字版（如 Word 或可复制文字的 PDF）。",
            )
        else:
            log.warning(
                "%s: pages %s have no text layer and were skipped. %s",
                rel,
                ", ".join(str(i + 1) for i in empty),
                _OCR_HINT,
            )
    return "\n".join(text for text in pages if text)


def _clean_pdf_page(text: str) -> str:
    lines = [line.rstrip() for line in normalise_newlines(text).split("\n")]
    lines = [line for line in lines if line.strip() and not _PAGE_NUMBER.match(line)]
    return "\n".join(_join_wrapped(lines))


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _join_wrapped(lines: list[str]) -> list[str]:
    """Undo the hard wraps inside paragraphs, conservatively.

    A line is joined to the next only when it runs (nearly) to the right margin, which is measured
    as the widest line on the page (at least three lines must reach it), does not end a sentence, and the next line does not start
    with a heading marker (一、 （一） 1． 第一条 ...). Short lines (titles, 落款, table cells) stay.
    """
    if len(lines) < 2:
        return lines
    widths = [_width(line.strip()) for line in lines]
    full = max(widths)
    # Only a page where several lines reach the same right edge shows where the margin is;
    # otherwise the widest line may be a title, and nothing is joined.
    if full < 20 or sum(w >= 0.9 * full for w in widths) < 3:
        return lines
    out = [lines[0]]
    for prev, line in zip(lines, lines[1:], strict=False):
        # `prev` is the previous physical line, so a joined paragraph keeps being tested line by line.
        core = prev.rstrip().rstrip(_CLOSERS)
        wrapped = (
            _width(prev.strip()) >= 0.9 * full
            and core
            and core[-1] not in _SENTENCE_END
            and not _HEADING_START.match(line)
            and "\t" not in prev
        )
        if wrapped:
            joiner = " " if core[-1].isascii() and core[-1].isalnum() and line.lstrip()[:1].isascii() else ""
            out[-1] = out[-1].rstrip() + joiner + line.lstrip()
        else:
            out.append(line)
    return out


def _have_ocr() -> bool:
    if not shutil.which("tesseract") or not shutil.which("pdftoppm"):
        return False
    try:
        langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return "chi_sim" in (langs.stdout + langs.stderr).split()


def _ocr_page(path: Path, page: int, rel: str) -> str:
    """OCR one page: pdftoppm renders it at 300 dpi, tesseract reads it as Simplified Chinese."""
    with tempfile.TemporaryDirectory() as tmp:
        prefix = Path(tmp) / "page"
        try:
            subprocess.run(
                [
                    "pdftoppm",
                    "-r",
                    "300",
                    "-gray",
                    "-png",
                    "-f",
                    str(page),
                    "-l",
                    str(page),
                    "-singlefile",
                    str(path),
                    str(prefix),
                ],
                check=True,
                capture_output=True,
                timeout=300,
            )
            result = subprocess.run(
                [
                    "tesseract",
                    str(prefix) + ".png",
                    "stdout",
                    "-l",
                    "chi_sim",
                ],
                check=True,
                capture_output=True,
                text=True,
                timeout=600,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise DocumentError(
                f"{rel}: OCR of page {page} failed ({exc}); check the tesseract install or provide a text version",
                zh=f"{rel}：第 {page} 页文字识别失败，请提供文字版文件。",
            ) from None
    return tidy_ocr(result.stdout)


# OCR reads the enumeration comma of a heading ("二、") as a colon, a point or stray marks
# ("二:<", "二 ."), which would hide the heading from the structure parser.
_OCR_HEADING_MARK = re.compile(
    rf"^([一二三四五六七八九十]{{1,3}})[ :：<>.,，·;；_\-]{{1,3}}(?=[{CJK_CHARS}])", re.M
)


def tidy_ocr(text: str) -> str:
    """Undo tesseract's habits on Chinese text: spaces between characters, misread heading commas."""
    text = re.sub(rf"(?<=[{CJK_CHARS}]) +(?=[{CJK_CHARS}：；，。、）])", "", text)
    return _OCR_HEADING_MARK.sub(r"\1、", text)
