"""The app's stylesheet and browser scripts: package data under `static/`, read when the app is built."""

from __future__ import annotations

from pathlib import Path

STATIC = Path(__file__).with_name("static")


def read_asset(name: str) -> str:
    """The text of `static/<name>` (app.css, cards.js, chat.js, viewer.js)."""
    return (STATIC / name).read_text(encoding="utf-8")
