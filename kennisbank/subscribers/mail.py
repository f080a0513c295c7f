"""The confirmation e-mail and the outbox that sends it.

A sign-up only writes a row to the ``outbox`` (in the same transaction as the subscription), so
the HTTP answer never waits for SMTP, and a mail survives a crash: the :class:`OutboxSender`
claims unsent rows, renders each with a fresh signed link, sends over one SMTP connection and
marks it sent. It runs in the API process, woken after every sign-up and every few seconds.
SMTP settings are the newsletter's (``SMTP_HOST`` and friends).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import smtplib
import time
from collections.abc import Callable, Mapping
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from pathlib import Path

import jinja2

from kennisbank.errors import KennisbankError
from kennisbank.newsletter.send import SmtpConfig, connect, smtp_config
from kennisbank.subscribers.config import SubscriberConfig
from kennisbank.subscribers.store import Store, Subscriber, utcnow
from kennisbank.subscribers.tokens import CONFIRM, Token

TEMPLATES = Path(__file__).parent / "templates"
POLL_SECONDS = 5.0
BATCH = 50

_env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=jinja2.select_autoescape(["html"]),
                          undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


def confirmation_message(config: SubscriberConfig, subscriber: Subscriber, issued: int) -> EmailMessage:
    settings = config.settings
    token = config.signer().sign(Token(CONFIRM, subscriber.id, subscriber.epoch, issued))
    values = {"site_name": settings.site_name, "home_url": settings.absolute("/"), "name": subscriber.name or "",
              "email": subscriber.email, "confirm_url": config.confirm_url(token), "days": settings.subscribe_link_days}
    message = EmailMessage(policy=SMTP)
    message["From"] = settings.newsletter_from
    message["To"] = subscriber.email or ""
    message["Subject"] = f"Bevestig je inschrijving op de nieuwsbrief van het {settings.site_name}"
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid("inschrijving", domain=_host(settings.site_url))
    message["Auto-Submitted"] = "auto-generated"
    message["Content-Language"] = "nl"
    message.set_content(_env.get_template("confirm.txt").render(values), charset="utf-8", cte="quoted-printable")
    message.add_alternative(_env.get_template("confirm.html").render(values), subtype="html", charset="utf-8",
                            cte="quoted-printable")
    return message


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).hostname or "localhost"


class OutboxSender:
    """Sends what the outbox holds; :meth:`drain` is synchronous, :meth:`run` keeps it going."""

    def __init__(self, config: SubscriberConfig, store: Store, environ: Mapping[str, str] = os.environ,
                 report: Callable[[str], None] = print):
        self.config, self.store, self.environ, self.report = config, store, environ, report
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._warned = False

    def _smtp(self) -> SmtpConfig | None:
        try:
            return smtp_config(self.environ)
        except KennisbankError as exc:
            if not self._warned:
                self.report(f"confirmation e-mails wait in the outbox: {exc}")
                self._warned = True
            return None

    def drain(self) -> int:
        """Send every unsent confirmation; returns how many went out."""
        smtp = self._smtp()
        if smtp is None or self.config.secret is None:
            return 0
        sent = 0
        client: smtplib.SMTP | None = None
        try:
            while batch := self.store.claim_mail(BATCH):
                client = client or connect(smtp)
                for mail_id, subscriber in batch:
                    sent += self._send_one(client, mail_id, subscriber)
        except KennisbankError as exc:
            self.report(f"outbox: {exc}")
        except (OSError, smtplib.SMTPException) as exc:
            self.report(f"outbox: SMTP failed, retrying later: {exc}")
        finally:
            if client is not None:
                with contextlib.suppress(OSError, smtplib.SMTPException):
                    client.quit()
        return sent

    def _send_one(self, client: smtplib.SMTP, mail_id: int, subscriber: Subscriber) -> int:
        if subscriber.email is None or subscriber.status != "pending":
            self.store.mail_done(mail_id)  # confirmed meanwhile, or erased: nothing to send
            return 0
        message = confirmation_message(self.config, subscriber, int(time.time()))
        try:
            client.send_message(message)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as exc:
            self.store.mail_done(mail_id, error=str(exc))  # a refused address does not get better by retrying
            return 0
        self.store.mail_done(mail_id)
        return 1

    def wake(self) -> None:
        if self._wake is not None:
            self._wake.set()

    def wake_threadsafe(self) -> None:
        """Wake the sender from a worker thread (the sign-up runs in one)."""
        if self._loop is not None and self._wake is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        while True:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), POLL_SECONDS)
            self._wake.clear()
            await asyncio.to_thread(self.drain)
