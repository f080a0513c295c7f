"""The subscriber store: SQLAlchemy Core over SQLite (one file, WAL) or PostgreSQL (``DATABASE_URL``).

Every change is one transaction, so a process killed at any moment leaves each row either as it
was or fully changed. An address is identified by a salted SHA-256 of its lower-cased form
(``email_hash``; the salt is made once per store and kept in ``meta``): deleting a subscriber
erases every personal field and keeps only that hash and ``status = 'deleted'``, so a later import
of an old list does not subscribe the address again.

Confirmation e-mails go through the ``outbox`` table, written in the same transaction as the
sign-up: a mail is never lost with the process, and the per-address limit counts its rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast, overload

from sqlalchemy import Column, DateTime, ForeignKey, Integer, MetaData, String, Table, create_engine, event, func, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from kennisbank.errors import KennisbankError

PENDING, CONFIRMED, UNSUBSCRIBED, DELETED = "pending", "confirmed", "unsubscribed", "deleted"
STATUSES = (PENDING, CONFIRMED, UNSUBSCRIBED, DELETED)
OPT_OUT_BATCH = 500
"""Addresses looked up per query by :meth:`Store.opted_out` (well under SQLite's parameter limit)."""
CONFIRM_MAIL = "confirm"
MAX_EMAIL, MAX_NAME, MAX_ORGANISATION, MAX_SOURCE = 254, 100, 150, 40

metadata = MetaData()
meta = Table("meta", metadata, Column("key", String(40), primary_key=True), Column("value", String(200), nullable=False))
subscribers = Table(
    "subscribers", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("email_hash", String(64), nullable=False, unique=True),
    Column("email", String(MAX_EMAIL)),
    Column("name", String(MAX_NAME)),
    Column("organisation", String(MAX_ORGANISATION)),
    Column("status", String(16), nullable=False, index=True),
    Column("source", String(MAX_SOURCE)),  # which form, or which imported list: the consent's origin
    Column("consent_at", DateTime(timezone=True)),
    Column("confirmed_at", DateTime(timezone=True)),
    Column("unsubscribed_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("epoch", Integer, nullable=False, default=0),  # bumped when outstanding links must stop working
)
outbox = Table(
    "outbox", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("subscriber_id", Integer, ForeignKey("subscribers.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("claimed_at", DateTime(timezone=True)),
    Column("sent_at", DateTime(timezone=True), index=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", String(300)),
)


def _v1(conn: Connection) -> None:
    metadata.create_all(conn)
    conn.execute(meta.insert().values(key="hash_salt", value=secrets.token_hex(32)))


MIGRATIONS: list[Callable[[Connection], None]] = [_v1]  # append steps; never edit a released one


class StoreError(KennisbankError):
    """The store cannot be opened or written (bad DATABASE_URL, unreadable file, locked too long)."""


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@overload
def aware(moment: dt.datetime) -> dt.datetime: ...
@overload
def aware(moment: dt.datetime | None) -> dt.datetime | None: ...
def aware(moment: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes; every stored moment is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class Subscriber:
    id: int
    email: str | None
    name: str | None
    organisation: str | None
    status: str
    source: str | None
    consent_at: dt.datetime | None
    confirmed_at: dt.datetime | None
    unsubscribed_at: dt.datetime | None
    created_at: dt.datetime
    epoch: int

    @classmethod
    def from_row(cls, row: Any) -> Subscriber:
        values = dict(row._mapping)
        values.pop("email_hash", None)
        for key in ("consent_at", "confirmed_at", "unsubscribed_at", "created_at"):
            values[key] = aware(values[key])
        return cls(**values)


@dataclass(frozen=True)
class NewSubscriber:
    email: str
    name: str = ""
    organisation: str = ""
    source: str = "website"


def database_url(root: Path, configured: str, environ: dict[str, str] | Any) -> str:
    """``DATABASE_URL`` when set, else the SQLite file from the settings (relative to the root)."""
    url = str(environ.get("DATABASE_URL", "")).strip()
    for plain in ("postgres://", "postgresql://"):  # no driver named: psycopg 3 (pip install 'kennisbank[postgresql]')
        if url.startswith(plain):
            return "postgresql+psycopg://" + url.removeprefix(plain)
    if url:
        return url
    path = Path(configured)
    return f"sqlite:///{path if path.is_absolute() else root / path}"


def _sqlite_pragmas(dbapi_connection: Any, record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")  # a confirmed subscription survives a power cut too
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


class Store:
    """All reads and writes of subscribers; open with :func:`open_store`."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._salt: str | None = None

    # ------------------------------------------------------------------ plumbing

    def migrate(self) -> int:
        """Bring the schema to the newest version; returns the version. Safe to run concurrently:
        a process that loses the race to create the schema finds it made and goes on."""
        try:
            return self._migrate()
        except IntegrityError:
            return self._migrate()

    def _migrate(self) -> int:
        with self.engine.begin() as conn:
            current = self._version(conn)
            for number, step in enumerate(MIGRATIONS[current:], start=current + 1):
                step(conn)
                self._set_version(conn, number)
            return len(MIGRATIONS)

    def _version(self, conn: Connection) -> int:
        if not self.engine.dialect.has_table(conn, "meta"):
            return 0
        value = conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).scalar()
        return int(value or 0)

    @staticmethod
    def _set_version(conn: Connection, number: int) -> None:
        changed = conn.execute(update(meta).where(meta.c.key == "schema_version").values(value=str(number))).rowcount
        if not changed:
            conn.execute(meta.insert().values(key="schema_version", value=str(number)))

    def email_hash(self, email: str) -> str:
        if self._salt is None:
            with self.engine.connect() as conn:
                self._salt = str(conn.execute(select(meta.c.value).where(meta.c.key == "hash_salt")).scalar_one())
        return hashlib.sha256((self._salt + ":" + email.strip().lower()).encode("utf-8")).hexdigest()

    def close(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------------ reading

    def get(self, subscriber_id: int) -> Subscriber | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(subscribers).where(subscribers.c.id == subscriber_id)).first()
        return Subscriber.from_row(row) if row is not None else None

    def find(self, email: str) -> Subscriber | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(subscribers).where(subscribers.c.email_hash == self.email_hash(email))).first()
        return Subscriber.from_row(row) if row is not None else None

    def all(self, status: str | None = None) -> Iterator[Subscriber]:
        query = select(subscribers).order_by(subscribers.c.id)
        if status is not None:
            query = query.where(subscribers.c.status == status)
        with self.engine.connect() as conn:
            for row in conn.execute(query):
                yield Subscriber.from_row(row)

    def confirmed_recipients(self) -> list[tuple[int, str, str]]:
        """(id, email, name) of every confirmed subscriber, oldest first: the newsletter's list."""
        query = (select(subscribers.c.id, subscribers.c.email, subscribers.c.name)
                 .where(subscribers.c.status == CONFIRMED).order_by(subscribers.c.id))
        with self.engine.connect() as conn:
            return [(row.id, row.email, row.name or "") for row in conn.execute(query)]

    def opted_out(self, emails: Iterable[str]) -> set[str]:
        """Those of ``emails`` (lower-cased) that unsubscribed or were erased here: a list made
        elsewhere must not reach them again. Looked up by salted hash, in batches."""
        by_hash = {self.email_hash(email): email.strip().lower() for email in emails}
        keys = list(by_hash)
        found: set[str] = set()
        with self.engine.connect() as conn:
            for start in range(0, len(keys), OPT_OUT_BATCH):
                batch = keys[start:start + OPT_OUT_BATCH]
                query = select(subscribers.c.email_hash).where(
                    subscribers.c.email_hash.in_(batch), subscribers.c.status.in_((UNSUBSCRIBED, DELETED)))
                keys_found: list[str] = list(conn.execute(query).scalars())
                found.update(by_hash[key] for key in keys_found)
        return found

    def status_of(self, subscriber_id: int) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(select(subscribers.c.status).where(subscribers.c.id == subscriber_id)).scalar()

    def counts(self) -> dict[str, int]:
        query = select(subscribers.c.status, func.count()).group_by(subscribers.c.status)
        with self.engine.connect() as conn:
            return {str(status): cast(int, count) for status, count in conn.execute(query)}

    def moments(self) -> list[tuple[str, dt.datetime | None, dt.datetime | None, dt.datetime | None]]:
        """(status, consent, confirmation, unsubscription) of every row, for the statistics."""
        query = select(subscribers.c.status, subscribers.c.consent_at, subscribers.c.confirmed_at,
                       subscribers.c.unsubscribed_at)
        with self.engine.connect() as conn:
            return [(row[0], aware(row[1]), aware(row[2]), aware(row[3])) for row in conn.execute(query)]

    # ------------------------------------------------------------------ sign-up and confirmation

    def request(self, new: NewSubscriber, address_limit: int, now: dt.datetime | None = None) -> bool:
        """A sign-up from a form: a pending subscription and a confirmation e-mail in the outbox.

        The caller answers the same whatever happened here. Returns whether a confirmation e-mail
        was queued (not for confirmed addresses, nor past ``address_limit`` mails in an hour)."""
        now = now or utcnow()
        key = self.email_hash(new.email)
        personal = {"email": new.email, "name": new.name or None, "organisation": new.organisation or None,
                    "source": new.source, "consent_at": now}
        for attempt in range(2):
            try:
                with self.engine.begin() as conn:
                    row = conn.execute(select(subscribers).where(subscribers.c.email_hash == key)).first()
                    if row is None:
                        inserted = conn.execute(subscribers.insert().values(
                            email_hash=key, status=PENDING, created_at=now, epoch=0, **personal))
                        subscriber_id = int(inserted.inserted_primary_key[0])  # type: ignore[index]
                    elif row.status == CONFIRMED:
                        return False
                    else:
                        subscriber_id = row.id
                        values: dict[str, Any] = dict(personal)
                        if row.status != PENDING:  # unsubscribed or erased: old links stop working
                            values.update(status=PENDING, epoch=row.epoch + 1, unsubscribed_at=None,
                                          confirmed_at=None)
                        conn.execute(update(subscribers).where(subscribers.c.id == row.id).values(**values))
                    return self._queue_confirmation(conn, subscriber_id, address_limit, now)
            except IntegrityError:  # the same address signed up in a parallel request: go again
                if attempt:
                    raise
        return False

    @staticmethod
    def _queue_confirmation(conn: Connection, subscriber_id: int, limit: int, now: dt.datetime) -> bool:
        recent = conn.execute(select(func.count()).select_from(outbox).where(
            outbox.c.subscriber_id == subscriber_id, outbox.c.created_at > now - dt.timedelta(hours=1))).scalar_one()
        if recent >= limit:
            return False
        conn.execute(outbox.insert().values(subscriber_id=subscriber_id, kind=CONFIRM_MAIL, created_at=now, attempts=0))
        return True

    def confirm(self, subscriber_id: int, epoch: int, now: dt.datetime | None = None) -> str:
        """Confirm a pending subscription whose links are of ``epoch``. Returns ``confirmed``, or
        ``used`` when that link already did its work (or a later change made it void), or
        ``unknown``."""
        now = now or utcnow()
        with self.engine.begin() as conn:
            changed = conn.execute(update(subscribers).where(
                subscribers.c.id == subscriber_id, subscribers.c.epoch == epoch, subscribers.c.status == PENDING,
            ).values(status=CONFIRMED, confirmed_at=now, epoch=epoch + 1)).rowcount
            if changed:
                return CONFIRMED
            exists = conn.execute(select(subscribers.c.id).where(subscribers.c.id == subscriber_id)).first()
        return "used" if exists is not None else "unknown"

    def unsubscribe(self, subscriber_id: int, now: dt.datetime | None = None) -> bool:
        """Stop sending to this subscriber; True when they were on the list (or pending)."""
        now = now or utcnow()
        with self.engine.begin() as conn:
            return bool(conn.execute(update(subscribers).where(
                subscribers.c.id == subscriber_id, subscribers.c.status.in_((PENDING, CONFIRMED)),
            ).values(status=UNSUBSCRIBED, unsubscribed_at=now, epoch=subscribers.c.epoch + 1)).rowcount)

    # ------------------------------------------------------------------ administration

    def add(self, new: NewSubscriber, consent_at: dt.datetime | None = None, *, resubscribe: bool,
            now: dt.datetime | None = None) -> str:
        """Add a confirmed subscriber (consent obtained elsewhere). Returns what happened: ``added``,
        ``exists`` (already confirmed or pending), ``erased`` / ``unsubscribed`` (refused unless
        ``resubscribe``: a list import must not undo an unsubscription or an erasure)."""
        now = now or utcnow()
        key = self.email_hash(new.email)
        values = {"email": new.email, "name": new.name or None, "organisation": new.organisation or None,
                  "source": new.source, "consent_at": consent_at or now, "confirmed_at": now, "status": CONFIRMED,
                  "unsubscribed_at": None}
        with self.engine.begin() as conn:
            row = conn.execute(select(subscribers).where(subscribers.c.email_hash == key)).first()
            if row is None:
                conn.execute(subscribers.insert().values(email_hash=key, created_at=now, epoch=0, **values))
                return "added"
            if row.status == CONFIRMED:
                return "exists"
            if row.status in (UNSUBSCRIBED, DELETED) and not resubscribe:
                return "erased" if row.status == DELETED else "unsubscribed"
            conn.execute(update(subscribers).where(subscribers.c.id == row.id).values(epoch=row.epoch + 1, **values))
            return "added"

    def erase(self, email: str) -> bool:
        """Erase every personal field of ``email``; keep the salted hash and ``deleted``."""
        key = self.email_hash(email)
        with self.engine.begin() as conn:
            row = conn.execute(select(subscribers.c.id).where(subscribers.c.email_hash == key)).first()
            if row is None:
                return False
            conn.execute(outbox.delete().where(outbox.c.subscriber_id == row.id))
            conn.execute(update(subscribers).where(subscribers.c.id == row.id).values(
                email=None, name=None, organisation=None, source=None, consent_at=None, confirmed_at=None,
                unsubscribed_at=None, status=DELETED, epoch=subscribers.c.epoch + 1))
            return True

    # ------------------------------------------------------------------ the outbox

    def claim_mail(self, limit: int, now: dt.datetime | None = None,
                   stale_after: dt.timedelta = dt.timedelta(minutes=5)) -> list[tuple[int, Subscriber]]:
        """Up to ``limit`` unsent mails, each claimed by this process (another sender skips them
        until ``stale_after``); with the subscriber they go to."""
        now = now or utcnow()
        query = (select(outbox.c.id, outbox.c.claimed_at).where(outbox.c.sent_at.is_(None))
                 .order_by(outbox.c.id).limit(limit * 4))
        claimed: list[tuple[int, Subscriber]] = []
        with self.engine.begin() as conn:
            for mail_id, claimed_at in conn.execute(query).all():
                if len(claimed) >= limit:
                    break
                if claimed_at is not None and aware(cast(dt.datetime, claimed_at)) > now - stale_after:
                    continue
                conn.execute(update(outbox).where(outbox.c.id == mail_id).values(claimed_at=now,
                                                                                  attempts=outbox.c.attempts + 1))
                row = conn.execute(select(subscribers).join(outbox, outbox.c.subscriber_id == subscribers.c.id)
                                   .where(outbox.c.id == mail_id)).first()
                if row is not None:
                    claimed.append((int(cast(int, mail_id)), Subscriber.from_row(row)))
        return claimed

    def mail_done(self, mail_id: int, error: str | None = None, now: dt.datetime | None = None) -> None:
        """The mail is finished with: sent, or refused for good (``error``)."""
        values: dict[str, Any] = {"sent_at": now or utcnow(), "last_error": error[:300] if error else None}
        with self.engine.begin() as conn:
            conn.execute(update(outbox).where(outbox.c.id == mail_id).values(**values))

    def unsent_mail(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None))).scalar_one())


def sqlite_file(url: str) -> Path | None:
    """The database file of a ``sqlite:///`` URL; None for any other database."""
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None


def open_store(url: str, *, migrate: bool = True) -> Store:
    """Open (and by default migrate) the store at a SQLAlchemy URL."""
    try:
        if (file := sqlite_file(url)) is not None:
            file.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, future=True, pool_pre_ping=not url.startswith("sqlite"))
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        store = Store(engine)
        if migrate:
            store.migrate()
        return store
    except (SQLAlchemyError, OSError, ValueError) as exc:
        raise StoreError(f"cannot open the subscriber store: {_describe(exc)}") from None


def _describe(exc: Exception) -> str:
    """The error without the URL, which may hold a password."""
    if isinstance(exc, OperationalError):
        return str(exc.orig).splitlines()[0] if exc.orig else "operational error"
    return type(exc).__name__ if isinstance(exc, SQLAlchemyError) else str(exc)

