"""Who may call the HTTP API: bearer keys from `settings.api_keys`, decided once per request.

- API keys configured: every API route needs `Authorization: Bearer <key>`, logins or not.
- No keys, but the app has logins (`settings.auth`): the API is off, and says how to turn it on.
- No keys and no logins: the API is open, like the app (which listens on 127.0.0.1 by default).
"""

from __future__ import annotations

import hmac
import re
from pathlib import Path
from typing import NamedTuple

from policyqa.errors import SettingsError
from policyqa.settings import Settings
from policyqa.web.login import auth_pairs

MIN_KEY_CHARS = 16
_KEY = re.compile(r"[A-Za-z0-9._~+/=-]+")  # the characters of an RFC 6750 bearer token
_BEARER = re.compile(r"Bearer[ ]+(\S+)", re.IGNORECASE)


def api_keys(value: str) -> tuple[str, ...]:
    """The keys of `settings.api_keys`: "key1,key2", or the path of a file with one key per line
    (blank lines and # comments skipped). Raises SettingsError for a missing file or a weak key."""
    value = value.strip()
    if not value:
        return ()
    path = Path(value).expanduser()
    if path.is_file():
        lines = path.read_text(encoding="utf-8").splitlines()
        keys = [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]
        where = str(path)
        if not keys:
            raise SettingsError(f"{path}: the API keys file has no keys; add one key per line")
    elif value.startswith(("/", "~", "./", "../")) and "," not in value:
        raise SettingsError(f"api_keys: the keys file {value} does not exist (set POLICYQA_API_KEYS)")
    else:
        keys = [k.strip() for k in value.split(",") if k.strip()]
        where = "api_keys (POLICYQA_API_KEYS)"
    for n, key in enumerate(keys, 1):
        if len(key) < MIN_KEY_CHARS or not _KEY.fullmatch(key):
            raise SettingsError(
                f"{where}: API key #{n} must be at least {MIN_KEY_CHARS} characters of letters, digits "
                "and ._~+/=- ; make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'"
            )
    return tuple(keys)


class Refusal(NamedTuple):
    """Why a request may not use the API: HTTP status, error code, message for the caller."""

    status: int
    code: str
    message: str


class Access:
    """The API's access rule, read from the settings once at start-up."""

    def __init__(self, settings: Settings):
        self.keys = api_keys(settings.api_keys)
        self.logins = bool(auth_pairs(settings.auth))

    @property
    def mode(self) -> str:
        """ "keys", "off" (logins but no keys) or "open"."""
        if self.keys:
            return "keys"
        return "off" if self.logins else "open"

    def refusal(self, authorization: str | None) -> Refusal | None:
        """None when a request with this Authorization header may use the API."""
        mode = self.mode
        if mode == "open":
            return None
        if mode == "off":
            return Refusal(
                403,
                "api_disabled",
                "The HTTP API is off: the app requires a login (POLICYQA_AUTH) and no API keys are "
                "configured. Set POLICYQA_API_KEYS to a comma-separated list of keys (or the path of "
                "a file with one key per line) and restart policyqa.",
            )
        if not authorization:
            return Refusal(
                401, "missing_api_key", "This API needs a key: send 'Authorization: Bearer <key>'."
            )
        match = _BEARER.fullmatch(authorization.strip())
        if not match:
            return Refusal(
                401, "invalid_authorization_header", "Expected the header 'Authorization: Bearer <key>'."
            )
        given = match.group(1).encode()
        # Compare with every key, in constant time, so timing tells nothing about near misses.
        if not any([hmac.compare_digest(given, key.encode()) for key in self.keys]):
            return Refusal(401, "invalid_api_key", "The API key is not valid.")
        return None
