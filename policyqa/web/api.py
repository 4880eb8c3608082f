"""The app's API for scripts and tests: `/ask` answers one question as JSON, with each citation's
number, document, 文号, section, quote and its offsets in the document. A question over the length
cap, or over the client's rate limit, is an error with the reason in the question's language."""

import gradio as gr

from policyqa.answer_json import answer_to_json
from policyqa.web.library import Library
from policyqa.web.limits import client_key

API_FIELDS = ("answer", "refused", "rewritten_question", "citations")
API_CITATION_FIELDS = ("n", "file", "title", "doc_number", "section", "quote", "start", "end")


def ask_endpoint(lib: Library):
    """The function behind `/ask`: it answers with the library's current engine."""

    def ask(question: str, documents: list[str] | None = None, request: gr.Request = None) -> dict:
        """Answer one question (optionally only from documents named by file or part of the title)."""
        refused = lib.admit(question or "", client_key(request))
        if refused:
            raise gr.Error(refused, print_exception=False)
        engine = lib.engine
        files = engine.resolve_files(documents) if documents else None
        answer = engine.ask(question, files=files)
        return answer_to_json(answer, API_FIELDS, API_CITATION_FIELDS)

    return ask
