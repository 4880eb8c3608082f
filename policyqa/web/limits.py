"""What keeps one client from taking the app from everyone else: a per-client question rate limit,
and logins that slow down and lock a user name after repeated failures."""

from __future__ import annotations

import asyncio
import hmac
import sys
import threading
import time
from collections import deque
from collections.abc import Callable

MINUTE = 60.0
# Logins: a user name with LOGIN_MAX_FAILURES failures in LOGIN_WINDOW seconds is locked until the
# oldest of them is LOGIN_WINDOW seconds old; each failure is answered after LOGIN_DELAY seconds.
LOGIN_MAX_FAILURES = 5
LOGIN_WINDOW = 300.0
LOGIN_DELAY = 1.0


def client_key(request) -> str:
    """Who is asking: the logged-in user, else the client's address (a proxy in front makes every
    client one address: give each user a login there)."""
    if request is None:
        return "local"
    username = getattr(request, "username", None)
    if username:
        return f"user:{username}"
    client = getattr(request, "client", None)
    return f"ip:{getattr(client, 'host', None) or '?'}"


class RateLimiter:
    """At most `per_minute` events per key in any 60 seconds; `per_minute` 0 means no limit."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic, max_keys: int = 10_000):
        self.per_minute = per_minute
        self._clock = clock
        self._max_keys = max_keys
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def wait(self, key: str) -> int:
        """0 when `key` may go ahead (the event is counted), else the whole seconds until it may."""
        if self.per_minute <= 0:
            return 0
        now = self._clock()
        with self._lock:
            events = self._events.setdefault(key, deque())
            while events and events[0] <= now - MINUTE:
                events.popleft()
            if len(events) >= self.per_minute:
                return max(1, int(events[0] + MINUTE - now + 0.999))
            events.append(now)
            if len(self._events) > self._max_keys:  # forget idle clients
                for idle in [k for k, e in self._events.items() if not e or e[-1] <= now - MINUTE]:
                    del self._events[idle]
            return 0


class LoginGuard:
    """Checks user:password logins; each failure is answered only after `delay` seconds, and a user
    name with `max_failures` failures in `window` seconds is locked (every attempt fails, the right
    password included) until the oldest of them is `window` seconds old (defaults: LOGIN_*).

    Give Gradio `guard.check`: Gradio awaits the login check only when it is a coroutine function."""

    def __init__(
        self,
        pairs: list[tuple[str, str]],
        max_failures: int | None = None,
        window: float | None = None,
        delay: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        max_names: int = 10_000,
    ):
        self._max_names = max_names
        self._passwords = {user: password.encode() for user, password in pairs}
        self.max_failures = LOGIN_MAX_FAILURES if max_failures is None else max_failures
        self.window = LOGIN_WINDOW if window is None else window
        self.delay = LOGIN_DELAY if delay is None else delay
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def locked_for(self, username: str) -> float:
        """Seconds until `username` may try again (0: not locked)."""
        now = self._clock()
        with self._lock:
            failures = self._failures.get(username[:200])
            while failures and failures[0] <= now - self.window:
                failures.popleft()
            if failures is not None and not failures:
                del self._failures[username[:200]]
            if failures and len(failures) >= self.max_failures:
                return failures[0] + self.window - now
            return 0.0

    def verify(self, username: str, password: str) -> bool:
        """The check without the delay: True for a right password of a user name that is not locked."""
        if self.locked_for(username):
            return False
        expected = self._passwords.get(username)
        # Compare even for unknown names, so the time taken does not tell which names exist.
        ok = hmac.compare_digest(password.encode(), expected or b"\0" * 16) and expected is not None
        with self._lock:
            if ok:
                self._failures.pop(username, None)
            else:
                now = self._clock()
                if len(self._failures) >= self._max_names:  # names tried once long ago go first
                    oldest = sorted(self._failures, key=lambda name: self._failures[name][-1])
                    for name in oldest[: len(oldest) // 2]:
                        del self._failures[name]
                failures = self._failures.setdefault(username[:200], deque())
                failures.append(now)
                if len(failures) == self.max_failures:
                    print(
                        f"policyqa: {self.max_failures} failed logins for {username[:200]!r}; "
                        f"that name is locked for {self.window:.0f} s",
                        file=sys.stderr,
                    )
        return ok

    async def check(self, username: str, password: str) -> bool:
        """Gradio's login check: a failure is answered after `delay` seconds, without holding a thread."""
        ok = self.verify(username, password)
        if not ok and self.delay:
            await asyncio.sleep(self.delay)
        return ok
