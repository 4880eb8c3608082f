"""Adding and removing corpus files (index.library): safe names, size limits, never overwriting,
a file that fails to parse leaving the corpus unchanged, and the incremental index update."""

import pytest

from index import build, library
from policyqa.errors import DocumentError


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("某区2024年绿化工作要点.txt", "某区2024年绿化工作要点.txt"),
        ("../../etc/要点.TXT", "要点.txt"),
        ("C:\\Users\\me\\方案 (终稿).docx", "方案 (终稿).docx"),
        ('a<b>:"c".md', "abc.md"),
    ],
)
def test_safe_filename_keeps_chinese_and_strips_folders(name, safe):
    assert library.safe_filename(name) == safe


@pytest.mark.parametrize(
    "name", ["..", ".hidden.txt", "a/.env.txt", "a..b.txt", "notes.exe", "noext", "", "~$x.docx"]
)
def test_safe_filename_rejects_unsafe_or_unsupported(name):
    with pytest.raises(DocumentError):
        library.safe_filename(name)


def test_check_upload_enforces_size_limit(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes("字".encode() * 400_000)  # 1.2 MB
    with pytest.raises(DocumentError, match="over the 1 MB upload limit"):
        library.check_upload(big, "big.txt", 1)
    assert library.check_upload(big, "big.txt", 2) == "big.txt"
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(DocumentError, match="empty"):
        library.check_upload(empty, "empty.txt", 2)


def test_store_upload_never_overwrites_and_refuses_duplicates(small_corpus, tmp_path):
    src = tmp_path / "up.txt"
    src.write_text("丙镇2024年工作要点\n\n一、目标\n\n新增绿地10公顷。\n", encoding="utf-8")
    original_a = (small_corpus / "a.txt").read_bytes()
    assert library.store_upload(src, "a.txt", small_corpus) == "a（2）.txt"
    assert (small_corpus / "a.txt").read_bytes() == original_a
    with pytest.raises(DocumentError, match="already in the corpus as a（2）.txt"):
        library.store_upload(src, "other.txt", small_corpus)
    assert not [p for p in small_corpus.iterdir() if p.name.startswith(".")]


def test_store_upload_that_fails_to_parse_leaves_corpus_unchanged(small_corpus, tmp_path):
    before = sorted(p.name for p in small_corpus.iterdir())
    bad = tmp_path / "坏文件.pdf"
    bad.write_bytes(b"this is not a pdf")
    with pytest.raises(DocumentError, match="坏文件.pdf"):
        library.store_upload(bad, "坏文件.pdf", small_corpus)
    assert sorted(p.name for p in small_corpus.iterdir()) == before


def test_add_and_remove_documents_update_the_index(fake_settings, tmp_path):
    build.update(fake_settings)
    good = tmp_path / "upload-1"
    good.write_text("某区2024年绿化工作要点\n\n一、工作目标\n\n全年新增口袋公园17个。\n", encoding="utf-8")
    bad = tmp_path / "upload-2"
    bad.write_bytes(b"%PDF-1.4 broken")
    seen = []
    added, problems, report = library.add_documents(
        fake_settings, [(good, "绿化要点.txt"), (bad, "坏.pdf")], progress=lambda d, t, m: seen.append((d, t))
    )
    assert added == ["绿化要点.txt"] and len(problems) == 1 and "坏.pdf" in problems[0]
    assert set(report.index.documents) == {"a.txt", "b.txt", "绿化要点.txt"}
    assert report.embedded_files == ("绿化要点.txt",) and seen
    assert not (fake_settings.corpus / "坏.pdf").exists()
    assert build.check(fake_settings).fresh

    with pytest.raises(DocumentError):
        library.remove_document(fake_settings, "../index/manifest.json")
    report = library.remove_document(fake_settings, "绿化要点.txt")
    assert set(report.index.documents) == {"a.txt", "b.txt"}
    assert not (fake_settings.corpus / "绿化要点.txt").exists()
