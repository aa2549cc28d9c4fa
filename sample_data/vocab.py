"""Small hand-made lists of names, places and domains, per language and country (no Faker)."""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

FIRST_NAMES = {
    "en": "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard "
    "Susan Joseph Jessica Thomas Sarah Charles Karen Daniel Nancy Matthew Lisa Anthony Emily Mark Olivia "
    "Steven Hannah Paul Grace Kevin Chloe Brian Zoe Oliver Amelia Henry Isla Ethan Ava Noah Megan",
    "de": "Lukas Anna Leon Marie Felix Sophie Jonas Lena Paul Emma Maximilian Laura Finn Lea Elias Hannah "
    "Tim Julia Jan Katharina Moritz Sabine Stefan Ursula Wolfgang Petra Jürgen Birgit Uwe Heike",
    "fr": "Louis Camille Gabriel Léa Arthur Manon Jules Chloé Hugo Inès Lucas Jade Raphaël Louise Adam "
    "Zoé Théo Juliette Nathan Céline Pierre Sandrine Nicolas Isabelle François Nathalie Olivier Mathilde",
    "nl": "Daan Emma Sem Julia Lucas Tess Levi Sophie Finn Anna Milan Zoë Bram Lotte Thijs Fleur Jesse "
    "Sanne Ruben Eva Joost Marieke Pieter Ingrid Willem Femke Koen Anouk",
    "es": "Hugo Lucía Martín Sofía Pablo María Daniel Paula Alejandro Valeria Álvaro Carmen Javier Elena "
    "Diego Laura Sergio Marta Adrián Irene Raúl Nuria Carlos Pilar Jorge Rocío Iván Beatriz",
    "it": "Leonardo Sofia Francesco Giulia Alessandro Aurora Lorenzo Alice Mattia Ginevra Andrea Emma "
    "Gabriele Giorgia Riccardo Chiara Tommaso Beatrice Marco Elena Luca Federica Giuseppe Paola "
    "Davide Silvia Stefano Valentina",
    "pt": "Miguel Helena Arthur Alice Gael Laura Heitor Valentina Theo Manuela Davi Júlia Gabriel Sophia "
    "Bernardo Isabela Samuel Beatriz Rafael Luiza Pedro Mariana Lucas Fernanda Mateus Camila",
}

LAST_NAMES = {
    "en": "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore Martin "
    "Jackson Thompson White Harris Clark Lewis Robinson Walker Young Allen King Wright Scott Green Baker "
    "Adams Nelson Hill Campbell Mitchell Roberts Carter Phillips Evans Turner Parker Collins Edwards "
    "Stewart Morris Murphy Cook Rogers Morgan Cooper Hughes Kelly O'Brien Walsh Byrne Ryan Patel Khan",
    "de": "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch Bauer "
    "Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann Lange Werner "
    "Krause Lehmann Köhler Maier",
    "fr": "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefebvre "
    "Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard André Lefèvre Mercier Dupont "
    "Lambert Bonnet François Martinez",
    "nl": "de Jong|Jansen|de Vries|van den Berg|van Dijk|Bakker|Janssen|Visser|Smit|Meijer|de Boer|Mulder|"
    "de Groot|Bos|Vos|Peters|Hendriks|van Leeuwen|Dekker|Brouwer|de Wit|Dijkstra|Smits|de Graaf|"
    "van der Meer|Kok|Jacobs|de Haan",
    "es": "García Rodríguez González Fernández López Martínez Sánchez Pérez Gómez Martín Jiménez Ruiz "
    "Hernández Díaz Moreno Muñoz Álvarez Romero Alonso Gutiérrez Navarro Torres Domínguez Vázquez "
    "Ramos Gil Ramírez Serrano Blanco Molina",
    "it": "Rossi|Russo|Ferrari|Esposito|Bianchi|Romano|Colombo|Ricci|Marino|Greco|Bruno|Gallo|Conti|"
    "De Luca|Mancini|Costa|Giordano|Rizzo|Lombardi|Moretti|Barbieri|Fontana|Santoro|Mariani|Rinaldi|"
    "Caruso|Ferrara|Galli|Martini|Leone",
    "pt": "Silva Santos Oliveira Souza Rodrigues Ferreira Alves Pereira Lima Gomes Costa Ribeiro Martins "
    "Carvalho Almeida Lopes Soares Fernandes Vieira Barbosa Rocha Dias Nascimento Andrade Moreira",
}


def _names(text: str) -> tuple[str, ...]:
    """Names separated by spaces, or by `|` when some have several words ("van den Berg")."""
    return tuple(text.split("|") if "|" in text else text.split())


FIRST = {lang: _names(text) for lang, text in FIRST_NAMES.items()}
LAST = {lang: _names(text) for lang, text in LAST_NAMES.items()}

