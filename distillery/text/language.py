"""Language id for prompts and answers: which texts are in a language their route does not serve.

Quarantining a customer's request because it names Tromsø and Zürich loses a good prompt, so a text is
quarantined only on clear evidence, and is otherwise kept and marked `unknown`:
1. Script. When most of a text's letters are in a script none of the route's languages is written in
   (Cyrillic, Arabic, Han, ... on an English route), it is quarantined, however short.
   Capitalised words (names, places) do not count as letters of their script, so a Chinese sentence naming
   Santiago de Compostela is still Chinese.
2. Language, for texts in a served script. lingua judges only the words that carry the language: words
   capitalised inside a sentence (names, places, German nouns), words with digits, addresses and
   placeholders are dropped, so "need 3 seats Tromsø to Zürich on 24 Jul" is judged on "need seats to
   on". Fewer than MIN_WORDS such words: unknown, kept. lingua's low accuracy mode (trigrams, several times
   faster) judges first; a short text (up to SHORT_WORDS words) it would quarantine or cannot call is judged
   again in high accuracy mode (low accuracy called "or which is closer to" German, 0.87). A foreign
   language is quarantined only when it beats the best served language by MARGIN; from LONG_WORDS words on,
   the FOREIGN_TOP likeliest foreign languages together must (Danish and Norwegian, Indonesian and Malay, Spanish
   and Catalan split a text's confidence between them; not all of them: lingua spreads a text it cannot place,
   "foo bar baz qux ...", thinly over every language it knows). A closer call is unknown, kept.
3. Words. A text to be quarantined is kept, unknown, when half or more of its words are everyday words of a
   served language, at least as frequent there as in the foreign one (wordfreq): "do you have gluten free pão
   de queijo", "the ćevapi were cold when they got here" are English with a dish's name in them.
lingua knows the languages it is given: besides the served ones, the seven commonest of the demo's region, 30 more
in Latin letters (LATIN_MORE: without them a Polish or Indonesian message read as Dutch or English and was kept;
docs/facts.md "Language: two held-out sets, and the languages lingua was not given") and one or more per other script.
"""

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

# Scripts of the languages lingua does not list by script (it lists Latin, Cyrillic, Arabic, Devanagari).
_SCRIPTS = {"el": {"GREEK"}, "he": {"HEBREW"}, "yi": {"HEBREW"}, "zh": {"HAN"}, "ja": {"HAN", "KANA"},
            "ko": {"HANGUL", "HAN"}, "th": {"THAI"}, "hy": {"ARMENIAN"}, "ka": {"GEORGIAN"}, "bn": {"BENGALI"},
            "ta": {"TAMIL"}, "te": {"TELUGU"}, "gu": {"GUJARATI"}, "pa": {"GURMUKHI"}}
# Loaded besides the served languages, so a text in another script gets a language name, not just a script.
_OTHER_SCRIPTS = ("ru", "uk", "bg", "ar", "fa", "he", "el", "zh", "ja", "ko", "hi", "th")
# Latin-script languages loaded besides COMMON: lingua names only languages it was given, and a message in one it
# was not (Polish, Indonesian, Czech) read as Dutch or English and was kept. Not lingua's Latin, Esperanto and the
# southern African languages, whose short words claimed English requests ("Guayaquil or Medellín: which is closer
# to Brno?" read as Yoruba).
LATIN_MORE = ("af", "az", "bs", "ca", "cs", "cy", "da", "et", "eu", "fi", "ga", "hr", "hu", "id", "is", "lt", "lv", "ms",
              "nb", "nn", "pl", "ro", "sk", "sl", "sq", "sv", "sw", "tl", "tr", "vi")
# Whitespace-delimited tokens without digits, @ or < (numbers, addresses, <PLACEHOLDERS> carry no language).
_PLAIN_TOKEN = re.compile(r"(?<!\S)[^\s\d@<]+(?!\S)")
_LETTERS = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_SENTENCE_END = (".", "!", "?", ":", ";", "\n")


@dataclass(frozen=True)
class Verdict:
    language: str  # ISO 639-1 code, or "unknown" when it cannot be told with confidence
    reason: str | None = None  # language:<code> when the text is quarantined


