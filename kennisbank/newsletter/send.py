"""Send a built issue to a recipients list over SMTP, one message per reader, resumably.

The message is the reviewed ``issue.eml`` from ``newsletter build``, with ``To`` and a
per-recipient ``Message-ID`` set for each reader. Progress is kept in a :class:`SendLog`, so the
same command, run again after a crash or kill, continues where it stopped: recipients logged as
``sent`` are skipped, everyone else gets the issue.

Uncertain recipients (the process died after DATA began and before the reply was logged) are
**sent again by default**: missing a reader is worse than a rare second copy, the window is a
few milliseconds per run, and the copy carries the same Message-ID, so mail clients that
deduplicate (Gmail does) show it once. ``uncertain="skip"`` chooses the other side.

SMTP settings come from the environment (``SMTP_HOST``, ``SMTP_PORT``, ``SMTP_USER``,
``SMTP_PASSWORD``, ``SMTP_STARTTLS=1``); the password is never printed or logged.

Internationalised addresses: a domain outside ASCII is sent as IDNA A-labels (``exämple.be`` →
``xn--exmple-cua.be``), which every server accepts; a local part outside ASCII needs SMTPUTF8
(RFC 6531), used when the server offers it. Whatever cannot be sent to one reader (no SMTPUTF8,
an invalid domain, a refusal) is logged as ``failed`` with its reason and the send goes on: one
bad recipient never stops the others.
"""

from __future__ import annotations

import html
import smtplib
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email import message_from_bytes
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.policy import SMTPUTF8 as SMTPUTF8_POLICY
from email.utils import parseaddr
from pathlib import Path

import idna

from kennisbank.config import Settings
from kennisbank.errors import KennisbankError, UsageError
from kennisbank.newsletter.recipients import Recipient
from kennisbank.newsletter.render import message_id, unsubscribe_target
from kennisbank.newsletter.sendlog import FAILED, SENDING, SENT, LogState, SendLog

_TRUE = {"1", "true", "yes", "on"}


class PartialSend(KennisbankError):
    """Some recipients were refused by the server; the rest got the issue. Rerun to retry them."""

    exit_code = 3


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    user: str = ""
    password: str = field(default="", repr=False)
    starttls: bool = False
    timeout: float = 30.0

    def describe(self) -> str:
        security = "STARTTLS" if self.starttls else "no TLS"
        who = f" as {self.user}" if self.user else ""
        return f"{self.host}:{self.port} ({security}){who}"


def smtp_config(environ: Mapping[str, str]) -> SmtpConfig:
    host = environ.get("SMTP_HOST", "").strip()
    if not host:
        raise UsageError("set SMTP_HOST (and SMTP_PORT, SMTP_USER, SMTP_PASSWORD, SMTP_STARTTLS=1) to send; "
                         "or use --dry-run")
    starttls = environ.get("SMTP_STARTTLS", "").strip().lower() in _TRUE
    port_text = environ.get("SMTP_PORT", "").strip() or ("587" if starttls else "25")
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise UsageError(f"SMTP_PORT must be a port number, not {port_text!r}")
    user = environ.get("SMTP_USER", "").strip()
    password = environ.get("SMTP_PASSWORD", "")
    if user and not password:
        raise UsageError("SMTP_USER is set but SMTP_PASSWORD is not")
    return SmtpConfig(host, int(port_text), user, password, starttls)


@dataclass
class Plan:
    """Who gets the issue in this run, and who is skipped because an earlier run sent it."""

    to_send: list[Recipient]
    already_sent: list[Recipient]
    uncertain: list[Recipient]  # logged "sending" without "sent": resent unless told to skip
    retry: list[Recipient]  # refused in an earlier run


def plan(recipients: list[Recipient], state: LogState, uncertain: str = "resend") -> Plan:
    result = Plan([], [], [], [])
    for recipient in recipients:
        if recipient.key in state.sent:
            result.already_sent.append(recipient)
            continue
        if recipient.key in state.uncertain:
            result.uncertain.append(recipient)
            if uncertain == "skip":
                continue
        elif recipient.key in state.failed:
            result.retry.append(recipient)
        result.to_send.append(recipient)
    return result


@dataclass
class SendReport:
    sent: int = 0
    refused: list[tuple[Recipient, str]] = field(default_factory=list)
    skipped: list[Recipient] = field(default_factory=list)  # unsubscribed while the send ran


@dataclass(frozen=True)
class Envelope:
    """How one recipient is addressed on the wire: the RCPT TO address, and whether it needs SMTPUTF8."""

    address: str
    smtputf8: bool


class Undeliverable(Exception):
    """This recipient cannot be sent to (the reason is logged); the send goes on with the others."""