STREETS = {
    "en_us": (
        "{n} {w} {t}",
        "Oak Maple Cedar Pine Elm Washington Lake Hill Park Main Sunset Highland "
        "Church Market Mission Valencia Spruce Walnut Lincoln Jefferson",
        "St Ave Rd Blvd Ln Dr Ct",
    ),
    "en_gb": (
        "{n} {w} {t}",
        "High Station Church Victoria Park Mill Queen's King's Albert Manor "
        "Grange Chestnut Beech Willow Orchard",
        "Road Street Lane Avenue Close Gardens Crescent",
    ),
    "de": (
        "{w}{t} {n}",
        "Linden Haupt Garten Schiller Goethe Bahnhof Kirch Wald Rosen Birken Berg Mozart Eichen",
        "straße weg allee ring",
    ),
    "fr": (
        "{n} {t} {w}",
        "de la République|Victor Hugo|des Lilas|du Moulin|Jean Jaurès|de la Gare|"
        "Pasteur|des Écoles|Voltaire|de la Paix",
        "rue avenue boulevard place",
    ),
    "nl": (
        "{w}{t} {n}",
        "Kerk Dorp School Molen Prinsen Keizers Heren Linden Stations Beuken",
        "straat weg laan gracht",
    ),
    "es": (
        "{t} {w}, {n}",
        "Mayor|del Sol|de Alcalá|de la Paz|Real|San Juan|Nueva|de Serrano|del Prado",
        "Calle Avenida Paseo",
    ),
    "it": (
        "{t} {w}, {n}",
        "Roma|Garibaldi|Mazzini|Dante|Verdi|Cavour|Vittorio Emanuele|Marconi|Manzoni",
        "Via Corso Piazza",
    ),
    "pt": (
        "{t} {w}, {n}",
        "das Flores|Augusta|XV de Novembro|da Consolação|São João|Sete de Setembro",
        "Rua Avenida",
    ),
}


@dataclass(frozen=True)
class Place:
    """A city with its region, postal-code pattern (# digit, @ letter) and landline area codes."""

    city: str
    region: str
    postal: str
    areas: tuple[str, ...]
    weight: float


@dataclass(frozen=True)
class Country:
    """A country: share of customers, language, street style, currency, email domains and places."""

    code: str
    weight: float
    lang: str
    street: str
    currency: str
    domains: tuple[str, ...]
    places: tuple[Place, ...]

    @property
    def place_weights(self) -> list[float]:
        """How customers spread over the places."""
        return [p.weight for p in self.places]


# code, share of customers, language, street style, currency, email domains. BR and AU are countries no
# policy has rules for (unknown_jurisdiction).
_COUNTRIES = (
    "US 34 en en_us USD gmail.com yahoo.com outlook.com icloud.com aol.com comcast.net",
    "GB 12 en en_gb GBP gmail.com hotmail.co.uk btinternet.com yahoo.co.uk outlook.com",
    "DE 12 de de EUR gmx.de web.de t-online.de gmail.com posteo.de",
    "FR 9 fr fr EUR orange.fr free.fr gmail.com laposte.net sfr.fr",
    "NL 5 nl nl EUR ziggo.nl kpnmail.nl gmail.com hotmail.nl xs4all.nl",
    "IE 3 en en_gb EUR eircom.net gmail.com hotmail.com yahoo.ie",
    "ES 6 es es EUR gmail.com hotmail.es yahoo.es telefonica.net",
    "IT 6 it it EUR libero.it gmail.com virgilio.it tiscali.it alice.it",
    "CA 8 en en_us CAD gmail.com rogers.com videotron.ca shaw.ca sympatico.ca",
    "BR 0.5 pt pt BRL gmail.com uol.com.br bol.com.br",
    "AU 0.3 en en_gb AUD gmail.com bigpond.com outlook.com",
)


@functools.cache
def countries() -> tuple[Country, ...]:
    """Every country with its places (read once from places.csv next to this module)."""
    places: dict[str, list[Place]] = {}
    with (Path(__file__).parent / "places.csv").open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            place = Place(row["city"], row["region"], row["postal_pattern"], tuple(row["area_codes"].split()),
                          float(row["weight"]))  # fmt: skip
            places.setdefault(row["country"], []).append(place)
    out = []
    for line in _COUNTRIES:
        code, weight, lang, street, currency, *domains = line.split()
        out.append(Country(code, float(weight), lang, street, currency, tuple(domains), tuple(places[code])))
    return tuple(out)


def country(code: str) -> Country:
    """One country by ISO code."""
    return next(c for c in countries() if c.code == code)


RULED_COUNTRIES = frozenset({"DE", "FR", "NL", "IE", "ES", "IT", "GB", "US", "CA"})
# Québec customers speak French.
QUEBEC_LANG = "fr"

WORK_DOMAINS = (
    "brightwater-eng.com",
    "kestrel-analytics.com",
    "meridianhealth.org",
    "novak-partners.de",
    "atelier-lumen.fr",
    "harbourline.co.uk",
    "vantage-logistics.com",
    "delta-pharma.it",
    "groenveld-bouw.nl",
    "solano-consulting.es",
    "northgate-law.ie",
    "maple-ridge-tech.ca",
    "summitfinancial.com",
    "bluefin-media.com",
    "orbit-software.io",
)

# The company whose source systems these are (RFC 2606 example domain).
COMPANY = {"name": "Larkspur Outfitters", "domain": "larkspur.example"}

TRANSLIT = str.maketrans({"ß": "ss", "ø": "o", "æ": "ae", "'": "", " ": ""})
