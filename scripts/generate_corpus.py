"""Deterministic generator of large, valid kennisbank corpora for benchmarks.

    python scripts/generate_corpus.py --items 20000 --out /tmp/corpus [--seed 1]

writes a complete repository into ``--out``: ``mkdocs.yml``, ``content/registries/``, the
repository's own themes (``content/themas/``) and ``search/`` settings are copied; then ``--items``
generated items across every content type and case collection, with realistic proportions (many
news items, studies every week, events, ~7 % church fiches, monthly newsletters ...; exactly
N items once N >= 100), Dutch-like
text and a Zipf-like spread over cities, themes and tags. The text follows Zipf's law over one
ranking (function words — all search stop words — on top, then content words and a long tail of
compounds), and each document keeps returning to topic words of its themes and type, so word
frequencies, facets and queries relate as on a real site (see docs/benchmarks.md, search). Every generated file passes
``kennisbank check``. The same seed and the same source repository give the same bytes.

Other benchmark scripts import it without side effects::

    import importlib.util, sys
    spec = importlib.util.spec_from_file_location("generate_corpus", "scripts/generate_corpus.py")
    gen = importlib.util.module_from_spec(spec); sys.modules["generate_corpus"] = gen
    spec.loader.exec_module(gen)
    for relative_path, text in gen.documents(100_000, seed=1): ...   # only the generated items
    gen.write_corpus(Path("/tmp/corpus"), 100_000, seed=1)          # a whole repository
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import json
import math
import random
import re
import shutil
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # runnable as a plain script from a source checkout
    sys.path.insert(0, str(ROOT))

from kennisbank.config import Settings
from kennisbank.content.numbering import IssueSequence, parse_month
from kennisbank.content.registries import load_registries
from kennisbank.content.slugs import slugify

#: Share of the generated items per type (newsletters are added per month on top of news).
PROPORTIONS: dict[str, float] = {
    "news": 0.47,
    "study": 0.12,
    "event": 0.15,
    "page": 0.005,
    "churches": 0.07,  # ~250 at 3,600 items, the size of the real inventory
    "city-projects": 0.04,
    "temporary-use": 0.06,
    "housing-instruments": 0.075,
}
LAST_YEAR = 2025
ITEMS_PER_YEAR = 2_000  # how many items one year of the corpus holds (sets the date span)
MAX_YEARS = 30
NEWSLETTER_ITEMS = 9
#: Issue numbers as in the copied mkdocs.yml (January 2020 = 121), so `check` accepts them.
NUMBERING = Settings(root=Path("."))
DRAFT_SHARE = 0.01

_SECTIONS = {
    "news": "content/nieuws", "study": "content/studies", "event": "content/agenda",
    "page": "content/paginas", "newsletter": "content/nieuwsbrief",
    "churches": "cases/kerken", "city-projects": "cases/stadsprojecten",
    "temporary-use": "cases/tijdelijk-gebruik", "housing-instruments": "cases/woonbeleid",
}

# Text model. Real Dutch follows Zipf's law (frequency ~ 1/rank) over ONE ranked list whose top is
# function words; content words start around rank 50, which is what keeps the most common content
# words in a minority of documents. Words are also bursty: a document keeps returning to its own
# topic, which is tied to its themes and type, so facets and queries correlate as on a real site.
# Every function word is a search stop word (search/stopwords.yml), as in real queries.
_FUNCTION_WORDS = ["de", "en", "van", "het", "een", "in", "is", "dat", "op", "te", "met", "voor", "die", "niet", "zijn", "er", "aan", "ook", "als", "bij", "door", "om", "naar", "maar", "of", "dan", "nog", "uit", "over", "tot", "deze", "dit", "wordt", "worden", "hun", "wel", "al", "ze", "was", "werd", "we", "zich", "haar", "wij", "zij"]
_NOUNS = ["stad", "steden", "woning", "woningen", "kerk", "kerken", "buurt", "buurten", "wijk", "wijken", "bewoner", "bewoners", "gemeente", "gemeenten", "bestuur", "besturen", "beleid", "kennis", "netwerk", "studie", "rapport", "onderzoek", "praktijk", "samenleving", "diversiteit", "armoede", "huurder", "huurders", "huurmarkt", "renovatie", "energie", "klimaat", "mobiliteit", "fiets", "ruimte", "economie", "ondernemer", "ondernemers", "werkgelegenheid", "onderwijs", "zorg", "welzijn", "jeugd", "jongeren", "cultuur", "sport", "erfgoed", "parochie", "gebouw", "gebouwen", "site", "terrein", "eigenaar", "project", "projecten", "programma", "subsidie", "middelen", "financiering", "leegstand", "herontwikkeling", "plein", "straat", "park", "groen", "water", "data", "digitalisering", "samenwerking", "overheid", "participatie", "burger", "burgers", "vrijwilliger", "vrijwilligers", "middenveld", "investering", "planning", "vergunning", "ontwerp", "architect", "gemeenschap", "ontmoeting", "bibliotheek", "markt", "winkel", "handel", "horeca", "toerisme", "veiligheid", "preventie", "integratie", "nieuwkomers", "taal", "werk", "opleiding", "vorming", "evaluatie", "monitor", "cijfers", "indicator", "doelstelling", "begroting", "fiscaliteit", "grond", "pand", "panden", "huur", "kwaliteit", "gebruik", "invulling", "herbestemming", "school", "scholen", "leerling", "leerlingen", "leerkracht", "ouders", "kind", "kinderen", "gezin", "gezinnen", "senioren", "student", "studenten", "dienst", "loket", "ziekenhuis", "huisarts", "kinderopvang", "speelplein", "jeugdwerk", "vereniging", "verenigingen", "museum", "theater", "concert", "festival", "kunstenaar", "atelier", "monument", "archief", "haven", "spoor", "station", "trein", "tram", "bus", "halte", "parking", "auto", "verkeer", "snelheid", "luchtkwaliteit", "geluid", "overstroming", "hitte", "droogte", "regenwater", "riolering", "rivier", "kanaal", "boom", "bomen", "natuur", "landbouw", "voedsel", "afval", "recyclage", "grondstof", "materiaal", "isolatie", "warmtenet", "zonnepanelen", "warmtepomp", "verwarming", "elektriciteit", "dak", "gevel", "bouwblok", "verkaveling", "perceel", "procedure", "bezwaar", "inspraak", "raadpleging", "bevraging", "enquête", "steekproef", "dataset", "dashboard", "algoritme", "platform", "toepassing", "sensor", "camera", "privacy", "register", "databank", "software", "inclusie", "discriminatie", "gelijkheid", "gender", "handicap", "toegankelijkheid", "eenzaamheid", "dakloosheid", "schulden", "inkomen", "leefloon", "uitkering", "tewerkstelling", "werkloosheid", "vacature", "arbeidsmarkt", "talent", "competentie", "stage", "diploma", "schooluitval", "inburgering", "asiel", "opvang", "migratie", "herkomst", "politie", "criminaliteit", "overlast", "nachtleven", "evenement", "stadsvernieuwing", "verweving", "stadsregio", "centrumsteden", "vlaanderen", "brussel", "europa", "regio", "provincie", "decreet", "regelgeving", "minister", "kabinet", "parlement", "raad", "college", "schepen", "burgemeester", "ambtenaar", "administratie", "organisatie", "personeel", "team", "leiding", "coaching", "methode", "aanpak", "instrument", "strategie", "visie", "ambitie", "uitdaging", "kans", "risico", "probleem", "oplossing", "resultaat", "effect", "impact", "kosten", "prijs", "tarief", "premie", "lening", "krediet", "fonds", "budget", "uitgave", "ontvangst", "belasting", "heffing", "eigendom", "verhuur", "koop", "aankoop", "verkoop", "bouw", "sloop", "verbouwing", "restauratie", "onderhoud", "beheer", "exploitatie", "concessie", "overeenkomst", "contract", "partner", "partnerschap", "consortium", "coalitie"]
_ADJECTIVES = ["nieuwe", "stedelijke", "lokale", "betaalbare", "duurzame", "sociale", "open", "publieke", "gedeelde", "tijdelijke", "creatieve", "slimme", "grote", "kleine", "eerste", "gezamenlijke", "Vlaamse", "historische", "leegstaande", "centrale", "digitale", "economische", "culturele", "ruimtelijke", "financiële", "kwetsbare", "jonge", "oudere", "groene", "veilige", "toegankelijke", "inclusieve", "innovatieve", "structurele", "bestaande", "bijkomende", "concrete", "belangrijke", "verschillende", "regionale", "Europese", "federale", "private", "gemengde", "compacte", "dichte", "heldere", "haalbare", "blijvende", "brede", "gerichte", "integrale", "collectieve", "circulaire", "energiezuinige"]
_VERBS = ["versterkt", "onderzoekt", "bundelt", "ondersteunt", "brengt", "deelt", "verbindt", "bespreekt", "verkent", "vernieuwt", "start", "bouwt", "zoekt", "biedt", "opent", "maakt", "kiest", "toont", "ontwikkelt", "begeleidt", "organiseert", "evalueert", "plant", "investeert", "herbestemt", "renoveert", "financiert", "stimuleert", "meet", "analyseert", "vergelijkt", "beschrijft", "presenteert", "lanceert", "verlengt", "verbetert", "vereenvoudigt", "activeert", "betrekt", "bereikt", "verduurzaamt", "beschermt", "bevraagt", "coördineert", "test", "kadert", "actualiseert", "herziet", "verzamelt", "publiceert", "inventariseert", "koppelt", "verruimt", "verhoogt", "verlaagt", "bespaart", "voorziet"]
# Compounds: many heads and tails, but only some pairs are words (a fixed 30 % of them), so a
# head typed as a prefix (``stads...``) finds a family of a few dozen rare words.
_HEADS = ["stads", "woon", "buurt", "kerk", "wijk", "energie", "zorg", "school", "fiets", "huur", "markt", "erfgoed", "jeugd", "groen", "water", "data", "beleids", "project", "kennis", "armoede", "klimaat", "bouw", "ruimte", "werk", "cultuur", "sport", "verkeers", "onderwijs", "gemeente", "burger", "haven", "spoor", "stations", "winkel", "parkeer", "renovatie", "welzijn", "integratie", "taal", "speel", "kinder", "senioren", "studenten", "gezins", "ouderen", "straat", "plein", "park", "boom", "natuur", "afval", "voedsel", "warmte", "zonne", "regen", "riolerings", "mobiliteits", "bus", "tram", "deel", "netwerk", "budget", "personeels", "opleidings", "samenwerkings", "participatie", "bewoners", "vrijwilligers", "verenigings", "ondernemers", "handels", "horeca", "toerisme", "veiligheids", "preventie", "politie", "ziekenhuis", "inkomens", "schulden", "migratie", "inburgerings", "asiel", "opvang", "onthaal", "gebieds", "regio", "provincie", "subsidie", "investerings", "financierings", "begrotings", "belasting", "grond", "vastgoed", "pand", "site", "terrein", "leegstand", "herbestemmings", "monumenten", "archief", "museum", "bibliotheek", "theater", "festival", "evenementen", "informatie", "communicatie", "kwaliteits", "innovatie"]
_TAILS = ["plan", "beleid", "project", "netwerk", "raad", "fonds", "premie", "gebouw", "plein", "park", "werking", "ontwikkeling", "vernieuwing", "strategie", "monitor", "studie", "traject", "overleg", "dienst", "centrum", "kwaliteit", "model", "programma", "agenda", "visie", "team", "loket", "huis", "route", "zone", "regie", "budget", "reglement", "dossier", "analyse", "pact", "label", "kaart", "gids", "charter", "kader", "akkoord", "decreet", "regeling", "systeem", "platform", "register", "databank", "rapport", "onderzoek", "evaluatie", "actie", "campagne", "week", "dag", "forum", "coach", "werker", "consulent", "partner", "aanbod", "vraag", "behoefte", "kosten", "prijs", "tarief", "beurs", "contract", "convenant", "nota", "bundel", "verslag", "cel", "groep", "cluster", "functie", "beheer", "toezicht"]


def _language() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(content words in rank order, compounds): the same language for every seed."""
    rng = random.Random("kennisbank-nl")
    compounds = sorted({head + tail for head in _HEADS for tail in _TAILS if rng.random() < 0.3} - set(_NOUNS))
    base = sorted(set(_NOUNS) | {a.lower() for a in _ADJECTIVES})
    rng.shuffle(base)
    rng.shuffle(compounds)
    return tuple(base + compounds), tuple(compounds)


