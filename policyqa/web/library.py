"""The live library behind the app: the engine every session shares (swapped whole when documents
are added or removed, or when another process rebuilt the index), the LLM of each answer mode, the
documents' text cache, the views of the current index that the tabs show, and who may ask how often
and who may change the documents."""

from __future__ import annotations

import copy
import tempfile
import threading
from pathlib import Path

from policyqa.errors import QuestionError
from policyqa.settings import Settings
from policyqa.web.documents import about_html, document_choices, status_line
from policyqa.web.examples import example_questions, example_set
from policyqa.web.indexing import IndexJobs
from policyqa.web.limits import RateLimiter
from policyqa.web.modes import available_modes, mode_settings
from policyqa.web.viewer import TextCache, viewer_html


class Library:
    """The engine shared by every session; replaced whole when documents are added or removed."""

    def __init__(self, engine, settings: Settings):
        self.engine = engine
        self.settings = settings
        self.texts = TextCache(settings.corpus)
        self.update_lock = threading.Lock()  # one change of the corpus and index at a time
        self.generation = 0  # bumped by every swap: pages compare it to know when to redraw
        self.notice = ""  # a problem with the index on disk the status line reports
        self.limiter = RateLimiter(settings.rate_limit)
        self.jobs = IndexJobs(self)
        self._llms: dict[str, object] = {}
        self._llm_lock = threading.Lock()
        self._examples: tuple[int, list[list[str]]] | None = None  # (generation, samples)
        self.export_dir = Path(tempfile.mkdtemp(prefix="policyqa-export-"))
        if engine.llm is not None:
            self._llms[settings.llm] = engine.llm

    def engine_for(self, mode: str):
        """The current engine answering in `mode` (a shallow copy sharing index and embedder)."""
        engine = self.engine
        llm = None
        if mode and mode != "none":
            with self._llm_lock:
                if mode not in self._llms:
                    from retrieval.llm import make_llm

                    self._llms[mode] = make_llm(mode_settings(self.settings, mode))
                llm = self._llms[mode]
        if llm is engine.llm:
            return engine
        variant = copy.copy(engine)
        variant.llm = llm
        return variant

    def swap(self, index) -> None:
        """Serve `index` from now on (after an upload or a removal), with the same embedder and LLM."""
        from retrieval.pipeline import Engine

        self.engine = Engine(self.settings, index, self.engine.embedder, self.engine.llm)
        self.notice = ""
        self.generation += 1

    # who may do what
    def admit(self, question: str, client: str) -> str:
        """'' when `client` may ask `question` now, else why not, in the question's language: the
        question is too long, or the client asked `rate_limit` questions in the last minute."""
        from retrieval import messages
        from retrieval.query import language_of

        try:
            self.engine.check_question(question)
        except QuestionError as exc:
            return str(exc)
        wait = self.limiter.wait(client)
        return messages.too_many_questions(language_of(question), wait) if wait else ""

    def may_manage(self, username: str | None) -> bool:
        """Whether `username` may upload and remove documents: anyone who got in (logged in when
        auth is on) unless roles are configured, then only users with the admin role."""
        admins = self.settings.admin_users
        return not admins or username in admins

    # views of the current index
    def choices(self) -> list[tuple[str, str]]:
        """(label, file) pairs for the document pickers."""
        return document_choices(self.engine.documents)

    def examples(self) -> list[list[str]]:
        """Samples for the example-questions list: varied questions made from the documents, each
        checked to answer with content (asked once per index generation), else one per document."""
        generation = self.generation
        with self._llm_lock:
            cached = self._examples
        if cached is not None and cached[0] == generation:
            return cached[1]
        engine = self.engine
        documents = {}
        for file, (meta, sections) in self.documents().items():
            text = self.texts.get(file)
            if text is not None:
                documents[file] = (meta, sections, text)
        questions = example_set(documents, engine.ask) or example_questions(self.documents())
        samples = [[q] for q in questions]
        with self._llm_lock:
            self._examples = (generation, samples)
        return samples

    def documents(self) -> dict:
        """file -> (meta, sections) for every indexed document."""
        return {f: (d.meta, d.sections) for f, d in self.engine.index.documents.items()}

    def status(self) -> str:
        """The one-line summary of the library under the title, with the "about" details folded in."""
        index = self.engine.index
        line = status_line(index.manifest, len(index.chunks))
        if self.notice:
            line = f"{line} · ⚠️ {self.notice}"
        modes = [label for label, _ in available_modes(self.settings)]
        return f'<span class="pq-status-line">{line}</span>{about_html(index.manifest, len(index.chunks), modes)}'

    def viewer(self, file: str, start: int | None, end: int | None) -> str:
        """The viewer at [start, end) of an indexed document; a short notice for anything else."""
        stored = self.engine.index.documents.get(file)
        if stored is None:  # only indexed documents are ever read, whatever the browser sends
            return '<div class="pq-empty">这份文件已不在文件库中。</div>'
        text = self.texts.get(file)
        if text is None:
            return '<div class="pq-empty">无法读取这份文件，请联系管理员重建索引。</div>'
        note = ""
        indexed = self.engine.index.manifest.files.get(file)
        if stored.meta.sha256 and (indexed is None or stored.meta.sha256 != indexed.sha256):
            note = "文件在索引后被修改，标注位置可能不准确。"
        return viewer_html(file, stored.meta, text, stored.sections, start, end, note)
