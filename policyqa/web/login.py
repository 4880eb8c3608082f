"""Logins for the app, from `settings.auth`, and the roles of `settings.admins`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from policyqa.settings import Settings


def login_check(settings: Settings) -> Callable | None:
    """Gradio's `auth`: None without logins, else a check that slows down and locks out repeated
    failures (`limits.LoginGuard`). Roles must name users who can log in."""
    from policyqa.errors import SettingsError
    from policyqa.web.limits import LoginGuard

    pairs = auth_pairs(settings.auth)
    admins = settings.admin_users
    if admins and not pairs:
        raise SettingsError(
            "admins is set but nobody can log in: set POLICYQA_AUTH (or auth in policyqa.toml) too, "
            "or clear POLICYQA_ADMINS"
        )
    unknown = sorted(admins - {user for user, _ in pairs or ()})
    if unknown:
        raise SettingsError(f"admins names users without a login: {', '.join(unknown)}; add them to auth")
    return LoginGuard(pairs).check if pairs else None


def auth_pairs(auth: str) -> list[tuple[str, str]] | None:
    """Logins from `settings.auth`: "user:pass", or the path of a users file with one user:pass per line."""
    from policyqa.errors import SettingsError

    if not auth:
        return None
    path = Path(auth).expanduser()
    if path.is_file():
        pairs = []
        for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            user, sep, password = line.partition(":")
            if not sep or not user.strip() or not password:
                raise SettingsError(f"{path}:{line_no}: each line of the users file must be user:password")
            pairs.append((user.strip(), password))
        if not pairs:
            raise SettingsError(f"{path}: the users file has no user:password lines; add at least one")
        return pairs
    user, sep, password = auth.partition(":")
    if not sep or not user or not password:
        raise SettingsError(
            f"auth must be user:password or the path of an existing users file, got {auth!r} "
            "(set POLICYQA_AUTH or auth in policyqa.toml)"
        )
    return [(user, password)]
