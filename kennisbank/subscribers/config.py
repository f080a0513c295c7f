"""What the subscriber side needs from the settings and the environment, checked once."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from kennisbank.config import Settings
from kennisbank.errors import UsageError
from kennisbank.subscribers.store import Store, database_url, open_store
from kennisbank.subscribers.tokens import Signer

MIN_SECRET = 16


@dataclass(frozen=True)
class SubscriberConfig:
    settings: Settings
    database_url: str
    secret: str | None

    @property
    def api_url(self) -> str:
        """The absolute URL of the subscriptions API (links in e-mails must be absolute)."""
        url = self.settings.subscriptions_api_url
        return url.rstrip("/") if "://" in url else self.settings.absolute(url).rstrip("/")

    @property
    def location(self) -> str:
        """The store's URL without a password (for messages and the send-log registry)."""
        from sqlalchemy.engine import make_url

        return make_url(self.database_url).render_as_string(hide_password=True)

    def signer(self) -> Signer:
        if not self.secret:
            raise UsageError(f"set KENNISBANK_SECRET (at least {MIN_SECRET} characters) to sign subscription links")
        return Signer(self.secret)

    def confirm_url(self, token: str) -> str:
        return f"{self.api_url}/confirm?token={token}"

    def unsubscribe_url(self, token: str) -> str:
        return f"{self.api_url}/unsubscribe?token={token}"

    def open_store(self) -> Store:
        return open_store(self.database_url)


def subscriber_config(settings: Settings, environ: Mapping[str, str] = os.environ) -> SubscriberConfig:
    secret = environ.get("KENNISBANK_SECRET", "") or None
    if secret is not None and len(secret) < MIN_SECRET:
        raise UsageError(f"KENNISBANK_SECRET is too short: use at least {MIN_SECRET} random characters")
    root: Path = settings.root
    return SubscriberConfig(settings, database_url(root, settings.subscribers_database, environ), secret)