_CONTENT_WORDS, _COMPOUNDS = _language()
_VOCABULARY = tuple(sorted(_CONTENT_WORDS))
# Words a type's documents return to (fiches about churches talk about churches).
_TYPE_WORDS = {
    "churches": ("kerk", "kerken", "herbestemming", "parochie", "erfgoed", "gebouw", "gemeenschap"),
    "housing-instruments": ("wonen", "woning", "woningen", "huurmarkt", "sociale", "betaalbaar", "renovatie"),
    "temporary-use": ("tijdelijk", "gebruik", "leegstand", "site", "invulling", "eigenaar", "terrein"),
    "city-projects": ("stadsvernieuwing", "herontwikkeling", "verweving", "site", "ontwerp", "planning"),
    "study": ("studie", "rapport", "onderzoek", "cijfers", "analyse"),
    "event": ("seminarie", "studiedag", "workshop", "netwerk", "programma"),
}
THEME_WORDS = 40  # words of the content vocabulary a theme's documents talk about
TOPIC_SHARE = 0.35  # share of a sentence's words drawn from the document's own topic words
_FIRST_NAMES = ["An", "Bart", "Els", "Frank", "Griet", "Hanne", "Jan", "Karel", "Lies", "Marc", "Nele", "Pieter", "Sara", "Tom", "Veerle", "Wim"]
_LAST_NAMES = ["Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens", "Wouters", "De-Smet", "Dubois", "Lambert"]
_PUBLISHERS = (
    "KU Leuven", "Universiteit Gent", "Universiteit Antwerpen", "VUB", "Agentschap Binnenlands Bestuur",
    "Vlaams Planbureau voor Omgeving", "Steunpunt Wonen", "VVSG", "Kenniscentrum Vlaamse Steden",
    "Federaal Planbureau", "Statistiek Vlaanderen", "Departement Omgeving",
)
_TAGS = (
    "wonen", "armoede", "renovatie", "energie", "klimaat", "mobiliteit", "data", "participatie",
    "herbestemming", "erfgoed", "leegstand", "financiën", "diversiteit", "onderwijs", "zorg",
    "jeugd", "cultuur", "economie", "ruimte", "stadsvernieuwing", "smart city", "GDPR", "netwerk",
    "Europa", "veiligheid", "integratie", "groen", "water", "sport", "handel", "fiscaliteit",
    "monitoring", "bestuur", "samenwerking", "vrijwilligers", "middenveld", "subsidie",
)
_MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
           "oktober", "november", "december")
