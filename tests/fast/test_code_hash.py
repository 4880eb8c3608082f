"""The index's pipeline hash covers every module the parse stage runs, found without a hand-kept list."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from index import build, code_hash
from tests.import_graph import REPO, import_graph

PARSE_STAGE = ("index.load", "index.structure", "index.chunk", "index.targets")


def _index_modules_reached(graph: dict[str, set[str]], roots) -> set[str]:
    seen, todo = set(), ["index", *roots]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(graph.get(name, ()))
    return {m for m in seen if m.split(".")[0] == "index"}


def test_every_index_module_the_parse_stage_imports_is_hashed():
    expected = _index_modules_reached(import_graph(), PARSE_STAGE)
    assert {"index.cjk", "index.tokens"} <= expected  # once left out of a hand-kept list
    assert set(code_hash.parse_stage_modules()) == expected
    assert list(code_hash.parse_stage_modules()) == sorted(expected)  # a stable order for the hash


def test_modules_loaded_by_the_parse_stage_are_hashed():
    """What Python itself loads when the parse stage is imported, in a fresh interpreter."""
    script = (
        "import sys, index.load, index.structure, index.chunk, index.targets\n"
        "print('\\n'.join(m for m in sys.modules if m.split('.')[0] == 'index'))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    assert set(PARSE_STAGE) <= set(loaded)
    assert set(loaded) <= set(code_hash.parse_stage_modules())


def test_the_index_records_this_version(fake_settings):
    report = build.update(fake_settings)
    assert report.index.manifest.chunking.pipeline == code_hash.pipeline_version()


@pytest.fixture
def project_copy(tmp_path, monkeypatch):
    """The hash computed over a copy of the project's packages, which the test may edit."""
    for package in ("index", "policyqa"):
        shutil.copytree(REPO / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(code_hash, "ROOT", tmp_path)
    code_hash.parse_stage_modules.cache_clear()
    yield tmp_path
    code_hash.parse_stage_modules.cache_clear()


def _version_after_editing(root, relative: str) -> str:
    path = root / relative
    original = path.read_text(encoding="utf-8")
    path.write_text(original + "\n# edited\n", encoding="utf-8")
    try:
        return code_hash.pipeline_version()
    finally:
        path.write_text(original, encoding="utf-8")


def test_editing_a_parse_stage_module_changes_the_version_and_others_do_not(project_copy):
    before = code_hash.pipeline_version()
    for module in code_hash.parse_stage_modules():
        relative = code_hash.module_file(module).relative_to(project_copy).as_posix()
        assert _version_after_editing(project_copy, relative) != before, relative
    for relative in ("index/embed.py", "index/store.py", "index/build.py", "policyqa/settings.py"):
        assert _version_after_editing(project_copy, relative) == before, relative
    # The parser's data files are read, not imported: a change there rebuilds too.
    for path in sorted((project_copy / "index" / "data").glob("*.txt")):
        relative = path.relative_to(project_copy).as_posix()
        assert _version_after_editing(project_copy, relative) != before, relative


def test_a_module_split_out_of_the_parser_is_covered_without_edits(project_copy):
    before = code_hash.pipeline_version()
    (project_copy / "index" / "split_out.py").write_text("from index import cjk\n", encoding="utf-8")
    load = project_copy / "index" / "load.py"
    load.write_text(
        load.read_text(encoding="utf-8") + "\n\ndef _later():\n    from index.split_out import cjk\n",
        encoding="utf-8",
    )
    code_hash.parse_stage_modules.cache_clear()
    assert "index.split_out" in code_hash.parse_stage_modules()
    assert code_hash.pipeline_version() != before
