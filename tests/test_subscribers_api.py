"""The subscriptions API over real HTTP (uvicorn on loopback): sign-up, confirm, unsubscribe, abuse."""

from __future__ import annotations

import html
import re
import time

import httpx
import pytest
from subscribers_helpers import SECRET, make_config, running_api

from kennisbank.subscribers.store import CONFIRMED, PENDING, UNSUBSCRIBED
from kennisbank.subscribers.tokens import CONFIRM, UNSUBSCRIBE, Signer, Token

JSON = {"Accept": "application/json"}


@pytest.fixture()
def api(sample_root, tmp_path):
    with running_api(make_config(sample_root, tmp_path / "s.sqlite")) as running:
        yield running


def signup(api, **fields: str) -> httpx.Response:
    return httpx.post(api.url(), data={"source": "nieuwsbrief", **fields}, headers=JSON)


def confirm_token(api, email: str, issued: int | None = None) -> str:
    subscriber = api.store.find(email)
    return Signer(SECRET).sign(Token(CONFIRM, subscriber.id, subscriber.epoch, issued or int(time.time())))


def test_form_post_without_javascript_redirects_to_a_dutch_page(api):
    response = httpx.post(api.url(), data={"email": "an@example.org", "name": "An", "source": "footer"})
    assert response.status_code == 303
    page = httpx.get(api.base + response.headers["location"])
    assert page.status_code == 200 and "Bijna klaar" in page.text and 'lang="nl"' in page.text
    stored = api.store.find("an@example.org")
    assert (stored.status, stored.name, stored.source) == (PENDING, "An", "footer")
    assert stored.consent_at is not None and api.store.unsent_mail() == 1


def test_the_answer_is_the_same_for_new_pending_and_subscribed_addresses(api):
    answers = [signup(api, email="bo@example.org")]  # new
    answers.append(signup(api, email="bo@example.org"))  # pending
    api.store.confirm(api.store.find("bo@example.org").id, 0)
    answers.append(signup(api, email="bo@example.org"))  # subscribed
    answers.append(signup(api, email="nieuw@example.org"))
    assert {(a.status_code, a.text, a.headers["content-type"], a.headers.get("content-length")) for a in answers} \
        == {(202, answers[0].text, "application/json", answers[0].headers["content-length"])}
    assert api.store.find("bo@example.org").status == CONFIRMED


def test_confirmation_link_confirms_once_and_reuse_gets_a_clear_page(api):
    signup(api, email="cas@example.org")
    link = api.url(f"/confirm?token={confirm_token(api, 'cas@example.org')}")
    first = httpx.post(link)
    assert first.status_code == 200 and "Je inschrijving is bevestigd" in first.text
    assert api.store.find("cas@example.org").status == CONFIRMED
    again = httpx.post(link)
    assert again.status_code == 410 and "al gebruikt" in again.text
    assert "al gebruikt" in httpx.get(link).text


def test_opening_the_link_asks_for_the_button_and_changes_nothing(api):
    """Mail scanners (Safe Links and the like) open every link in a message: a GET must not
    confirm an address nobody signed up with. The page posts the same link back."""
    signup(api, email="els@example.org")
    link = api.url(f"/confirm?token={confirm_token(api, 'els@example.org')}")
    for _ in range(3):
        page = httpx.get(link)
        assert page.status_code == 200 and "Bevestig je inschrijving" in page.text
        assert httpx.head(link).status_code == 200
    assert api.store.find("els@example.org").status == PENDING
    form = re.search(r'<form method="post" action="([^"]+)"', page.text)
    assert form is not None and "Ja, bevestig mijn inschrijving" in page.text
    assert httpx.post(api.base + html.unescape(form.group(1))).status_code == 200
    assert api.store.find("els@example.org").status == CONFIRMED


def test_expired_and_tampered_links_change_nothing(api):
    signup(api, email="dirk@example.org")
    old = confirm_token(api, "dirk@example.org", issued=int(time.time()) - 8 * 86400)
    expired = httpx.get(api.url(f"/confirm?token={old}"))
    assert expired.status_code == 410 and "verlopen" in expired.text
    good = confirm_token(api, "dirk@example.org")
    payload, signature = good.split(".")
    tampered = [payload[:-1] + ("A" if payload[-1] != "A" else "B") + "." + signature,
                payload + "." + signature[:-1] + ("A" if signature[-1] != "A" else "B"), good[:-3], "", "x.y.z",
                Signer("another-secret-of-some-length").sign(Token(CONFIRM, 1, 0, int(time.time())))]
    for token in tampered:
        for response in (httpx.get(api.url("/confirm"), params={"token": token}),
                         httpx.post(api.url("/confirm"), params={"token": token})):
            assert response.status_code == 400 and "ongeldig" in response.text, token
    unsubscribe_as_confirm = Signer(SECRET).sign(Token(UNSUBSCRIBE, api.store.find("dirk@example.org").id, 0,
                                                       int(time.time())))
    assert httpx.post(api.url("/confirm"), params={"token": unsubscribe_as_confirm}).status_code == 400
    assert api.store.find("dirk@example.org").status == PENDING