_LEGAL = ("Vlaamse Codex Wonen", "Gemeentelijk reglement", "Decreet lokaal bestuur", "Woonzorgdecreet")


@dataclass(frozen=True)
class Vocabulary:
    """What generated values may be drawn from: the source repository's registries and themes."""

    cities: tuple[str, ...]  # in Zipf rank order: centre cities first
    city_country: dict[str, str]
    city_province: dict[str, str | None]
    themes: tuple[str, ...]
    lists: dict[str, tuple[str, ...]]


class Zipf:
    """Draw from ``values`` with weight 1/(rank + offset)^s: a few very common values, a long tail.
    ``offset`` > 0 (Zipf-Mandelbrot) flattens the top, for a list that continues a ranking."""

    def __init__(self, values: Sequence[str], s: float = 1.1, offset: int = 0):
        self.values = list(values)
        total = 0.0
        self.cumulative = []
        for rank in range(1 + offset, len(self.values) + 1 + offset):
            total += 1.0 / rank**s
            self.cumulative.append(total)
        self.total = total

    def one(self, rng: random.Random) -> str:
        return self.values[bisect.bisect_left(self.cumulative, rng.random() * self.total)]

    def some(self, rng: random.Random, low: int, high: int) -> list[str]:
        """Between ``low`` and ``high`` distinct values, most common first drawn first."""
        wanted = min(rng.randint(low, high), len(self.values))
        picked: list[str] = []
        for _ in range(wanted * 4):
            value = self.one(rng)
            if value not in picked:
                picked.append(value)
                if len(picked) == wanted:
                    break
        return picked


