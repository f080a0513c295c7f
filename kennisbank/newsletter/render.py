"""Render an issue as e-mail: inlined-CSS table HTML, a plain-text part, and a ``.eml`` file.

E-mail clients ignore most of CSS except inline styles, so the stylesheet is inlined with
css-inline; dark mode and the narrow-screen layout can only be media queries, so that block is
added back as a ``<style>`` after inlining. Everything is derived from the content and the
issue's month (Date, Message-ID, MIME boundary), so the same content gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import css_inline
import html2text
import jinja2
from markupsafe import Markup

from kennisbank.config import Settings
from kennisbank.content import Repository
from kennisbank.content.issues import Issue
from kennisbank.errors import KennisbankError
from kennisbank.newsletter.present import item_view
from kennisbank.sanitize import body_html

TEMPLATES = Path(__file__).parent / "templates"
GMAIL_CLIP_BYTES = 102 * 1024  # Gmail clips a message whose HTML is larger than this
SEND_HOUR = 9  # issues are dated 09:00 Brussels time on the first day after their month
_ZONE = ZoneInfo("Europe/Brussels")
_ROOT_RELATIVE = re.compile(r'((?:href|src)=")/(?!/)')
# Zero-width padding after the preheader, so clients do not pull body text into the preview.
_PREHEADER_FILLER = "&#847;&zwnj;&nbsp;" * 60

_html_env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                               trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
_text_env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=False,
                               trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
                               keep_trailing_newline=True)


@dataclass(frozen=True)
class RenderedIssue:
    number: int
    html: str
    text: str
    eml: bytes


def site_host(settings: Settings) -> str:
    return urlsplit(settings.site_url).hostname or "localhost"


def message_id(settings: Settings, issue_number: int, recipient_key: str = "") -> str:
    """A stable Message-ID; per recipient a stable variant, so a resent copy is recognisably the same."""
    suffix = "." + hashlib.sha256(recipient_key.lower().encode()).hexdigest()[:16] if recipient_key else ""
    return f"<nieuwsbrief-{issue_number}{suffix}@{site_host(settings)}>"


def unsubscribe_target(settings: Settings) -> str:
    """The first URI of the List-Unsubscribe setting (``<mailto:...>, <https://...>``)."""
    first = settings.list_unsubscribe.split(",")[0].strip()
    return first.strip("<>")


def _common(repo: Repository, settings: Settings, issue: Issue) -> dict[str, object]:
    return {
        "issue": issue, "site_name": settings.site_name, "home_url": settings.absolute("/"),
        "web_url": settings.absolute(issue.url), "archive_url": settings.absolute("/nieuwsbrief/"),
        "follow_url": settings.absolute("/volg-ons/"), "unsubscribe_url": unsubscribe_target(settings),
        "items": [item_view(repo, settings, item, absolute=True) for item in issue.items],
    }


def intro_html(issue: Issue, settings: Settings, *, absolute: bool) -> str:
    """The editor's intro as clean HTML; for e-mail every site link made absolute."""
    if not issue.intro:
        return ""
    html = body_html(issue.intro, issue.override.path if issue.override else "content/nieuwsbrief/x.md")
    if absolute:
        html = _ROOT_RELATIVE.sub(lambda m: m.group(1) + settings.absolute("/"), html)
    return html


def render_html(repo: Repository, settings: Settings, issue: Issue) -> str:
    html = _html_env.get_template("email.html").render(
        **_common(repo, settings, issue), intro_html=Markup(intro_html(issue, settings, absolute=True)),
        preheader=issue.summary, filler=Markup(_PREHEADER_FILLER))
    inlined = css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False).inline(html)
    media = (TEMPLATES / "email-dark.css").read_text(encoding="utf-8")
    return inlined.replace("</head>", f"<style>\n{media}</style>\n</head>", 1)


def render_text(repo: Repository, settings: Settings, issue: Issue) -> str:
    intro = ""
    if issue.intro:
        converter = html2text.HTML2Text(bodywidth=0)
        converter.ignore_images = True
        intro = converter.handle(intro_html(issue, settings, absolute=True)).strip()
    return _text_env.get_template("email.txt").render(**_common(repo, settings, issue), intro_text=intro)


def issue_moment(issue: Issue) -> dt.datetime:
    return dt.datetime.combine(issue.date, dt.time(SEND_HOUR), tzinfo=_ZONE)


def subject(issue: Issue) -> str:
    return issue.title if str(issue.number) in issue.title else f"Nieuwsbrief {issue.number}: {issue.title}"


def build_message(settings: Settings, issue: Issue, html: str, text: str) -> EmailMessage:
    message = EmailMessage(policy=SMTP)
    message["From"] = settings.newsletter_from
    message["Subject"] = subject(issue)
    message["Date"] = format_datetime(issue_moment(issue))
    message["Message-ID"] = message_id(settings, issue.number)
    message["List-Id"] = f"Nieuwsbrief {settings.site_name} <nieuwsbrief.{site_host(settings)}>"
    message["List-Unsubscribe"] = settings.list_unsubscribe
    if "<https://" in settings.list_unsubscribe:
        # RFC 8058 one-click unsubscribe: only meaningful with an https URI that accepts POST.
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Content-Language"] = "nl"
    message.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    digest = hashlib.sha256((text + html).encode()).hexdigest()[:24]
    message.set_boundary(f"=_kennisbank_{issue.number}_{digest}")
    return message


def html_part_size(message: EmailMessage) -> int:
    """Bytes of the HTML part as encoded in the message (what Gmail measures)."""
    part = message.get_body(preferencelist=("html",))
    return len(str(part.get_payload()).encode("ascii")) if part is not None else 0


def render_issue(repo: Repository, settings: Settings, issue: Issue) -> RenderedIssue:
    html = render_html(repo, settings, issue)
    text = render_text(repo, settings, issue)
    message = build_message(settings, issue, html, text)
    size = html_part_size(message)
    if size > GMAIL_CLIP_BYTES:
        raise KennisbankError(f"newsletter {issue.number}: the HTML part is {size // 1024} KB encoded; Gmail clips "
                              f"messages above {GMAIL_CLIP_BYTES // 1024} KB. List fewer items in "
                              f"content/nieuwsbrief/{issue.number}.md")
    return RenderedIssue(issue.number, html, text, message.as_bytes())
