"""The subscriptions API: sign up, confirm, unsubscribe (mounted into ``kennisbank serve``'s app).

Routes, under ``subscriptions_api_url`` (default ``/api/subscriptions``):

- ``POST /api/subscriptions``: a sign-up, as a form post (answer: 303 to a Dutch page, or a Dutch
  error page) or with ``Accept: application/json`` (answer: JSON ``{status, message}``). The
  answer is the same for a new, a pending and a subscribed address.
- ``GET /api/subscriptions/thanks``: the page after a plain form post.
- ``GET /api/subscriptions/confirm?token=``: the link in the confirmation e-mail: a page with a
  button (mail scanners that open every link must not confirm an address nobody signed up);
  ``POST`` (the button) confirms, once.
- ``GET /api/subscriptions/unsubscribe?token=``: a page with a button;
  ``POST`` (RFC 8058 one-click, as mail clients send it) unsubscribes at once.

Every error a visitor can cause is a 4xx with a Dutch message; the store is only changed by a
valid sign-up, a valid link or a valid unsubscribe.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from kennisbank.config import Settings
from kennisbank.errors import KennisbankError
from kennisbank.subscribers import pages
from kennisbank.subscribers.config import SubscriberConfig, subscriber_config
from kennisbank.subscribers.limits import RateLimit
from kennisbank.subscribers.mail import OutboxSender
from kennisbank.subscribers.signup import SignupInvalid, parse_signup
from kennisbank.subscribers.store import PENDING, Store
from kennisbank.subscribers.tokens import CONFIRM, UNSUBSCRIBE, Token, TokenInvalid

MAX_BODY = 4096


@dataclass
class ApiError(Exception):
    status: int
    message: str
    field: str | None = None
    headers: dict[str, str] | None = None


class SubscriptionService:
    """The API's state: settings, the store (opened on first use), the rate limit, the outbox sender."""

    def __init__(self, config: SubscriberConfig, report: Callable[[str], None] = print,
                 environ: Mapping[str, str] | None = None):
        self.config = config
        self.environ = os.environ if environ is None else environ
        self.settings: Settings = config.settings
        self.report = report
        self.ip_limit = RateLimit(self.settings.subscribe_ip_limit)
        self._store: Store | None = None
        self._sender: OutboxSender | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def path(self) -> str:
        return urlsplit(self.settings.subscriptions_api_url).path.rstrip("/") or "/api/subscriptions"

    def store(self) -> Store:
        if self._store is None:
            self._store = self.config.open_store()
            self._sender = OutboxSender(self.config, self._store, self.environ, report=self.report)
        return self._store

    async def start(self) -> None:
        """Start sending confirmation e-mails (also those a stopped process left in the outbox)."""
        if self.config.secret is None:
            self.report("subscriptions: KENNISBANK_SECRET is not set; sign-ups answer 503")
            return
        try:
            await run_in_threadpool(self.store)
        except KennisbankError as exc:
            self.report(f"subscriptions: {exc}")
            return
        assert self._sender is not None
        self._task = asyncio.create_task(self._sender.run())
        self._sender.wake()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._store is not None:
            self._store.close()

    # ------------------------------------------------------------------ handlers

    async def signup(self, request: Request) -> Response:
        wants_json = _wants_json(request)
        try:
            response = await self._signup(request, wants_json)
        except ApiError as exc:
            response = self._error(exc, wants_json)
        _cors(request, response, self.settings)
        return response

    async def _signup(self, request: Request, wants_json: bool) -> Response:
        values = await _read_fields(request)
        if self.config.secret is None:
            raise ApiError(503, pages.UNAVAILABLE.paragraphs[0])
        client = request.client.host if request.client else "unknown"
        wait = self.ip_limit.allow(client)
        if wait is not None:
            minutes = max(1, round(wait / 60))
            raise ApiError(429, f"Te veel inschrijvingen vanaf jouw netwerk. Probeer het over {minutes} minuten "
                                "opnieuw.", headers={"Retry-After": str(int(wait) + 1)})
        try:
            await run_in_threadpool(self._register, values)
        except SignupInvalid as exc:
            raise ApiError(422, exc.message, exc.field) from None
        except KennisbankError as exc:
            self.report(f"subscriptions: {exc}")
            raise ApiError(503, pages.UNAVAILABLE.paragraphs[0]) from None
        if wants_json:
            return JSONResponse({"status": "ok", "message": pages.SIGNUP_THANKS}, status_code=202,
                                headers={"Cache-Control": "no-store"})
        return RedirectResponse(f"{self.path}/thanks", status_code=303)

    def _register(self, values: dict[str, object]) -> None:
        signup = parse_signup(values, self.settings.subscribe_check_domain)
        if signup.is_bot:
            return
        store = self.store()
        try:
            queued = store.request(signup.subscriber, self.settings.subscribe_address_limit)
        except Exception as exc:
            raise KennisbankError(f"sign-up not stored: {type(exc).__name__}") from None
        if queued and self._sender is not None:
            self._sender.wake_threadsafe()

    def _error(self, exc: ApiError, wants_json: bool) -> Response:
        headers = {"Cache-Control": "no-store", **(exc.headers or {})}
        if wants_json:
            body: dict[str, object] = {"status": exc.status, "message": exc.message}
            if exc.field:
                body["field"] = exc.field
            return JSONResponse(body, status_code=exc.status, headers=headers)
        page = pages.Page(exc.status, "Inschrijven lukte niet", (exc.message,),
                          links=(("/nieuwsbrief/", "Terug naar het inschrijfformulier"), ("/", "Naar de startpagina")))
        return pages.render(self.settings, page, headers=headers)

    async def preflight(self, request: Request) -> Response:
        response = Response(status_code=204)
        _cors(request, response, self.settings, preflight=True)
        return response

    async def thanks(self, request: Request) -> Response:
        return pages.render(self.settings, pages.THANKS)

    async def confirm_page(self, request: Request) -> Response:
        """The link in the e-mail: says what the link is for, and confirms only with the button.
        Nothing is written: a link a mail scanner opens changes nothing."""
        token, refusal = self._confirm_token(request)
        if token is None:
            return refusal or pages.render(self.settings, pages.INVALID)
        try:
            subscriber = await run_in_threadpool(self.store().get, token.subscriber)
        except KennisbankError:
            return pages.render(self.settings, pages.UNAVAILABLE)
        if subscriber is None:
            return pages.render(self.settings, pages.INVALID)
        if subscriber.epoch != token.epoch or subscriber.status != PENDING:
            return pages.render(self.settings, pages.USED)
        if self._expired(token.issued):
            return pages.render(self.settings, pages.EXPIRED)
        return pages.render(self.settings, pages.CONFIRM, button_action=f"{self.path}/confirm?{request.url.query}")

    def _confirm_token(self, request: Request) -> tuple[Token | None, Response | None]:
        if self.config.secret is None:
            return None, pages.render(self.settings, pages.UNAVAILABLE)
        try:
            return self.config.signer().verify(request.query_params.get("token", ""), CONFIRM), None
        except TokenInvalid:
            return None, None

    async def confirm(self, request: Request) -> Response:
        """The button on the confirmation page: confirms a pending subscription, once."""
        token, refusal = self._confirm_token(request)
        if token is None:
            return refusal or pages.render(self.settings, pages.INVALID)
        try:
            outcome = await run_in_threadpool(self.store().confirm, token.subscriber, token.epoch) \
                if not self._expired(token.issued) else None
        except KennisbankError:
            return pages.render(self.settings, pages.UNAVAILABLE)
        if outcome is None:
            used = await run_in_threadpool(self._link_used, token.subscriber, token.epoch)
            return pages.render(self.settings, pages.USED if used else pages.EXPIRED)
        if outcome == "confirmed":
            return pages.render(self.settings, pages.CONFIRMED)
        return pages.render(self.settings, pages.USED if outcome == "used" else pages.INVALID)

    def _expired(self, issued: int) -> bool:
        return time.time() > issued + self.settings.subscribe_link_days * 86400

    def _link_used(self, subscriber_id: int, epoch: int) -> bool:
        subscriber = self.store().get(subscriber_id)
        return subscriber is not None and subscriber.epoch != epoch

    async def unsubscribe_page(self, request: Request) -> Response:
        if self._unsubscribe_token(request) is None:
            return pages.render(self.settings, pages.INVALID)
        return pages.render(self.settings, pages.UNSUBSCRIBE, button_action=f"{self.path}/unsubscribe?{request.url.query}")

    async def unsubscribe(self, request: Request) -> Response:
        """RFC 8058: the POST itself unsubscribes, without a login or a second step."""
        subscriber_id = self._unsubscribe_token(request)
        if subscriber_id is None:
            return pages.render(self.settings, pages.INVALID)
        try:
            await run_in_threadpool(self.store().unsubscribe, subscriber_id)
        except KennisbankError:
            return pages.render(self.settings, pages.UNAVAILABLE)
        return pages.render(self.settings, pages.UNSUBSCRIBED)

    def _unsubscribe_token(self, request: Request) -> int | None:
        if self.config.secret is None:
            return None
        try:
            return self.config.signer().verify(request.query_params.get("token", ""), UNSUBSCRIBE).subscriber
        except TokenInvalid:
            return None

    def routes(self) -> list[BaseRoute]:
        base = self.path
        return [Route(base, self.signup, methods=["POST"]), Route(base, self.preflight, methods=["OPTIONS"]),
                Route(f"{base}/thanks", self.thanks, methods=["GET", "HEAD"]),
                Route(f"{base}/confirm", self.confirm_page, methods=["GET", "HEAD"]),
                Route(f"{base}/confirm", self.confirm, methods=["POST"]),
                Route(f"{base}/unsubscribe", self.unsubscribe_page, methods=["GET", "HEAD"]),
                Route(f"{base}/unsubscribe", self.unsubscribe, methods=["POST"])]


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "") or \
        request.headers.get("content-type", "").startswith("application/json")


