import json

import numpy as np
import pytest

from index import build, store
from index.manifest import FileEntry, Manifest, SkippedFile, self_checksum
from policyqa.errors import IndexFolderError, IndexFormatError


def test_build_writes_plain_files_and_manifest(fake_settings):
    report = build.update(fake_settings)
    assert report.documents == 2 and report.chunks > 4
    folder = fake_settings.index
    names = {p.name for p in folder.iterdir()}
    assert {"manifest.json", "chunks.jsonl", "documents.jsonl", "vectors.faiss", "vectors", "bm25"} <= names
    assert not list(folder.rglob("*.pkl"))
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["embedder"] == {"id": "fake:256", "dimension": 256}
    assert manifest["chunking"]["tokenizer"] == "cl100k_base"
    assert set(manifest["files"]) == {"a.txt", "b.txt"}
    assert all(len(info["sha256"]) == 64 for info in manifest["files"].values())
    assert manifest["policyqa_version"] and manifest["built_at"]
    loaded = store.load(folder)
    assert len(loaded.chunks) == loaded.faiss.ntotal == len(loaded.vectors) == report.chunks


def test_update_reembeds_only_changed_files(fake_settings, small_corpus):
    build.update(fake_settings)
    assert build.check(fake_settings).fresh
    before = store.load(fake_settings.index)
    (small_corpus / "b.txt").write_text(
        "丙镇2022年工作计划\n\n一、目标\n\n新增绿地10公顷。\n", encoding="utf-8"
    )
    (small_corpus / "c.md").write_text("# 丁区方案\n\n一、任务\n\n建设口袋公园5个。\n", encoding="utf-8")
    staleness = build.check(fake_settings)
    assert staleness.changed == ("b.txt",) and staleness.added == ("c.md",)
    report = build.update(fake_settings)
    assert set(report.embedded_files) == {"b.txt", "c.md"}
    assert report.reused_files == ("a.txt",)
    after = store.load(fake_settings.index)
    assert np.array_equal(before.file_vectors("a.txt"), after.file_vectors("a.txt"))
    (small_corpus / "c.md").unlink()
    assert build.check(fake_settings).removed == ("c.md",)
    report = build.update(fake_settings)
    assert report.removed_files == ("c.md",) and report.embedded_files == ()
    assert "c.md" not in store.load(fake_settings.index).documents


def test_changed_settings_rebuild_everything(fake_settings):
    build.update(fake_settings)
    changed = fake_settings.with_changes(chunk_tokens=100)
    assert build.check(changed).settings_changed == ("chunk_tokens",)
    report = build.update(changed)
    assert set(report.embedded_files) == {"a.txt", "b.txt"}


def test_bad_file_is_skipped_with_reason_and_index_kept(fake_settings, small_corpus):
    build.update(fake_settings)
    (small_corpus / "broken.pdf").write_bytes(b"not a pdf at all")
    report = build.update(fake_settings)
    assert [f for f, _ in report.skipped] == ["broken.pdf"]
    assert "broken.pdf" in report.skipped[0][1]
    assert set(store.load(fake_settings.index).documents) == {"a.txt", "b.txt"}
    # A skipped file is not retried until it changes.
    assert build.check(fake_settings).fresh


