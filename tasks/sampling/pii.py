"""PII scrubbing: typed placeholders for emails, phone numbers, payment cards, IBANs and person names.

Runs before anything is stored in a run folder or sent to a teacher. Each detector is a cheap regex
for candidates plus a maintained validator where one exists, so invoice numbers and dates are not
mistaken for phones or cards:
- phone: `phonenumbers` (Google's libphonenumber) must call the candidate a valid number;
- card: Luhn check from `python-stdnum` (or the unmistakable 4-4-4-4 grouping);
- iban: ISO 13616 check digits from `python-stdnum`;
- person: first- and last-name gazetteers built from Faker's name lists (about 5,000 first names in
  17 locales): a known first name followed by a capitalised surname, a known name after a greeting
  or sign-off, or a capitalised name after a strong cue ("my name is",
  "regards,", "attn:"). presidio would need a spaCy model that cannot be downloaded here.
"""

import importlib
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

PLACEHOLDER = {"email": "<EMAIL>", "phone": "<PHONE>", "card": "<CARD>", "iban": "<IBAN>", "person": "<PERSON>"}
ORDER = ("email", "iban", "card", "phone", "person")  # cards before phones: a card number can parse as a phone

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b")
_CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")
_CARD_GROUPED = re.compile(r"(?<!\d)\d{4}([ -])\d{4}\1\d{4}\1\d{4}(?!\d)")
_PHONE = re.compile(r"(?<![\w+])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d[\d .-]{5,}\d(?![\w])")
_NAME = r"[A-Z][a-z]+(?:[-'][A-Z][a-z]+)?"
_PAIR = re.compile(rf"\b({_NAME}) ({_NAME})\b")
_STRONG_CUE = re.compile(
    rf"\b(?i:my name is|i am|i'm|ask for|attn:?|regards,?|sincerely,?|signed,?|contact:)\s+({_NAME}(?: {_NAME})?)")
_WEAK_CUE = re.compile(rf"\b(?i:thanks,|thank you,|cheers,|best,|dear|hi|hello)\s+({_NAME}(?: {_NAME})?)\b")
# Capitalised words that are also first names somewhere but far more often something else in tickets.
_NOT_NAMES = {"May", "June", "Mark", "Will", "Bill", "Grace", "Chase", "Austin", "Florence", "Victoria", "Jordan",
              "Chelsea", "Madison", "Carolina", "Georgia", "Virginia", "Santiago", "My", "Our", "Best",
              "Please", "Thanks", "Team", "Hope", "Page", "Sunday", "Monday", "Friday", "Dashboard", "Billing"}
_FAKER_LOCALES = ("en_US", "en_GB", "en_IN", "de_DE", "fr_FR", "es_ES", "it_IT", "pl_PL", "nl_NL", "pt_BR",
                  "sv_SE", "tr_TR", "ru_RU", "hi_IN", "ja_JP", "zh_CN", "ar_AA")


@lru_cache(maxsize=2)
def gazetteer(kind: str) -> frozenset[str]:
    """ASCII first (kind='first') or last (kind='last') names from Faker's person providers, romaji included."""
    names: set[str] = set()
    for locale in _FAKER_LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attr in dir(provider):
            if not (attr.startswith(f"{kind}_") and "name" in attr):
                continue
            values = getattr(provider, attr)
            if not isinstance(values, (list, tuple, dict)):
                continue
            for v in values:  # ja_JP keeps (kanji, kana, romaji) tuples
                names.update(x for x in (v if isinstance(v, tuple) else (v,))
                             if isinstance(x, str) and x.isascii() and x.isalpha() and x[:1].isupper())
    return frozenset(names - _NOT_NAMES)


@dataclass
class Scrubber:
    detectors: tuple[str, ...] = ORDER
    phone_region: str = "US"
    hits: Counter = field(default_factory=Counter)  # detector -> placeholders inserted so far

    def scrub(self, text: str) -> str:
        """Replace every detected PII span in `text` with its typed placeholder; count hits per detector."""
        for kind in ORDER:
            if kind in self.detectors:
                text = getattr(self, f"_{kind}")(text)
        return text

    def _sub(self, kind: str, pattern: re.Pattern, text: str, accept=lambda m: True, group: int = 0) -> str:
        def repl(m: re.Match) -> str:
            if not accept(m):
                return m.group(0)
            self.hits[kind] += 1
            start, end = m.span(group)
            return m.group(0)[: start - m.start()] + PLACEHOLDER[kind] + m.group(0)[end - m.start():]

        return pattern.sub(repl, text)

    def _email(self, text: str) -> str:
        return self._sub("email", _EMAIL, text) if "@" in text else text

    def _iban(self, text: str) -> str:
        from stdnum import iban

        # Only the ISO 7064 mod-97 check: national check digits vary by bank and would let real IBANs through.
        return self._sub("iban", _IBAN, text, lambda m: iban.is_valid(m.group(0), check_country=False))

    def _card(self, text: str) -> str:
        from stdnum import luhn

        text = self._sub("card", _CARD_GROUPED, text)
        return self._sub("card", _CARD, text, lambda m: luhn.is_valid(re.sub(r"\D", "", m.group(0))))

    def _phone(self, text: str) -> str:
        import phonenumbers

        def valid(m: re.Match) -> bool:
            digits = re.sub(r"\D", "", m.group(0))
            if not 7 <= len(digits) <= 15:
                return False
            try:
                return phonenumbers.is_valid_number(phonenumbers.parse(m.group(0), self.phone_region))
            except phonenumbers.NumberParseException:
                return False

        return self._sub("phone", _PHONE, text, valid)

    def _person(self, text: str) -> str:
        first, last = gazetteer("first"), gazetteer("last")

        def known(name: str) -> bool:
            parts = name.split(" ")
            return parts[0] in first or (len(parts) == 2 and parts[1] in last)

        text = self._sub("person", _STRONG_CUE, text, group=1)
        # After a greeting or sign-off ("Dear Acme Cloud" is not a person): a known first or last name.
        text = self._sub("person", _WEAK_CUE, text, lambda m: known(m.group(1)), group=1)
        return self._sub("person", _PAIR, text, lambda m: m.group(1) in first)
