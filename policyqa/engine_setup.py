"""Opening the `Engine` a front end answers with (the CLI and the app): the index, brought up to date
first unless a stale one is allowed, and the configured language model."""

from __future__ import annotations

import sys

from policyqa.settings import Settings


def configured_llm(settings: Settings):
    """The configured language model, or None for extractive answers."""
    if settings.llm == "none":
        return None
    from retrieval.llm import make_llm

    return make_llm(settings)


def open_engine(settings: Settings, progress=None, allow_stale: bool = False, announce: bool = False):
    """The Engine over the settings' index and LLM; a stale index's note is printed as a warning.

    `announce` first says which index is opened (the server does: a first build takes a while)."""
    from retrieval.pipeline import Engine

    llm = configured_llm(settings)
    if announce:
        print(f"opening the index at {settings.index} (corpus {settings.corpus})…", file=sys.stderr)
    engine, note = Engine.open(settings, progress, allow_stale=allow_stale, llm=llm)
    if note:
        print(f"warning: {note}", file=sys.stderr)
    return engine
