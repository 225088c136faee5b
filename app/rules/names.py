"""The form a person's name is searched in (the staff console, the audit log's person filter): a school office
clerk typing "Nunez" finds "Núñez", "Jose" finds "José", "OBrien" or "O Brien" finds "O'Brien" and "O’Brien"
(the typographic apostrophe SIS exports and phones write), "Smith Jones" finds "Smith-Jones".

`search_key` folds, the same on the stored name and on what is typed:
- compatibility forms and case: Unicode NFKD, then `str.casefold` (so "ß" and "ẞ" read "ss", "ﬁ" reads "fi",
  full-width "Ａｎａ" reads "ana"), then NFKD again, after Unicode's compatibility caseless match (D145);
- accents: every nonspacing mark (category Mn) the decomposition leaves is dropped ("ñ", "é", "ü" and
  Vietnamese "ễ" read "n", "e", "u", "e"; already decomposed text folds alike; Arabic and Hebrew vowel marks
  go too, as names are mostly typed without them);
- the Latin letters that do not decompose, by their usual plain spelling: "ø" "o", "ł" "l", "æ" "ae", "œ" "oe",
  "đ" and "ð" "d", "þ" "th", "ħ" "h", dotless "ı" "i";
- everything between the letters: spaces, apostrophes (' ’ and the modifier letters ʼ ʻ ʾ ʿ used as one in
  Ukrainian, Hawaiian and transliterated Arabic names), hyphens, periods, other punctuation, symbols, the
  Arabic tatweel and invisible format characters (zero-width joiners, directional marks). Only letters,
  digits and spacing marks stay, so the key has no space and no LIKE wildcard (% _ \\) in it.

A name in any script keeps its letters: an Arabic, Hebrew, Chinese or Cyrillic name's key is that name's
letters, which still match themselves. Dropping marks in every script means a search may find more than was
typed (Thai and Devanagari write some vowels as marks; Japanese "ガ" reads "カ"), never less. It is a fold,
not a transliteration: "Mueller" does not find "Müller".

The key is stored (`person.name_key`, written by every writer of a person's name through `person_name_key`)
so a search is one LIKE on one column, alike on SQLite and PostgreSQL. A change to what is folded here needs
a migration that writes every stored key again (as piccolo_migrations/…t09_00_01…_name_key.py does).
Pure: no I/O."""

from __future__ import annotations

import unicodedata

_PLAIN_LETTERS = str.maketrans({"ø": "o", "ł": "l", "æ": "ae", "œ": "oe", "đ": "d", "ð": "d", "þ": "th",
                                "ħ": "h", "ı": "i"})
# Modifier letters (category Lm) written as apostrophes, and the tatweel (a stretch in Arabic script, also Lm).
_NOT_LETTERS = frozenset("\u02b9\u02bb\u02bc\u02bd\u02be\u02bf\u0640")


def search_key(text: str) -> str:
    """`text` folded for matching names (the module's docstring says what is folded and why)."""
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    return "".join(c for c in folded.translate(_PLAIN_LETTERS) if _kept(c))


def _kept(character: str) -> bool:
    category = unicodedata.category(character)
    return (category[0] in "LN" and character not in _NOT_LETTERS) or category == "Mc"


def person_name_key(given_name: str, family_name: str) -> str:
    """What `person.name_key` holds: the given and family name as one key (a typed word may be in either)."""
    return search_key(f"{given_name} {family_name}")
