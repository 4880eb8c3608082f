"""Layout rules: test tiers live in their own folders, no import cycles, modules of readable size."""

from __future__ import annotations

import ast
import tomllib

from tests.import_graph import REPO, find_cycle, import_graph

TESTS = REPO / "tests"
MAX_LINES = 450


def _tiers() -> set[str]:
    """The marker names pyproject.toml declares (`real`, `e2e`, `llm`): one folder each, beside tests/fast."""
    markers = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"][
        "ini_options"
    ]
    return {line.split(":")[0].strip() for line in markers["markers"]}


def _tier_marks(path) -> set[str]:
    """Tier markers used anywhere in a test file: `pytestmark = pytest.mark.X` or `@pytest.mark.X`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "mark"
        and node.attr in _tiers()
    }


def _module_mark(path) -> set[str]:
    """The tiers a module's own `pytestmark` gives all of its tests."""
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "pytestmark" for t in node.targets):
            return {
                n.attr for n in ast.walk(node.value) if isinstance(n, ast.Attribute) and n.attr in _tiers()
            }
    return set()


def test_every_tier_has_its_folder_and_every_test_file_its_tier():
    tiers = _tiers()
    assert tiers == {"real", "e2e", "llm"}
    folders = {p.name for p in TESTS.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))}
    assert folders == tiers | {"fast"}
    for path in sorted(TESTS.rglob("test_*.py")):
        folder = path.relative_to(TESTS).parts[0]
        where = path.relative_to(REPO)
        if folder == "fast":
            assert not _tier_marks(path), f"{where} is in tests/fast but marks {_tier_marks(path)}"
        else:
            assert _module_mark(path) == {folder}, f"{where}: pytestmark must be pytest.mark.{folder}"
            assert _tier_marks(path) == {folder}, f"{where} marks {_tier_marks(path)}"


def test_the_import_graph_is_read_from_every_kind_of_import():
    graph = import_graph()
    assert {"index", "retrieval", "policyqa", "app"} <= {m.split(".")[0] for m in graph}
    assert "index.cjk" in graph["index.chunk"]  # module level
    assert "index.embed" in graph["retrieval.pipeline"]
    assert "retrieval.messages" in graph["retrieval.value_plans"]  # inside a function
    assert "policyqa.web.chat_tab" in graph["app"]


def test_no_import_cycles():
    cycle = find_cycle(import_graph())
    assert not cycle, "import cycle: " + " -> ".join(cycle)


def test_source_modules_are_at_most_450_lines():
    sources = [
        p
        for p in REPO.rglob("*.py")
        if not {"tests", "corpus"} & set(p.relative_to(REPO).parts[:1])
        and not any(part.startswith(".") for part in p.relative_to(REPO).parts)
    ]
    assert len(sources) > 40
    long = {
        str(p.relative_to(REPO)): n
        for p in sources
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"over {MAX_LINES} lines: {long}"
