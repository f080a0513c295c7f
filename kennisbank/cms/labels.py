"""Dutch labels and hints for the editor, by front-matter field name.

The editor's forms are generated from the models (:mod:`kennisbank.cms.widgets`); only the words
an editor reads live here. A model field without a label here is an error in the tests, so a new
field is never shown to editors under its English name.
"""

from __future__ import annotations

LABELS: dict[str, str] = {
    # fields every item has
    "title": "Titel",
    "summary": "Samenvatting",
    "date": "Datum",
    "themes": "Thema's",
    "cities": "Steden",
    "tags": "Trefwoorden",
    "draft": "Concept (niet publiceren)",
    "body": "Tekst",
    # types
    "category": "Categorie",
    "image": "Afbeelding",
    "links": "Links",
    "week": "Week",
    "publisher": "Uitgever",
    "url": "Adres (URL)",
    "authors": "Auteurs",
    "kind": "Soort activiteit",
    "start": "Begin",
    "end": "Einde",
    "location": "Locatie",
    "organisers": "Organisatoren",
    "registration": "Inschrijven (URL)",
    "online": "Online",
    "period": "Programmaperiode",
    "parent": "Hoofdthema",
    "order": "Volgorde",
    "number": "Nummer",
    "month": "Maand",
    "items": "Items (in deze volgorde)",
    "exclude": "Items weglaten",
    # case fiches
    "contacts": "Contactpersonen",
    "photos": "Foto's",
    "municipality": "Gemeente",
    "country": "Land",
    "province": "Provincie",
    "coordinates": "Coördinaten",
    "original_function": "Oorspronkelijke functie",
    "current_functions": "Huidige functies",
    "conversion_year": "Jaar van herbestemming",
    "status": "Status",
    "city": "Stad",
    "start_year": "Beginjaar",
    "end_year": "Eindjaar",
    "area": "Gebied",
    "programme": "Programma",
    "partners": "Partners",
    "site_kind": "Soort site",
    "temporary_functions": "Tijdelijke functies",
    "owner": "Eigenaar",
    "policy_area": "Beleidsdomein",
    "target_groups": "Doelgroepen",
    "legal_basis": "Juridische basis",
    "contact": "Contactpersoon",
    "last_reviewed": "Laatst nagekeken",
    # parts: links, contacts, pictures, coordinates
    "name": "Naam",
    "role": "Functie",
    "organisation": "Organisatie",
    "email": "E-mailadres",
    "phone": "Telefoon",
    "src": "Bestand",
    "alt": "Wat toont de afbeelding? (alternatieve tekst)",
    "credit": "Maker of bron",
    "lat": "Breedtegraad",
    "lon": "Lengtegraad",
}

HINTS: dict[str, str] = {
    "summary": "Gewone tekst zonder opmaak, hoogstens 400 tekens. Verschijnt in overzichten, feeds en de nieuwsbrief.",
    "date": "Publicatiedatum. Een datum in de toekomst wordt pas op die dag gepubliceerd.",
    "draft": "Een concept wordt nooit gepubliceerd.",
    "tags": "Vrije trefwoorden, één per regel.",
    "week": "De ISO-week van de datum, bv. 2020-W24.",
    "start": "Datum en uur waarop de activiteit begint. De activiteit komt in de map van het jaar "
             "waarin ze begint.",
    "period": "Bv. 2017-2021.",
    "month": "JJJJ-MM, bv. 2020-03.",
    "items": "Ids zoals nieuws/titel-van-het-bericht; leeg laten om automatisch te kiezen.",
    "exclude": "Ids van items die niet in dit nummer mogen.",
    "alt": "Beschrijf wat er te zien is, voor wie de afbeelding niet kan zien.",
    "photos": "Foto's worden naast de fiche bewaard, in de map fotos/.",
    "last_reviewed": "Woonbeleidsinstrumenten worden elk half jaar nagekeken.",
    "phone": "Cijfers, spaties en + ( ) . / -, bv. +32 9 123 45 67.",
    "coordinates": "In decimale graden, bv. 50.9355 en 5.327.",
}


def label(name: str) -> str:
    """The Dutch label of field ``name``; the name itself when none is registered."""
    return LABELS.get(name, name)
