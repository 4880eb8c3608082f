"""One question's path: follow-up rewrite -> analyse (once) -> search -> answerability -> answer plans.

`Engine` holds what is loaded once per process (index, embedder, retriever, optional LLM);
`Engine.ask` is what the CLI, the batch runner and the app call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from index import build
from index.embed import make_embedder
from index.store import LoadedIndex
from policyqa.errors import QuestionError
from policyqa.records import Answer, DocumentMeta
from policyqa.settings import Settings
from retrieval import answer as extractive
from retrieval import evidence, messages
from retrieval.followup import rewrite
from retrieval.guard import clean_question, not_a_question
from retrieval.question import Question, language_of
from retrieval.search import Retriever


class Engine:
    def __init__(self, settings: Settings, index: LoadedIndex, embedder=None, llm=None):
        self.settings = settings
        self.index = index
        self.embedder = embedder or make_embedder(settings.embedder, settings.embedder_model)
        self.retriever = Retriever(index, self.embedder)
        self.llm = llm
        self.reranker = None
        if settings.reranker != "none":
            from retrieval.rerank import make_reranker

            self.reranker = make_reranker(settings, llm)
        self.documents: dict[str, DocumentMeta] = {f: d.meta for f, d in index.documents.items()}
        self._corpus_text = "\n".join(c.text for c in index.chunks)
        self._covered_pinyin = {py for p in self.retriever.profiles for py in p.pinyin}
        self._chunks_by_file: dict[str, list] = {}
        for chunk in index.chunks:
            self._chunks_by_file.setdefault(chunk.file, []).append(chunk)

    @classmethod
    def open(
        cls, settings: Settings, progress=None, allow_stale: bool = False, llm=None
    ) -> tuple[Engine, str]:
        """Load (and first update, unless allow_stale) the index. Returns the engine and a staleness note."""
        embedder = make_embedder(settings.embedder, settings.embedder_model)
        index, staleness = build.ensure_fresh(settings, embedder, progress, allow_stale)
        note = ""
        if allow_stale and not staleness.fresh:
            note = f"index is stale ({staleness.describe()}); run `policyqa index` to update"
        return cls(settings, index, embedder, llm), note

    def resolve_files(self, names: Sequence[str]) -> set[str]:
        """Files selected by file name, part of a title, city/district, 文号, issuer or a covered year
        (for --doc and the app's filters)."""
        selected = set()
        for name in names:
            for file, meta in self.documents.items():
                fields = (file, meta.title, meta.city, meta.district, meta.doc_number, meta.issuer)
                if any(name and name in field for field in fields if field) or (
                    name.isdigit() and int(name) in meta.years
                ):
                    selected.add(file)
        return selected

    def chunks_of(self, file: str) -> list:
        """Every chunk of one document, in order (for answers read from a document's own text)."""
        return self._chunks_by_file.get(file, [])

    def ask(
        self,
        question: str,
        history: Sequence[tuple[str, str]] = (),
        files: set[str] | None = None,
        k: int | None = None,
        on_token: Callable[[str], None] | None = None,
    ) -> Answer:
        """Answer one question with citations, or refuse when the documents do not say.

        Raises QuestionError for a question over `max_question_chars` (checked first, so it costs nothing)."""
        self.check_question(question)
        question = clean_question(question)
        history = [(clean_question(q), clean_question(a)) for q, a in history]
        kind = not_a_question(question)
        if kind:
            text = messages.not_a_question(language_of(question), kind)
            return Answer(question=question, text=text, citations=(), refused=True)
        k = k or self.settings.k
        standalone = self.standalone_question(question, history)
        analysed = self.retriever.analyse(standalone)
        hits, analysed = self.retriever.search(analysed, k=max(k, 10), files=files)
        if self.reranker is not None and not analysed.list_parent:
            hits = self.reranker.rerank(standalone, hits)
        reason = self.unanswerable_reason(analysed, hits, files)
        weights = self.retriever.term_weights(analysed.terms)
        if reason:
            result = extractive.refusal(analysed, hits, reason)
        elif self.llm is not None:
            from retrieval.generate import generate_answer

            result = generate_answer(standalone, hits, self.llm, history=history, on_token=on_token)
            if result.refused:
                # Retrieval found the answer's passages but the model declined (small local models
                # often do): quote them instead of claiming the documents are silent.
                fallback = extractive.compose(
                    analysed, hits, self.documents, weights, self.chunks_of, targets=self.index.targets
                )
                if not fallback.refused:
                    result = replace(
                        fallback,
                        mode="extractive",
                        dropped_claims=result.dropped_claims,
                        notes=(*fallback.notes, messages.model_declined(analysed.language)),
                    )
        else:
            result = extractive.compose(
                analysed, hits, self.documents, weights, self.chunks_of, targets=self.index.targets
            )
        result = _with_metadata(result, self.documents)
        if standalone != question:
            result = replace(result, rewritten_question=standalone)
        return replace(result, question=question)

    def check_question(self, question: str) -> None:
        """Raise QuestionError, in the question's language, when it is longer than the settings allow."""
        limit = self.settings.max_question_chars
        if len(question) > limit:
            lang = language_of(question[: 4 * limit])
            raise QuestionError(messages.question_too_long(lang, len(question), limit))

    def standalone_question(self, question: str, history: Sequence[tuple[str, str]]) -> str:
        """Resolve a follow-up against the chat history: by the LLM in LLM mode, by rules otherwise."""
        if not history:
            return question
        if self.llm is not None:
            from retrieval.generate import rewrite_followup

            return rewrite_followup(question, history, self.llm)
        return rewrite(question, history, self.documents.values())

    def unanswerable_reason(self, question: Question, hits, files: set[str] | None = None) -> str:
        """Why the corpus cannot answer at all (a place no document covers, a filter that leaves out
        the documents the question names, an English figure nobody states), or ''."""
        lang = question.language
        places = evidence.foreign_places(question.text, self._corpus_text, self._covered_pinyin)
        if places:
            return messages.no_document_covers(lang, places)
        named_elsewhere = files and question.named_files and not set(question.named_files[:1]) & files
        if named_elsewhere and (question.places or question.years):
            return messages.filter_excludes(lang, question.places, question.years)
        if lang == "en":
            return evidence.missing_english_figure(question, hits, self._corpus_text)
        return ""


def _with_metadata(result: Answer, documents: dict[str, DocumentMeta]) -> Answer:
    """Attach each cited document's 文号, issuer and date to its citations."""
    citations = []
    for c in result.citations:
        meta = documents.get(c.file)
        if meta:
            date = meta.date("成文") or meta.date("印发") or meta.date("发布")
            c = replace(c, title=meta.title, doc_number=meta.doc_number, issuer=meta.issuer, date=date)
        citations.append(c)
    return replace(result, citations=tuple(citations))
