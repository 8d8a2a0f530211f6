"""Secrets out of log lines: values under a secret's key, and tokens or passwords inside text
(messages, rendered tracebacks, reprs), whatever the output format."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

import structlog

REDACTED = "[redacted]"

# A key naming any of these holds a secret, whatever else it says ("access_token", "X-Api-Key").
SECRET_KEY_PARTS = (
    "password",
    "passwd",
    "secret",
    "token",
    "authorization",
    "bearer",
    "credential",
    "cookie",
    "api_key",
    "api-key",
    "apikey",
    "private_key",
)

_SECRET_IN_TEXT = re.compile(
    r"""
    (?P<jwt>\beyJ[\w-]{2,}\.[\w-]{2,}\.[\w-]*)
    | (?P<scheme>\b(?:bearer|basic)\s+)[\w.~+/=-]+
    | (?P<userinfo>://[^/\s:@]*:)[^/\s@]+(?=@)
    | (?P<assignment>\b[\w-]*(?:password|passwd|secret|token|authorization|api[_-]?key)[\w-]*
        ['"]?\s*[=:]\s*(?:(?:bearer|basic)\s+)?)
      (?:'[^']*'|"[^"]*"|[^\s,;)}\]'"]+)
    """,
    re.IGNORECASE | re.VERBOSE,
)
_PLAIN = (int, float, bool, type(None))


def redact_text(text: str) -> str:
    """`text` with JWTs, Authorization credentials, URL passwords and `password=...`-style
    values replaced by REDACTED."""
    return _SECRET_IN_TEXT.sub(_replacement, text)


def redact_secrets(
    _logger: object, _method: str, event: structlog.typing.EventDict
) -> structlog.typing.EventDict:
    """structlog processor: every field of `event` redacted (run it after `format_exc_info`)."""
    for key, value in event.items():
        if not key.startswith("_"):  # structlog's own bookkeeping (`_record`, `_from_structlog`)
            event[key] = _redacted(key, value)
    return event


def _redacted(key: str, value: Any) -> Any:
    if _is_secret_key(key):
        return REDACTED
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, Mapping):
        return {str(k): _redacted(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_redacted("", item) for item in value]
    # Renderers would repr it anyway; a repr may show secret attributes.
    return redact_text(repr(value))


@functools.lru_cache(maxsize=1024)
def _is_secret_key(key: str) -> bool:
    lowered = key.lower()
    return any(part in lowered for part in SECRET_KEY_PARTS)


def _replacement(found: re.Match[str]) -> str:
    return (found["scheme"] or found["userinfo"] or found["assignment"] or "") + REDACTED
