"""200 random bad requests to the subscriptions API over real HTTP: never a 500, never a change."""

from __future__ import annotations

import json

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from subscribers_helpers import make_config, running_api

from kennisbank.subscribers.store import NewSubscriber

not_an_address = st.text(max_size=300).filter(lambda t: "@" not in t)
line_break = st.sampled_from(["\r", "\n", "\r\n", "\x00", "\u2028", "\x0b"])
valid = st.sampled_from(["a@example.org", "Jan.Peeters@gent.be"])
bad_fields = st.one_of(
    st.fixed_dictionaries({"email": not_an_address}, optional={"name": st.text(max_size=50)}),
    st.fixed_dictionaries({"email": valid, "name": st.tuples(st.text(max_size=20), line_break, st.text(max_size=20))
                           .map(lambda parts: f"Jan{''.join(parts)}Bcc")}),  # inside the value: strip() keeps it
    st.fixed_dictionaries({"email": st.tuples(valid, line_break, st.text(max_size=30)).map(
        lambda parts: "".join(parts) + "x")}),
    st.fixed_dictionaries({"email": valid, "organisation": st.text(min_size=151, max_size=400)
                           .filter(lambda t: len(t.strip()) > 150)}),
    st.fixed_dictionaries({"email": valid, "source": st.text(max_size=30).filter(
        lambda t: t.strip() not in ("nieuwsbrief", "volg-ons", "footer", "website", ""))}),
)
content_types = st.sampled_from(["application/x-www-form-urlencoded", "application/json", "text/plain",
                                 "multipart/form-data; boundary=x", ""])
raw = st.tuples(content_types, st.binary(max_size=600))
token = st.one_of(st.text(max_size=120), st.from_regex(r"[A-Za-z0-9_-]{1,40}\.[A-Za-z0-9_-]{1,30}", fullmatch=True))


@pytest.fixture(scope="module")
def api(sample_root, tmp_path_factory):
    config = make_config(sample_root, tmp_path_factory.mktemp("fuzz") / "s.sqlite", subscribe_ip_limit=100_000)
    with running_api(config) as running:
        running.store.add(NewSubscriber("bestaand@example.org", "Bestaand"), resubscribe=False)
        with httpx.Client(base_url=running.base, timeout=30) as client:
            yield running, client


def snapshot(store) -> list:
    return [(s.id, s.email, s.status, s.epoch) for s in store.all()] + [store.unsent_mail()]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(request=st.one_of(
    st.tuples(st.just("form"), bad_fields), st.tuples(st.just("json"), bad_fields), st.tuples(st.just("raw"), raw),
    st.tuples(st.just("confirm"), token), st.tuples(st.just("unsubscribe"), token)))
def test_bad_input_never_gives_a_500_and_never_changes_the_store(api, request):
    running, client = api
    before = snapshot(running.store)
    kind, value = request
    path = "/api/subscriptions"
    if kind == "form":
        response = client.post(path, data=value)
    elif kind == "json":
        response = client.post(path, content=json.dumps(value), headers={"Content-Type": "application/json",
                                                                         "Accept": "application/json"})
    elif kind == "raw":
        response = client.post(path, content=value[1], headers={"Content-Type": value[0]} if value[0] else {})
    else:
        response = client.request("POST" if kind == "unsubscribe" else "GET", f"{path}/{kind}", params={"token": value})
    assert 400 <= response.status_code < 500, (request, response.status_code, response.text[:300])
    assert snapshot(running.store) == before
