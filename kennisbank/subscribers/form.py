"""The sign-up form as HTML for staged pages (/nieuwsbrief/, /volg-ons/).

The form is one theme partial, ``kennisbank/site/overrides/partials/subscribe-form.html``: the
site footer includes it (``{% include "partials/subscribe-form.html" %}``) and this module renders
the same file into staged pages, so there is one form in three places. It is read as a file (a
path, not an import of the site stage).
"""

from __future__ import annotations

from pathlib import Path

import jinja2
from markupsafe import Markup

from kennisbank.config import Settings

PARTIALS = Path(__file__).resolve().parent.parent / "site" / "overrides" / "partials"

_env = jinja2.Environment(loader=jinja2.FileSystemLoader(PARTIALS), autoescape=True, trim_blocks=True,
                          lstrip_blocks=True, undefined=jinja2.StrictUndefined)


def subscribe_form(settings: Settings, source: str, level: int = 2) -> Markup:
    """The form; ``source`` says which one it is (kept with the subscription as proof of consent)."""
    return Markup(_env.get_template("subscribe-form.html").render(
        kb_action=settings.subscriptions_api_url, kb_source=source, kb_level=level))
