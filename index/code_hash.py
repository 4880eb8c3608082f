"""Which source files turn a document into chunks, found by following imports, and their hash.

The index records this hash: when the parse-stage code changes, the index is rebuilt. The list of
files is derived from the imports (read with `ast`, so function-level imports count too) rather
than kept by hand, so a module split out of the parser is covered without anyone remembering to
add it.
"""

from __future__ import annotations

import ast
import functools
import hashlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the folder holding the project's packages
# index.targets: the ledger is extracted with the parse, so an extractor change re-extracts
# (vectors are reused for every chunk whose text comes out the same).
PARSE_STAGE = ("index.load", "index.structure", "index.chunk", "index.targets")
# Only the index package is hashed: the records and errors the parse stage also imports are the
# index format's schema (a change there fails loudly when loading), not parsing code.
HASHED_PACKAGES = ("index",)


def module_file(name: str) -> Path | None:
    """The source file of a project module (`index.load` -> index/load.py), or None if it is not one."""
    base = ROOT.joinpath(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def _with_parents(name: str) -> list[str]:
    """`a.b.c` -> a, a.b, a.b.c: importing a module runs its parent packages first."""
    parts = name.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def project_imports(name: str) -> set[str]:
    """The project modules that module `name` imports anywhere in its source (module or function level)."""
    path = module_file(name)
    if path is None:
        return set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            # `from pkg import name` imports pkg, and pkg.name too when that is a module.
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in targets:
            found.update(m for m in _with_parents(target) if module_file(m) is not None)
    found.discard(name)
    return found


def modules_reached(roots: tuple[str, ...]) -> set[str]:
    """The roots and every project module they import, transitively."""
    seen: set[str] = set()
    todo = [m for root in roots for m in _with_parents(root)]
    while todo:
        name = todo.pop()
        if name not in seen and module_file(name) is not None:
            seen.add(name)
            todo.extend(project_imports(name))
    return seen


@functools.cache
def parse_stage_modules() -> tuple[str, ...]:
    """The hashed modules of the parse stage, sorted so the hash does not depend on discovery order."""
    reached = modules_reached(PARSE_STAGE)
    return tuple(sorted(m for m in reached if m.split(".")[0] in HASHED_PACKAGES))


def pipeline_version() -> str:
    """Hash of the code that turns files into chunks: changing it must rebuild the index."""
    digest = hashlib.sha256()
    # The parser's data files (index/data/*.txt) are read, not imported: hash them too.
    data = sorted((ROOT / "index" / "data").glob("*.txt"))
    for path in [module_file(name) for name in parse_stage_modules()] + data:
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
