"""Is a word a common word of some language? wordfreq's frequency lists (39 languages, from Wikipedia, subtitles,
books, news and the web) decide, so that a name list from one country cannot turn another language's everyday word
into a person: az_AZ's first name "Valid" ("Valid From"), vi_VN's "An" ("An Introduction To ..."), nl_BE's "El"
("El Salvador").

Used to be let in, a word must be rare in both the languages whose ordinary words are written with a capital
(English titles, "Valid From"; German nouns, "Kunde Nummer") and very rare as a word everywhere else (function
words: "An", "El", "Con"). Hand-written thresholds over a maintained list rather than a hand-written list of words:
docs/facts.md "PII: name lists of every Faker locale, filtered by wordfreq" measures what they let in and keep out.
"""

import math
from functools import lru_cache

# Zipf scale: log10 of a word's frequency per billion words (3 = once per million words, 5 = once per 10,000).
TITLE_CASE_LANGUAGES = ("en", "de")  # where everyday words are capitalised in running text (titles, nouns)
TITLE_CASE_ZIPF = 3.0
ANY_LANGUAGE_ZIPF = 5.0
# Chinese, Japanese and Korean words are never a capitalised run (and wordfreq needs jieba or MeCab, not installed,
# to look words up in them).
_UNSEGMENTED = ("zh", "ja", "ko")


def is_common(word: str) -> bool:
    """`word` (any case) is a common word: Zipf >= 3 in English or German, or >= 5 in any of wordfreq's languages."""
    return word.lower() in _common()


def zipf(word: str, languages: tuple[str, ...]) -> float:
    """`word`'s (any case) highest Zipf frequency in `languages`; 0 below Zipf 3, where the 'small' lists end."""
    key = word.lower()
    return max((math.log10(f) + 9 for lang in languages if (f := _frequencies(lang).get(key))), default=0.0)


@lru_cache(maxsize=None)
def _frequencies(lang: str) -> dict[str, float]:
    from wordfreq import get_frequency_dict

    return get_frequency_dict(lang, "small")


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    """Every word over its threshold, once per process (1 s). wordfreq's 'small' lists hold every word down to
    Zipf 3, all that the thresholds need."""
    from wordfreq import available_languages

    def over(lang: str, least_zipf: float) -> list[str]:
        least = 10 ** (least_zipf - 9)  # Zipf = log10(frequency per billion words)
        return [w for w, f in _frequencies(lang).items() if f >= least]

    languages = [lang for lang in available_languages("small") if lang not in _UNSEGMENTED]
    return frozenset(w for lang in languages for w in over(lang, TITLE_CASE_ZIPF if lang in TITLE_CASE_LANGUAGES else ANY_LANGUAGE_ZIPF))
