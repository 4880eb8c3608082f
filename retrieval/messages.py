"""Every user-facing sentence the answer engine writes, in Chinese and English, in one place."""

from __future__ import annotations

from collections.abc import Sequence

# What each slot is called in a "the documents do not give …" sentence.
_SLOT_NAMES = {
    "zh": {
        "quantity": "具体数字",
        "date": "具体日期",
        "doc_date": "成文日期",
        "deadline": "完成时限",
        "doc_number": "文号",
        "issuer": "发文单位",
        "responsible": "责任单位",
        "score": "分值",
    },
    "en": {
        "quantity": "the figure asked for",
        "date": "the date asked for",
        "doc_date": "the date asked for",
        "deadline": "a deadline",
        "doc_number": "a document number",
        "issuer": "the issuing body",
        "responsible": "the responsible unit",
        "score": "a score weight",
    },
}


def refusal(lang: str) -> str:
    return (
        "The documents do not answer this question." if lang == "en" else "文件中未找到能回答这个问题的内容。"
    )


def with_reason(lang: str, reason: str) -> str:
    """The refusal with why: `reason` is a clause ("已收录的文件都不涉及北京市"), read after a colon."""
    base = refusal(lang)
    if not reason:
        return base
    return f"{base} ({reason})" if lang == "en" else f"{base.removesuffix('。')}：{reason}。"


def missing_slot(lang: str, slot: str) -> str:
    name = _SLOT_NAMES.get(lang, _SLOT_NAMES["zh"]).get(slot, "")
    if lang == "en":
        return f"the passages do not state {name or 'that'}"
    return f"相关段落没有给出{name or '所问的内容'}"


def missing_for_year(lang: str, years: Sequence[int], slot: str) -> str:
    asked = "、".join(str(y) for y in years)
    name = _SLOT_NAMES.get(lang, _SLOT_NAMES["zh"]).get(slot, "")
    if lang == "en":
        return f"the documents give no {name or 'answer'} for {', '.join(str(y) for y in years)}"
    return f"文件没有给出{asked}年的{name or '相关内容'}"


def nothing_due(lang: str, when: str) -> str:
    if lang == "en":
        return f"the document sets no deadline as early as {when}"
    return f"文件中没有{when}到期的任务，最早的期限见下"


def value_not_stated(lang: str, value: str) -> str:
    if lang == "en":
        return f"no document states {value} for it"
    return f"没有文件对此提出{value}"


def what_is_said(lang: str) -> str:
    return "What the documents do say:" if lang == "en" else "文件给出的是："


def no_document_covers(lang: str, places: Sequence[str]) -> str:
    """The question asks about places (or subjects) no indexed document covers."""
    if lang == "en":
        return "no document covers " + ", ".join(places)
    return "已收录的文件都不涉及" + "、".join(places)


def filter_excludes(lang: str, places: Sequence[str], years: Sequence[int] = ()) -> str:
    """The question names documents (by place or year) that the selected filter leaves out."""
    if lang == "en":
        named = ", ".join([*places, *(str(y) for y in years)])
        return f"the question is about {named}, which the selected documents do not include; clear the filter or choose that document"
    # "南京2023年的文件": a place and a year read as one name, as staff say it.
    named = "、".join(places) + "、".join(f"{y}年" for y in years)
    return f"问题问的是{named}的文件，所选文件不包括它；请取消“限定文件”的选择，或选中那份文件"


def part_missing(lang: str, reason: str) -> str:
    """A note under an answer one part of whose question the documents do not answer."""
    return f"(Not answered: {reason}.)" if lang == "en" else f"（其中一问未找到答案：{reason}。）"


def model_declined(lang: str) -> str:
    return (
        "The model did not answer; quoted passages follow" if lang == "en" else "模型未能作答，以下为原文摘录"
    )


def not_a_question(lang: str, kind: str) -> str:
    """The reply to orders addressed to the system ('instruction') or to a file path ('path')."""
    if kind == "path":
        if lang == "en":
            return (
                "policyqa answers from the indexed documents only and does not open files by path. "
                "Ask about what the documents say, or restrict the question to one of them."
            )
        return "本助手只根据已收录的文件回答，不按路径读取文件。请直接询问文件中的内容，或限定要查询的文件。"
    if lang == "en":
        return (
            "This is not a question about the documents: policyqa answers from the indexed policy "
            "documents only and does not follow instructions addressed to it. Ask about what the documents say."
        )
    return "这不是关于文件内容的问题：本助手只根据已收录的政策文件回答，不执行对系统的指令。请直接询问文件中的内容。"


def question_too_long(lang: str, length: int, limit: int) -> str:
    """A question over the length cap (`max_question_chars`)."""
    if lang == "en":
        return (
            f"The question is too long ({length} characters; at most {limit}). "
            "Ask about one thing at a time, in a sentence or two."
        )
    return f"问题太长（{length} 个字符，最多 {limit} 个）。请一次只问一件事，用一两句话提问。"


def too_many_questions(lang: str, seconds: int) -> str:
    """A client over the app's per-minute question limit (`rate_limit`)."""
    if lang == "en":
        return f"Too many questions in a short time; please wait {seconds} s and ask again."
    return f"提问过于频繁，请 {seconds} 秒后再问。"
