"""Conversations as records the browser keeps (gr.BrowserState): each question with its whole
`Answer`, the 👍/👎 given to it, and the conversations' titles, as plain JSON and back.

The browser's storage is one JSON value per app; with logins on it holds one store per user name
(`user_store` / `with_user_store`), so two people sharing a browser never see each other's list.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from policyqa.records import Answer, Chunk, Citation, Hit

MAX_CONVERSATIONS = 50  # the oldest beyond this are dropped: browser storage holds a few MB
RELATED_KEPT = 3  # a refusal's closest passages shown as 相关段落 cards
TITLE_CHARS = 30


@dataclass(frozen=True)
class Turn:
    """One question and its answer, with the feedback given to it ("up", "down" or "")."""

    id: str
    answer: Answer
    rating: str = ""
    comment: str = ""

    @property
    def question(self) -> str:
        return self.answer.question


@dataclass(frozen=True)
class Conversation:
    id: str
    title: str  # "" until renamed: the label is then the first question
    created: str  # ISO time
    turns: tuple[Turn, ...] = ()

    @property
    def label(self) -> str:
        """What the list shows: the given title, else the first question (shortened), else 新对话."""
        text = self.title or (self.turns[0].question if self.turns else "新对话")
        return text if len(text) <= TITLE_CHARS else text[: TITLE_CHARS - 1] + "…"


@dataclass(frozen=True)
class Store:
    """A user's conversations, newest first, and the one on screen."""

    conversations: tuple[Conversation, ...] = ()
    current: str = ""

    def get(self, conversation_id: str) -> Conversation | None:
        return next((c for c in self.conversations if c.id == conversation_id), None)

    @property
    def active(self) -> Conversation | None:
        return self.get(self.current)


def _new_id() -> str:
    return uuid.uuid4().hex[:12]


def new_conversation(store: Store, when: datetime | None = None) -> Store:
    """`store` with an empty conversation in front, on screen; an empty one on screen is reused."""
    if store.active is not None and not store.active.turns:
        return store
    when = when or datetime.now().astimezone()
    conv = Conversation(_new_id(), "", when.isoformat(timespec="seconds"))
    return Store((conv, *store.conversations)[:MAX_CONVERSATIONS], conv.id)


def add_turn(store: Store, answer: Answer) -> tuple[Store, Turn]:
    """`store` with `answer` appended to the conversation on screen (a new one if none is)."""
    if store.active is None:
        store = new_conversation(store)
    turn = Turn(_new_id(), slim_answer(answer))
    conv = store.active
    conv = replace(conv, turns=(*conv.turns, turn))
    # The conversation just used moves to the front of the list.
    rest = tuple(c for c in store.conversations if c.id != conv.id)
    return Store((conv, *rest)[:MAX_CONVERSATIONS], conv.id), turn


def rename(store: Store, conversation_id: str, title: str) -> Store:
    """`store` with that conversation's title set ("" goes back to the first question)."""
    title = " ".join(title.split())[:60]
    return _map(store, conversation_id, lambda c: replace(c, title=title))


def delete(store: Store, conversation_id: str) -> Store:
    """`store` without that conversation; the next one (if any) comes on screen."""
    left = tuple(c for c in store.conversations if c.id != conversation_id)
    current = store.current if store.current != conversation_id else (left[0].id if left else "")
    return Store(left, current)


def select(store: Store, conversation_id: str) -> Store:
    """`store` with that conversation on screen (unknown ids leave it as it is)."""
    return replace(store, current=conversation_id) if store.get(conversation_id) else store


def rate(store: Store, turn_id: str, rating: str, comment: str | None = None) -> Store:
    """`store` with the turn's rating ("up", "down", "" for none) and, when given, its comment."""

    def change(conv: Conversation) -> Conversation:
        turns = tuple(
            replace(t, rating=rating, comment=t.comment if comment is None else comment.strip())
            if t.id == turn_id
            else t
            for t in conv.turns
        )
        return replace(conv, turns=turns)

    return Store(tuple(change(c) for c in store.conversations), store.current)


def _map(store: Store, conversation_id: str, change) -> Store:
    return Store(
        tuple(change(c) if c.id == conversation_id else c for c in store.conversations), store.current
    )


