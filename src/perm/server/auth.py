"""Bearer-token auth, and the rule that a server off loopback must have a token."""
from __future__ import annotations

import hmac
import ipaddress
import string
from urllib.parse import unquote_plus

from ..errors import ConfigError
from .limits import ASGIApp, Receive, Scope, Send, send_json

#: Shortest token accepted: 16 random characters are beyond guessing over HTTP.
MIN_TOKEN_CHARS = 16
_TOKEN_CHARS = frozenset(string.ascii_letters + string.digits + string.punctuation)


def is_loopback(host: str) -> bool:
    """Whether binding `host` keeps the server reachable from this machine only."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a hostname that may resolve anywhere


def check_token(token: str | None) -> None:
    """Refuse (ConfigError) a token that is empty, blank, short or not sendable as is.

    A header carries visible ASCII only, and `?token=` decodes `+` to a space, so a token with
    spaces (or only spaces) would be matched by a URL that says next to nothing.
    """
    if token is None:
        return
    how = "generate one with: openssl rand -hex 24"
    if not token.strip():
        raise ConfigError(f"the server token is empty or only whitespace; {how}")
    if any(c not in _TOKEN_CHARS for c in token):
        raise ConfigError("the server token may hold only visible ASCII characters (letters, "
                          f"digits, punctuation; no spaces); {how}")
    if len(token) < MIN_TOKEN_CHARS:
        raise ConfigError(f"the server token is {len(token)} characters; use at least "
                          f"{MIN_TOKEN_CHARS}; {how}")


def check_bind(host: str, token: str | None) -> None:
    """Refuse (ConfigError) to serve a non-loopback address without a token."""
    if not token and not is_loopback(host):
        raise ConfigError(f"refusing to listen on {host} without a token: anyone who can reach it "
                         "could spend your judge budget. Pass --token (or PERM_SERVER_TOKEN), or "
                         "bind 127.0.0.1.")


class BearerAuth:
    """Requires `Authorization: Bearer <token>` on every path outside `open_paths`.

    On `query_token_paths` a `?token=` query parameter is accepted instead, because some
    clients cannot send headers (OpenRLHF's remote-RM client posts to a bare URL).
    """

    def __init__(self, app: ASGIApp, token: str | None, open_paths: frozenset[str],
                 query_token_paths: frozenset[str] = frozenset()) -> None:
        check_token(token)
        self.app, self.open_paths, self.query_token_paths = app, open_paths, query_token_paths
        self.expected = token.encode() if token else None

    def _query_token(self, scope: Scope) -> bytes | None:
        if scope["path"] not in self.query_token_paths:
            return None
        # Only the key spelled exactly `token` counts (not `%74oken`), so that log redaction,
        # which sees the raw URL, finds every value that can authenticate.
        query = scope.get("query_string", b"").decode("latin-1")
        values = [v for k, _, v in (part.partition("=") for part in query.split("&"))
                  if k == "token"]
        return unquote_plus(values[-1]).encode() if values else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (self.expected is None or scope["type"] != "http"
                or scope["path"] in self.open_paths):
            await self.app(scope, receive, send)
            return
        got = next((v for k, v in scope.get("headers", []) if k == b"authorization"), b"")
        scheme, _, credentials = got.strip().partition(b" ")
        # The scheme is case-insensitive (RFC 7235); the token is compared in constant time.
        ok = scheme.lower() == b"bearer" and hmac.compare_digest(credentials.strip(), self.expected)
        query = self._query_token(scope)
        if not ok and query is not None:
            ok = hmac.compare_digest(query, self.expected)
        if not ok:
            await send_json(send, 401, {"detail": "missing or wrong bearer token"},
                            [(b"www-authenticate", b'Bearer realm="perm"')])
            return
        await self.app(scope, receive, send)
