"""Checking a sign-up: fields, the honeypot, and the domain check against a real DNS server on loopback."""

from __future__ import annotations

import socket
import threading

import dns.flags
import dns.message
import dns.rcode
import dns.resolver
import dns.rrset
import pytest

from kennisbank.subscribers.signup import DomainInvalid, SignupInvalid, check_address, domain_exists, parse_signup


@pytest.fixture(scope="module")
def resolver():
    """A tiny authoritative DNS server: gent.be has an MX record, bestaat-niet.be does not exist."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        sock.settimeout(0.2)
        while not stop.is_set():
            try:
                data, peer = sock.recvfrom(4096)
            except TimeoutError:
                continue
            query = dns.message.from_wire(data)
            answer = dns.message.make_response(query)
            question = query.question[0]
            name = question.name.to_text().rstrip(".")
            if name == "gent.be" and question.rdtype == dns.rdatatype.MX:
                answer.answer.append(dns.rrset.from_text("gent.be.", 300, "IN", "MX", "10 mail.gent.be."))
            elif name != "gent.be":
                answer.set_rcode(dns.rcode.NXDOMAIN)
            answer.flags |= dns.flags.AA
            sock.sendto(answer.to_wire(), peer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = ["127.0.0.1"]
    resolver.port = sock.getsockname()[1]
    yield resolver
    stop.set()
    thread.join(2)
    sock.close()


def test_domain_check_asks_dns(resolver):
    assert domain_exists("gent.be", resolver)
    assert not domain_exists("bestaat-niet.be", resolver)
    assert check_address("Jan@Gent.be", True, resolver) == "Jan@gent.be"
    with pytest.raises(DomainInvalid, match=r"Het domein bestaat-niet\.be bestaat niet"):
        check_address("jan@bestaat-niet.be", True, resolver)
    assert check_address("jan@bestaat-niet.be", False, resolver) == "jan@bestaat-niet.be"  # switched off


def test_an_unreachable_resolver_never_refuses_an_address():
    silent = dns.resolver.Resolver(configure=False)
    silent.nameservers = ["127.0.0.1"]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))  # a port nobody answers on
        silent.port = sock.getsockname()[1]
        silent.lifetime = 0.5
        assert domain_exists("gent.be", silent)


def test_fields_are_trimmed_normalised_and_bounded():
    signup = parse_signup({"email": "  an@example.org ", "name": " An ", "organisation": "Stad\u0301", "source": "footer"},
                          check_domain=False)
    assert (signup.subscriber.email, signup.subscriber.name, signup.subscriber.source) == ("an@example.org", "An", "footer")
    assert not signup.is_bot
    assert parse_signup({"email": "x@example.org"}, False).subscriber.source == "website"
    with pytest.raises(SignupInvalid, match="vul tekst in"):
        parse_signup({"email": ["a@example.org"]}, False)
    with pytest.raises(SignupInvalid, match="stuurtekens"):
        parse_signup({"email": "a@example.org", "name": "a\u200bb"}, False)  # invisible format characters too


def test_the_honeypot_marks_a_bot_even_with_a_bad_address():
    assert parse_signup({"email": "geen adres", "website": "x"}, False).is_bot
