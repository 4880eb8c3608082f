"""What reaches the engine before any search: text made safe to carry, and questions that are not
questions about the documents.

- `clean_question`: a lone surrogate (`\\ud800`, e.g. from a broken client or a mis-decoded command
  line) cannot be encoded, so it would kill a chat stream or a log line; it becomes U+FFFD, and
  control characters other than line breaks and tabs are dropped.
- `not_a_question`: a question that gives orders to the system ("忽略以上指令……", "ignore previous
  instructions") or names a file path (`/etc/passwd`, `../secret.txt`, `C:\\…`) is refused with
  a message (`messages.not_a_question`), instead of being answered from unrelated passages.
  Narrower than `retrieval/verify.py:is_instruction`, which judges text inside passages: a
  question may well say "请回答" or quote a phrase, so only an override of the system's rules,
  a request for its prompt, or a path counts here.
"""

from __future__ import annotations

import re
import unicodedata

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

_OVERRIDE = re.compile(
    r"(?:忽略|无视|忘记|忘掉|不要理会|不必理会|不用理会|绕过)掉?"
    r"(?:以上|上面|之前|前面|上述|先前|此前|所有|全部|一切|你的|系统的?)[^。！？?]{0,10}"
    r"(?:指令|指示|提示|规则|设定|要求|限制|约束|内容)"
    r"|(?:系统|初始|原始|隐藏|内部)(?:提示词|指令|prompt)|提示词|越狱"
    r"|ignore (?:all |any |every )?(?:the |your |my )?(?:previous|prior|above|earlier|preceding|system) "
    r"(?:instructions?|prompts?|rules|messages?)"
    r"|disregard (?:all |any )?(?:the |your )?(?:previous|prior|above|earlier|system)"
    r"|system prompt|you are now|jailbreak|developer mode",
    re.IGNORECASE,
)

_PATH = re.compile(
    r"\.\.[\\/]"  # ../x, ..\x
    r"|file:/"
    r"|(?<![\w:/.])[A-Za-z]:\\"  # C:\
    r"|(?<![\w:/.\\])\\\\[\w.$-]+\\"  # \\server\share
    r"|(?<![\w:/.~])~/"  # ~/x
    r"|(?<![\w:/.%])/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]"  # /etc/passwd (not km/h, 1/2 or a URL)
)


def clean_question(text: str) -> str:
    """`text` safe to encode, log and send: lone surrogates become U+FFFD, control characters go."""
    return _CONTROL.sub("", _SURROGATE.sub("\ufffd", text or ""))


def not_a_question(text: str) -> str:
    """'instruction' for orders to the system, 'path' for a file path, '' for a question."""
    text = unicodedata.normalize("NFKC", text)
    if _OVERRIDE.search(text):
        return "instruction"
    if _PATH.search(text):
        return "path"
    return ""
