"""Is a word a common word of some language? wordfreq's frequency lists (39 of its 42 languages, from Wikipedia,
subtitles, books, news and the web) decide, so that a name list from one country cannot turn another language's
everyday word into a person: az_AZ's first name "Valid" ("Valid From"), vi_VN's "An" ("An Introduction To ..."),
nl_BE's "El" ("El Salvador").

A common word is frequent in a language whose ordinary words are written with a capital (English titles, "Valid
From"; German nouns, "Kunde Nummer"), or very frequent in any other (function words: "An", "El", "Esta"). A name is
a frequent word in its own language's text too ("lászló" is Zipf 5.5 in Hungarian, "mihai" 5.3 in Romanian), so a
list may leave its own language out of the second test. Hand-written thresholds over a
maintained list rather than a hand-written list of words: docs/facts.md "PII: the other locales' name lists, less
every language's common words" measures what they let in and keep out.
"""

import unicodedata
from functools import lru_cache

from distillery.text.language import WORDFREQ_CODES

# Zipf scale: log10 of a word's frequency per billion words (3 = once per million words, 5 = once per 10,000).
TITLE_CASE_LANGUAGES = ("en", "de")  # where everyday words are capitalised in running text (titles, nouns)
TITLE_CASE_ZIPF = 3.0
ANY_LANGUAGE_ZIPF = 5.0
# An everyday word of any language, as the addressee after a greeting may be ("Hola Equipo", "مرحبا بالجميع" are
# 5.5 and 3.7; "Ayub" 3.5, "رانيا" 3.8, "Тијана" 3.3; a name frequent in its own language is in a list)
EVERYDAY_ZIPF = 4.5
ZIPF_FLOOR = 3.0  # the least `zipf` reads (where wordfreq's small lists end): lower frequencies read as 0
# Chinese, Japanese and Korean words are never a capitalised run (and wordfreq needs jieba or MeCab, not installed,
# to look words up in them).
_UNSEGMENTED = ("zh", "ja", "ko")


def language(locale: str) -> str | None:
    """wordfreq's language for a Faker locale ("hu_HU" -> "hu", "hr_HR" -> "sh"), None where it has none (az, et)."""
    code = locale.split("_")[0]
    code = WORDFREQ_CODES.get(code, code)
    return code if code in _languages() else None


def is_common(word: str, own: str | None = None) -> bool:
    """`word` (any case) is a common word: Zipf >= 3 in English or German, or >= 5 in any other of wordfreq's
    languages but `own` (a name's own language)."""
    return is_title_word(word) or any(z >= ANY_LANGUAGE_ZIPF and lang != own for lang, z in _frequent_in().get(_key(word), ()))


def is_everyday(word: str) -> bool:
    """`word` (any case) is frequent (Zipf >= 3) in English or German, or >= 4.5 in any of wordfreq's languages."""
    return is_title_word(word) or _key(word) in _frequent_in()


def is_title_word(word: str) -> bool:
    """`word` (any case) is frequent (Zipf >= 3) in English or German, where titles and nouns are capitalised."""
    key = _key(word)
    return any(key in _over(lang, TITLE_CASE_ZIPF) for lang in TITLE_CASE_LANGUAGES)


@lru_cache(maxsize=1)
def _frequent_in() -> dict[str, tuple[tuple[str, float], ...]]:
    """word -> (language, Zipf) wherever it is at or over EVERYDAY_ZIPF: one lookup a word, for both tests."""
    found: dict[str, list[tuple[str, float]]] = {}
    for lang in _languages():
        for word, z in _over.__wrapped__(lang, EVERYDAY_ZIPF).items():  # (uncached: this dict holds them all)
            found.setdefault(word, []).append((lang, z))
    return {word: tuple(langs) for word, langs in found.items()}


def zipf(word: str, languages: tuple[str, ...]) -> float:
    """`word`'s (any case) highest Zipf frequency in `languages`; 0 below ZIPF_FLOOR."""
    key = _key(word)
    return max((_over(lang, ZIPF_FLOOR).get(key, 0.0) for lang in languages), default=0.0)


def _key(word: str) -> str:
    # wordfreq's keys are case-folded and NFC: "grüsse" for "Grüße", "λόγοσ" for "Λόγος" (lower() kept "ß" and the
    # final "ς", so neither was ever found); Turkish "İ" folds to "i" and a combining dot ("İslam")
    return unicodedata.normalize("NFC", word.casefold().replace("i\u0307", "i"))


@lru_cache(maxsize=1)
def _languages() -> tuple[str, ...]:
    from wordfreq import available_languages

    return tuple(lang for lang in sorted(available_languages("small")) if lang not in _UNSEGMENTED)


@lru_cache(maxsize=None)
def _over(lang: str, least_zipf: float) -> dict[str, float]:
    """word -> Zipf for `lang`'s words at or over `least_zipf`. Read from wordfreq's file, not through
    get_frequency_dict, which keeps every word of every language asked in memory (about 200 MB for the 39:
    docs/facts.md)."""
    from wordfreq import available_languages, read_cBpack

    buckets = read_cBpack(available_languages("small")[lang])  # bucket i: the words of Zipf 9 - i/100
    return {w: 9 - i / 100 for i, bucket in enumerate(buckets[: round((9 - least_zipf) * 100) + 1]) for w in bucket}