def test_one_click_unsubscribe_get_shows_a_button_post_unsubscribes(api):
    signup(api, email="els@example.org")
    subscriber = api.store.find("els@example.org")
    api.store.confirm(subscriber.id, subscriber.epoch)
    token = Signer(SECRET).sign(Token(UNSUBSCRIBE, subscriber.id, 0, 0))
    page = httpx.get(api.url(f"/unsubscribe?token={token}"))
    assert page.status_code == 200 and "Ja, schrijf me uit" in page.text and f"token={token}" in page.text
    assert api.store.find("els@example.org").status == CONFIRMED  # a GET (a link scanner) changes nothing
    done = httpx.post(api.url(f"/unsubscribe?token={token}"), data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "uitgeschreven" in done.text
    assert api.store.find("els@example.org").status == UNSUBSCRIBED
    assert httpx.post(api.url(f"/unsubscribe?token={token}x"), data={"List-Unsubscribe": "One-Click"}).status_code == 400


@pytest.mark.parametrize(("fields", "field", "words"), [
    ({"email": ""}, "email", "Vul je e-mailadres in"),
    ({"email": "geen-adres"}, "email", "geen geldig e-mailadres"),
    ({"email": "a@example.org\r\nBcc: x@example.org"}, "email", "regeleinden"),
    ({"email": "a@example.org", "name": "Jan\r\nBcc: x@example.org"}, "name", "regeleinden"),
    ({"email": "a@example.org", "organisation": "x" * 151}, "organisation", "te lang"),
    ({"email": "a" * 250 + "@example.org"}, "email", "te lang"),
    ({"email": "a@example.org", "source": "elders"}, "source", "Onbekend formulier"),
])
def test_bad_fields_are_422_with_a_dutch_message_and_store_nothing(api, fields, field, words):
    response = signup(api, **fields)
    assert response.status_code == 422
    assert response.json()["field"] == field and words in response.json()["message"]
    plain = httpx.post(api.url(), data={"source": "nieuwsbrief", **fields})
    assert plain.status_code == 422 and words in plain.text and "<html lang=\"nl\">" in plain.text
    assert list(api.store.all()) == []


def test_honeypot_gets_the_usual_answer_and_stores_nothing(api):
    trapped = signup(api, email="bot@example.org", website="https://spam.example")
    assert trapped.status_code == 202 and trapped.text == signup(api, email="mens@example.org").text
    assert api.store.find("bot@example.org") is None and api.store.find("mens@example.org") is not None


def test_bodies_that_are_too_large_or_of_another_type_are_refused(api):
    assert httpx.post(api.url(), content=b"email=" + b"a" * 5000, headers={
        "Content-Type": "application/x-www-form-urlencoded"}).status_code == 413
    assert httpx.post(api.url(), content=b"<x/>", headers={"Content-Type": "text/xml"}).status_code == 415
    assert httpx.post(api.url(), content=b"[1]", headers={"Content-Type": "application/json"}).status_code == 400
    assert httpx.post(api.url(), content=b"email=%ff", headers={
        "Content-Type": "application/x-www-form-urlencoded"}).status_code == 400
    assert list(api.store.all()) == []


def test_per_ip_limit_answers_429_with_retry_after(sample_root, tmp_path):
    with running_api(make_config(sample_root, tmp_path / "s.sqlite", subscribe_ip_limit=3)) as api:
        answers = [signup(api, email=f"p{n}@example.org").status_code for n in range(5)]
        refused = signup(api, email="p9@example.org")
    assert answers == [202, 202, 202, 429, 429]
    assert refused.status_code == 429 and "Te veel inschrijvingen" in refused.json()["message"]
    assert int(refused.headers["Retry-After"]) > 0


def test_per_address_limit_caps_confirmation_mails_without_changing_the_answer(api):
    answers = {signup(api, email="veel@example.org").text for _ in range(6)}
    assert len(answers) == 1
    assert api.store.unsent_mail() == 3  # subscribe_address_limit


def test_cors_only_for_configured_origins(sample_root, tmp_path):
    config = make_config(sample_root, tmp_path / "s.sqlite", cors_origins=("https://partner.example",))
    with running_api(config) as api:
        allowed = httpx.post(api.url(), data={"email": "c@example.org"},
                             headers={**JSON, "Origin": "https://partner.example"})
        other = httpx.post(api.url(), data={"email": "d@example.org"}, headers={**JSON, "Origin": "https://evil.example"})
        preflight = httpx.options(api.url(), headers={"Origin": "https://partner.example",
                                                      "Access-Control-Request-Method": "POST"})
    assert allowed.headers["access-control-allow-origin"] == "https://partner.example"
    assert "access-control-allow-origin" not in other.headers
    assert preflight.status_code == 204 and preflight.headers["access-control-allow-methods"] == "POST"


def test_without_a_secret_sign_up_is_503_in_dutch_and_links_are_refused(sample_root, tmp_path):
    with running_api(make_config(sample_root, tmp_path / "s.sqlite", secret=None)) as api:
        response = signup(api, email="x@example.org")
        link = httpx.get(api.url("/confirm?token=abc.def"))
    assert response.status_code == 503 and "niet verwerken" in response.json()["message"]
    assert link.status_code == 503
