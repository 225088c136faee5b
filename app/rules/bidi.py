"""Text from a SIS or a family kept in its own direction where the portal writes it inside its own words
(issue 13, a tester's find): a course title, a school, a name or an absence reason with a right-to-left
override (U+202E) and no end to it turned the rest of the line around ("Period 2: <title>, room 12" read
"21 moor ,..."), and Arabic or Hebrew text next to a number or punctuation took them into its own run.

The value is wrapped in FIRST STRONG ISOLATE (U+2068) ... POP DIRECTIONAL ISOLATE (U+2069), the plain-text
form of HTML's <bdi> (Unicode UAX #9, X5c and X6a: the isolate ends every embedding and override opened in
it), so it works where <bdi> cannot: attribute values, <title>, <option>, plain-text email. Only text
that needs it is wrapped: what has a right-to-left letter or a directional formatting character; the rest
(all Latin, Greek, Cyrillic, CJK text) is given back as it was. Never use it on a value that goes back to
the server (a form field's value, a URL): the two characters would be kept with it.

What is wrapped is only what the portal writes in its own sentences; a value alone in a table cell, a
heading, an option or a staff search result is not, and the embeddings and overrides themselves are what
turn text around there. So they never come in: the importers (CSV and Ed-Fi) and the forms take them out
of what they read (`without_directional_controls`), with a warning in an import's report. The marks
(LRM, RLM, ALM) stay: they change nothing beyond their own place, and right-to-left text uses them.
Pure: no I/O."""

from __future__ import annotations

import re
import unicodedata

FIRST_STRONG_ISOLATE = "\u2068"
POP_DIRECTIONAL_ISOLATE = "\u2069"

# Right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, NKo, Samaritan, Mandaic, Arabic supplements and
# presentation forms, and the supplementary planes' RTL blocks) and the directional formatting characters
# (ALM, LRM, RLM, LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI).
_NEEDS_ISOLATING = re.compile(
    "[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\U00010800-\U00010fff\U0001e800-\U0001efff"
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


# The explicit directional embeddings, overrides and isolates (LRE, RLE, PDF, LRO, RLO; LRI, RLI, FSI, PDI).
_DIRECTIONAL_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def without_directional_controls(text: str) -> str:
    """`text` without U+202A-U+202E and U+2066-U+2069 (the same text when it has none)."""
    if text.isascii():
        return text
    return _DIRECTIONAL_CONTROLS.sub("", text)


# Line and paragraph breaks, tabs and other control characters (C0, DEL, C1, U+2028, U+2029): a paragraph
# break ends an isolate early, a line break in a title puts a paragraph of its own into a text email, and a
# tab in a name is a keyboard's slip.
_BREAKS_AND_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    """`text` with each line break (a Windows CRLF is one), tab or control character made a space."""
    return _BREAKS_AND_CONTROLS.sub(" ", text.replace("\r\n", " "))


# What a person may type in a form's text box: everything but control characters (tab and line ends stay).
_TYPED_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def as_typed_text(text: str) -> str:
    """A form's value without control characters (but tab and line ends) nor directional controls; U+2028 and
    U+2029 as line ends; in Unicode's composed form (NFC). What family and staff type is shown to others and
    mailed, and searched for."""
    if text.isascii() and text.isprintable():
        return text
    text = _TYPED_CONTROLS.sub("", text).replace("\u2028", "\n").replace("\u2029", "\n")
    return unicodedata.normalize("NFC", without_directional_controls(text))  # one way to write "José"


def has_breaks_or_controls(text: str) -> bool:
    return _BREAKS_AND_CONTROLS.search(text) is not None


def isolated(value):
    """`value` wrapped in U+2068 ... U+2069 when it is text (a `str`, not Markup: markup is the portal's own)
    with a right-to-left letter or a directional formatting character; anything else as it was."""
    if type(value) is str and not value.isascii() and _NEEDS_ISOLATING.search(value):
        return FIRST_STRONG_ISOLATE + value + POP_DIRECTIONAL_ISOLATE
    return value
