"""Language-model backends behind one small protocol: stream text pieces for chat messages.

- local:  a GGUF model run in-process by llama-cpp-python (built by `make llm`)
- openai: any OpenAI-compatible server (Ollama, vLLM, llama.cpp server, a hosted API) via langchain-openai
- fake:   deterministic replies for tests
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

from policyqa.errors import LLMError
from policyqa.settings import Settings
from retrieval.prompts import REFUSAL

N_CTX = 4096


class LLM(Protocol):
    name: str

    def stream(self, messages: list[dict[str, str]], max_tokens: int = 512) -> Iterator[str]: ...


# ------------------------------------------------------------------ local GGUF (llama-cpp-python)

_MODELS: dict[str, tuple[object, threading.Lock]] = {}
_MODELS_LOCK = threading.Lock()


def _load_llama(path: Path) -> tuple[object, threading.Lock]:
    """One Llama per model file per process: loading takes seconds and hundreds of MB."""
    key = str(path.resolve())
    with _MODELS_LOCK:
        if key not in _MODELS:
            try:
                from llama_cpp import Llama
            except ImportError:
                raise LLMError(
                    "llm = 'local' needs llama-cpp-python, which is not installed; run `make llm` "
                    "(or `bash scripts/setup_llm.sh`) to build and install it, or set llm = 'none'"
                ) from None
            try:
                model = Llama(model_path=key, n_ctx=N_CTX, n_threads=2, verbose=False)
            except (ValueError, RuntimeError) as exc:
                raise LLMError(
                    f"{key} could not be loaded as a GGUF model ({exc}); run `bash scripts/setup_llm.sh` to rebuild it"
                ) from None
            # llama.cpp contexts are not thread-safe: one generation at a time per model.
            _MODELS[key] = (model, threading.Lock())
        return _MODELS[key]


class LocalLLM:
    """A GGUF model run by llama-cpp-python, greedy decoding."""

    def __init__(self, model_path: Path):
        if not model_path.is_file():
            raise LLMError(
                f"local model file {model_path} does not exist; run `make llm` (or `bash scripts/setup_llm.sh`) "
                "to assemble it, or point llm_model at a .gguf file"
            )
        self.path = model_path
        self.name = f"local:{model_path.name}"
        self._model, self._lock = _load_llama(model_path)

    def stream(self, messages: list[dict[str, str]], max_tokens: int = 512) -> Iterator[str]:
        with self._lock:
            try:
                pieces = self._model.create_chat_completion(
                    messages=messages, stream=True, temperature=0, max_tokens=max_tokens
                )
                for piece in pieces:
                    text = piece["choices"][0].get("delta", {}).get("content")
                    if text:
                        yield text
            except ValueError as exc:  # e.g. the prompt does not fit the context window
                raise LLMError(f"the local model {self.path.name} refused the prompt: {exc}") from None


# ------------------------------------------------------------------ OpenAI-compatible server


class OpenAILLM:
    """Any OpenAI-compatible chat endpoint, through langchain-openai."""

    def __init__(self, model: str, base_url: str = "", api_key: str = ""):
        if not model:
            raise LLMError(
                "llm = 'openai' needs llm_model: the model name the server serves (e.g. qwen2.5:1.5b)"
            )
        if not api_key and not base_url:
            raise LLMError(
                "llm = 'openai' without llm_base_url talks to api.openai.com and needs llm_api_key"
            )
        try:
            from langchain_openai import ChatOpenAI
        except ImportError:
            raise LLMError("llm = 'openai' needs langchain-openai: pip install '.[openai]'") from None
        # Local servers (Ollama, vLLM) accept any key, but the client insists on one.
        self._client = ChatOpenAI(
            model=model,
            base_url=base_url or None,
            api_key=api_key or "not-needed",
            temperature=0,
            streaming=True,
            max_retries=1,
            timeout=120,
        )
        self.base_url = base_url or "https://api.openai.com/v1"
        self.name = f"openai:{model}"

    def stream(self, messages: list[dict[str, str]], max_tokens: int = 512) -> Iterator[str]:
        import openai

        try:
            for piece in self._client.stream(messages, max_tokens=max_tokens):
                if isinstance(piece.content, str) and piece.content:
                    yield piece.content
        except openai.OpenAIError as exc:
            raise LLMError(
                f"the OpenAI-compatible server at {self.base_url} failed: {exc}; "
                "check llm_base_url, llm_model and llm_api_key, or set llm = 'none'"
            ) from None


# ------------------------------------------------------------------ fake (tests)

_PASSAGE_HEAD = re.compile(r"^\[(\d+)\] ", re.MULTILINE)


def first_passage_sentence(messages: list[dict[str, str]]) -> str:
    """The first sentence of passage [1] in the last user message ("" when there is none)."""
    user = next((m["content"] for m in reversed(messages) if m["role"] == "user"), "")
    heads = list(_PASSAGE_HEAD.finditer(user))
    first = next((m for m in heads if m.group(1) == "1"), None)
    if first is None:
        return ""
    after = user[first.end() :]
    body = after.split("\n", 1)[1] if "\n" in after else ""  # skip the 《title》 section line
    nxt = _PASSAGE_HEAD.search(body)
    body = (body[: nxt.start()] if nxt else body).strip()
    match = re.search(r"[^。！？!?\n]{4,}[。！？!?]?", body)
    return match.group().strip() if match else ""


class FakeLLM:
    """Deterministic replies for tests.

    `script` may be a fixed reply, a list of replies used in turn, or a function of the messages.
    By default it copies the first sentence of passage [1] with a [1] marker, replies with the
    refusal phrase when there is no passage, and echoes the last line for other prompts
    (e.g. a follow-up rewrite).
    """

    name = "fake"

    def __init__(self, script: str | list[str] | Callable[[list[dict[str, str]]], str] | None = None):
        self.script = script
        self.calls: list[list[dict[str, str]]] = []

    def reply(self, messages: list[dict[str, str]]) -> str:
        if callable(self.script):
            return self.script(messages)
        if isinstance(self.script, list):
            return self.script[min(len(self.calls) - 1, len(self.script) - 1)]
        if isinstance(self.script, str):
            return self.script
        sentence = first_passage_sentence(messages)
        if sentence:
            end = re.search(r"[。！？!?]$", sentence)
            return sentence[: end.start()] + "[1]" + end.group() if end else sentence + "[1]"
        user = next((m["content"] for m in reversed(messages) if m["role"] == "user"), "")
        prompt = "\n".join(m["content"] for m in messages)
        for lang, phrase in REFUSAL.items():
            if phrase in prompt:  # an answer prompt without passages
                return phrase + ("。" if lang == "zh" else ".")
        # Any other prompt: echo the last labelled line's value ("当前问题：…" -> "…").
        for line in reversed(user.splitlines()):
            value = re.sub(r"^[^：:]{0,12}[：:]\s*", "", line.strip())
            if value:
                return value
        return ""

    def stream(self, messages: list[dict[str, str]], max_tokens: int = 512) -> Iterator[str]:
        self.calls.append(messages)
        text = self.reply(messages)
        # Small pieces, as a real model streams them.
        for i in range(0, len(text), 3):
            yield text[i : i + 3]


# ------------------------------------------------------------------ factory


def make_llm(settings: Settings) -> LLM | None:
    """The backend `settings.llm` names, or None for extractive answers."""
    if settings.llm == "none":
        return None
    if settings.llm == "fake":
        return FakeLLM()
    if settings.llm == "openai":
        return OpenAILLM(settings.llm_model, settings.llm_base_url, settings.llm_api_key)
    if settings.llm == "local":
        from policyqa.llm_setup import default_model_path

        path = Path(settings.llm_model).expanduser() if settings.llm_model else default_model_path("1.5b")
        return LocalLLM(path)
    raise LLMError(f"unknown llm backend {settings.llm!r}; choose none, local, openai or fake")
