"""Which language a guardian is written to in (docs/design.md §7, issue 10 item 5).

The account's own choice wins; before there is an account, the language the SIS records for the guardian
(Ed-Fi contact `languages`, or a OneRoster 1.2 producer's language column); English when neither is known or
the portal has no catalog for it. Pure: the caller passes the languages the portal supports.
"""

from __future__ import annotations

from typing import Collection

DEFAULT_LANGUAGE = "en"


def sis_language_code(value: str | None) -> str | None:
    """A SIS language value as the ISO 639-1 code the portal keys its catalogs by, or None.

    Accepts what producers send: ISO 639-1 ("es", "ES"), a BCP 47 tag ("es-MX", "es_US"), an ISO 639-2/3
    code ("spa", "eng"), an Ed-Fi descriptor URI ("uri://ed-fi.org/LanguageDescriptor#spa") or an English
    language name ("Spanish"). Anything else is None (unknown, not an error)."""
    if not value:
        return None
    text = value.strip()
    if "#" in text:  # Ed-Fi descriptor: the code value follows the '#'
        text = text.rsplit("#", 1)[1]
    text = text.replace("_", "-").split("-", 1)[0].strip().lower()
    if len(text) == 2 and text.isalpha():
        return text
    return _OTHER_FORMS.get(text)


# ISO 639-2/3 codes and English names of the languages US districts most often record (Ed-Fi's
# LanguageDescriptor uses ISO 639-3 code values).
_OTHER_FORMS = {
    "eng": "en", "english": "en",
    "spa": "es", "spanish": "es", "español": "es", "espanol": "es",
    "vie": "vi", "vietnamese": "vi",
    "zho": "zh", "chi": "zh", "cmn": "zh", "yue": "zh", "chinese": "zh", "mandarin": "zh", "cantonese": "zh",
    "ara": "ar", "arabic": "ar",
    "hat": "ht", "haitian": "ht", "haitian creole": "ht",
    "por": "pt", "portuguese": "pt",
    "kor": "ko", "korean": "ko",
    "rus": "ru", "russian": "ru",
    "som": "so", "somali": "so",
    "fra": "fr", "fre": "fr", "french": "fr",
    "tgl": "tl", "tagalog": "tl",
}


def language_for_guardian(account_language: str | None, sis_language: str | None,
                          supported: Collection[str], fallback: str = DEFAULT_LANGUAGE) -> str:
    """The language to write to a guardian in: the account's choice, else the SIS's (when supported), else
    `fallback` (English, or the language a guardian without an account asked in). `account_language` is None
    for a guardian without an account."""
    if account_language and account_language in supported:
        return account_language
    code = sis_language_code(sis_language)
    if code and code in supported:
        return code
    return fallback