def slim_answer(answer: Answer, related: int = RELATED_KEPT) -> Answer:
    """The answer as kept: only the passages a refusal shows, without their embedding text."""
    hits = ()
    if answer.refused:
        hits = tuple(Hit(replace(h.chunk, embed_text=""), h.score) for h in answer.hits[:related])
    return replace(answer, hits=hits)


# ---------------------------------------------------------------- JSON


def _citation_json(c: Citation) -> dict:
    return {
        "n": c.n,
        "file": c.file,
        "title": c.title,
        "section_path": list(c.section_path),
        "quote": c.quote,
        "start": c.start,
        "end": c.end,
        "doc_number": c.doc_number,
        "issuer": c.issuer,
        "date": c.date,
    }


def _hit_json(h: Hit) -> dict:
    c = h.chunk
    return {
        "id": c.id,
        "file": c.file,
        "title": c.title,
        "section_path": list(c.section_path),
        "start": c.start,
        "end": c.end,
        "text": c.text,
        "kind": c.kind,
        "score": h.score,
    }


def answer_json(a: Answer) -> dict:
    """The answer as a JSON-ready dict (`answer_from_json` reads it back)."""
    return {
        "question": a.question,
        "text": a.text,
        "citations": [_citation_json(c) for c in a.citations],
        "refused": a.refused,
        "hits": [_hit_json(h) for h in a.hits],
        "rewritten_question": a.rewritten_question,
        "dropped_claims": list(a.dropped_claims),
        "mode": a.mode,
        "notes": list(a.notes),
    }


def answer_from_json(d: dict) -> Answer:
    """The `Answer` `answer_json` wrote."""
    citations = tuple(
        Citation(**{**c, "section_path": tuple(c.get("section_path", ()))}) for c in d.get("citations", ())
    )
    hits = tuple(
        Hit(
            Chunk(
                id=h["id"],
                file=h["file"],
                title=h["title"],
                section_path=tuple(h["section_path"]),
                start=h["start"],
                end=h["end"],
                text=h["text"],
                embed_text="",
                kind=h.get("kind", "body"),
            ),
            float(h.get("score", 0.0)),
        )
        for h in d.get("hits", ())
    )
    return Answer(
        question=d["question"],
        text=d["text"],
        citations=citations,
        refused=bool(d["refused"]),
        hits=hits,
        rewritten_question=d.get("rewritten_question", ""),
        dropped_claims=tuple(d.get("dropped_claims", ())),
        mode=d.get("mode", "extractive"),
        notes=tuple(d.get("notes", ())),
    )


def store_json(store: Store) -> dict:
    """The store as a JSON-ready dict."""
    return {
        "current": store.current,
        "conversations": [
            {
                "id": c.id,
                "title": c.title,
                "created": c.created,
                "turns": [
                    {"id": t.id, "rating": t.rating, "comment": t.comment, "answer": answer_json(t.answer)}
                    for t in c.turns
                ],
            }
            for c in store.conversations
        ],
    }


def store_from_json(data) -> Store:
    """The store `store_json` wrote; anything unreadable (an older or damaged value) is left out."""
    if not isinstance(data, dict):
        return Store()
    conversations = []
    for c in data.get("conversations") or ():
        try:
            turns = tuple(
                Turn(t["id"], answer_from_json(t["answer"]), t.get("rating", ""), t.get("comment", ""))
                for t in c.get("turns", ())
            )
            conversations.append(Conversation(c["id"], c.get("title", ""), c.get("created", ""), turns))
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
    store = Store(tuple(conversations[:MAX_CONVERSATIONS]), str(data.get("current") or ""))
    return store if store.active is not None or not store.current else replace(store, current="")


def user_store(saved, user: str | None) -> Store:
    """The store of `user` (None without logins) inside the browser's saved value."""
    saved = saved if isinstance(saved, dict) else {}
    return store_from_json(saved.get(user or ""))


def with_user_store(saved, user: str | None, store: Store) -> dict:
    """The browser's saved value with `user`'s store replaced."""
    saved = dict(saved) if isinstance(saved, dict) else {}
    saved[user or ""] = store_json(store)
    return saved
