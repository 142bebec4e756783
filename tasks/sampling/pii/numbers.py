"""Digit runs: IBANs, payment cards, national identifiers and phone numbers, told apart by their validators.

One cheap scan finds candidates (a run of digits and separators, or two capitals and two digits for an
IBAN); each is classified in Python, most specific validator first: IBAN (ISO 7064 mod 97), national id
(python-stdnum), card (Luhn, or the unmistakable 4-4-4-4 grouping), phone (libphonenumber). A run that
fails them all as a whole ("SSN 123-45-6789 415-555-0132" is one run) is tried again piece by piece.
"""

import re
from collections.abc import Callable

from stdnum import ean, iban, luhn

from tasks.sampling.pii.national_ids import NationalIds
from tasks.sampling.pii.phones import Phones

# The run may end before a phone extension (415-555-0132x204, "x204" stays: useless without the number).
_CANDIDATE = re.compile(r"(?<![\w+])(?:[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?|\+?\(?\d[\d .()-]{5,}\d)"
                        r"(?:(?!\w)|(?=x\d))")
_IBAN = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9 ]+")
_CARD_GROUPED = re.compile(r"\d{4}([ -])\d{4}\1\d{4}\1\d{4}")
# How card numbers are written: one run, groups of four (the last may be shorter), or Amex's 4-6-5.
_CARD_SHAPE = re.compile(r"\d{12,19}|\d{4}(?:([ -])\d{4}){2,3}(?:\1\d{1,4})?|\d{4}([ -])\d{6}\2\d{4,5}")
_CARD_WORDS = re.compile(r"(?i)(?<!\w)(?:card|karte\w*|\w*karte|carte|tarjeta|carta|kaart|cartão|cartao|visa|mastercard|"
                         r"maestro|amex|cb)(?!\w)")
_PIECE = re.compile(r"\S+")
# A phone's extension goes with it: "x204" means nothing alone, but it is part of the number.
_EXTENSION = re.compile(r"(?<=<PHONE>)\s?(?:x|ext\.?|extension|durchwahl|poste)\s?\d{1,6}\b", re.I)


class Numbers:
    def __init__(self, detectors: set[str], ids: NationalIds, phones: Phones):
        self.detectors, self.ids, self.phones = detectors, ids, phones

    def scrub(self, text: str, hit: Callable[[str], str]) -> str:
        page = (text, text.lower())  # the words around a number decide some cases; searched in either case
        text = _CANDIDATE.sub(lambda m: self._classify(m.group(0), page, m.start(), hit), text)
        return _EXTENSION.sub("", text) if "<PHONE>" in text else text

    def _classify(self, value: str, page: tuple[str, str], start: int, hit) -> str:
        kind = self._kind(value, page, start)
        if kind:
            return hit(kind)
        if " " not in value:
            return value
        # Two numbers side by side: judge each space-separated piece on its own.
        return _PIECE.sub(lambda m: hit(k) if (k := self._kind(m.group(0), page, start + m.start())) else m.group(0),
                          value)

    def _kind(self, value: str, page: tuple[str, str], start: int) -> str | None:
        (text, lowered), end = page, start + len(value)
        if value[0].isalpha():
            # Only the ISO 7064 mod-97 check: national check digits vary by bank and would let real IBANs through.
            ok = "iban" in self.detectors and _IBAN.fullmatch(value) and iban.is_valid(value, check_country=False)
            return "iban" if ok else None
        if "national_id" in self.detectors and self.ids.classify(value, text, start, end):
            return "national_id"
        digits = re.sub(r"\D", "", value)
        if "card" in self.detectors and _is_card(value, digits, lowered[max(0, start - 32) : start]):
            return "card"
        if "phone" in self.detectors and self.phones.is_phone(value, lowered, start, end):
            return "phone"
        return None


def _is_card(value: str, digits: str, before: str) -> bool:
    """Luhn-valid and written like a card. Two lookalikes need a word naming a card before them: a 12-digit
    number (Maestro; one random 12-digit reference in ten passes Luhn) and a 13-digit one that is also a valid
    barcode (EAN-13/ISBN-13, which pass Luhn one time in ten; 13-digit Visa numbers are rare)."""
    if not 12 <= len(digits) <= 19 or not _CARD_SHAPE.fullmatch(value):
        return False
    if _CARD_GROUPED.fullmatch(value):
        return True
    if not luhn.is_valid(digits):
        return False
    lookalike = len(digits) == 12 or (len(digits) == 13 and ean.is_valid(digits))
    return not lookalike or bool(_CARD_WORDS.search(before))