def load_vocabulary(source_root: Path = ROOT) -> Vocabulary:
    """Cities, vocabularies and theme slugs of ``source_root`` (the generated corpus uses them)."""
    registries, errors = load_registries(source_root)
    if errors:
        raise SystemExit("registries are invalid: " + "; ".join(map(str, errors)))
    cities = sorted(registries.cities.values(), key=lambda c: (not c.centre_city, c.slug))
    themes = tuple(sorted(p.stem for p in (source_root / "content/themas").glob("*.md")))
    return Vocabulary(
        cities=tuple(c.slug for c in cities),
        city_country={c.slug: c.country for c in cities},
        city_province={c.slug: c.province for c in cities},
        themes=themes,
        lists={name: tuple(values) for name, values in sorted(registries.vocabularies.items())},
    )


def type_counts(n: int) -> dict[str, int]:
    """How many items of each type ``n`` items hold (largest remainder, so they sum to ``n``)."""
    exact = {name: n * share / sum(PROPORTIONS.values()) for name, share in PROPORTIONS.items()}
    counts = {name: math.floor(value) for name, value in exact.items()}
    for name in sorted(exact, key=lambda k: (counts[k] - exact[k], k))[: n - sum(counts.values())]:
        counts[name] += 1
    return counts


def documents(n: int, seed: int = 1, source_root: Path = ROOT) -> Iterator[tuple[str, str]]:
    """Yield ``(relative_path, text)`` for ``n`` generated items (no registries or themes).

    Write them under a copy of the repository's registries and themes (see :func:`write_corpus`)
    to get a repository that passes ``kennisbank check``.
    """
    yield from _Generator(n, seed, load_vocabulary(source_root)).run()


generate = documents  # the name other scripts may know it by


def write_corpus(out: Path, n: int, seed: int = 1, source_root: Path = ROOT, progress: bool = False) -> Counter:
    """Write a complete repository with ``n`` generated items into ``out``; return counts per folder."""
    out.mkdir(parents=True, exist_ok=True)
    for relative in ("mkdocs.yml",):
        if (source_root / relative).is_file():
            shutil.copyfile(source_root / relative, out / relative)
    for relative in ("content/registries", "content/themas", "search"):
        if (source_root / relative).is_dir():
            shutil.copytree(source_root / relative, out / relative, dirs_exist_ok=True)
    counts: Counter = Counter()
    made: set[Path] = set()
    stream = documents(n, seed, source_root)
    if progress:
        stream = _progress(stream, n)
    for relative, text in stream:
        path = out / relative
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_bytes(text.encode("utf-8"))
        counts[relative.rsplit("/", 2)[0] if relative.count("/") > 2 else relative.rsplit("/", 1)[0]] += 1
    return counts


def _progress(stream: Iterator[tuple[str, str]], n: int) -> Iterator[tuple[str, str]]:
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task("generating", total=n)
        for document in stream:
            yield document
            bar.advance(task)


