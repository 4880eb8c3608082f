"""Strict prompt templates: `prompts/<name>.txt` with `${var}` placeholders.

A template that names a variable nobody passes, or a caller passing a variable the template
does not use, is a bug that would silently send the model a broken prompt, so both fail loudly.
A line holding only `---` splits a template into its system part and its user part.
"""

from __future__ import annotations

import re
import string
from functools import cache
from pathlib import Path

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"
SPLIT = "\n---\n"

REFUSAL = {"zh": "文件中未找到相关内容", "en": "The documents do not say"}

_ASCII_LETTER = re.compile(r"[A-Za-z]")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@cache
def _template(name: str) -> str:
    path = PROMPTS_DIR / f"{name}.txt"
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FileNotFoundError(
            f"prompt template {path} is missing; reinstall policyqa from its source tree (pip install -e .)"
        ) from None


def variables(name: str) -> set[str]:
    """The placeholder names used by template `name`."""
    found = set()
    for match in string.Template.pattern.finditer(_template(name)):
        if match.group("invalid") is not None:
            raise ValueError(
                f"prompts/{name}.txt: a stray '$' at offset {match.start()}; write $$ for a literal $"
            )
        found.add(match.group("named") or match.group("braced") or "")
    found.discard("")  # "$$" escapes
    return found


def render(name: str, **values: str) -> str:
    """The template `prompts/<name>.txt` with every `${var}` filled in.

    Raises KeyError naming a placeholder without a value, ValueError naming a value no
    placeholder uses.
    """
    wanted = variables(name)
    missing = sorted(wanted - values.keys())
    if missing:
        raise KeyError(f"prompts/{name}.txt needs a value for {', '.join(missing)}")
    unused = sorted(values.keys() - wanted)
    if unused:
        raise ValueError(f"prompts/{name}.txt has no placeholder for {', '.join(unused)}")
    return string.Template(_template(name)).substitute(values)


def messages(name: str, **values: str) -> list[dict[str, str]]:
    """The rendered template as chat messages: the part before a `---` line is the system message."""
    text = render(name, **values)
    system, sep, user = text.partition(SPLIT)
    if not sep:
        return [{"role": "user", "content": text.strip()}]
    return [{"role": "system", "content": system.strip()}, {"role": "user", "content": user.strip()}]


def language(question: str) -> str:
    """ "en" when the question is mostly ASCII letters (counted against CJK characters), else "zh"."""
    letters = len(_ASCII_LETTER.findall(question))
    cjk = len(_CJK.findall(question))
    return "en" if letters > cjk else "zh"