class LanguageCheck:
    """Language id with lingua on the user content of the routes that have a language list."""

    COMMON = ("en", "de", "fr", "es", "it", "pt", "nl")
    MARGIN = 0.5  # quarantine only when the foreign language beats the best served one by this much confidence
    MIN_WORDS = 4  # fewer language-carrying words than this: unknown (lingua guesses wildly on two words)
    SHORT_WORDS = 16  # up to this many, a doubtful low accuracy verdict is checked with the high accuracy models
    LONG_WORDS = 8  # from this many, the likeliest foreign languages' confidence counts together against the served
    FOREIGN_TOP = 3  # ... that many of them
    SERVED_WORDS_SHARE = 0.5  # this share of everyday words of a served language keeps a text (3. above)
    EVERYDAY_ZIPF = 3.0  # wordfreq's Zipf: once per million words
    FOREIGN_SCRIPT_SHARE = 0.5  # at least this share of the letters in scripts the route does not use

    def __init__(self, languages: dict[str, list[str]]):
        from lingua import LanguageDetectorBuilder

        self.keep = {route: {c.lower() for c in codes} for route, codes in languages.items() if codes}
        codes = sorted(set(self.COMMON).union(LATIN_MORE, _OTHER_SCRIPTS, *self.keep.values()))
        loaded = [_lingua_language(code) for code in codes]
        # Low accuracy mode (trigrams only) is several times faster and as good on long texts.
        self.detector = LanguageDetectorBuilder.from_languages(*loaded).with_low_accuracy_mode().build()
        self.precise = LanguageDetectorBuilder.from_languages(*loaded).build()
        self.scripts = {route: set().union(*(scripts_of(c) for c in codes)) for route, codes in self.keep.items()}
        self.counts: Counter = Counter()  # verdict language (or "unknown") -> texts judged, for the funnel

    def served(self, route: str) -> set[str] | None:
        return self.keep.get(route, self.keep.get("*"))

    def reasons(self, routes: list[str], texts: list[str]) -> list[str | None]:
        """Per text: None when it is kept (served, unknown, or unchecked), else `language:<iso>`."""
        return [v.reason if v else None for v in self.verdicts(routes, texts)]

    def verdicts(self, routes: list[str], texts: list[str]) -> list[Verdict | None]:
        """Per text: its Verdict, or None when its route has no language list."""
        out: list[Verdict | None] = [None] * len(texts)
        foreign_script, by_words = [], []
        for i, route in enumerate(routes):
            if not self.served(route):
                continue
            if self._foreign_script(route, texts[i]):
                foreign_script.append(i)
            else:
                by_words.append((i, evidence(texts[i])))
        for i, verdict in zip(foreign_script, self._name_foreign([texts[i] for i in foreign_script])):
            out[i] = verdict
        for i, words in by_words:
            if len(words) < self.MIN_WORDS:
                out[i] = Verdict("unknown")
        enough = [(i, w) for i, w in by_words if len(w) >= self.MIN_WORDS]
        values = self.detector.compute_language_confidence_values_in_parallel([" ".join(w) for _, w in enough])
        doubtful = []
        for (i, words), confidences in zip(enough, values):
            out[i] = self._judge(self.served(routes[i]), confidences, words)
            if (out[i].reason or out[i].language == "unknown") and len(words) <= self.SHORT_WORDS:
                doubtful.append((i, words))
        # Short texts the quick models doubt or would quarantine are judged again with all n-grams.
        values = self.precise.compute_language_confidence_values_in_parallel([" ".join(w) for _, w in doubtful])
        for (i, words), confidences in zip(doubtful, values):
            out[i] = self._judge(self.served(routes[i]), confidences, words)
        self.counts.update(v.language for v in out if v is not None)
        return out

    def _foreign_script(self, route: str, text: str) -> bool:
        if text.isascii():
            return "LATIN" not in self._route_scripts(route) and sum(c.isalpha() for c in text) >= 2
        counts = letters_by_script(text)
        total = sum(counts.values())
        foreign = sum(n for s, n in counts.items() if s not in self._route_scripts(route))
        return total > 0 and foreign >= 2 and foreign >= self.FOREIGN_SCRIPT_SHARE * total

    def _route_scripts(self, route: str) -> set[str]:
        return self.scripts.get(route, self.scripts.get("*", {"LATIN"}))

    def _name_foreign(self, texts: list[str]) -> list[Verdict]:
        """Texts in a script the route does not use: quarantined, named by lingua (or by the script)."""
        verdicts = []
        for text, confidences in zip(texts, self.detector.compute_language_confidence_values_in_parallel(texts)):
            top = confidences[0] if confidences and confidences[0].value > 0 else None
            code = top.language.iso_code_639_1.name.lower() if top else _main_script(text).lower()
            verdicts.append(Verdict(code, f"language:{code}"))
        return verdicts

    def _judge(self, served: set[str], confidences, words: list[str]) -> Verdict:
        """lingua's confidences for the text's language-carrying `words` -> kept, quarantined or unknown."""
        if not confidences or confidences[0].value <= 0:
            return Verdict("unknown")
        top = confidences[0]
        code = top.language.iso_code_639_1.name.lower()
        if code in served:
            return Verdict(code)
        mine = [v.value for v in confidences if v.language.iso_code_639_1.name.lower() in served]
        others = [v.value for v in confidences if v.language.iso_code_639_1.name.lower() not in served]
        foreign = sum(others[:self.FOREIGN_TOP]) if len(words) >= self.LONG_WORDS else top.value
        if foreign - max(mine, default=0.0) >= self.MARGIN and not self._served_words(words, served, code):
            return Verdict(code, f"language:{code}")
        return Verdict("unknown")

    def _served_words(self, words: list[str], served: set[str], foreign: str) -> bool:
        """SERVED_WORDS_SHARE or more of `words` are everyday words of a served language (Zipf EVERYDAY_ZIPF),
        at least as frequent there as in `foreign` (wordfreq, where it has the languages; else no word counts)."""
        known = _wordfreq_languages()
        langs = [WORDFREQ_CODES.get(c, c) for c in served if WORDFREQ_CODES.get(c, c) in known]
        other = WORDFREQ_CODES.get(foreign, foreign)
        if not langs:
            return False

        def served_word(word: str) -> bool:
            mine = max(_zipf(word, c) for c in langs)
            return mine >= self.EVERYDAY_ZIPF and mine >= (_zipf(word, other) if other in known else 0.0)

        return sum(map(served_word, words)) >= self.SERVED_WORDS_SHARE * len(words)


