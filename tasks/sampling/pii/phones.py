"""Phone numbers of any region, with libphonenumber (`phonenumbers`) deciding validity.

With a broad region list nearly every 8- to 10-digit number is a valid phone number somewhere (Denmark,
Poland, India and Mexico have no trunk prefix; docs/facts.md "PII validators and lookalikes"), so validity
alone would scrub every order number. A
national-format number therefore also needs a sign that it is a phone: the shape people write phones in
(a parenthesised area code, 415-555-0132, pairs like 06 12 34 56 78), the trunk prefix 0 a region's
numbering plan requires followed by a separator (0171 2345678; a bare 0456789123 is as often a
zero-padded reference), or a word like "call", "Tel." or "Handy" just before it. A number written
internationally (+49 ..., 0049 ...) needs none of that: the + already says what it is.
"""

import re

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher

DEFAULT_REGIONS = ("US", "CA", "GB", "IE", "DE", "AT", "CH", "FR", "BE", "NL", "LU", "ES", "PT", "IT", "PL", "CZ",
                   "SE", "NO", "DK", "FI", "BR", "MX", "AR", "CO", "CL", "IN", "JP", "KR", "CN", "SG", "AU", "NZ",
                   "ZA", "TR", "IL", "AE")
_NANP = re.compile(r"(?:1[-. ])?(?:\(\d{3}\)\s?|\d{3}[-. ])\d{3}[-. ]\d{4}")
_AREA_IN_PARENS = re.compile(r"\(\d{2,5}\)")
_PAIRS = re.compile(r"\d{2,4}(?:[ .-]\d{2}){3,}")  # 06 12 34 56 78, 91 41 77 76, 0171 23 45 67
_TRUNK = re.compile(r"\(?0[1-9][\d()]*[ ./-]")  # 0171 2345678, 08-170 669 07; not a zero-padded 0456789123
# Words that announce a phone number, in the prompts' languages. Not bare "call", "text", "number": "the API
# call for order 4815162342" would make any 10-digit order number a phone (it is valid in India or Mexico).
_WORDS = re.compile(
    r"(?<!\w)(?:\w*phone\w*|tel|tél|tfn|telefo\w*|téléphone|teléfono|telemóvel|call (?:me|us|him|her|back)|"
    r"callback|calling from|called from|ring\w*|dial|cell|cellular|mobile|mob|fax|whatsapp|signal|sms|"
    r"text (?:me|us|him|her)|texted|reach|contact me|hotline|handy\w*|mobil\w*|gsm|anruf\w*|"
    r"ruf|rückruf\w*|erreichbar|portable|appel\w*|joindre|rappel\w*|móvil|movil|celular|llam\w*|llám\w*|cellulare|"
    r"chiam\w*|bel|bellen|ligue|ligar|liga|contato|contacto)(?!\w)")
_DATE = re.compile(r"(?:\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})|\d{4}[./-]\d{1,2}[./-]\d{1,2})(?:\D.*)?")


class Phones:
    def __init__(self, regions=DEFAULT_REGIONS, first: str = "US"):
        regions = tuple(r.upper() for r in regions)
        unknown = sorted(set(regions + (first.upper(),)) - phonenumbers.SUPPORTED_REGIONS)
        if unknown:
            raise ValueError(f"sampling.pii.phone_regions: {unknown} are not regions libphonenumber knows")
        # The configured home region first: a number valid there is read as its number.
        self.regions = (first.upper(), *[r for r in regions if r != first.upper()])
        self._cache: dict[tuple[str, bool], bool] = {}

    def is_phone(self, value: str, lowered: str, start: int, end: int) -> bool:
        """A digit run at text[start:end] (`lowered` is the whole text in lower case): a phone number?"""
        announced = bool(_WORDS.search(lowered[max(0, start - 32) : start]) or _WORDS.search(lowered[end : end + 12]))
        key = (value, announced)
        if key not in self._cache:  # amounts and dates repeat across rows; parsing is the slow part
            self._cache[key] = self._judge(value, announced)
        return self._cache[key]

    def _judge(self, value: str, announced: bool) -> bool:
        digits = re.sub(r"\D", "", value)
        if not 7 <= len(digits) <= 15:
            return False
        if value.startswith("(") and ")" not in value:
            value = value[1:]  # "(0140 199530)": the bracket is the sentence's
        separated = bool(re.search(r"[ .-]", value))
        if value.startswith("+"):
            return _international(value, possible_is_enough=True)
        if value.startswith("00"):  # 00 is the international prefix, and the start of zero-padded codes (EAN 0063...)
            return (announced or separated) and _international("+" + value[2:], possible_is_enough=separated)
        if _DATE.fullmatch(value):
            return False
        nanp = bool(_NANP.fullmatch(value))
        shaped = nanp or bool(_AREA_IN_PARENS.search(value) or _PAIRS.fullmatch(value))
        if (shaped or announced or _TRUNK.match(value)) and self._valid_somewhere(value):
            return True
        # A number unassigned today is still someone's phone when written as one: 555-013-2204 has no other reading.
        return (nanp or (shaped and announced)) and self._possible_somewhere(value)

    def _valid_somewhere(self, value: str) -> bool:
        """Valid in a configured region as written: PhoneNumberMatcher at VALID leniency also requires the
        national prefix where that region's numbering plan does (0171 ... in Germany, not 171 ...)."""
        return any(_matches(value, region, Leniency.VALID) for region in self.regions)

    def _possible_somewhere(self, value: str) -> bool:
        return any(_matches(value, region, Leniency.POSSIBLE) for region in self.regions)


def _matches(value: str, region: str, leniency) -> bool:
    for match in PhoneNumberMatcher(value, region, leniency=leniency):
        return len(re.sub(r"\D", "", match.raw_string)) == len(re.sub(r"\D", "", value))  # the whole run, not a part
    return False


def _international(value: str, possible_is_enough: bool) -> bool:
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return False
    if phonenumbers.is_valid_number(number):
        return True
    return possible_is_enough and phonenumbers.region_code_for_country_code(number.country_code) != "ZZ" \
        and phonenumbers.is_possible_number(number)
