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


def unsupported_type_zh(name: str, suffix: str) -> str:
    """The Chinese message for a file type policyqa does not read (the app's uploads)."""
    kind = f"“{suffix}”类型的文件" if suffix else "没有扩展名的文件"
    return f"{name}：不支持{kind}；请上传 {'、'.join(SUPPORTED_SUFFIXES)} 格式的文件。"


DEFAULT_MAX_MB = 50

_FORMATS = {".txt": "txt", ".md": "md", ".html": "html", ".htm": "html", ".docx": "docx", ".pdf": "pdf"}


# ---------------------------------------------------------------- corpus listing


def scan_corpus(corpus_root: Path) -> tuple[list[Path], list[Path]]:
    """(supported files, skipped files) under `corpus_root`, each sorted; hidden files and folders left out.

    Skipped are files of an unsupported type and links that are not followed: a link whose
    target is missing, lies outside the corpus folder or is hidden, and links to folders
    (`skip_message` says which). A link to a document inside the corpus is read like the document.
    """
    root = Path(corpus_root)
    if not root.is_dir():
        raise DocumentError(
            f"corpus folder {root} does not exist or is not a folder; create it and put the documents in it"
        )
    supported, skipped = [], []
    for folder, dirs, files in os.walk(root):
        # Hidden folders (.git, .policyqa, ...) are tool state, never documents.
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        # os.walk does not descend into linked folders; say so instead of leaving them out silently.
        skipped += [Path(folder) / d for d in dirs if (Path(folder) / d).is_symlink()]
        for name in files:
            # "~$x.docx" is Word's lock file for an open document, not a document.
            if name.startswith((".", "~$")):
                continue
            path = Path(folder) / name
            ok = path.suffix.lower() in SUPPORTED_SUFFIXES and not link_problem(path, root)
            (supported if ok else skipped).append(path)
    key = lambda p: p.relative_to(root).as_posix()  # noqa: E731
    return sorted(supported, key=key), sorted(skipped, key=key)


def list_corpus(corpus_root: Path) -> list[Path]:
    """Supported files under `corpus_root`, sorted by relative path; logs each file it skips and why."""
    supported, skipped = scan_corpus(corpus_root)
    for path in skipped:
        log.warning("%s", skip_message(path, corpus_root))
    return supported


def skip_message(path: Path, corpus_root: Path) -> str:
    """The line the CLI prints for a file `scan_corpus` skips."""
    path, root = Path(path), Path(corpus_root)
    rel = _relative(path, root)
    if path.is_symlink() and path.is_dir():
        return f"skipped {rel}: a link to a folder; links to folders are not followed, move the documents into the corpus"
    problem = link_problem(path, root)
    if problem:
        return f"skipped {rel}: {problem}"
    return f"skipped {rel}: unsupported type, supported: {', '.join(SUPPORTED_SUFFIXES)}"


def link_problem(path: Path, corpus_root: Path) -> str:
    """Why the link `path` (inside `corpus_root`) is not followed, or '' for a regular file or a good link.

    A link is followed only to an existing, visible file inside the corpus folder: never to a
    file outside it (/etc/passwd, a secret), never into a hidden folder, and a dangling link
    is a message, not a crash.
    """
    path = Path(path)
    if not path.is_symlink() and not any(p.is_symlink() for p in _parents_below(path, Path(corpus_root))):
        return ""
    root = Path(corpus_root).resolve()
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):  # missing target, or a loop of links
        return "a link whose target does not exist; remove the link or restore the file it points to"
    if not target.is_relative_to(root):
        return (
            "a link to a file outside the corpus folder; not read (copy the document into the corpus instead)"
        )
    if any(part.startswith(".") for part in target.relative_to(root).parts):
        return "a link to a hidden file; not read"
    if not target.is_file():
        return "a link to something that is not a file; not read"
    return ""


def _parents_below(path: Path, root: Path) -> list[Path]:
    """The folders between `root` (excluded) and `path` (excluded), lexically."""
    try:
        parts = Path(os.path.abspath(path)).relative_to(os.path.abspath(root)).parts[:-1]
    except ValueError:
        return []
    out, current = [], Path(os.path.abspath(root))
    for part in parts:
        current = current / part
        out.append(current)
    return out


def _relative(path: Path, root: Path) -> str:
    # Lexically first: a link inside the corpus is known by its own name, not its target's.
    try:
        return Path(os.path.abspath(path)).relative_to(os.path.abspath(root)).as_posix()
    except ValueError:
        pass
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):
        # A file from outside the corpus (e.g. an upload in a temp folder) is known by its name.
        return path.name


# ---------------------------------------------------------------- entry point


def _lexically_inside(path: Path, root: Path) -> bool:
    return Path(os.path.abspath(path)).is_relative_to(os.path.abspath(root))


def read_document(path: Path, corpus_root: Path, max_mb: float = DEFAULT_MAX_MB) -> RawDocument:
    """Read a .txt/.md/.html/.htm/.docx/.pdf file into a RawDocument; raises DocumentError if it cannot."""
    path = Path(path)
    rel = _relative(path, Path(corpus_root))
    suffix = path.suffix.lower()
    if suffix not in _FORMATS:
        raise DocumentError(
            f"{rel}: unsupported file type {suffix or '(none)'}; supported: {', '.join(SUPPORTED_SUFFIXES)}",
            zh=unsupported_type_zh(rel, suffix),
        )
    problem = link_problem(path, Path(corpus_root)) if _lexically_inside(path, Path(corpus_root)) else ""
    if problem:
        raise DocumentError(
            f"{rel}: {problem}", zh=f"{rel}：这是一个链接，无法作为文件读取，请上传文件本身。"
        )
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise DocumentError(
            f"{rel}: cannot read the file ({exc.strerror or exc}); check that it exists and is readable",
            zh=f"{rel}：无法读取文件，请确认文件存在且可以打开。",
        ) from None
    if size > max_mb * 1024 * 1024:
        raise DocumentError(
            f"{rel}: file is {size / 1024 / 1024:.1f} MB, over the {max_mb:g} MB limit; "
            "split it into smaller files or raise the limit",
            zh=f"{rel}：文件有 {size / 1024 / 1024:.1f} MB，超过 {max_mb:g} MB 的上限，请拆分成较小的文件。",
        )
    fmt = _FORMATS[suffix]
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(
            f"{rel}: cannot read the file ({exc.strerror or exc}); check that it is readable",
            zh=f"{rel}：无法读取文件，请确认文件可以打开。",
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
            f"{rel}: no text found in the file; check that it is not empty, or remove it from the corpus",
            zh=f"{rel}：文件中没有找到文字，请确认文件不是空的。",
        )
    return RawDocument(file=rel, text=text, format=fmt, encoding=encoding, fields=fields)