async def _read_fields(request: Request) -> dict[str, object]:
    """The posted fields of a form or a JSON object, at most :data:`MAX_BODY` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise ApiError(413, "Het formulier is te groot.")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise ApiError(413, "Het formulier is te groot.")
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        text = body.decode("utf-8")
        if kind == "application/json":
            data = json.loads(text)
            if not isinstance(data, dict):
                raise ValueError
            return data
        if kind in ("application/x-www-form-urlencoded", ""):
            return dict(parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text), max_num_fields=20,
                                  errors="strict"))
    except (UnicodeDecodeError, ValueError):
        raise ApiError(400, "Het formulier kon niet gelezen worden. Probeer het opnieuw.") from None
    raise ApiError(415, "Stuur het formulier als gewoon formulier of als JSON.")


def _cors(request: Request, response: Response, settings: Settings, preflight: bool = False) -> None:
    """Cross-origin sign-ups only from the configured origins (``cors_origins``)."""
    origin = request.headers.get("origin")
    if not origin or origin not in settings.cors_origins:
        return
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Vary"] = "Origin"
    if preflight:
        response.headers["Access-Control-Allow-Methods"] = "POST"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type, Accept"
        response.headers["Access-Control-Max-Age"] = "3600"


def create_app(service: SubscriptionService) -> Starlette:
    """The subscriptions API on its own (``app_from_environment``); ``serve`` mounts the routes."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await service.start()
        try:
            yield
        finally:
            await service.stop()

    app = Starlette(routes=service.routes(), lifespan=lifespan)
    app.state.subscriptions = service
    return app


def app_from_environment() -> Starlette:
    """An app factory for running the subscriptions API on its own::

        KENNISBANK_ROOT=. KENNISBANK_SECRET=... uvicorn --factory kennisbank.subscribers.api:app_from_environment
    """
    from pathlib import Path

    from kennisbank.config import load_settings

    settings = load_settings(Path(os.environ.get("KENNISBANK_ROOT", ".")).resolve())
    return create_app(SubscriptionService(subscriber_config(settings)))
