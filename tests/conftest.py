"""Shared fixtures: a small two-document corpus and fake-embedder settings."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from policyqa.settings import Settings

REPO = Path(__file__).resolve().parent.parent
REAL_CORPUS = REPO / "corpus"
SHARED = REPO.parent / "shared"
GOLD = SHARED / "eval" / "dev.jsonl"

DOC_A = """甲市2024年城市管理工作要点

2024年是关键之年，为做好城市管理工作，制定本要点。

一、总体目标

打造更干净、更有序的城市环境。

二、重点任务

（一）环卫保洁

1．提升道路保洁。主干道机扫率达到100%，背街小巷保洁覆盖率达到95%以上。

2．推进公厕建设。全年新改建公厕20座。

（二）垃圾分类

1．强化源头分类。完成提质增效小区300个，厨余垃圾分出率不低于25%。

三、保障措施

（一）加强组织领导。市城管局要强化统筹，确保各项任务落实。
"""

DOC_B = """乙县2023年市容整治方案

一、工作目标

违建治理面积不少于50万平方米。

二、主要措施

1.开展市容秩序整治。落实“门前五包”责任制，公布红黑榜。

2.开展停车秩序整治。新增停车泊位800个。
"""


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(DOC_A, encoding="utf-8")
    (corpus / "b.txt").write_text(DOC_B, encoding="utf-8")
    return corpus


@pytest.fixture
def fake_settings(tmp_path: Path, small_corpus: Path) -> Settings:
    return Settings(corpus=small_corpus, index=tmp_path / "index", embedder="fake")


@pytest.fixture
def env(fake_settings, monkeypatch):
    """The CLI's environment pointed at the fake-embedder corpus and index (no config file)."""
    monkeypatch.setenv("POLICYQA_CORPUS", str(fake_settings.corpus))
    monkeypatch.setenv("POLICYQA_INDEX", str(fake_settings.index))
    monkeypatch.setenv("POLICYQA_EMBEDDER", "fake")
    monkeypatch.setenv("POLICYQA_CONFIG", str(fake_settings.index.parent / "none.toml"))
    return fake_settings


@pytest.fixture
def real_corpus_copy(tmp_path: Path) -> Path:
    target = tmp_path / "real_corpus"
    shutil.copytree(REAL_CORPUS, target)
    return target