def test_failed_write_leaves_old_index(fake_settings, monkeypatch):
    build.update(fake_settings)
    before = (fake_settings.index / "chunks.jsonl").read_text(encoding="utf-8")

    def explode(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(store.keyword, "save", explode)
    with pytest.raises(OSError):
        build.update(fake_settings, rebuild=True)
    assert (fake_settings.index / "chunks.jsonl").read_text(encoding="utf-8") == before
    store.load(fake_settings.index)


def test_damaged_index_says_how_to_rebuild(fake_settings):
    build.update(fake_settings)
    (fake_settings.index / "manifest.json").write_text("{oops", encoding="utf-8")
    with pytest.raises(IndexFolderError, match="rebuild"):
        store.load(fake_settings.index)


def test_manifest_keeps_its_keys_and_round_trips_byte_for_byte(fake_settings, small_corpus):
    (small_corpus / "broken.pdf").write_bytes(b"not a pdf at all")
    report = build.update(fake_settings)
    text = (fake_settings.index / "manifest.json").read_text(encoding="utf-8")
    data = json.loads(text)
    assert list(data) == [
        "schema",
        "policyqa_version",
        "built_at",
        "corpus",
        "embedder",
        "chunking",
        "files",
        "skipped",
        "faiss",
        "targets",
        "checksums",
        "checksum",
    ]
    assert set(data["checksums"]) == {
        "chunks.jsonl",
        "documents.jsonl",
        "targets.jsonl",
        "vectors/00000.npy",
        "vectors/00001.npy",
        "vectors.faiss",
        *(f"bm25/{p.name}" for p in (fake_settings.index / "bm25").iterdir()),
    }
    assert list(data["embedder"]) == ["id", "dimension"]
    assert list(data["targets"]) == ["schema", "fields", "rows"]
    assert data["targets"]["rows"] == len(report.index.targets) > 0
    assert data["targets"]["fields"][:3] == ["id", "file", "title"]
    assert list(data["chunking"]) == ["chunk_tokens", "tokenizer", "pipeline"]
    assert list(data["files"]) == ["a.txt", "b.txt"]
    assert list(data["files"]["a.txt"]) == ["sha256", "format", "chunks", "vectors"]
    assert list(data["skipped"]) == ["broken.pdf"] and list(data["skipped"]["broken.pdf"]) == [
        "sha256",
        "reason",
    ]
    assert data["faiss"]["kind"] == "flat"

    manifest = store.read_manifest(fake_settings.index)
    assert manifest == report.index.manifest == Manifest.from_json(data)
    assert manifest.to_json() == data
    assert store.manifest_text(manifest) == text
    assert manifest.files["a.txt"] == FileEntry(
        sha256=build.sha256_of(small_corpus / "a.txt"),
        format="txt",
        chunks=(0, sum(c.file == "a.txt" for c in report.index.chunks)),
        vectors="00000.npy",
    )
    assert manifest.skipped["broken.pdf"] == SkippedFile(
        build.sha256_of(small_corpus / "broken.pdf"), report.skipped[0][1]
    )


def test_an_older_manifest_without_optional_keys_is_read(fake_settings):
    build.update(fake_settings)
    path = fake_settings.index / "manifest.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    del data["skipped"], data["faiss"]
    data["checksum"] = self_checksum(data)
    path.write_text(json.dumps(data), encoding="utf-8")
    assert store.read_manifest(fake_settings.index).skipped == {}
    assert len(store.load(fake_settings.index).chunks) == sum(
        last - first
        for first, last in (entry.chunks for entry in store.read_manifest(fake_settings.index).files.values())
    )
    assert build.check(fake_settings).fresh


def test_a_manifest_without_checksums_is_read_and_rebuilt_to_add_them(fake_settings):
    # Written before checksums were recorded: readable, never served unverified, rebuilt (and
    # re-embedded: nothing unverified is carried over) by the next update.
    build.update(fake_settings)
    path = fake_settings.index / "manifest.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    del data["checksums"], data["checksum"]
    path.write_text(json.dumps(data), encoding="utf-8")
    assert store.read_manifest(fake_settings.index).checksums == {}
    assert build.check(fake_settings).settings_changed == ("index format (no checksums)",)
    with pytest.raises(IndexFormatError, match="no checksums"):
        store.load(fake_settings.index)
    report = build.update(fake_settings)
    assert set(report.embedded_files) == {"a.txt", "b.txt"}
    assert store.load(fake_settings.index).manifest.checksums


def test_an_index_of_another_format_is_rebuilt_not_misread(fake_settings):
    build.update(fake_settings)
    (fake_settings.index / "manifest.json").write_text('{"schema": 99, "shards": []}', encoding="utf-8")
    with pytest.raises(IndexFormatError, match="another policyqa version"):
        store.load(fake_settings.index)
    assert build.check(fake_settings).settings_changed == ("index format",)
    report = build.update(fake_settings)
    assert report.documents == 2 and store.load(fake_settings.index).manifest.schema == store.SCHEMA


def test_missing_corpus_folder(fake_settings, tmp_path):
    with pytest.raises(Exception, match="does not exist"):
        build.update(fake_settings.with_changes(corpus=tmp_path / "nope"))


def test_a_parser_change_reparses_but_reuses_the_vectors_of_unchanged_texts(fake_settings, monkeypatch):
    from index.embed import make_embedder

    build.update(fake_settings)
    before = store.load(fake_settings.index)
    embedded: list[str] = []
    embedder = make_embedder("fake")
    passages = embedder.passages
    monkeypatch.setattr(embedder, "passages", lambda texts: embedded.extend(texts) or passages(texts))
    monkeypatch.setattr(build, "pipeline_version", lambda: "a-newer-parser")
    assert not build.check(fake_settings).fresh
    report = build.update(fake_settings, embedder)
    assert set(report.embedded_files) == {"a.txt", "b.txt"}  # re-read and re-parsed …
    assert embedded == []  # … but no text was embedded twice
    after = store.load(fake_settings.index)
    assert np.array_equal(before.vectors, after.vectors)
    build.update(fake_settings, embedder, rebuild=True)  # an explicit rebuild embeds everything
    assert len(embedded) == len(after.chunks)
