"""A damaged index is never served: checksums checked at load, damage rebuilt (issue item 3)."""

import json

import numpy as np
import pytest

from index import build, store
from index.embed import make_embedder
from policyqa import cli
from policyqa.errors import IndexDamagedError, IndexFolderError
from retrieval.pipeline import Engine

QUESTION = "甲市全年新改建公厕多少座？"


def _flip(path, at=None, bit=0):
    data = bytearray(path.read_bytes())
    at = len(data) // 2 if at is None else at
    data[at] ^= 1 << bit
    path.write_bytes(bytes(data))


def _answer(settings, index) -> str:
    return Engine(settings, index).ask(QUESTION).text


def _counting_embedder(log: list):
    embedder = make_embedder("fake")
    passages = embedder.passages
    embedder.passages = lambda texts: log.extend(texts) or passages(texts)
    return embedder


def test_every_index_file_has_a_checksum_and_a_clean_index_loads(fake_settings):
    report = build.update(fake_settings)
    folder = fake_settings.index
    files = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert set(report.index.manifest.checksums) == files - {"manifest.json"}
    assert store.load(folder).manifest == report.index.manifest


def test_a_flipped_digit_in_chunks_jsonl_is_never_served(fake_settings):
    index = build.update(fake_settings).index
    good = _answer(fake_settings, index)
    assert "20座" in good
    path = fake_settings.index / "chunks.jsonl"
    text = path.read_bytes()
    _flip(path, at=text.index("20座".encode()), bit=0)  # "2" -> "3": still valid JSON, still UTF-8
    assert "30座" in path.read_text(encoding="utf-8")
    with pytest.raises(IndexDamagedError, match="chunks.jsonl does not match") as caught:
        store.load(fake_settings.index)
    assert caught.value.files == ("chunks.jsonl",)
    # Even when told not to update, the damaged index is repaired before anything is answered.
    repaired, staleness = build.ensure_fresh(fake_settings, allow_stale=True)
    assert staleness.damaged == ("chunks.jsonl",)
    assert _answer(fake_settings, repaired) == good


@pytest.mark.parametrize(
    "name",
    [
        "manifest.json",
        "chunks.jsonl",
        "documents.jsonl",
        "vectors/00000.npy",
        "vectors/00001.npy",
        "vectors.faiss",
        "bm25/vocab.index.json",
        "bm25/data.csc.index.npy",
        "bm25/params.index.json",
    ],
)
def test_a_bit_flip_in_any_index_file_is_refused_then_repaired(fake_settings, name):
    index = build.update(fake_settings).index
    good = _answer(fake_settings, index)
    _flip(fake_settings.index / name, bit=2)
    with pytest.raises(IndexFolderError, match="damaged"):
        store.load(fake_settings.index)
    assert not build.check(fake_settings).fresh or name != "manifest.json"
    report = build.update(fake_settings)
    assert name in report.repaired
    assert _answer(fake_settings, store.load(fake_settings.index)) == good


def test_a_damaged_npy_is_re_embedded_not_copied_into_the_next_faiss_build(fake_settings, small_corpus):
    before = build.update(fake_settings).index
    _flip(fake_settings.index / "vectors/00000.npy", at=-8, bit=6)  # a float of a.txt's last vector
    (small_corpus / "c.md").write_text("# 丁区方案\n\n一、任务\n\n建设口袋公园5个。\n", encoding="utf-8")
    embedded: list[str] = []
    report = build.update(fake_settings, _counting_embedder(embedded))
    assert report.repaired == ("vectors/00000.npy",)
    assert set(report.embedded_files) == {"a.txt", "c.md"} and report.reused_files == ("b.txt",)
    after = store.load(fake_settings.index)
    assert np.array_equal(after.file_vectors("a.txt"), before.file_vectors("a.txt"))
    assert np.array_equal(after.faiss.reconstruct_n(0, 3), before.faiss.reconstruct_n(0, 3))


def test_damaged_chunks_are_re_parsed_and_keep_their_intact_vectors(fake_settings):
    build.update(fake_settings)
    (fake_settings.index / "chunks.jsonl").unlink()
    (fake_settings.index / "documents.jsonl").write_text("garbage\n", encoding="utf-8")
    embedded: list[str] = []
    report = build.update(fake_settings, _counting_embedder(embedded))
    assert set(report.repaired) == {"chunks.jsonl", "documents.jsonl"}
    assert embedded == [] and set(report.reused_files) == {"a.txt", "b.txt"}
    assert store.load(fake_settings.index).documents.keys() == {"a.txt", "b.txt"}


def test_a_changed_chunk_range_in_the_manifest_is_caught_by_its_own_checksum(fake_settings):
    build.update(fake_settings)
    path = fake_settings.index / "manifest.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    first, last = data["files"]["b.txt"]["chunks"]
    data["files"]["b.txt"]["chunks"] = [first, last - 1]
    data["files"]["a.txt"]["vectors"], data["files"]["b.txt"]["vectors"] = "00001.npy", "00000.npy"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    with pytest.raises(IndexDamagedError, match="manifest.json does not match its own checksum"):
        store.load(fake_settings.index)
    assert build.check(fake_settings).damaged == ("manifest.json",)


@pytest.mark.parametrize(
    "content",
    [b"{}", b"[]", b"null", b"", b"\x00\xff garbage", b'{"schema": 1}', b'{"schema": 1, "files": {}}'],
)
def test_index_rebuild_works_whatever_the_manifest_holds(env, capsys, content):
    build.update(env)
    (env.index / "manifest.json").write_bytes(content)
    assert cli.main(["index", "--rebuild"]) == 0
    assert "indexed 2 documents" in capsys.readouterr().out
    store.load(env.index)


def test_index_ask_and_serve_work_with_an_empty_manifest(env, capsys):
    manifest = env.index / "manifest.json"
    for command in (["index"], ["ask", QUESTION], ["ask", QUESTION, "--no-update"]):
        build.update(env)
        manifest.write_bytes(b"{}")
        assert cli.main(command) == 0, command
        assert "20座" in capsys.readouterr().out or command[0] == "index"
        store.load(env.index)
    # `serve` opens its engine like this before launching the app.
    from policyqa.engine_setup import open_engine
    from policyqa.settings import load_settings

    manifest.write_bytes(b"{}")
    assert "20座" in open_engine(load_settings()).ask(QUESTION).text


@pytest.mark.parametrize("missing", ["chunks.jsonl", "vectors", "vectors.faiss", "bm25", "manifest.json"])
def test_missing_index_files_are_rebuilt(fake_settings, missing):
    import shutil

    build.update(fake_settings)
    path = fake_settings.index / missing
    shutil.rmtree(path) if path.is_dir() else path.unlink()
    index, _ = build.ensure_fresh(fake_settings)
    assert "20座" in _answer(fake_settings, index)
    assert build.update(fake_settings, rebuild=True).documents == 2


def test_a_folder_that_is_no_index_is_not_replaced(fake_settings):
    folder = fake_settings.index
    folder.mkdir()
    (folder / "thesis.docx").write_bytes(b"years of work")
    with pytest.raises(IndexFolderError, match="does not look like a policyqa index"):
        build.update(fake_settings, rebuild=True)
    assert (folder / "thesis.docx").read_bytes() == b"years of work"
    # An index folder with stray files in it is still an index folder.
    (folder / "thesis.docx").unlink()
    build.update(fake_settings)
    (folder / "junk.bin").write_bytes(b"\x00" * 10)
    assert build.update(fake_settings, rebuild=True).documents == 2
