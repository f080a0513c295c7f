"""The newsletter's default recipients: the confirmed subscribers in the store.

Each reader gets a personal one-click unsubscribe link (signed; see :mod:`.tokens`), made in
:meth:`StoreRecipients.prepare` just before their message: the sender asks it for every reader,
so one who unsubscribes while a long send runs gets nothing more.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from kennisbank.newsletter.recipients import Recipient
from kennisbank.subscribers.config import SubscriberConfig
from kennisbank.subscribers.store import CONFIRMED, Store, sqlite_file
from kennisbank.subscribers.tokens import UNSUBSCRIBE, Signer, Token


class StoreRecipients:
    def __init__(self, config: SubscriberConfig):
        self.config = config
        self.description = "the subscriber store"
        self.identity = f"subscriber store {config.location}"
        self.left_out = 0  # only confirmed subscribers are ever loaded
        self._store: Store | None = None
        self._signer: Signer | None = None

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = self.config.open_store()
        return self._store

    def load(self) -> tuple[list[Recipient], int]:
        self._signer = self.config.signer()  # no secret, no send: checked before anything goes out
        return [Recipient(email, name, subscriber_id) for subscriber_id, email, name in
                self.store.confirmed_recipients()], 0

    def _folder(self) -> Path:
        file = sqlite_file(self.config.database_url)
        return file.parent if file is not None else self.config.settings.root / "var"

    def default_log(self, number: int) -> Path:
        """Beside the SQLite file (``var/subscribers.121.send-log.jsonl``); for PostgreSQL in ``var/``."""
        return self._folder() / f"subscribers.{number}.send-log.jsonl"

    def log_registry(self) -> Path:
        return self._folder() / "subscribers.send-logs.json"

    def prepare(self, recipient: Recipient) -> Recipient | None:
        if self.store.status_of(recipient.line) != CONFIRMED:
            return None
        token = self.signer.sign(Token(UNSUBSCRIBE, recipient.line, 0, 0))
        return dataclasses.replace(recipient, unsubscribe_url=self.config.unsubscribe_url(token))

    @property
    def signer(self) -> Signer:
        if self._signer is None:
            self._signer = self.config.signer()
        return self._signer
