"""The whole journey in headless Chromium, with `kennisbank serve` (real uvicorn) in its own process,
real SMTP (aiosmtpd) and the default SQLite store: sign up → confirmation mail → link → confirmed →
`newsletter send` delivers → POST the List-Unsubscribe URL of the received message → the next send
skips the address. And the same form without JavaScript."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from newsletter_smtp import Recorder, SmtpServer, free_port
from site_helpers import copy_repository
from subscribers_helpers import SECRET, links_in, wait_for

from kennisbank.subscribers.store import CONFIRMED, PENDING, UNSUBSCRIBED, open_store

pytestmark = [pytest.mark.browser, pytest.mark.slow]



class Site:
    def __init__(self, root: Path, base: str, smtp: SmtpServer, env: dict[str, str]):
        self.root, self.base, self.smtp, self.env = root, base, smtp, env

    @property
    def store(self):
        return open_store(f"sqlite:///{self.root / 'var' / 'subscribers.sqlite'}")

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        result = subprocess.run([sys.executable, "-m", "kennisbank.cli", "--root", str(self.root), *args],
                                capture_output=True, text=True, env=self.env, timeout=300, check=False)
        assert result.returncode == 0, result.stderr
        return result

    def mails_to(self, email: str) -> list:
        return [message for rcpt, message in self.smtp.recorder.messages if rcpt == [email]]


@pytest.fixture(scope="module")
def site(tmp_path_factory, sample_root):
    root = copy_repository(sample_root, tmp_path_factory.mktemp("journey") / "repo")
    port = free_port()
    config = (root / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace("site_url: https://kennisbank.example.org/", f"site_url: http://127.0.0.1:{port}/")
    config = config.replace("subscribe_check_domain: true", "subscribe_check_domain: false")  # no DNS here
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    with SmtpServer(Recorder()) as smtp:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)} | {
            "KENNISBANK_SECRET": SECRET, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp.port)}
        server = subprocess.Popen([sys.executable, "-m", "kennisbank.cli", "--root", str(root), "serve",
                                   "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        base = f"http://127.0.0.1:{port}"
        try:
            def up() -> bool:
                try:
                    return httpx.get(base + "/nieuwsbrief/", timeout=5).status_code == 200
                except httpx.HTTPError:
                    return server.poll() is None and False
            assert wait_for(up, timeout=300), server.stderr.read().decode() if server.poll() is not None else "no start"
            yield Site(root, base, smtp, env)
        finally:
            server.terminate()
            server.wait(20)


def test_sign_up_confirm_receive_unsubscribe_in_one_click(site, browser):
    email = "lotte.peeters@example.org"
    page = browser.new_page(locale="nl-BE")
    page.set_default_timeout(20_000)
    page.goto(site.base + "/nieuwsbrief/")
    form = page.locator("form[data-kb-subscribe]").filter(has=page.locator("input[value=nieuwsbrief]"))
    form.get_by_label("E-mailadres").fill(email)
    form.get_by_label("Naam").fill("Lotte Peeters")
    form.get_by_label("Organisatie").fill("Stad Mechelen")
    form.get_by_role("button", name="Inschrijven").click()
    status = form.locator("[aria-live=polite]")
    status.filter(has_text="Bijna klaar").wait_for()
    assert page.url == site.base + "/nieuwsbrief/"  # answered inline, no page change
    assert form.get_by_label("E-mailadres").input_value() == ""

    assert wait_for(lambda: site.mails_to(email), timeout=60), "no confirmation e-mail"
    (mail,) = site.mails_to(email)
    assert "Bevestig je inschrijving" in mail["Subject"] and mail.get_content_type() == "multipart/alternative"
    confirm = links_in(mail)[0]
    assert set(links_in(mail)) == {confirm} and confirm.startswith(site.base + "/api/subscriptions/confirm?token=")
    page.goto(confirm)  # opening the link confirms nothing yet (mail scanners open links too)
    assert page.get_by_role("heading", level=1).inner_text() == "Bevestig je inschrijving"
    assert site.store.find(email).status != CONFIRMED
    page.get_by_role("button", name="Ja, bevestig mijn inschrijving").click()
    page.get_by_role("heading", level=1, name="Je inschrijving is bevestigd").wait_for()
    subscriber = site.store.find(email)
    assert (subscriber.status, subscriber.name, subscriber.organisation, subscriber.source) == (
        CONFIRMED, "Lotte Peeters", "Stad Mechelen", "nieuwsbrief")
    page.goto(confirm)
    assert "al gebruikt" in page.get_by_role("heading", level=1).inner_text()

    issues = site.root / "build" / "newsletter"
    site.cli("newsletter", "build", "--month", "2020-03", "--out", str(issues))
    site.cli("newsletter", "send", "123", "--issues", str(issues))
    (issue,) = [m for m in site.mails_to(email) if "Nieuwsbrief 123" in m["Subject"]]
    unsubscribe = issue["List-Unsubscribe"].strip("<>")
    assert issue["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in links_in(issue)  # the footer link is the same one-click URL
    answer = httpx.post(unsubscribe, data={"List-Unsubscribe": "One-Click"})  # what a mail client does (RFC 8058)
    assert answer.status_code == 200 and site.store.find(email).status == UNSUBSCRIBED

    site.cli("newsletter", "build", "--month", "2020-04", "--out", str(issues))
    sent = site.cli("newsletter", "send", "124", "--issues", str(issues))
    assert not [m for m in site.mails_to(email) if "124" in m["Subject"]]
    assert "to 0 recipient(s)" in sent.stderr
    page.close()


def test_the_form_works_without_javascript(site, browser):
    context = browser.new_context(java_script_enabled=False, locale="nl-BE")
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(site.base + "/volg-ons/")
    form = page.locator("form[data-kb-subscribe]").filter(has=page.locator("input[value=volg-ons]"))
    form.get_by_label("E-mailadres").fill("zonder.js@example.org")
    form.get_by_role("button", name="Inschrijven").click()
    page.wait_for_url("**/api/subscriptions/thanks")
    assert page.get_by_role("heading", level=1).inner_text() == "Bijna klaar"
    subscriber = site.store.find("zonder.js@example.org")
    assert (subscriber.status, subscriber.source) == (PENDING, "volg-ons")
    page.goto(site.base + "/")
    footer = page.locator("form[data-kb-subscribe]").filter(has=page.locator("input[value=footer]"))
    footer.get_by_label("E-mailadres").fill("fout-adres")
    page.evaluate("document.querySelectorAll('form').forEach(f => f.noValidate = true)")
    with page.expect_navigation():
        footer.get_by_role("button", name="Inschrijven").click()
    assert "geen geldig e-mailadres" in page.content()
    context.close()
