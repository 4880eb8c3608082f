"""Links in the corpus folder never cross its boundary (issue "Reliability and security", item 2)."""

import logging
import os

import pytest

from index import build, library, store
from index.load import list_corpus, read_document, scan_corpus, skip_message
from policyqa import cli
from policyqa.errors import DocumentError
from retrieval.pipeline import Engine

SECRET = "机密文件\n\n一、账号\n\n管理员口令为 hunter2，数据库口令为 swordfish。\n"


@pytest.fixture
def secret(tmp_path):
    path = tmp_path / "outside" / "secret.txt"
    path.parent.mkdir()
    path.write_text(SECRET, encoding="utf-8")
    return path


def _all_text(index) -> str:
    return "\n".join(c.text for c in index.chunks)


def test_a_link_to_a_file_outside_the_corpus_is_skipped_with_a_message(
    fake_settings, small_corpus, secret, caplog
):
    (small_corpus / "口令.txt").symlink_to(secret)
    (small_corpus / "passwd.txt").symlink_to("/etc/passwd")
    (small_corpus / "up.txt").symlink_to(os.path.relpath(secret, small_corpus))  # ../outside/secret.txt
    with caplog.at_level(logging.WARNING, logger="index.load"):
        report = build.update(fake_settings)
    assert set(report.index.documents) == {"a.txt", "b.txt"}
    assert "hunter2" not in _all_text(report.index) and "root:" not in _all_text(report.index)
    for name in ("口令.txt", "passwd.txt", "up.txt"):
        assert f"skipped {name}: a link to a file outside the corpus folder" in caplog.text
    engine = Engine(fake_settings, report.index)
    answer = engine.ask("管理员口令是什么？")
    assert "hunter2" not in answer.text and all("hunter2" not in c.quote for c in answer.citations)
    # Read directly, the loader refuses it too.
    with pytest.raises(DocumentError, match="outside the corpus folder"):
        read_document(small_corpus / "口令.txt", small_corpus)
    assert build.check(fake_settings).fresh


def test_links_into_hidden_folders_and_to_folders_are_not_followed(small_corpus, tmp_path):
    hidden = small_corpus / ".git" / "notes.txt"
    hidden.parent.mkdir()
    hidden.write_text(SECRET, encoding="utf-8")
    (small_corpus / "notes.txt").symlink_to(hidden)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "c.txt").write_text(SECRET, encoding="utf-8")
    (small_corpus / "more").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    supported, skipped = scan_corpus(small_corpus)
    assert [p.name for p in supported] == ["a.txt", "b.txt"]
    assert [p.name for p in skipped] == ["more", "notes.txt"]
    assert "a link to a hidden file" in skip_message(small_corpus / "notes.txt", small_corpus)
    assert "a link to a folder" in skip_message(small_corpus / "more", small_corpus)
    # A file reached through a linked folder is refused even when asked for by path.
    with pytest.raises(DocumentError, match="outside the corpus folder"):
        read_document(small_corpus / "more" / "c.txt", small_corpus)


def test_a_dangling_link_is_skipped_and_index_ask_and_serve_still_work(env, small_corpus, capsys, caplog):
    (small_corpus / "gone.txt").symlink_to(small_corpus / "deleted-long-ago.txt")
    (small_corpus / "loop.txt").symlink_to("loop.txt")
    with caplog.at_level(logging.WARNING, logger="index.load"):
        assert [p.name for p in list_corpus(small_corpus)] == ["a.txt", "b.txt"]
    assert "skipped gone.txt: a link whose target does not exist" in caplog.text
    assert "skipped loop.txt: a link whose target does not exist" in caplog.text
    assert cli.main(["index"]) == 0
    assert "indexed 2 documents" in capsys.readouterr().out
    assert cli.main(["ask", "甲市主干道机扫率要达到多少？"]) == 0
    assert "100%" in capsys.readouterr().out
    # `serve` opens its engine the same way before launching the app.
    from policyqa.engine_setup import open_engine
    from policyqa.settings import load_settings

    assert set(open_engine(load_settings()).documents) == {"a.txt", "b.txt"}


def test_a_link_to_a_document_inside_the_corpus_is_read_under_its_own_name(fake_settings, small_corpus):
    (small_corpus / "sub").mkdir()
    (small_corpus / "sub" / "alias.txt").symlink_to("../a.txt")
    index = build.update(fake_settings).index
    assert set(index.documents) == {"a.txt", "b.txt", "sub/alias.txt"}
    assert index.documents["sub/alias.txt"].meta.file == "sub/alias.txt"
    assert {c.file for c in index.chunks} == {"a.txt", "b.txt", "sub/alias.txt"}
    assert read_document(small_corpus / "sub" / "alias.txt", small_corpus).file == "sub/alias.txt"


def test_removing_a_linked_alias_removes_the_link_not_its_target(fake_settings, small_corpus, secret):
    (small_corpus / "alias.txt").symlink_to(small_corpus / "a.txt")
    (small_corpus / "口令.txt").symlink_to(secret)
    build.update(fake_settings)
    report = library.remove_document(fake_settings, "alias.txt")
    assert not (small_corpus / "alias.txt").is_symlink()
    assert (small_corpus / "a.txt").read_text(encoding="utf-8").startswith("甲市")
    assert set(report.index.documents) == {"a.txt", "b.txt"}
    # A link to outside is no document of the corpus: refused, and its target is never touched.
    with pytest.raises(DocumentError, match="not a document in the corpus"):
        library.remove_document(fake_settings, "口令.txt")
    assert secret.read_text(encoding="utf-8") == SECRET
    assert set(store.load(fake_settings.index).documents) == {"a.txt", "b.txt"}


def test_removal_through_a_linked_folder_is_refused(fake_settings, small_corpus, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "a.txt").write_text("别处的文件", encoding="utf-8")
    (small_corpus / "more").symlink_to(elsewhere, target_is_directory=True)
    assert library.corpus_entry(small_corpus, "more/a.txt") is None
    assert library.corpus_entry(small_corpus, "../index") is None
    assert library.corpus_entry(small_corpus, "a.txt") == small_corpus.resolve() / "a.txt"
    with pytest.raises(DocumentError):
        library.remove_document(fake_settings, "more/a.txt")
    assert (elsewhere / "a.txt").exists()
