"""The Dutch pages the subscriptions API answers with: results of the plain form post, of the
confirmation link and of unsubscribing. Standalone HTML (they are reached from e-mail, not
through the site), with a way back to the site on every page."""

from __future__ import annotations

from dataclasses import dataclass, field

import jinja2
from starlette.responses import HTMLResponse

from kennisbank.config import Settings
from kennisbank.subscribers.mail import TEMPLATES

_env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined)

SIGNUP_THANKS = ("Bijna klaar: kijk in je mailbox. We stuurden je een e-mail met een link om je inschrijving te "
                 "bevestigen. Pas na die bevestiging ontvang je de nieuwsbrief. Geen e-mail gekregen? Kijk ook "
                 "bij je ongewenste berichten.")


@dataclass(frozen=True)
class Page:
    status: int
    title: str
    paragraphs: tuple[str, ...]
    button_label: str = ""
    links: tuple[tuple[str, str], ...] = field(default=())


THANKS = Page(200, "Bijna klaar", (SIGNUP_THANKS,
              "Wij gebruiken je adres alleen om je de nieuwsbrief te sturen. Je kunt je altijd met één klik "
              "uitschrijven onderaan elke nieuwsbrief."))
CONFIRMED = Page(200, "Je inschrijving is bevestigd", (
    "Bedankt! Vanaf het volgende nummer ontvang je de maandelijkse nieuwsbrief.",
    "Uitschrijven kan altijd met één klik, via de link onderaan elke nieuwsbrief."))
USED = Page(410, "Deze link is al gebruikt", (
    "Een bevestigingslink werkt maar één keer. Je inschrijving was al bevestigd, of je schreef je nadien uit.",
    "Wil je de nieuwsbrief (opnieuw) ontvangen? Schrijf je dan opnieuw in."))
EXPIRED = Page(410, "Deze link is verlopen", (
    "Een bevestigingslink werkt maar een beperkt aantal dagen, en deze is te oud. Je bent niet ingeschreven.",
    "Schrijf je opnieuw in: je krijgt meteen een nieuwe link."))
INVALID = Page(400, "Deze link is ongeldig", (
    "De link is onvolledig of gewijzigd. Kopieerde je hem uit de e-mail? Controleer dan of je de hele link "
    "meenam, ook het deel na het vraagteken.",))
UNSUBSCRIBE = Page(200, "Uitschrijven", (
    "Wil je de nieuwsbrief niet meer ontvangen? Klik op de knop; je krijgt daarna geen nummers meer.",),
    button_label="Ja, schrijf me uit")
CONFIRM = Page(200, "Bevestig je inschrijving", (
    "Klik op de knop om je inschrijving op de nieuwsbrief te bevestigen. Pas dan sturen we je de nieuwsbrief.",
    "Schreef je je niet in? Sluit dan deze pagina: zonder bevestiging ontvang je niets."),
    button_label="Ja, bevestig mijn inschrijving")
UNSUBSCRIBED = Page(200, "Je bent uitgeschreven", (
    "Je ontvangt de nieuwsbrief niet meer. Schreef je je per ongeluk uit? Schrijf je dan gewoon opnieuw in.",))
UNAVAILABLE = Page(503, "Inschrijven lukt nu niet", (
    "Door een technisch probleem kunnen we je inschrijving nu niet verwerken. Probeer het later opnieuw.",))


def render(settings: Settings, page: Page, *, button_action: str = "", status: int | None = None,
           paragraphs: tuple[str, ...] | None = None, headers: dict[str, str] | None = None) -> HTMLResponse:
    links = page.links or (("/nieuwsbrief/", "Naar de nieuwsbrief"), ("/", "Naar de startpagina"))
    button = {"action": button_action, "label": page.button_label} if button_action and page.button_label else None
    html = _env.get_template("page.html").render(
        title=page.title, paragraphs=paragraphs or page.paragraphs, button=button, site_name=settings.site_name,
        home_url=settings.absolute("/"), links=[{"href": settings.absolute(href), "label": label} for href, label in links])
    return HTMLResponse(html, status_code=status or page.status,
                        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", **(headers or {})})
