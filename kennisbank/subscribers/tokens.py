"""Signed links: ``<payload>.<signature>``, HMAC-SHA256 with a key derived from ``KENNISBANK_SECRET``.

Nothing about a link is stored: the payload names the purpose, the subscriber, the subscriber's
*epoch* (bumped whenever a link of that purpose must stop working, e.g. after confirming) and the
time the link was made. A changed character anywhere breaks the signature.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

CONFIRM, UNSUBSCRIBE = "c", "u"
_SIGNATURE_BYTES = 18  # 144 bits: far beyond guessing, keeps the links short


class TokenInvalid(Exception):
    """The link was changed, cut short or made with another secret."""


@dataclass(frozen=True)
class Token:
    purpose: str
    subscriber: int
    epoch: int
    issued: int  # unix seconds


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Signer:
    def __init__(self, secret: str):
        self._key = hmac.new(secret.encode("utf-8"), b"kennisbank subscriber links v1", hashlib.sha256).digest()

    def _mac(self, payload: str) -> bytes:
        return hmac.new(self._key, payload.encode("ascii"), hashlib.sha256).digest()[:_SIGNATURE_BYTES]

    def sign(self, token: Token) -> str:
        payload = _b64(f"{token.purpose}.{token.subscriber}.{token.epoch}.{token.issued}".encode("ascii"))
        return f"{payload}.{_b64(self._mac(payload))}"

    def verify(self, text: str, purpose: str) -> Token:
        """The token in ``text``; :class:`TokenInvalid` unless it is intact and of ``purpose``."""
        if not text or len(text) > 200 or not text.isascii() or text.count(".") != 1:
            raise TokenInvalid
        payload, signature = text.split(".")
        try:
            given = _unb64(signature)
            fields = _unb64(payload).decode("ascii").split(".")
        except (ValueError, UnicodeDecodeError):
            raise TokenInvalid from None
        if not hmac.compare_digest(given, self._mac(payload)):
            raise TokenInvalid
        if len(fields) != 4 or fields[0] != purpose or not all(f.isdigit() for f in fields[1:]):
            raise TokenInvalid
        return Token(fields[0], int(fields[1]), int(fields[2]), int(fields[3]))
