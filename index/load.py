"""Read one corpus file of any supported format into a `RawDocument`.

Every later offset refers to `RawDocument.text`, so this is the one place where bytes become
text: .txt/.md keep their decoded text verbatim (only line endings become `\\n`); .html, .docx
and .pdf are rendered to plain lines (tables as one tab-separated row per line).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from index.decode import decode_text, normalise_newlines
from index.docx import read_docx
from index.html import read_html
from index.pdf import read_pdf
from policyqa.errors import DocumentError
from policyqa.records import RawDocument

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".docx", ".pdf")
DEFAULT_MAX_MB = 50

_FORMATS = {".txt": "txt", ".md": "md", ".html": "html", ".htm": "html", ".docx": "docx", ".pdf": "pdf"}


# ---------------------------------------------------------------- corpus listing


def scan_corpus(corpus_root: Path) -> tuple[list[Path], list[Path]]:
    """(supported files, unsupported files) under `corpus_root`, each sorted; hidden files and folders skipped."""
    root = Path(corpus_root)
    if not root.is_dir():
        raise DocumentError(
            f"corpus folder {root} does not exist or is not a folder; create it and put the documents in it"
        )
    supported, skipped = [], []
    for folder, dirs, files in os.walk(root):
        # Hidden folders (.git, .policyqa, ...) are tool state, never documents.
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            # "~$x.docx" is Word's lock file for an open document, not a document.
            if name.startswith((".", "~$")):
                continue
            path = Path(folder) / name
            (supported if path.suffix.lower() in SUPPORTED_SUFFIXES else skipped).append(path)
    key = lambda p: p.relative_to(root).as_posix()  # noqa: E731
    return sorted(supported, key=key), sorted(skipped, key=key)


def list_corpus(corpus_root: Path) -> list[Path]:
    """Supported files under `corpus_root`, sorted by relative path; logs each unsupported file it skips."""
    supported, skipped = scan_corpus(corpus_root)
    for path in skipped:
        log.warning("%s", skip_message(path, corpus_root))
    return supported


def skip_message(path: Path, corpus_root: Path) -> str:
    """The line the CLI prints for an unsupported file."""
    return f"skipped {_relative(Path(path), Path(corpus_root))}: unsupported type, supported: {', '.join(SUPPORTED_SUFFIXES)}"


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        # A file from outside the corpus (e.g. an upload in a temp folder) is known by its name.
        return path.name


# ---------------------------------------------------------------- entry point


def read_document(path: Path, corpus_root: Path, max_mb: float = DEFAULT_MAX_MB) -> RawDocument:
    """Read a .txt/.md/.html/.htm/.docx/.pdf file into a RawDocument; raises DocumentError if it cannot."""
    path = Path(path)
    rel = _relative(path, Path(corpus_root))
    suffix = path.suffix.lower()
    if suffix not in _FORMATS:
        raise DocumentError(
            f"{rel}: unsupported file type {suffix or '(none)'}; supported: {', '.join(SUPPORTED_SUFFIXES)}"
        )
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise DocumentError(
            f"{rel}: cannot read the file ({exc.strerror or exc}); check that it exists and is readable"
        ) from None
    if size > max_mb * 1024 * 1024:
        raise DocumentError(
            f"{rel}: file is {size / 1024 / 1024:.1f} MB, over the {max_mb:g} MB limit; "
            "split it into smaller files or raise the limit"
        )
    fmt = _FORMATS[suffix]
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(
            f"{rel}: cannot read the file ({exc.strerror or exc}); check that it is readable"
        ) from None

    fields: tuple[tuple[str, str], ...] = ()
    if fmt in ("txt", "md"):
        text, encoding = decode_text(data, rel)
        text = normalise_newlines(text)
    elif fmt == "html":
        text, encoding, fields = read_html(data, rel)
    elif fmt == "docx":
        text, fields = read_docx(path, data, rel)
        encoding = "binary"
    else:
        text = read_pdf(path, data, rel)
        encoding = "binary"
    if not text.strip():
        raise DocumentError(
            f"{rel}: no text found in the file; check that it is not empty, or remove it from the corpus"
        )
    return RawDocument(file=rel, text=text, format=fmt, encoding=encoding, fields=fields)
