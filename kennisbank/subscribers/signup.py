"""A sign-up as posted by the form (or by JSON): every field bounded, checked, and refused in Dutch.

Header injection is impossible by construction: control characters (CR, LF, TAB, NUL, ...) are
refused in every field, and the address must pass a full syntax check (email-validator) that
allows nothing but an addr-spec. The domain check (DNS) is optional: offline, or where a resolver
lies, switch it off with ``subscribe_check_domain: false``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import email_validator
from email_validator.deliverability import validate_email_deliverability

from kennisbank.subscribers.store import MAX_EMAIL, MAX_NAME, MAX_ORGANISATION, NewSubscriber

HONEYPOT = "website"  # a field people never see; bots fill it in
SOURCES = ("nieuwsbrief", "volg-ons", "footer", "website")  # which form; stored as the consent's origin
FIELDS = ("email", "name", "organisation", "source", HONEYPOT)


class SignupInvalid(Exception):
    """A field is wrong; ``message`` is Dutch, for the person filling in the form."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


class DomainInvalid(SignupInvalid):
    """The address is well-formed, but DNS says its domain receives no e-mail."""


@dataclass(frozen=True)
class Signup:
    subscriber: NewSubscriber
    is_bot: bool  # the honeypot was filled in: answer as usual, store nothing


def _text(values: Mapping[str, object], field: str, limit: int, label: str) -> str:
    raw = values.get(field, "")
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        raise SignupInvalid(field, f"{label}: vul tekst in.")
    value = unicodedata.normalize("NFC", raw).strip()
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in value):
        raise SignupInvalid(field, f"{label} mag geen regeleinden of andere stuurtekens bevatten.")
    if len(value) > limit:
        raise SignupInvalid(field, f"{label} is te lang: hoogstens {limit} tekens.")
    return value


def check_address(value: str, check_domain: bool, resolver: Any = None) -> str:
    """The normalised address, or :class:`SignupInvalid` with a Dutch reason."""
    if not value:
        raise SignupInvalid("email", "Vul je e-mailadres in.")
    try:
        checked = email_validator.validate_email(value, check_deliverability=False, allow_domain_literal=False,
                                                 allow_quoted_local=False, allow_display_name=False)
    except email_validator.EmailNotValidError:
        raise SignupInvalid("email", "Dit is geen geldig e-mailadres. Controleer het en probeer opnieuw.") from None
    if check_domain and not domain_exists(checked.ascii_domain, resolver):
        raise DomainInvalid("email", f"Het domein {checked.domain} bestaat niet of ontvangt geen e-mail. "
                                     "Controleer het adres.")
    return checked.normalized


def domain_exists(domain: str, resolver: Any = None) -> bool:
    """False only when DNS says the domain receives no mail; a timeout or a resolver error lets it pass."""
    try:
        if resolver is None:
            validate_email_deliverability(domain, domain, timeout=3)
        else:
            validate_email_deliverability(domain, domain, dns_resolver=resolver)
    except email_validator.EmailUndeliverableError:
        return False
    except Exception:
        return True
    return True


def parse_signup(values: Mapping[str, object], check_domain: bool) -> Signup:
    """A sign-up from posted fields; unknown fields are ignored."""
    trap = values.get(HONEYPOT)
    email = _text(values, "email", MAX_EMAIL, "Het e-mailadres")
    name = _text(values, "name", MAX_NAME, "De naam")
    organisation = _text(values, "organisation", MAX_ORGANISATION, "De organisatie")
    source = _text(values, "source", 40, "De bron") or "website"
    if source not in SOURCES:
        raise SignupInvalid("source", "Onbekend formulier.")
    if trap:
        return Signup(NewSubscriber(email, name, organisation, source), is_bot=True)
    address = check_address(email, check_domain)
    return Signup(NewSubscriber(address, name, organisation, source), is_bot=False)
