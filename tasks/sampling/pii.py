"""PII scrubbing: typed placeholders for emails, IP addresses, phone numbers, payment cards, IBANs and person names.

Runs before anything is stored in a run folder or sent to a teacher. Each detector is a cheap regex
for candidates plus a maintained validator where one exists, so invoice numbers and dates are not
mistaken for phones or cards:
- ip: IPv4 and IPv6 candidates that the standard library's `ipaddress` parses (a user's address is personal
  data under the GDPR; a version string like 1.2.3 has three parts and is left alone);
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

PLACEHOLDER = {"email": "<EMAIL>", "ip": "<IP>", "phone": "<PHONE>", "card": "<CARD>", "iban": "<IBAN>",
               "person": "<PERSON>"}
ORDER = ("email", "ip", "iban", "card", "phone", "person")

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Dotted quads, and colon-separated hex groups with at least two colons (IPv6, :: shorthand included);
# `ipaddress` then decides, so 999.1.1.1 or a 10:30:00 time stay.
_IP = re.compile(r"(?<![\w.:])(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7})(?![\w.:])")
# Everything else is found as a candidate (a run of digits and separators, optionally after two capital
# letters) and classified in Python: one cheap scan instead of a regex alternative per kind.
_CANDIDATE = re.compile(r"(?<![\w+])(?:[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?|\+?\(?\d[\d .()-]{5,}\d)(?!\w)")
_IBAN = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9 ]+")
_CARD_GROUPED = re.compile(r"\d{4}([ -])\d{4}\1\d{4}\1\d{4}")  # 4-4-4-4 is a card even without a valid Luhn digit
_NAME = re.compile(r"\b[A-Z][a-z]+(?:[-'][A-Z][a-z]+)?\b")
_CUE_AT_END = re.compile(r"(?:\b(my name is|i am|i'm|ask for|attn:?|regards,?|sincerely,?|signed,?|contact:|thanks,|thank you,"
                         r"|cheers,|best,)|\b(dear|hi|hello))\s*$")
_CUE_WORDS = ("name is", "i am", "i'm", "ask for", "attn", "regards", "sincerely", "signed", "contact:", "thanks,",
              "thank you,", "cheers,", "best,", "dear", "hi ", "hello")
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

    def __post_init__(self):
        self._phone_cache: dict[str, bool] = {}

    def scrub(self, text: str) -> str:
        """Replace every detected PII span in `text` with its typed placeholder; count hits per detector."""
        if "email" in self.detectors and "@" in text:
            text = _EMAIL.sub(lambda m: self._hit("email"), text)
        if "ip" in self.detectors and ("." in text or ":" in text):
            text = _IP.sub(self._ip, text)
        if {"iban", "card", "phone"} & set(self.detectors):
            text = _CANDIDATE.sub(self._classify, text)
        if "person" in self.detectors:
            text = self._people(text)
        return text

    def _hit(self, kind: str) -> str:
        self.hits[kind] += 1
        return PLACEHOLDER[kind]

    def _ip(self, m: re.Match) -> str:
        import ipaddress

        value = m.group(0)
        if value.count(":") >= 2 and not re.search(r"[0-9A-Fa-f]", value):
            return value  # a run of colons, not an address
        try:
            ipaddress.ip_address(value)
        except ValueError:
            return value
        return self._hit("ip")

    def _classify(self, m: re.Match) -> str:
        value = m.group(0)
        if value[0].isalpha():
            from stdnum import iban

            # Only the ISO 7064 mod-97 check: national check digits vary by bank and would let real IBANs through.
            ok = "iban" in self.detectors and _IBAN.fullmatch(value) and iban.is_valid(value, check_country=False)
            return self._hit("iban") if ok else value
        digits = re.sub(r"\D", "", value)
        if "card" in self.detectors and 13 <= len(digits) <= 19 and "(" not in value and not value.startswith("+"):
            from stdnum import luhn

            if _CARD_GROUPED.fullmatch(value) or luhn.is_valid(digits):
                return self._hit("card")
        if "phone" in self.detectors and 7 <= len(digits) <= 15 and self._is_phone(value):
            return self._hit("phone")
        return value

    def _is_phone(self, value: str) -> bool:
        if value not in self._phone_cache:  # dates and amounts repeat across rows; parsing is the slow part
            import phonenumbers

            try:
                self._phone_cache[value] = phonenumbers.is_valid_number(phonenumbers.parse(value, self.phone_region))
            except phonenumbers.NumberParseException:
                self._phone_cache[value] = False
        return self._phone_cache[value]

    def _people(self, text: str) -> str:
        """Capitalised words, walked left to right: after a strong cue ("my name is", a sign-off) any name,
        after a greeting a known first or last name ("Dear Acme Cloud" is no person), elsewhere a known
        first name followed by a surname."""
        words = list(_NAME.finditer(text))
        if not words:
            return text
        first, last = gazetteer("first"), gazetteer("last")
        lowered = text.lower()
        cues = any(c in lowered for c in _CUE_WORDS)
        spans, k = [], 0
        while k < len(words):
            w = words[k]
            nxt = words[k + 1] if k + 1 < len(words) and text[w.end() : words[k + 1].start()] == " " else None
            name = w.group(0)
            cue = _cue(lowered[max(0, w.start() - 14) : w.start()]) if cues else None
            if cue == "strong" or (cue == "weak" and (name in first or (nxt is not None and nxt.group(0) in last))) \
                    or (nxt is not None and name in first):
                spans.append((w.start(), nxt.end() if nxt is not None else w.end()))
                k += 2 if nxt is not None else 1
            else:
                k += 1
        for start, end in reversed(spans):
            text = text[:start] + PLACEHOLDER["person"] + text[end:]
        self.hits["person"] += len(spans)
        return text


def _cue(before: str) -> str | None:
    m = _CUE_AT_END.search(before)
    return None if m is None else ("strong" if m.group(1) else "weak")
