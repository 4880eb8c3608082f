"""Answer modes the app offers: extractive always, an LLM mode only when this installation can run it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from policyqa.settings import Settings

MODE_LABELS = {
    "none": "摘录原文",
    "local": "本地大模型",
    "openai": "服务器大模型",
    "fake": "测试模型",
}


def local_model_path(settings: Settings) -> Path | None:
    """The GGUF file the local mode would load, if llama_cpp is importable and the file exists."""
    if importlib.util.find_spec("llama_cpp") is None:
        return None
    from policyqa.llm_setup import default_model_path

    candidates = (
        [Path(settings.llm_model).expanduser()] if settings.llm_model and settings.llm != "openai" else []
    )
    candidates += [default_model_path("1.5b"), default_model_path("0.5b")]
    return next((p for p in candidates if p.is_file()), None)


def available_modes(settings: Settings) -> list[tuple[str, str]]:
    """(label, mode) for each answer mode this installation can run; extractive always."""
    modes = ["none"]
    if local_model_path(settings) is not None:
        modes.append("local")
    if settings.llm_base_url:
        modes.append("openai")
    if settings.llm == "fake":
        modes.append("fake")
    return [(MODE_LABELS[m], m) for m in modes]


def mode_settings(settings: Settings, mode: str) -> Settings:
    """Settings that make `retrieval.llm.make_llm` build the backend of `mode`."""
    if mode == "local" and not (settings.llm == "local" and settings.llm_model):
        path = local_model_path(settings)
        return settings.with_changes(llm="local", llm_model=str(path) if path else "")
    return settings.with_changes(llm=mode)
