"""The app speaks the user's language: upload and validation errors in Chinese, a renamed upload
says under which name it was saved, and refusals read as plain Chinese sentences."""

import re

import pytest

from index import library
from index.decode import decode_text
from policyqa.errors import DocumentError, PolicyQAError
from policyqa.web.indexing import added_line
from retrieval import messages

_ENGLISH_WORDS = re.compile(r"[A-Za-z]{4,}")


def _chinese_only(message: str, *allowed: str) -> bool:
    """Chinese sentence: has CJK text and no English words beyond file names and types it names."""
    for word in allowed:
        message = message.replace(word, "")
    message = re.sub(r"\.[a-z]+\b", "", message)  # file types (.docx) are names, not English
    return bool(re.search(r"[\u4e00-\u9fff]", message)) and not _ENGLISH_WORDS.search(message)


@pytest.mark.parametrize("name", ["恶意程序.exe", "..", "没有扩展名", ".隐藏.txt"])
def test_refused_upload_names_are_explained_in_chinese(name):
    with pytest.raises(DocumentError) as caught:
        library.safe_filename(name)
    assert _chinese_only(caught.value.in_chinese()), caught.value.in_chinese()
    assert "unsupported" in str(caught.value) or "name" in str(caught.value)  # the CLI keeps English


def test_size_empty_and_duplicate_uploads_are_explained_in_chinese(tmp_path):
    big = tmp_path / "大文件.txt"
    big.write_bytes("字".encode() * 400_000)
    with pytest.raises(DocumentError) as caught:
        library.check_upload(big, "大文件.txt", 1)
    assert "超过 1 MB" in caught.value.in_chinese()
    empty = tmp_path / "空.txt"
    empty.write_bytes(b"")
    with pytest.raises(DocumentError) as caught:
        library.check_upload(empty, "空.txt", 1)
    assert caught.value.in_chinese() == "空.txt：文件是空的，请检查后重新上传。"

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "已有.txt").write_text("一、总则\n\n内容相同的文件。\n", encoding="utf-8")
    copy = tmp_path / "副本.txt"
    copy.write_text("一、总则\n\n内容相同的文件。\n", encoding="utf-8")
    with pytest.raises(DocumentError) as caught:
        library.stage_upload(copy, "副本.txt", corpus)
    assert caught.value.in_chinese() == "副本.txt：文件库中已有内容相同的文件 已有.txt，无需重复添加。"


def test_undecodable_text_is_explained_in_chinese():
    with pytest.raises(DocumentError) as caught:
        decode_text(b"\xef\xbb\xbf\xff\xfe\xfd", "乱码.txt")
    assert _chinese_only(caught.value.in_chinese(), "UTF-8", "utf-8"), caught.value.in_chinese()
    assert "UTF-8" in caught.value.in_chinese()


def test_error_without_chinese_wording_is_framed_in_chinese():
    message = PolicyQAError("the model server is down").in_chinese()
    assert message.startswith("出现了问题，请联系管理员") and "the model server is down" in message
    renamed = DocumentError("x.tmp: bad", zh="x.tmp：坏了").renamed("x.tmp", "好.txt")
    assert (str(renamed), renamed.in_chinese()) == ("好.txt: bad", "好.txt：坏了")


def test_renamed_upload_says_under_which_name_it_was_saved(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    src = tmp_path / "upload.txt"
    src.write_text("一、目标\n\n新增绿道12公里。\n", encoding="utf-8")
    staged = library.stage_upload(src, "../evil.txt", corpus)
    assert (staged.name, staged.original) == ("evil.txt", "../evil.txt")
    assert added_line("evil.txt", [staged]) == "✅ 已添加 ../evil.txt，已保存为 evil.txt"
    # A name already taken gets a number: that is a rename too.
    other = library.StagedUpload(corpus / ".upload-x.txt", "要点.txt", "0" * 64)
    assert added_line("要点（2）.txt", [other]) == "✅ 已添加 要点.txt，已保存为 要点（2）.txt"
    assert added_line("要点.txt", [other]) == "✅ 已添加 要点.txt"


def test_refusals_read_as_sentences():
    place = messages.with_reason("zh", messages.no_document_covers("zh", ["某某市", "某某县"]))
    assert place == "文件中未找到能回答这个问题的内容：已收录的文件都不涉及某某市、某某县。"
    slot = messages.with_reason("zh", messages.missing_slot("zh", "quantity"))
    assert slot == "文件中未找到能回答这个问题的内容：相关段落没有给出具体数字。"
    year = messages.missing_for_year("zh", [2031], "deadline")
    assert year == "文件没有给出2031年的完成时限"
    excluded = messages.filter_excludes("zh", ["某某市"], [2031])
    assert excluded.startswith("问题问的是某某市2031年的文件，所选文件不包括它")
    assert (
        messages.part_missing("zh", "相关段落没有给出具体数字")
        == "（其中一问未找到答案：相关段落没有给出具体数字。）"
    )
    assert messages.with_reason("en", "no document covers Mars") == (
        "The documents do not answer this question. (no document covers Mars)"
    )