# ---------------------------------------------------------------------------------------------
# YAML writing: the generator writes its front matter itself (fast, and the bytes are stable).

_PLAIN = re.compile(r"^[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ0-9 ,.'()/-]*[A-Za-zÀ-ÿ0-9.)]$")
_PLAIN_DATA = re.compile(r"^(?:\d{4}-\d{2}(?:-\d{2}(?: \d{2}:\d{2})?)?|\d{4}-W\d{2}|https?://[\w.~/-]+)$")
_YAML_WORDS = {"yes", "no", "on", "off", "true", "false", "null", "y", "n"}


def _scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    if _PLAIN_DATA.match(text):
        return text  # dates, months, ISO weeks and simple URLs read the same plain
    if _PLAIN.match(text) and text.lower() not in _YAML_WORDS and ": " not in text and " #" not in text:
        return text
    return json.dumps(text, ensure_ascii=False)  # JSON strings are YAML double-quoted scalars


def _yaml(data: dict[str, object]) -> str:
    lines = []
    for key, value in data.items():
        if value is None or value == []:
            continue
        if isinstance(value, list):
            lines.append(f"{key}:")
            for entry in value:
                if isinstance(entry, dict):
                    first = True
                    for sub, subvalue in entry.items():
                        lines.append(f"{'- ' if first else '  '}{sub}: {_scalar(subvalue)}")
                        first = False
                else:
                    lines.append(f"- {_scalar(entry)}")
        elif isinstance(value, dict):
            lines.append(f"{key}:")
            lines.extend(f"  {sub}: {_scalar(subvalue)}" for sub, subvalue in value.items())
        else:
            lines.append(f"{key}: {_scalar(value)}")
    return "\n".join(lines)


def _document(data: dict[str, object], body: str) -> str:
    return f"---\n{_yaml(data)}\n---\n\n{body}\n"


# ---------------------------------------------------------------------------------------------


