"""Helpers for the subscriber tests: settings with a temporary store, the API on real uvicorn."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import uvicorn

from kennisbank.config import Settings, load_settings
from kennisbank.subscribers.api import SubscriptionService, create_app
from kennisbank.subscribers.config import SubscriberConfig
from kennisbank.subscribers.store import Store

SECRET = "test-secret-0123456789abcdef"
LINK = re.compile(r"https?://[^\s\"<>]+/api/subscriptions/(?:confirm|unsubscribe)\?token=[A-Za-z0-9_.-]+")


def make_settings(root: Path, **changes: object) -> Settings:
    values: dict[str, object] = {"subscribe_check_domain": False, "subscribe_ip_limit": 1000,
                                 "subscribe_address_limit": 3}
    return load_settings(root).model_copy(update=values | changes)


def make_config(root: Path, db: Path, secret: str | None = SECRET, **changes: object) -> SubscriberConfig:
    return SubscriberConfig(make_settings(root, **changes), f"sqlite:///{db}", secret)


@dataclass
class RunningApi:
    base: str
    service: SubscriptionService
    messages: list[str]

    @property
    def store(self) -> Store:
        return self.service.store()

    def url(self, path: str = "") -> str:
        return f"{self.base}/api/subscriptions{path}"


@contextmanager
def running_api(config: SubscriberConfig, environ: dict[str, str] | None = None) -> Iterator[RunningApi]:
    """The subscriptions API on real uvicorn on a free loopback port, in a thread."""
    messages: list[str] = []
    service = SubscriptionService(config, messages.append, environ=environ or {})
    server = uvicorn.Server(uvicorn.Config(create_app(service), host="127.0.0.1", port=0, log_level="warning",
                                           lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, messages
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield RunningApi(f"http://127.0.0.1:{port}", service, messages)
    finally:
        server.should_exit = True
        thread.join(10)


def links_in(message: EmailMessage) -> list[str]:
    """The subscription links in both parts of a received message (quoted-printable decoded)."""
    found: list[str] = []
    for part in message.walk():
        if part.get_content_maintype() == "text":
            found += LINK.findall(part.get_content().replace("&amp;", "&"))
    return found


def wait_for(check, timeout: float = 15.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False
