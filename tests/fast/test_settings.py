from pathlib import Path

import pytest

from policyqa.errors import SettingsError
from policyqa.settings import Settings, load_settings


def test_defaults_without_file_or_env(tmp_path):
    settings = load_settings(env={"POLICYQA_CONFIG": str(tmp_path / "none.toml")})
    assert settings == Settings()


def test_env_overrides_file(tmp_path):
    config = tmp_path / "p.toml"
    config.write_text('corpus = "docs"\nport = 8000\nk = 5\n', encoding="utf-8")
    env = {"POLICYQA_CONFIG": str(config), "POLICYQA_PORT": "9000", "POLICYQA_INDEX": "/tmp/idx"}
    settings = load_settings(env=env)
    assert settings.corpus == Path("docs")
    assert settings.port == 9000
    assert settings.k == 5
    assert settings.index == Path("/tmp/idx")


def test_bad_values_name_the_setting(tmp_path):
    with pytest.raises(SettingsError, match="port"):
        load_settings(env={"POLICYQA_CONFIG": str(tmp_path / "x"), "POLICYQA_PORT": "eighty"})
    with pytest.raises(SettingsError, match="embedder"):
        load_settings(env={"POLICYQA_CONFIG": str(tmp_path / "x"), "POLICYQA_EMBEDDER": "bert"})


def test_broken_toml_is_reported_with_its_path(tmp_path):
    config = tmp_path / "p.toml"
    config.write_text("corpus = [", encoding="utf-8")
    with pytest.raises(SettingsError, match="p.toml"):
        load_settings(env={"POLICYQA_CONFIG": str(config)})


def test_with_changes_ignores_none_and_validates():
    settings = Settings().with_changes(k=None, port=8080)
    assert settings.port == 8080 and settings.k == Settings().k
    with pytest.raises(SettingsError):
        Settings().with_changes(k=0)