class _Generator:
    """One corpus: a seeded random stream, the vocabulary, and the slugs already used."""

    def __init__(self, n: int, seed: int, vocabulary: Vocabulary):
        if n < 0:
            raise ValueError("n must be >= 0")
        self.n = n
        self.rng = random.Random(seed)
        self.v = vocabulary
        rank_rng = random.Random(seed + 7919)
        self.cities = Zipf(vocabulary.cities)
        self.themes = Zipf(_shuffled(vocabulary.themes, rank_rng)) if vocabulary.themes else None
        # editors' tags: the curated ones first, then any noun (a real tag list is long-tailed)
        self.tags = Zipf(_shuffled(_TAGS, rank_rng) + _shuffled(sorted(set(_NOUNS) - set(_TAGS)), rank_rng),
                         s=1.0, offset=3)
        self.words = Zipf(_FUNCTION_WORDS + list(_CONTENT_WORDS), s=1.0)  # running text
        self.content = Zipf(_CONTENT_WORDS, s=1.0, offset=len(_FUNCTION_WORDS))  # content words only
        self.verbs = Zipf(_VERBS, s=1.0, offset=20)
        self.adjectives = Zipf(_ADJECTIVES, s=1.0, offset=20)
        # topic words are mid-frequency words (a flatter draw): what sets a subject apart
        specialised = Zipf(_CONTENT_WORDS, s=1.0, offset=300)
        self.theme_words = {theme: _theme_words(theme, specialised) for theme in vocabulary.themes}
        self.topic: list[str] = []
        self.doc_themes: list[str] = []
        self.used: dict[str, set[str]] = {}
        self.years = max(1, min(MAX_YEARS, math.ceil(n / ITEMS_PER_YEAR)))
        self.first_day = dt.date(LAST_YEAR - self.years + 1, 1, 1)
        self.days = (dt.date(LAST_YEAR, 12, 31) - self.first_day).days + 1
        self.news_by_month: dict[str, list[str]] = {}

    # -- text ---------------------------------------------------------------------------------
    def sentence(self, low: int = 7, high: int = 16) -> str:
        rng = self.rng
        words = []
        for index in range(rng.randint(low, high)):
            roll = rng.random()
            if index == 2 and roll < 0.35:
                words.append(self.verbs.one(rng))
            elif roll < TOPIC_SHARE and self.topic:
                words.append(rng.choice(self.topic))
            else:
                words.append(self.words.one(rng))
        text = " ".join(words)
        if rng.random() < 0.2:
            cut = text.rfind(" ", 0, len(text) // 2)
            if cut > 0:
                text = text[:cut] + "," + text[cut:]
        return text[0].upper() + text[1:] + "."

    def new_topic(self, kind: str) -> None:
        """Choose the next document's themes, and the words it keeps coming back to: some of
        each theme's words (of a likely theme when it has none), its type's words, and a few
        words of its own."""
        rng = self.rng
        self.doc_themes = self.themes.some(rng, 0, 3) if self.themes else []
        subjects = self.doc_themes or ([self.themes.one(rng)] if self.themes else [])
        topic = [word for theme in subjects for word in rng.sample(self.theme_words[theme], rng.randint(3, 5))]
        if kind in _TYPE_WORDS:
            topic += rng.sample(_TYPE_WORDS[kind], 2)
        topic += [self.content.one(rng) for _ in range(rng.randint(2, 4))]
        self.topic = topic

    def content_word(self) -> str:
        if self.topic and self.rng.random() < 0.7:
            return self.rng.choice(self.topic)
        return self.content.one(self.rng)

    def title(self) -> str:
        rng = self.rng
        words = [self.adjectives.one(rng), self.content_word(), rng.choice(("van", "voor", "in", "en", "met")),
                 self.content_word()]
        if rng.random() < 0.5:
            words += [rng.choice(("in", "voor", "met")), self.content_word()]
        if rng.random() < 0.3:
            words.append(self._city_name(self.cities.one(rng)))
        text = " ".join(words)
        return text[0].upper() + text[1:]

    def _city_name(self, slug: str) -> str:
        return "-".join(part.capitalize() for part in slug.split("-"))

    def summary(self) -> str:
        text = self.sentence(10, 20)
        if self.rng.random() < 0.6:
            text += " " + self.sentence(8, 16)
        return text[:400].rsplit(" ", 1)[0] + "." if len(text) > 400 else text

    def body(self) -> str:
        paragraphs = []
        for index in range(self.rng.randint(2, 5)):
            paragraph = " ".join(self.sentence() for _ in range(self.rng.randint(2, 5)))
            if index == 1 and self.rng.random() < 0.3:
                paragraph = f"## {self.sentence(3, 6)[:-1]}\n\n{paragraph}"
            paragraphs.append(paragraph)
        return "\n\n".join(paragraphs)

    # -- values -------------------------------------------------------------------------------
    def slug(self, section: str, title: str) -> str:
        used = self.used.setdefault(section, set())
        base = slugify(title) or "item"
        slug, number = base, 2
        while slug in used:
            slug, number = f"{base}-{number}", number + 1
        used.add(slug)
        return slug

    def day(self) -> dt.date:
        return self.first_day + dt.timedelta(days=self.rng.randrange(self.days))

    def common(self, title: str) -> dict[str, object]:
        rng = self.rng
        data: dict[str, object] = {"title": title, "summary": self.summary()}
        data["themes"] = list(self.doc_themes)
        data["cities"] = self.cities.some(rng, 0, 3)
        data["tags"] = self.doc_tags(0, 4)
        return data

    def doc_tags(self, low: int, high: int) -> list[str]:
        """Tags: half of them name the document's own topic, the others come from the tag list."""
        rng = self.rng
        tags: list[str] = []
        for _ in range(rng.randint(low, high)):
            tag = rng.choice(self.topic) if self.topic and rng.random() < 0.5 else self.tags.one(rng)
            if tag not in tags:
                tags.append(tag)
        return tags

    def person(self) -> str:
        return f"{self.rng.choice(_FIRST_NAMES)} {self.rng.choice(_LAST_NAMES).replace('-', ' ')}"

    def contact(self) -> dict[str, object]:
        name = self.person()
        city = self.cities.one(self.rng)
        return {"name": name, "role": self.rng.choice(("Projectleider", "Beleidsmedewerker", "Coördinator")),
                "organisation": f"Stad {self._city_name(city)}",
                "email": f"{slugify(name).replace('-', '.')}@{city}.example.be"}

    def link(self) -> dict[str, object]:
        words = self.content.some(self.rng, 1, 2)
        return {"title": " ".join(words).capitalize(), "url": f"https://www.example.be/{'-'.join(slugify(w) for w in words)}"}

    def pick(self, vocabulary: str, low: int = 1, high: int = 1) -> list[str]:
        values = self.v.lists[vocabulary]
        return self.rng.sample(values, min(len(values), self.rng.randint(low, high)))

    # -- items --------------------------------------------------------------------------------
    def run(self) -> Iterator[tuple[str, str]]:
        counts = type_counts(self.n)
        first = max(self.first_day, parse_month(NUMBERING.newsletter_first_month))
        numbered = len(IssueSequence(NUMBERING, []).issue_months(dt.date(LAST_YEAR, 12, 1)))  # months with an issue
        numbered -= sum(1 for month, _ in IssueSequence(NUMBERING, []).issue_months(first) if month < first)
        newsletters = min(numbered, self.n // 100)  # monthly issues, taken from the news share
        counts["news"] -= newsletters
        makers = {
            "news": self.news, "study": self.study, "event": self.event, "page": self.page,
            "churches": self.church, "city-projects": self.city_project,
            "temporary-use": self.temporary_use, "housing-instruments": self.housing_instrument,
        }
        for name, maker in makers.items():
            if name == "study":
                for day in self._study_days(counts[name]):
                    self.new_topic(name)
                    yield maker(day)
            else:
                for _ in range(counts[name]):
                    self.new_topic(name)
                    yield maker()
        yield from self.newsletters(newsletters)

    def _titled(self, kind: str) -> tuple[str, str, dict[str, object]]:
        title = self.title()
        slug = self.slug(kind, title)
        return title, slug, self.common(title)

    def news(self) -> tuple[str, str]:
        title, slug, data = self._titled("news")
        date = self.day()
        data = {"title": title, "summary": data.pop("summary"), "date": date.isoformat(),
                "category": self.pick("news_categories")[0], **{k: v for k, v in data.items() if k != "title"}}
        if self.rng.random() < 0.3:
            data["links"] = [self.link() for _ in range(self.rng.randint(1, 3))]
        if self.rng.random() < DRAFT_SHARE:
            data["draft"] = True
        else:
            self.news_by_month.setdefault(date.strftime("%Y-%m"), []).append(f"nieuws/{slug}")
        return f"{_SECTIONS['news']}/{date.year}/{slug}.md", _document(data, self.body())

    def _study_days(self, count: int) -> list[dt.date]:
        """One study a week, spread evenly (several a week once there are more than weeks)."""
        weeks = max(1, self.days // 7)
        return [self.first_day + dt.timedelta(days=(index * weeks // max(count, 1)) * 7 + self.rng.randrange(5))
                for index in range(count)]

    def study(self, date: dt.date) -> tuple[str, str]:
        title, slug, data = self._titled("study")
        year, week, _ = date.isocalendar()
        data = {"title": title, "summary": data.pop("summary"), "date": date.isoformat(),
                "week": f"{year}-W{week:02d}", "publisher": self.rng.choice(_PUBLISHERS),
                "url": f"https://www.example.be/studies/{slug}",
                "authors": [self.person() for _ in range(self.rng.randint(1, 3))],
                **{k: v for k, v in data.items() if k != "title"}}
        return f"{_SECTIONS['study']}/{date.year}/{slug}.md", _document(data, self.body())

    def event(self) -> tuple[str, str]:
        rng = self.rng
        title, slug, data = self._titled("event")
        start_day = self.day()
        published = max(self.first_day, start_day - dt.timedelta(days=rng.randint(7, 60)))
        hour = rng.choice((9, 10, 13, 14, 19))
        start: str = f"{start_day.isoformat()} {hour:02d}:00"
        if rng.random() < 0.2:
            end: str | None = (start_day + dt.timedelta(days=rng.randint(1, 2))).isoformat()
            start = start_day.isoformat()
        else:
            end = f"{start_day.isoformat()} {hour + rng.choice((1, 2, 3)):02d}:{rng.choice(('00', '30'))}"
        online = rng.random() < 0.2
        city = self._city_name(self.cities.one(rng))
        data = {"title": title, "summary": data.pop("summary"), "date": published.isoformat(),
                "kind": self.pick("event_kinds")[0], "start": start, "end": end,
                "location": "Online" if online else f"Stadhuis {city}",
                "organisers": ["Kenniscentrum Vlaamse Steden"] + ([f"Stad {city}"] if rng.random() < 0.5 else []),
                "registration": f"https://www.example.be/inschrijven/{slug}" if rng.random() < 0.7 else None,
                "online": online or None, **{k: v for k, v in data.items() if k != "title"}}
        return f"{_SECTIONS['event']}/{start_day.year}/{slug}.md", _document(data, self.body())

    def page(self) -> tuple[str, str]:
        _title, slug, data = self._titled("page")
        data["order"] = self.rng.randint(1, 200)
        return f"{_SECTIONS['page']}/{slug}.md", _document(data, self.body())

    def _fiche(self, kind: str, extra_before: dict[str, object] | None = None) -> tuple[str, str, dict[str, object]]:
        title, slug, data = self._titled(kind)
        fiche = {"title": title, "summary": data.pop("summary"), "date": self.day().isoformat()}
        fiche.update(extra_before or {})
        fiche.update({k: v for k, v in data.items() if k != "title"})
        if self.rng.random() < 0.5:
            fiche["contacts"] = [self.contact() for _ in range(self.rng.randint(1, 2))]
        if self.rng.random() < 0.5:
            fiche["links"] = [self.link()]
        return title, slug, fiche

    def church(self) -> tuple[str, str]:
        rng = self.rng
        city = self.cities.one(rng)
        saint = rng.choice(("Sint-Jozef", "Sint-Martinus", "Onze-Lieve-Vrouw", "Sint-Pieter", "Heilig Hart", "Sint-Anna"))
        title = f"{saint}kerk {self._city_name(city)}"
        slug = self.slug("churches", title)
        conversion = rng.randint(1995, LAST_YEAR)
        status = self.pick("church_status")[0]
        data = {"title": title, "summary": self.summary(), "date": self.day().isoformat(),
                "municipality": city, "country": self.v.city_country.get(city) or "BE",
                "province": self.v.city_province.get(city),
                "coordinates": {"lat": round(rng.uniform(50.7, 51.4), 5), "lon": round(rng.uniform(2.6, 5.9), 5)},
                "original_function": "Parochiekerk", "current_functions": self.pick("church_functions", 1, 3),
                "conversion_year": conversion, "status": status,
                "themes": self.doc_themes[:2], "tags": self.doc_tags(0, 3)}
        if rng.random() < 0.4:
            data["contacts"] = [self.contact()]
        return f"{_SECTIONS['churches']}/{slug}.md", _document(data, self.body())

    def city_project(self) -> tuple[str, str]:
        rng = self.rng
        start = rng.randint(1995, LAST_YEAR)
        _title, slug, data = self._fiche("city-projects", {
            "city": self.cities.one(rng), "status": self.pick("project_status")[0], "start_year": start,
            "end_year": start + rng.randint(0, 12) if rng.random() < 0.6 else None,
            "area": f"{rng.randint(1, 60)} ha", "programme": rng.choice(("Verweving I", "Verweving II", "Stadsvernieuwing")),
            "partners": [f"Stad {self._city_name(self.cities.one(rng))}", "Vlaamse overheid"][: rng.randint(1, 2)],
        })
        return f"{_SECTIONS['city-projects']}/{slug}.md", _document(data, self.body())

    def temporary_use(self) -> tuple[str, str]:
        rng = self.rng
        start = self.day()
        _title, slug, data = self._fiche("temporary-use", {
            "city": self.cities.one(rng), "site_kind": self.pick("site_kinds")[0],
            "temporary_functions": self.pick("temporary_functions", 1, 3), "start": start.isoformat(),
            "end": (start + dt.timedelta(days=rng.randint(30, 1500))).isoformat() if rng.random() < 0.7 else None,
            "owner": self.pick("owner_kinds")[0],
        })
        return f"{_SECTIONS['temporary-use']}/{slug}.md", _document(data, self.body())

    def housing_instrument(self) -> tuple[str, str]:
        rng = self.rng
        _title, slug, data = self._fiche("housing-instruments", {
            "city": self.cities.one(rng), "policy_area": self.pick("policy_areas")[0],
            "target_groups": self.pick("target_groups", 1, 3), "legal_basis": rng.choice(_LEGAL),
            "last_reviewed": self.day().isoformat(),
        })
        data.pop("contacts", None)
        if rng.random() < 0.6:
            data["contact"] = self.contact()
        return f"{_SECTIONS['housing-instruments']}/{slug}.md", _document(data, self.body())

    def newsletters(self, count: int) -> Iterator[tuple[str, str]]:
        """``count`` monthly issues (the latest months), each with that month's first news items."""
        first = NUMBERING.newsletter_first_month
        calendar = IssueSequence(NUMBERING, [])
        months = [m for m in sorted(self.news_by_month) if m >= first and calendar.has_issue(parse_month(m))]
        for month in months[-count:] if count else []:
            year, month_number = map(int, month.split("-"))
            number = calendar.number_for(dt.date(year, month_number, 1))
            items = sorted(self.news_by_month[month])[:NEWSLETTER_ITEMS]
            data = {"number": number, "month": month,
                    "title": f"Nieuwsbrief {_MONTHS[month_number - 1]} {year}",
                    "summary": self.summary(), "items": items}
            yield f"{_SECTIONS['newsletter']}/{number:03d}.md", _document(data, self.sentence() + " " + self.sentence())


def _theme_words(theme: str, content: Zipf) -> list[str]:
    """The words documents about ``theme`` use: those of its slug, and :data:`THEME_WORDS`
    content words drawn for it (common and rare ones, as the language has them)."""
    rng = random.Random("theme:" + theme)
    words = [w for w in theme.split("-") if len(w) > 3 and w not in _FUNCTION_WORDS]
    for _ in range(THEME_WORDS * 4):
        word = content.one(rng)
        if word not in words:
            words.append(word)
            if len(words) >= THEME_WORDS:
                break
    return words


def _shuffled(values: Sequence[str], rng: random.Random) -> list[str]:
    values = list(values)
    rng.shuffle(values)
    return values


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], prog="generate_corpus.py")
    parser.add_argument("--items", type=int, required=True, help="number of generated items (N)")
    parser.add_argument("--out", type=Path, required=True, help="folder for the repository copy")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--source", type=Path, default=ROOT, help="repository whose registries and themes are used")
    args = parser.parse_args(argv)
    if args.items < 0:
        parser.error("--items must be >= 0")
    counts = write_corpus(args.out, args.items, args.seed, args.source, progress=sys.stderr.isatty())
    width = max((len(k) for k in counts), default=6)
    for folder, count in sorted(counts.items()):
        print(f"{folder:<{width}}  {count:>7}")
    print(f"{'total':<{width}}  {sum(counts.values()):>7}  -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