def envelope(email: str) -> Envelope:
    """The domain as IDNA A-labels; SMTPUTF8 only when the local part itself is not ASCII."""
    local, _, domain = email.rpartition("@")
    try:
        ascii_domain = domain if domain.isascii() else idna.encode(domain, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise Undeliverable(f"the domain {domain!r} is not a valid internationalised domain name ({exc})") from None
    return Envelope(f"{local}@{ascii_domain}", smtputf8=not local.isascii())


def personal_copy(settings: Settings, issue: int, template: bytes, recipient: Recipient, to: Envelope) -> bytes:
    message: EmailMessage = message_from_bytes(template, _class=EmailMessage, policy=SMTP_POLICY)
    del message["To"]
    local, _, domain = to.address.rpartition("@")
    message["To"] = str(Address(display_name=recipient.name, username=local, domain=domain))
    del message["Message-ID"]
    message["Message-ID"] = message_id(settings, issue, recipient.key)
    if recipient.unsubscribe_url:
        personal_unsubscribe(message, unsubscribe_target(settings), recipient.unsubscribe_url)
    return message.as_bytes(policy=SMTPUTF8_POLICY if to.smtputf8 else SMTP_POLICY)


def personal_unsubscribe(message: EmailMessage, generic: str, url: str) -> None:
    """This reader's own unsubscribe link: RFC 8058 headers (``List-Unsubscribe`` with the https
    URL, ``List-Unsubscribe-Post``) and the footer link of both parts instead of the generic one."""
    del message["List-Unsubscribe"]
    del message["List-Unsubscribe-Post"]
    message["List-Unsubscribe"] = f"<{url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    for part in message.walk():
        subtype = part.get_content_subtype()
        if part.get_content_maintype() != "text" or subtype not in ("plain", "html"):
            continue
        text = part.get_content()
        if subtype == "html":
            changed = text.replace(html.escape(generic), html.escape(url)).replace(generic, html.escape(url))
        else:
            changed = text.replace(generic, url)
        part.set_content(changed, subtype=subtype, charset="utf-8", cte="quoted-printable")


class _Throttle:
    """At most ``rate`` messages a second (``None``: as fast as the server takes them)."""

    def __init__(self, rate: float | None):
        self.interval = 1.0 / rate if rate else 0.0
        self.last = float("-inf")

    def wait(self) -> None:
        delay = self.last + self.interval - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        self.last = time.monotonic()


def connect(config: SmtpConfig) -> smtplib.SMTP:
    """An SMTP session ready to send (STARTTLS and login as configured), for the newsletter and
    the subscriptions API's confirmation mails; failures are KennisbankErrors without secrets."""
    try:
        client = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
        client.ehlo()
        if config.starttls:
            client.starttls(context=ssl.create_default_context())
            client.ehlo()
        if config.user:
            client.login(config.user, config.password)
    except smtplib.SMTPAuthenticationError as exc:
        raise KennisbankError(f"SMTP server {config.describe()} refused the login: {exc.smtp_code}") from None
    except smtplib.SMTPNotSupportedError as exc:
        raise KennisbankError(f"SMTP server {config.describe()}: {exc}") from None
    except (OSError, smtplib.SMTPException) as exc:
        raise KennisbankError(f"cannot connect to SMTP server {config.describe()}: {exc}") from None
    return client


def send(settings: Settings, issue: int, template: bytes, recipients: list[Recipient], log: SendLog,
         config: SmtpConfig, rate: float | None = None,
         progress: Callable[[Recipient], None] = lambda recipient: None,
         prepare: Callable[[Recipient], Recipient | None] = lambda recipient: recipient) -> SendReport:
    """Send ``template`` to each recipient in order, logging intent before DATA and success after.
    ``prepare`` is asked just before each message (see ``RecipientSource.prepare``): it may add the
    reader's unsubscribe link, or answer None for a reader who unsubscribed during a long send."""
    sender = parseaddr(settings.newsletter_from)[1]
    report = SendReport()
    if not recipients:
        return report
    throttle = _Throttle(rate)
    client = connect(config)
    try:
        for listed in recipients:
            recipient = prepare(listed)
            if recipient is None:
                report.skipped.append(listed)
                progress(listed)
                continue
            throttle.wait()
            problem = _send_one(client, settings, issue, template, sender, recipient, log)
            if problem is None:
                log.record(SENT, recipient.email)
                report.sent += 1
            else:
                log.record(FAILED, recipient.email, error=problem)
                report.refused.append((recipient, problem))
                client.rset()
            progress(recipient)
    except (OSError, smtplib.SMTPException) as exc:
        raise KennisbankError(f"SMTP connection to {config.describe()} failed after {report.sent} message(s) in "
                              f"this run: {exc}. Run the same command again to continue.") from None
    finally:
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            client.close()
    return report


def _send_one(client: smtplib.SMTP, settings: Settings, issue: int, template: bytes, sender: str,
              recipient: Recipient, log: SendLog) -> str | None:
    """One message to one reader; the reason it could not be sent, or None when the server took it."""
    try:
        to = envelope(recipient.email)
        if to.smtputf8 and not client.has_extn("smtputf8"):
            raise Undeliverable("the address has non-ASCII characters before the @ and the SMTP server does not "
                                "offer SMTPUTF8")
        data = personal_copy(settings, issue, template, recipient, to)
    except (Undeliverable, UnicodeError, ValueError) as exc:
        return str(exc)
    problem = _envelope(client, sender, to)
    if problem is None:
        log.record(SENDING, recipient.email)
        code, reply = client.data(data)
        problem = None if code == 250 else f"{code} {reply.decode(errors='replace')}"
    client.command_encoding = "ascii"  # SMTPUTF8 switched it for this transaction only
    return problem


def _envelope(client: smtplib.SMTP, sender: str, to: Envelope) -> str | None:
    """MAIL FROM and RCPT TO; a refusal of this recipient is returned, not raised."""
    options = ["SMTPUTF8"] if to.smtputf8 else []
    if to.smtputf8 and client.has_extn("8bitmime"):
        options.append("BODY=8BITMIME")
    code, reply = client.mail(sender, options)
    if code != 250:
        if to.smtputf8:
            return f"{code} {reply.decode(errors='replace')}"
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    code, reply = client.rcpt(to.address)
    if code not in (250, 251):
        return f"{code} {reply.decode(errors='replace')}"
    return None


def read_issue(path: Path, number: int) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise KennisbankError(f"{path} does not exist: run `kennisbank newsletter build` for issue {number} first") from None