def letters_by_script(text: str) -> Counter:
    """Letters per script, leaving out runs that start with a capital (names and places: Santiago, Москва
    inside a sentence count for neither side), unless nothing else is left ("Москва" alone, "Привет")."""
    counts: Counter = Counter()
    everything: Counter = Counter()
    run_script, counted = None, False
    for c in text:
        if not c.isalpha():
            run_script = None
            continue
        s = script(c)
        if s != run_script:  # a new run: counted unless it starts with a capital
            run_script, counted = s, not c.isupper()
        if s is not None:
            everything[s] += 1
            if counted:
                counts[s] += 1
    return counts or everything


def evidence(text: str) -> list[str]:
    """The words of `text` that carry its language, lower-cased: no names or places (capitalised inside a
    sentence), nothing with digits, @ or ://, no placeholders; a sentence's first word only when it is plain
    ASCII ("Need", "Ich", "Je", not "Tromsø")."""
    words = []
    for m in _PLAIN_TOKEN.finditer(text):  # runs once per prompt: one regex pass, then cheap string tests
        token = m.group(0)
        if "://" in token:
            continue
        found = _LETTERS.search(token)
        if found is None:
            continue
        word = found.group(0)
        lower = word.lower()
        if word != lower and not (word.isascii() and word[1:] == lower[1:] and _sentence_starts(text, m.start())):
            continue  # a capital inside the word or the sentence: a name, a place, d'Isère, iPhone
        words.append(lower)
    return words


def _sentence_starts(text: str, i: int) -> bool:
    k = i - 1
    while k >= 0 and text[k] in " \t\"'(«¿¡":
        k -= 1
    return k < 0 or text[k] in _SENTENCE_END


@lru_cache(maxsize=8192)
def script(ch: str) -> str | None:
    """The Unicode script of a letter, from its character name: LATIN, CYRILLIC, HAN, KANA, ARABIC, ..."""
    try:
        first = unicodedata.name(ch).split(" ")[0]
    except ValueError:
        return None
    return {"CJK": "HAN", "HIRAGANA": "KANA", "KATAKANA": "KANA", "FULLWIDTH": "LATIN"}.get(first, first)


def scripts_of(code: str) -> set[str]:
    """The scripts a language is written in (ISO 639-1 code)."""
    from lingua import Language

    if code in _SCRIPTS:
        return _SCRIPTS[code]
    language = _lingua_language(code)
    found = {name for name, group in (("LATIN", Language.all_with_latin_script()),
                                      ("CYRILLIC", Language.all_with_cyrillic_script()),
                                      ("ARABIC", Language.all_with_arabic_script()),
                                      ("DEVANAGARI", Language.all_with_devanagari_script())) if language in group}
    return found or {"LATIN"}


# Language codes (lingua's ISO 639-1, Faker's locale prefixes) where wordfreq files the language under another:
# Tagalog as Filipino, Serbian, Croatian and Bosnian as one, Norwegian as Bokmål (tasks/sampling/pii/common_words.py
# reads it too)
WORDFREQ_CODES = {"tl": "fil", "hr": "sh", "bs": "sh", "sr": "sh", "nn": "nb", "no": "nb"}


@lru_cache(maxsize=1)
def _wordfreq_languages() -> frozenset[str]:
    from wordfreq import available_languages

    return frozenset(available_languages("small"))


@lru_cache(maxsize=65536)
def _zipf(word: str, lang: str) -> float:
    # wordfreq's small lists (Zipf 3 and over, 39 languages): its large ones hold ten times the words in memory
    from wordfreq import zipf_frequency

    return zipf_frequency(word, lang, wordlist="small")


def _main_script(text: str) -> str:
    counts = Counter(script(c) for c in text if c.isalpha())
    counts.pop(None, None)
    return counts.most_common(1)[0][0] if counts else "unknown"


def _lingua_language(code: str):
    from lingua import IsoCode639_1, Language

    try:
        return Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper()))
    except AttributeError:
        raise ValueError(f"sampling.languages: {code!r} is not an ISO 639-1 code lingua knows") from None
