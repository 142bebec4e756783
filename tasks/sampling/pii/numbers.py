"""Digit runs: IBANs, payment cards, national identifiers and phone numbers, told apart by their validators.

One cheap scan finds candidates (a run of digits and separators, or two capitals and two digits for an
IBAN); each is classified in Python, most specific validator first: IBAN (ISO 7064 mod 97), national id
(python-stdnum), card (Luhn, or the unmistakable 4-4-4-4 grouping), phone (libphonenumber). A run that
fails them all as a whole ("SSN 123-45-6789 415-555-0132" is one run) is tried again piece by piece.
"""

import re
from collections.abc import Callable

import phonenumbers
from stdnum import ean, iban, luhn, numdb

from tasks.sampling.pii import context, names, phones
from tasks.sampling.pii.national_ids import NationalIds
from tasks.sampling.pii.phone_context import PhoneContext
from tasks.sampling.pii.phones import Phones

# The run may end before a phone extension (415-555-0132x204, "x204" stays: useless without the number).
# An area code with a slash is how German, Austrian and Swiss numbers are often written: 0171/2345678.
# Not inside another token: a UUID's groups (2c104dda-9491-4595-...) or a grouped figure's tail (620,626,008,
# 1.234.567). After a comma a first group of four digits or more, or one a hyphen or a 4-digit group follows, or an
# IBAN's country and check digits, or a "+" and ten digits or more, or a whole 3-3-4 number with dots or spaces, is a
# new cell of a CSV row ("2026-11-28,6011...", "10442,706-48-4803", "10442,756.3987.1425.67", "4471,GB23VCTR...",
# "screening_arm_1,+918684431802", "U12,741.215.4728" (blind 26's), or a trunk 0 and three or more space-separated
# groups, nine digits or more ("01-23,056 215 90 10", blind 27's: an amount's thousands are not followed by groups);
# not a signed figure, "1,+98765432").
# After Zulu's and Xhosa's copula prefix too: "Inombolo yami ngu-0821234567" ("my number is ..."), their locative
# "ku-0821234567" ("on ..."), and a Hebrew one-letter prefix joined by a hyphen or maqaf: "ל-+33 1 34 95 41 85" ("to").
# An IBAN after a "+" too: EDIFACT separates a segment's elements with it ("FII+BF+FR76 3000 ...'"); and the number
# of its communication segment ("COM+0171 2345678:TE'"). In an airline reservation's (IATA) records, joined to the
# code before it: a card to its brand in the form of payment ("FP CCVI4111111111111111/1128"), an id to its type in
# the passenger's identity element ("SSR FOID YY HK1/NI87245344981", where NI87... is no IBAN; HK1 is the segment's
# status) (blind 23's).
_CANDIDATE = re.compile(r"(?:(?<![\w+])(?<!\w-)|(?<=\bngu-)|(?<=\bng-)|(?<=\byi-)|(?<=\bku-)|(?<=\+)(?=[A-Z]{2}\d{2})|(?<=\bCOM\+)"
                        r"|(?<=\bCC[A-Z]{2})(?=\d{4})|(?<=\bFPCC[A-Z]{2})(?=\d{4})|(?<=/NI)(?=\d)"
                        # a SWIFT MT940 statement line's structured subfield ("?31NO3677326015132": ?31 the other
                        # party's account), a card's magnetic track 1 ("%B4111...^"), and a number after Maltese's
                        # joined article ("lill-3311103703", "to ...") (blind 24's)
                        r"|(?<=\?\d\d)(?=[A-Z]{2}\d{2})|(?<=%B)(?=\d)|(?<=\blill-)|(?<=\bmill-)|(?<=\bfil-)|(?<=\bbil-)"
                        r"|(?<=(?<!\w)[\u05d1\u05d4\u05d5\u05db\u05dc\u05de\u05e9][-\u05be])"
                        # a modem's dial command, joined to it, in either case: "ATD+33256371853;" (blind 26's)
                        r"|(?<=(?<![\w+])[Aa][Tt][Dd])|(?<=(?<![\w+])[Aa][Tt][Dd][TtPp]))(?<!\d\.)"
                        r"(?:(?<!\d,)|(?=\d{4}|\d{1,3}-|\d{1,3}\.\d{4}|\d{3}(?P<sep>[. ])\d{3}(?P=sep)\d{4}(?!\d)|(?=0(?: ?\d){8,}(?![\d.,]))0\d{1,3}(?: \d{2,4}){2,}(?![\d.,])|[A-Z]{2}\d{2}|\+(?:[ ().-]?\d){10}))(?:(?<!HK\d/)[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?|"
                        r"(?<!/)0\d{2,4}/ ?\d[\d -]{3,}\d|\+?\(?\d[\d .()-]{5,}\d)"
                        r"(?:(?![\w]|-\w)|(?=x\d))")
_IBAN = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9 ]+")
# An account number in the IBAN form from a country stdnum's IBAN registry does not list (Iran's, which joined after
# it was written; the form banks of non-IBAN countries print, Argentina's, Thailand's): a country's code, two check
# digits and 10 to 30 letters and digits, written whole or in fours, passing ISO 7064 mod 97. Not for a listed
# country: there the registry's format decides, and a code "shaped like an IBAN" that fails it stays (1 in 97 random
# strings pass mod 97; blinds 19, 24 and 30's clean texts hold such keys). And only after a word about an account or a
# payment: a US patent's publication number has the same shape ("US20210100043A1", a review's).
_IBAN_SHAPE = re.compile(r"([A-Z]{2})(\d{2})(?:[A-Z0-9]{10,30}|(?: [A-Z0-9]{4}){2,6}(?: [A-Z0-9]{1,4})?)")


_ACCOUNT_WORD = re.compile(r"(?i)(?<!\w)(?:iban|account|acct|a/c|bank|konto|cuenta|compte|conta|rekening|conto|"
                           r"transfer\w*|pay|paid|payment|refund|wire|حساب|شبا|bsb)(?!\w)")


def _account_with_iban_checksum(value: str) -> bool:
    m = _IBAN_SHAPE.fullmatch(value)
    country = m and m.group(1)
    if not country or country not in phonenumbers.SUPPORTED_REGIONS or numdb.get("iban").info(country)[0][1]:
        return False  # (a listed country's entry holds its format; an unlisted one's is empty)
    return iban.calc_check_digits(value) == m.group(2)  # stdnum's ISO 7064 mod 97, without the country check


_CARD_GROUPED = re.compile(r"\d{4}([ -])\d{4}\1\d{4}\1\d{4}")
# 12 or 13 digits in groups of four (4-4-4, 4-4-4-1): how a Maestro or an old 13-digit Visa card is written
_IN_FOURS = re.compile(r"\d{4}([ -])\d{4}\1\d{4}(?:\1\d)?")
# How card numbers are written: one run, groups of four (the last may be shorter), or Amex's 4-6-5.
_CARD_SHAPE = re.compile(r"\d{12,19}|\d{4}(?:([ -])\d{4}){2,3}(?:\1\d{1,4})?|\d{4}([ -])\d{6}\2\d{4,5}")
# Words that say a number is a payment card, before or after it in its sentence: the card itself, a brand, paying
# with it, its expiry or security code.
_CARD_WORDS = re.compile(
    r"(?i)(?<!\w)(?:\w*card|card\w*|\w*karte|\w*kártyá?\w*|carte|cb|cc|pan|tarjeta|targeta|\w*carta|kaart|cartão|cartao|kart\w*|"
    # Zulu "ikhadi", Hausa "katin", Somali "kaarka", Vietnamese "thẻ"; a deposit, a refund, bought with
    r"\w*khadi|katin\w*|kaark\w*|thẻ|kadi|deposit|refund\w*|(?:bought|purchased) with|"
    # the Nordic "kort" and the Dutch "pas" in their compounds: kortnummer, kreditkort, betalkortet, pinpas, bankpas
    r"\w*kort|kort\w*|\w*kortet|\w*korttia|\w*kortt?i\w*|pinpas|bankpas|betaalpas|creditcardnummer|kk-nummer|kk-nr|"
    r"visa|mastercard|maestro|amex|american express|discover|jcb|diners|unionpay|debit|credit|"
    r"pay|paid|paying|payment|charge[sd]?|charging|billed|purchase[sd]?|checkout|"
    r"bezahlt|zahlung|belastet|abgebucht|payé|payée|paiement|débité|pago|pagos|pagar|pagado|pagué|cargo|cobr\w*|"
    r"pagamento|pagato|pagata|pagou|paguei|addebit\w*|betaal\w*|betaald|betaling|afgeschreven|płatno\w*|płac\w*|"
    r"zapłac\w*|obciąż\w*|betal\w*|dragits|maks\w*|veloitet\w*|"
    # money taken from it, a plan renewed on it (blind 16's); not stock taken from a shelf
    r"took money(?: \w+){0,2} off|(?:balance|money|payment|deposit|fee|amount|sum)\b[^\n.]{0,40}\btaken (?:from|off)|"
    r"(?:subscription|plan|membership)\b[^\n.]{0,20}\brenewed (?:on|with)|"
    r"exp|expiry|expires|expiration|valid thru|valid until|gültig bis|cvv|cvv2|cvc|cvc2|ccv|csc|"
    # ISO 7812's name for the card number, as UBL's <PrimaryAccountNumberID> and payment APIs spell it
    r"primary[ _]?account[ _]?number\w*|"
    # "card" in Devanagari, Cyrillic, Greek, Arabic and Persian (blind 12's)
    # (Arabic with its article or a preposition joined: "البطاقة", "بالبطاقة", blind 29's)
    r"कार्ड|карт\w*|κάρτ\w*|(?:ال|بال|وال|ب|و)?بطاق\w*|کارت|"
    # Hebrew, with its article or a preposition joined (blind 14's "הכרטיס")
    r"[הבל]?כרטיס\w*)(?!\w)")
# "Card" in scripts written without spaces, matched inside their runs: カード, 卡 (银行卡, 信用卡), 카드, บัตร
_UNSPACED_CARD_WORDS = re.compile(r"カード|卡|카드|บัตร")
# Maestro's own IINs (the ranges Mastercard publishes for it): a 12-digit Luhn-valid number that starts with one
# is a card without a word; other 12-digit numbers pass Luhn one time in ten and need one.
# The card number's own label, as UBL's <PrimaryAccountNumberID> writes it: a numbered label, but not a reference's
_PAN_LABEL = re.compile(r"(?i)primary[ _]?account[ _]?number(?:[ _]?id)?[ \t]*[:=]?[ \t]*$")
_MAESTRO_IIN = ("5018", "5020", "5038", "5893", "6304", "6759", "6761", "6762", "6763")
_PIECE = re.compile(r"\S+")
# What parts a record's fields: ASCII's, the full-width and ideographic comma, colon and semicolon ("王小明，138..."),
# and the mark the unspaced scripts' join puts before a bracket ("王小明（138...）" is read as "王小明\u2063 (138...)")
_RECORD_PUNCTUATION = " ,;:/|()-–—·•\t，、：；" + context.MARK
_LABEL_NUMBER_THEN_PHONE = re.compile(r"(\d{1,4} )(\(\d{2,5}\) ?\d{3,4}[.-]?\d{3,4}|\d{2,4}([.-])\d{3,4}\3\d{3,4})")
_EXTENSION_NEXT = re.compile(r"x\d{1,6}(?!\d)")
_WIDE_GAP = re.compile(r" {2,}")
# A measurement's few decimals (NMEA's 01131.000); a phone's part after a dot is its subscriber number, and a phone
# exported as a float (4155550132.0) has more than five digits before it
_DECIMAL = re.compile(r"\d{1,5}\.\d{1,3}")
# An amount or a measurement: one dot and up to three decimals ("05833.54" in <Amt Ccy="EUR">, "0043.748 m/min"),
# in a clause without a phone word. A phone exported as a float (4155550132.0, a local 5551234.0) has seven digits
# or more before it, or a phone word beside it.
_SHORT_DECIMAL = re.compile(r"\d{1,6}\.\d{1,3}")
_NUMBERED_LABEL = re.compile(r"(?i)(?<!\w)(?:no|nr|num|number|nummer|numéro|número|numero|n[°º]|#)\.?[ \t]*[:#]?[ \t]*$")
# A line that opens with one to three words, then the number and a colon: "Outage 0382 9163929: 7806 premises ...",
# "Recall notice 135.567.2876: 8057 units", "Water main burst 0247 3670504: ...". The number names that thing, as a heading or a log line's subject does.
_HEADING = re.compile(r"[ \t>]*[^\W\d_][\w'’-]*(?:[ \t]+[^\W\d_][\w'’-]*){0,2}[ \t]+")
# ... unless those words tell someone to call it: "Call mum 07700 900123: she is home".
_CALL_FIRST = re.compile(r"(?i)[ \t>]*(?:call|ring|text|phone|dial|sms|whatsapp|push)(?!\w)")
_ASIDE = re.compile(r"[ \t]\(\d{1,4}$")
_BEFORE_EXPIRY = re.compile(r"[ \t]\d{2}$")
_EXPIRY_NEXT = re.compile(r"/\d{2}(?:\d{2})?(?!\d)")
# A phone's extension goes with it: "x204" means nothing alone, but it is part of the number.
_EXTENSION = re.compile(r"(?<=<PHONE>)\s?(?:x|ext\.?|extension|durchwahl|poste)\s?\d{1,6}\b", re.I)


class Numbers:
    def __init__(self, detectors: set[str], ids: NationalIds, phones: Phones, learned: PhoneContext | None = None):
        self.detectors, self.ids, self.phones, self.learned = detectors, ids, phones, learned

    def scrub(self, text: str, hit: Callable[[str], str]) -> str:
        people: list = []  # person-name spans of this text, found once and only if an id needs them
        text = _CANDIDATE.sub(lambda m: self._classify(m.group(0), text, m.start(), hit, people), text)
        return _EXTENSION.sub("", text) if "<PHONE>" in text else text

    def _classify(self, value: str, text: str, start: int, hit, people: list) -> str:
        if _WIDE_GAP.search(value) and _under_a_table_line(text, start):
            # "0   94    279   94" under "   bay  trays  temp": the aligned cells of a table (a pandas frame, a
            # fixed-width report), each its own value; elsewhere a wide gap is a typo's ("Phone:  0171  2345678")
            return context.ALIGNED_CELL.sub(lambda m: self._classify(m.group(0), text, start + m.start(), hit, people)
                              if len(m.group(0)) >= 7 else m.group(0), value)
        if _SHORT_DECIMAL.fullmatch(value) and not phones.announces(*context.clause(text, start, start + len(value))):
            return value
        if _DECIMAL.fullmatch(value) and text[start - 1:start] == "," and text[start + len(value):start + len(value) + 1] == ",":
            return value  # "N,01131.000,E": a decimal field of a comma-separated record (NMEA, CSV), a measurement
        if (length := _EMV_LENGTH.match(value)) and _EMV_TAG_BEFORE.search(text, max(0, start - 8), start) \
                and int(length.group(0).strip(), 16) * 2 == sum(c.isdigit() for c in value[length.end():]):
            # "5A 08 4111 1111 1111 1111": the tag's length byte, then a value of that many bytes (not "Flat 5A 06 12
            # 34 56 78", a flat's name and a phone: a review's)
            return value[:length.end()] + self._classify(value[length.end():], text, start + length.end(), hit, people)
        if value.startswith("(") and ")" not in value:  # "(266-82-4136" of "(266-82-4136)": the bracket is the text's
            return "(" + self._classify(value[1:], text, start + 1, hit, people)
        if (aside := _ASIDE.search(value)) and "(" not in value[:aside.start()]:
            # "SIN: 233 914 399 (18+ ok)": a bracket opened after the number is an aside, not an area code
            return self._classify(value[:aside.start()], text, start, hit, people) + value[aside.start():]
        if (expiry := _BEFORE_EXPIRY.search(value)) and _EXPIRY_NEXT.match(text, start + len(value)):
            # "Guest: 3019 8719 5011 04 07/28": the last group is an expiry's month, not the card's
            return self._classify(value[:expiry.start()], text, start, hit, people) + value[expiry.start():]
        if " " in value:
            body, last = value.rsplit(" ", 1)
            if len(last) <= 3 and context.amount("", text[start + len(value):start + len(value) + 16]) \
                    and (k := self._kind(body, text, start, people)):
                return hit(k) + " " + last  # "on 459 01 714 30 minutes before": the last group counts the minutes
        kind = self._kind(value, text, start, people)
        if kind:
            return hit(kind)
        if value[0].isalpha() and " " in value:
            # An IBAN's last group may be letters, so a word after it is swallowed ("ES62 ... 6501 BIC"): try without.
            body, last = value.rsplit(" ", 1)
            if self._kind(body, text, start, people) == "iban":
                return hit("iban") + " " + last
        if (split := _LABEL_NUMBER_THEN_PHONE.fullmatch(value)) and self._written_as_a_phone(split.group(2), text, start + len(value)):
            # "room 4 (692)605-9839x271": the label's short number, then a number only a phone is written as (an area
            # code in brackets, or an extension after it) and valid as one: two values, the second a phone. Not
            # "Part 3 100-200-3000", "Invoice No. 12 345-678-9012" (a review's)
            return split.group(1) + hit("phone")
        if " " not in value or context.reference_before(context.clause(text, start, start + len(value))[0]):
            return value  # "Ticket 0849 4725112": after a reference label, its pieces are the reference's too
        if two := self._two_phones(value, text, start, people):
            return hit("phone") + value[two[0]:two[1]] + hit("phone")
        # Two numbers side by side: judge each space-separated piece on its own.
        return _PIECE.sub(lambda m: hit(k) if (k := self._kind(m.group(0), text, start + m.start(), people)) else m.group(0),
                          value)

    def _two_phones(self, value: str, text: str, start: int, people: list) -> tuple[int, int] | None:
        """The gap (start, end) where a run too long for one phone number (E.164 allows 15 digits) parts into two
        that are each one, in a clause a phone word announces, as a contact line lists them ("TEL 090 1234 5678 080
        8765 4321"); None where none does. Without the word, a long run of groups is a table's, a draw's or a
        payload's ("Lottery numbers 07 12 19 23 34 41 02 09 15 22 30 44"). Each part is judged on its own."""
        if sum(c.isdigit() for c in value) <= phones.MAX_DIGITS \
                or not phones.announces(*context.clause(text, start, start + len(value))):
            return None
        for gap in re.finditer(r"\s+", value):
            left, right = value[:gap.start()], value[gap.end():]
            if not all(phones.MIN_DIGITS <= sum(c.isdigit() for c in part) <= phones.MAX_DIGITS
                       for part in (left, right)):
                continue  # (each part a phone's length: a long run is not judged at every space)
            if self._kind(left, text, start, people) == "phone" \
                    and self._kind(right, text, start + gap.end(), people) == "phone":
                return gap.span()
        return None

    def _written_as_a_phone(self, value: str, text: str, end: int) -> bool:
        return (value.startswith("(") or bool(_EXTENSION_NEXT.match(text, end))) and "phone" in self.detectors \
            and self.phones.valid_bare(value)

    def _kind(self, value: str, text: str, start: int, people: list) -> str | None:
        end = start + len(value)
        if value[0].isalpha():
            # Only the ISO 7064 mod-97 check: national check digits vary by bank and would let real IBANs through.
            ok = "iban" in self.detectors and _IBAN.fullmatch(value) and (
                iban.is_valid(value, check_country=False)
                or _ACCOUNT_WORD.search(text, max(0, start - 60), start) and _account_with_iban_checksum(value))
            return "iban" if ok else None
        head, tail = context.clause(text, start, end)
        digits = re.sub(r"\D", "", value)
        if _periodic(digits):
            return None  # "000-000-0000", "4382 4382 4382 4382": a placeholder or a format, nobody's number
        if (emv := _EMV_FIELD.search(head)) and emv.group(1) not in ("5A", "57") and not value.startswith("+") \
                and int(emv.group(2), 16) * 2 == len(digits):
            return None  # an EMV field other than the card's number, as long as its length byte says: an expiry, an amount
        if _EMV_TAG_VALUE.search(head):
            return None  # "9F02=416430831592": a tag=value dump of an EMV field other than the card's (blind 29's)
        # "order 0612345678": a reference, whatever it validates as ("Customer: 0612345678" too, unless a chat's
        # speaker says it)
        reference = context.reference_before(head) and not context.opens_chat_turn(text, start)
        if not reference and (earlier := text.find(value, 0, start)) >= 0:
            # "your case number is 706-354-9315, I'll repeat that, 706-354-9315": a repeat is what it was the first time
            reference = context.reference_before(context.clause(text, earlier, earlier + len(value))[0])
        quantity = context.amount(head, tail)
        # The question before it, its form's previous field, its column's header: cue words, never a veto
        cues = context.cues_around(text, start, end)
        if "national_id" in self.detectors:
            # An id's name may open a long line ('Numero personale di identificazione del cittadino <name>, nato a
            # <city>: ...'): read its whole sentence, up to 120 characters back
            id_head, id_tail = context.clause(text, start, end, before=120, after=60, semicolon_ends=False)
            if _HL7_PERSON_ID.match(text, end) or _X12_PERSON_ID.search(text, max(0, start - 120), start) \
                    or _FOID_NATIONAL_ID.search(text, max(0, start - 40), start):
                id_tail += "\nnational id"  # HL7's identifier type code names the scheme's kind, as a label would
            # "Part no. 220-95-5009": a thing's numbered label before an SSN-shaped number (not "Member 536-22-4170",
            # nor a bare "ID:")
            other = reference and bool(_NUMBERED_LABEL.search(head))
            if self.ids.classify(value, id_head, f"{id_tail}\n{cues}", reference or quantity,
                                 lambda: self._beside_person(text, start, end, people), labelled_other=other):
                return "national_id"
        # A cell of the column "ticket" or "order_no" is a reference, however it is grouped (for ids, the header's
        # words are cues: a "national_id" column holds ids)
        # ... or the answer to a question for one ("what's the order number?")
        # ... or the correction of one ("Wrong job number on the van sheet, it's ...")
        reference = reference or context.column_names_reference(text, start) or context.question_names_reference(text, start) \
            or context.corrects_reference(head) or self._heading(text, start, end, people)
        # "<PrimaryAccountNumberID>": the label is a numbered one, but the number it names is the card's
        pan = bool(_PAN_LABEL.search(head))
        if "card" in self.detectors and _is_card(value, digits, head, tail, reference and not pan, cues,
                                                 _on_track2(text, start, end)) \
                and not _said_no_card(text, start, end):
            return "card"
        if "phone" not in self.detectors:
            return None
        segment = _in_a_com_segment(text, start, end) or _HL7_PHONE.match(text, end) \
            or _X12_PHONE.search(text, max(0, start - 80), start)
        if segment and self.phones.is_announced_phone(value):
            return "phone"
        if (_message_recipient(text, start) or _in_a_dial_string(text, start, end)) and self.phones.valid_bare(value):
            return "phone"
        if phones.owned_after(tail) and not quantity and self.phones.is_announced_phone(value):
            return "phone"  # "number for the auction is 062 896 92 91 - my husband's": his, whatever the label says
        # (from 24 characters back, not in a slice of them: a slice's first letters read as a word, "flat" -> "lat")
        if value.startswith("+") and (_SIGNED_CHANGE.search(head, max(0, len(head) - 24))
                                      or _SIGNED_CHANGE.search(context.header_at(text, start))):
            return None  # "delta +12500000", a column "adjustment": a signed quantity, not an international number
        if (reference or quantity or context.names_another_number(head)) and not value.startswith(("+", "00")):
            return None  # a labelled reference or an amount is no phone; a +49 ... number is one whatever precedes
        if self.phones.is_phone(value, head, f"{tail}\n{cues}" if cues else tail) or (
                self.phones.valid_bare(value) and (phones.owned(head) or phones.role_before(head)
                                                   or phones.weakly_announced(head, tail) and not phones.compact_date(value)
                                                   or self._beside_person(text, start, end, people))):
            # someone's own ("meu whats é 94054405"), or beside a name ("Hannah Spieß (0456724205)"), a number valid
            # as a phone is that person's
            # Only its shape said phone, and the text says it is none ("Stairlift survey 757-842-3852 (a job
            # reference, not a phone number)"; the remark's own "phone" is no phone word) ...
            if _labelled_twice(text, value) and self.shape_only(value, text, start, end, people):
                return None  # 'Laib 0154 4755943 ist gepresst, Laib 0154 4755943': the word names it
            remark = _no_phone_remark(text, end)
            if remark and self.shape_only(value, _inside_its_quote(_blank(text, *remark), start, remark[0]), start, end, people):
                return None
            if self.learned and self.shape_only(value, text, start, end, people) \
                    and self.learned.rules_out(value, head, tail, cues):
                return None  # ... or the words around it say a record's (phone_context.py)
            return "phone"
        if self.learned and self.may_ask(value, text, head, tail) and self.learned.is_phone(value, head, tail, cues):
            return "phone"  # no rule knew this text's way of saying it; the words around it do (phone_context.py)
        return None

    def shape_only(self, value: str, text: str, start: int, end: int, people: list) -> bool:
        """The phone rules' verdict on a number rests on its shape alone ("route 976 419 1967", "tracked in 65 12 39
        75 56"): no word in its clause, question or column says phone, no one owns it or stands beside it, and it
        is not written internationally (+49 ..., 0049 ...)."""
        head, tail = context.clause(text, start, end)
        cues = context.cues_around(text, start, end)
        return not value.startswith(("+", "00")) and not _in_a_com_segment(text, start, end) \
            and not phones.announces(head, f"{tail}\n{cues}" if cues else tail) \
            and not phones.owned(head) and not phones.role_before(head) and not phones.owned_after(tail) \
            and not phones.weakly_announced(head, tail) and not self._beside_person(text, start, end, people)

    def may_ask(self, value: str, text: str, head: str, tail: str) -> bool:
        """What the learned second opinion may be asked about (phone_context.py), besides what every phone rule
        excludes (a reference label, an amount): a number valid as a phone in a configured region as written (a
        zero-padded ERP number, 0000123456, is none), with words around it (a bare cell or line says nothing), in a
        clause that names no record, and not one of a series ("0612345678 0612345679 ..." are ids)."""
        return self.not_asked_because(value, text, head, tail) is None

    def not_asked_because(self, value: str, text: str, head: str, tail: str) -> str | None:
        """The first of may_ask's conditions the number fails, by name, or None (scripts/phone_miss_gates.py counts
        the phones each one keeps from the learned context)."""
        # A number written with "+" may be asked about even when no country validates it ("+01(3)4099783715"): a
        # reference is not written that way
        international = value.startswith("+") and 8 <= sum(c.isdigit() for c in value) <= 15
        if not (self.phones.valid_bare(value) or international):
            return "not_valid_in_regions"
        if not (_WORD.search(head) or _WORD.search(tail)):
            return "no_words"
        if context.names_a_record(head, tail):
            return "names_a_record"
        return "series" if _in_a_series(text, value) else None

    def _heading(self, text: str, start: int, end: int, people: list) -> bool:
        """The number follows the one or two words that open its line and a colon follows it ("Outage 0382 9163929:
        ..."): it is that thing's number. Not when the words say whose or what phone it is ("Mobile 0171 2345678:",
        "Mum 07700 900123:", "Hannah Spieß 0456724205:") or to call it ("Call mum 07700 900123:")."""
        line_start = text.rfind("\n", 0, start) + 1
        words = text[line_start:start]
        return text[end:end + 1] == ":" and bool(_HEADING.fullmatch(words)) and not phones.announces(words, "") \
            and not _CALL_FIRST.match(words) and not phones.role_before(words) \
            and not phones.owned(words) and not self._beside_person(text, start, end, people)

    @staticmethod
    def _beside_person(text: str, start: int, end: int, people: list) -> bool:
        """A person's name right before or after text[start:end], with only punctuation between ("Kenan Rogner,
        48179250306, Mühlhausen", "Applicant Tom Haugen - 17076612870"): a record about that person."""
        if not people:
            people.append(names.name_spans(text))
        return any(0 <= start - e <= 4 and not text[e:start].strip(_RECORD_PUNCTUATION)
                   or 0 <= s - end <= 4 and not text[end:s].strip(_RECORD_PUNCTUATION) for s, e in people[0])


def _is_card(value: str, digits: str, head: str, tail: str, reference: bool, cues: str = "",
             framed: bool = False) -> bool:
    """Luhn-valid and written like a card. Two lookalikes need more: a 12-digit number (one random 12-digit
    reference in ten passes Luhn) and a 13-digit one that is also a valid barcode (EAN-13/ISBN-13, which pass Luhn
    one time in ten; 13-digit Visa numbers are rare). They are cards after a word about a card or a payment in
    their sentence ("paid with", "Kreditkarte", "kartą", "exp 11/26", "CVC") or in `cues` (context.cues_around: the
    form's previous field "Paid by: MASTERCARD", a column named "card"), not after a reference label; a
    12-digit one that starts with one of Maestro's own IINs, or is written in groups of four from a network's range,
    needs no word. After a reference label only the 4-4-4-4 grouping makes a card: a bank's payment reference passes
    Luhn one time in ten. A number no card network issues (_issued) needs a word too, grouped or not, or a frame
    that holds a card's number (`framed`: a magnetic track 2)."""
    if not 12 <= len(digits) <= 19 or not _CARD_SHAPE.fullmatch(value):
        return False
    if _CARD_GROUPED.fullmatch(value) and (not reference or luhn.is_valid(digits)):
        # grouped 4-4-4-4; after a reference label only with its check digit ("Voucher batch 2129-..."). From a
        # range no network issues, a card only with a word or a frame, as an ungrouped one below: a payment card's
        # number starts with its network's IIN (ISO/IEC 7812), a serial grouped in fours with any digit ("Serial
        # 0529 1836 4470 2132 registered" is no card; "Fuel card 7005 1234 5678 9015 was declined" is one)
        return _issued(digits) or framed or _card_word(head, tail, cues)
    if reference or not luhn.is_valid(digits):
        return False  # "Betalingskenmerk 0664545800339260": a labelled reference passes Luhn one time in ten
    # A number no network issues is a card only with a word ("Idempotency-Key: 983780464275273481", a fixed-width
    # record's "31529094663540"); Visa alone issued 13-digit numbers, all starting with 4: "Meter point
    # 1977204513889" is no card without a word
    network = _issued(digits) and (len(digits) != 13 or digits[0] == "4")
    if network and not (len(digits) == 12 or (len(digits) == 13 and ean.is_valid(digits))):
        return True
    if len(digits) == 12 and digits.startswith(_MAESTRO_IIN):
        return True
    # Written in groups of four as a card is, 12 or 13 digits from a network's range need no word either ("Two
    # nights at the lodge 5412 7534 0019"): a reference so grouped that passes Luhn and starts where a network
    # issues is rare (blind 15's "Internal account 4000-8447-8447": 2 of its 3,000 clean texts, none of the other
    # 37 sets' clean texts; docs/facts.md "PII: a grouped card number from a range no network issues")
    if network and _IN_FOURS.fullmatch(value):
        return True
    return framed or _card_word(head, tail, cues)  # framed: where a magnetic track holds the card's number


# The text itself says the number is no card ("Coupon batch 4417 2290 ...: not a payment card", "(batch number, not
# a card)", blind 15's): a writer who says so is believed; a card pasted by accident comes with no such sentence.
# Not "no card on file" (a real card may come with that), nor "not a card I have ever used", "not a card payment I
# authorised" (a fraud report names a real card): the remark must end at "card" ("..., not a payment card.").
# Not "a debit card, not a credit card" either: the remark names no kind of card a person holds.
_NOT_A_CARD = re.compile(r"(?i)(?<!\w)(?:not|isn['’]t|is no)[ \t]+(?:an?[ \t]+)?(?:(?:real|actual|payment|bank)[ \t]+)?"
                         r"card(?:[ \t]+number)?[ \t]*(?=[.,;:)!\n]|$)|"
                         r"(?:keine|kein)[ \t]+(?:zahlungs)?karte(?:nnummer)?[ \t]*(?=[.,;:)!\n]|$)|"
                         r"(?:pas une carte|pas un numéro de carte|no es una tarjeta|não é (?:um )?cartão|non è una carta|"
                         r"geen (?:bank|betaal|credit)?(?:pas|kaart))[ \t]*(?=[.,;:)!\n]|$)")


# The plural ("a barcode run, not cards") may speak of other things than the number ("charge my Visa ..., the
# vouchers aren't cards"): it counts only in a sentence with no other word about a card or a payment.
_NOT_CARDS = re.compile(r"(?i)(?<!\w)(?:not|aren['’]t|are no)[ \t]+(?:(?:real|actual|payment|bank)[ \t]+)?"
                        r"(?:cards|card[ \t]+numbers)[ \t]*(?=[.,;:)!\n]|$)")


# Words that make a "+" number a signed change (a review's "account,period,delta\n4010,2024-06,+12500000", "Offset
# +01234567890 applied"): right before it, or its column's header. Not "change", "shift", "loss": "lesson changes by
# SMS to +46 ...", "Loss adjuster note: insured's mobile +49 ..." are phones.
_SIGNED_CHANGE = re.compile(r"(?i)(?<![^\W\d_])(?:delta|deltas|diff|difference|adjustment|adjustments|adj|offset|offsets|"
                            r"variance|yoy|increase|decrease|lat|lon|lng|latitude|longitude)(?![^\W\d_])")
_NON_PAYMENT_CARDS = re.compile(r"(?i)(?<!\w)(?:gift|store|loyalty|membership|library|access|key|sim|business|"
                                r"greeting|post|scratch|reward|stamp)[ -]?cards?(?!\w)")


_EDIFACT_PHONE = re.compile(r":(?:TE|FX|AL)'")


# HL7 v2 components after the number. A telecom field (XTN): its use code then its equipment type,
# "1720573175^PRN^CP" (PRN primary residence, ORN other, WPN work, EMR emergency; PH telephone, CP cellular, FX
# fax). A person's identifier (CX) with the type code of a national scheme, "77121904638^^^^NI" (NI national
# unique identifier, SS social security, NH national health plan, NNxxx a country's person number, TAX, PPN
# passport): HL7 table 0203. Not MR (a medical record number) nor PI (the patient's number in that hospital).
_HL7_PHONE = re.compile(r"\^(?:PRN|ORN|WPN|VHN|ASN|EMR|BPN)\^(?:PH|CP|FX|MD|BP)(?![A-Za-z])")
_HL7_PERSON_ID = re.compile(r"\^{2,4}(?:NI|SS|NH|NN[A-Z]{3}|TAX|PPN)(?![A-Za-z])")
# ASC X12 segments before the number: a contact (PER) with its communication qualifier ("PER*IC*PARENT*TE*2558909868~":
# TE telephone, CP cellular, HP home, WP work, FX fax), a name (NM1) with its id qualifier 34, the social security
# number ("NM1*IL*1*Eli Brekke****34*31076801145~") (blind 24's)
_X12_PHONE = re.compile(r"(?:^|[~\n])PER\*[^~\n]*\*(?:TE|CP|HP|WP|FX|EX)\*$")
_X12_PERSON_ID = re.compile(r"(?:^|[~\n])NM1\*[^~\n]*\*34\*$")
# An airline record's identity element with a national id's type: "SSR FOID YY HK1/NI87245344981" (a review's)
_FOID_NATIONAL_ID = re.compile(r"\bFOID\b[^\n]*/NI$")
# An EMV tag and its length byte before a value ("5F24 03 281130", "9F02 06 000000004500"): a field of a card
# transaction's dump. The card's number (5A, 57) is the card; every other field (an expiry, an amount, a country or
# currency code, a counter) is none of a person's numbers, however it is grouped (blind 24's).
# Two-byte tags and the card's own two (not the other one-byte tags: "8A", "95" name flats and rooms too).
_EMV_TAG = r"(?<![\w])(5A|57|5F[0-9A-F]{2}|9F[0-9A-F]{2})[ \t]+"
_EMV_TAG_BEFORE = re.compile(_EMV_TAG + "$")
_EMV_FIELD = re.compile(_EMV_TAG + r"([0-9A-F]{2})[ \t]+$")  # the tag, then its length byte
_EMV_TAG_VALUE = re.compile(r"(?<![\w])(?:5F[0-9A-F]{2}|9F[0-9A-F]{2})=$")  # not 5A and 57: the card's number, track 2
_EMV_LENGTH = re.compile(r"\d{2}[ \t]+(?=\d)")


def _in_a_com_segment(text: str, start: int, end: int) -> bool:
    """EDIFACT's communication segment with a phone's qualifier: "COM+0171 2345678:TE'" (TE telephone, FX fax, AL
    mobile)."""
    return bool(_EDIFACT_PHONE.match(text, end)) and text[max(0, start - 4):start].endswith("COM+")


# A message's recipient as an SMS API, CLI or event log names it: '"to": "', "--to \"", "to='" ... in a text about
# text messages ("otp_sent", "twilio api:core:messages:create", "client.messages.create"): the number it goes to.
# Not a log's "message" key nor a range's "to" ('"from": "20240101", "to": "20241231"', a review's).
# ('"recipients": [' is an SMS gateway's, MessageBird's, blind 25's)
_TO_KEY = re.compile(r"""(?:--to[ =]|(?<![\w-])to[ \t]*=[ \t]*|["'](?:to|recipients?)["'][ \t]*:[ \t]*\[?[ \t]*)["']?$""")
# (smsd: an SMS gateway's daemon, smstools' or gammu's)
_MESSAGING = re.compile(r"(?i)(?<![^\W_])(?:sms|smsd|otp|twilio|whatsapp|vonage|nexmo|plivo|sinch|msisdn|"
                        r"messages[.:]create|send_?sms|text message)(?![^\W_])")
_TO_WORD = re.compile(r"(?i)(?<!\w)(?:sent|send|sending|queued|queuing|delivered|delivering|forwarded|dispatched)"
                      r"(?:[ \t]+[^\W\d_]+){0,2}[ \t]+to[ \t]+$")  # a verb of sending, not any "to" of the line


def _message_recipient(text: str, start: int) -> bool:
    """A "to" key or flag right before the number, in a text about text messages; or sent or queued "to" it, in a
    line that names them ("smsd[440]: queued notice to 696 657 030", blind 29's)."""
    before = text[max(0, start - 40):start]
    if _TO_KEY.search(before[-20:]):
        return bool(_MESSAGING.search(text[max(0, start - 300):start + 300]))
    line = text[text.rfind("\n", 0, start) + 1:start]
    return bool(_TO_WORD.search(before)) and bool(_MESSAGING.search(line))


# A PBX's dial string ends in the number it dials: FreeSWITCH "sofia/gateway/trunk/0467450142", Asterisk
# "Dial(PJSIP/trunk/0612345678,30)" (blind 25's). Only as a dial string is written: an application's argument, a
# bridge's data or a bracketed target, opened by "(", a quote, "=" or "["; the technology in its own case (SIP,
# PJSIP, IAX2; FreeSWITCH's "sofia/gateway/"); the number ends it. Not a channel's name ("PJSIP/1001-00000001 is
# ringing"), a path, a URL, a git branch or an image ("/api/sip/3104567890/...", "git checkout sip/4500123456",
# "docker pull pjsip/2024061501", reviews').
_DIAL_STRING = re.compile(r"""(?:(?<=[("'=\[])|(?<=[("'=\[][ \t]))(?:sofia/gateway/[\w.-]+/|(?:PJ)?SIP/(?:[\w.-]+/)?|"""
                          r"""IAX2/(?:[\w.-]+/)?)\+?$""")
# A Hayes modem's dial command, the number joined to it and ending as a dial string does (";" for a voice call, a
# quote, a space, the line's end): "ATD+33256371853;", "atdt0612345678" (blind 26's; modems take either case).
# Joined only: "ATD 14:30" is a departure time.
_HAYES_DIAL = re.compile(r"(?<![\w+])(?i:atd)[TtPp]?\+?$")
_DIAL_STRING_END = re.compile(r"(?=[\s\"',)@|;&\]]|$)")


def _in_a_dial_string(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 60):start]
    return bool(_DIAL_STRING.search(before) or _HAYES_DIAL.search(before)) and bool(_DIAL_STRING_END.match(text, end))


# The text says the number is no phone number, as a remark that ends there ("(a job reference, not a phone
# number)", "— that's the job sheet, not a number to call —"). Only the generic remark, with its article and
# "number": "landline, not mobile", "do not phone", "not my phone number", "not a phone number I know" all speak of
# someone's phone.
_NOT_A_PHONE = re.compile(r"(?i)(?<![\w'’])(?:(?:not|isn['’]t|is no)[ \t]+an?[ \t]+(?:(?:real|actual)[ \t]+)?"
                          r"(?:phone|telephone)[ \t]+number|"
                          # ... or what it is, then that it is no number to call: "— that's the job sheet, not a number
                          # (to call)", "(a job reference, not a number to call)"; not a bare "not a number", which a
                          # validator's message says of a phone ('"error": "not a number"'), nor "She wrote it on the
                          # form, not a number to call" (a review's)
                          # ... or, whatever kind of number it says it is not, when what it is names a record ("(a
                          # co-op slip number, not a mobile number)", blind 27's; not "(the manager, not a landline
                          # number)", "(the landline, not a mobile number)": _no_phone_remark, a review's)
                          r"(?:(?:that['’]s|that is|it['’]s|it is|this is)[ \t]+|(?<=[(—–-])[ \t]*)(?:the|a|an|our)[ \t]+"
                          # (the kind may be whose: "(the operator's trip sheet, not a driver's number)", blind 29's;
                          # "(the unit's plate series, not the operator's number)", blind 30's)
                          r"(?P<what>[^\W\d_][\w '’-]{0,30}),[ \t]+not[ \t]+(?:a|the)[ \t]+"
                          r"(?P<kind>[^\W\d_][\w'’-]*[ \t]+)?number"
                          r"(?:[ \t]+to[ \t]+(?:call|ring|dial|phone))?|"
                          # ... or that it is no person's: "belongs to the locomotive, not to a person" (blind 25's)
                          r"not[ \t]+(?:to[ \t]+|of[ \t]+)?(?:a|any)[ \t]+(?:person|individual)|"
                          # ... or nobody's phone: "(the co-op's crate number, not anyone's phone)" (blind 29's)
                          # ... or no person's id ("an animal record, not a person's id", blind 30's)
                          r"not[ \t]+(?:anyone|anybody|someone|somebody|a[ \t]+person)['’]s[ \t]+"
                          r"(?:(?:phone|mobile|cell|contact)[ \t]+)?(?:number|phone|mobile|id|identifier)|"
                          r"keine[ \t]+telefonnummer|pas un numéro de téléphone|"
                          r"no es un número de teléfono|não é (?:um )?número de telefone|non è un numero di telefono|"
                          r"geen telefoonnummer)[ \t]*(?=[.,;:)!\n\"”]|[—–-]|$)")


# A bracket right after the number that says which identifier it is, its last word (the head noun) naming one: "(a
# flow meter's serial)", "(the till's float reference)" (blind 28's). Not any record or thing: a person's number is as
# often tagged with what it is about ("(the insurance claim)", "(the booking)", "(the customer's meter)") or with the
# account it keys ("(the customer's Zelle account)"), nor "(the office number)" (a review's).
_WHAT_IT_IS = re.compile(r"[ \t]*\([ \t]*(?:the|a|an|our|its)[ \t]+(?P<what>(?:[^\W\d_][\w'’-]*[ \t]+){0,4}?"
                         r"(?P<head>[^\W\d_][\w-]*))[ \t]*\)")
_IDENTIFIER_HEAD = re.compile(r"(?i)(?:serial|reference|ref|code|barcode|sku|ean|gtin|upc|isbn|imei|vin|waybill|awb|"
                              r"sscc|gln|batch|lot|voucher|coupon|entry|posting|label|tag)s?")


def _no_phone_remark(text: str, end: int) -> tuple[int, int] | None:
    """Where the number's sentence, after it, says it is no phone number (up to 100 characters: the remark comes
    last), or a bracket right after it says which identifier it is (_WHAT_IT_IS)."""
    if (bracket := _WHAT_IT_IS.match(text, end)) and _IDENTIFIER_HEAD.fullmatch(bracket.group("head")) \
            and not phones.announces(bracket.group("what"), ""):
        return bracket.span()
    _, tail = context.clause(text, end, end, after=100)
    m = _NOT_A_PHONE.search(tail)
    if not m:
        return None
    kind, what = (m.group("kind") or "").strip().lower(), m.group("what")
    if what and kind not in ("", "phone", "telephone") \
            and (phones.announces(what, "") or not (context.names_a_record(what, "") or _owned_thing(what))):
        return None  # "(the manager, not a landline number)": what it is is no record, so it may be someone's phone
    # A remark in a bracket right after the number is the whole bracket's: what it says the number is ("(the co-op's
    # crate number, not anyone's phone)", blind 29's) is no one's phone either
    opening = end + len(tail) - len(tail.lstrip(" \t"))
    if text.startswith("(", opening) and ")" not in text[opening:end + m.start()]:
        return opening, end + m.end()
    return end + m.start(), end + m.end()


# A number read back after the same word each time ('"a pilha 286.454.3269 foi pesada hoje, pilha 286.454.3269"', "la
# caja 68 31 24 69 38 ya está anillada, caja 68 31 24 69 38", blind 29's): the word names it, as a label would. Asked
# only of a number its shape alone calls a phone, and only of a common noun in lower case, never in a quoted reply: a
# name or a family word ("Lerato 082 123 4567", "Oma 0171 2345678", "Office ...") is said twice in a quoted mail or a
# header as often, a word of three letters or fewer is no noun ("on", "at"), a person's word is no label (a review's).
_LAST_WORD = re.compile(r"(?<![^\W\d_])([^\W\d_]{4,})[ \t]*[:#]?[ \t]*$")


def _labelled_twice(text: str, value: str) -> bool:
    words = []
    for m in re.finditer(re.escape(value), text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        word = _LAST_WORD.search(text, max(line_start, m.start() - 30), m.start())
        if not word or not word.group(1).islower() or text[line_start:m.start()].lstrip().startswith(">"):
            return False
        words.append(word.group(1))
    return len(words) >= 2 and len(set(words)) == 1 and not phones.names_a_person(words[0])


# Someone's thing: a possessive, then a word that is no person ("the operator's trip sheet", blind 29's; not "the
# operator's wife", "the driver's own line")
_POSSESSED = re.compile(r"(?i)[^\W\d_]['’]s[ \t]+(?P<thing>(?!own(?!\w))[^\W\d_][\w-]*(?:[ \t]+[^\W\d_][\w-]*){0,2})$")


def _owned_thing(what: str) -> bool:
    """What the remark says the number is, is something a person owns, and no person or phone."""
    m = _POSSESSED.search(what.strip())
    return bool(m) and not phones.announces(m.group("thing"), "") and not phones.names_a_person(m.group("thing")) \
        and not _A_PHONES_THING.search(m.group("thing"))


# "the manager's personal line"; a home or an office a person is reached at ("the owner's house", a review's)
_A_PHONES_THING = re.compile(r"(?i)(?<!\w)(?:line|number|no|nr|contact|cell|house|home|cottage|flat|apartment|office|"
                             r"desk|room|place)(?!\w)")


def _inside_its_quote(text: str, start: int, remark_start: int) -> str:
    """With the remark inside the quote the number stands in, the text with its line blanked up to that quote: a
    transcript's words are the speaker's, the label before them the channel's ('Voicemail, hire base (97 s): "boat
    seven is on ..."', blind 22's). A remark after the quote closes is no speaker's: the label stays
    ('Telefon: "0171 2345678" – ...', a review's)."""
    line_start = text.rfind("\n", 0, start) + 1
    before = text[line_start:start]
    if before.count('"') % 2 == 0 or '"' in text[start:remark_start]:
        return text
    return _blank(text, line_start, line_start + before.rfind('"') + 1)


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def _issued(digits: str) -> bool:
    """The prefix is one a card network issues (ISO/IEC 7812 IINs as the networks publish them). Written out by
    hand: no maintained library here lists IIN ranges (python-stdnum checks Luhn only). 4, 5 and 6 are all issued
    (Visa; Mastercard and Maestro; Discover, UnionPay, RuPay, Maestro); a first digit of 7 (petroleum), 8
    (healthcare, telecom) or 9 (national use) is no network's but Troy's 9792."""
    first, two, three, four = digits[0], int(digits[:2]), int(digits[:3]), int(digits[:4])
    if first in "456":
        return True
    if first == "3":  # Diners 300-305, 309, 36, 38, 39; Amex 34, 37; JCB 35 and its old 3088-3094, 3096-3102,
        # 3112-3120, 3158-3159, 3337-3349; China T-Union's 19-digit 31
        return two in (34, 35, 36, 37, 38, 39) or 300 <= three <= 305 or three == 309 or two == 31 and len(digits) == 19 \
            or any(lo <= four <= hi for lo, hi in ((3088, 3094), (3096, 3102), (3112, 3120), (3158, 3159), (3337, 3349)))
    if first == "2":  # Mir 2200-2204, BORICA 2205, Mastercard 2221-2720, JCB's old 15-digit 2131
        return 2200 <= four <= 2205 or 2221 <= four <= 2720 or four == 2131
    if first == "1":  # UATP and JCB's old 1800: 15 digits; Indonesia's GPN 1946
        return len(digits) == 15 or four == 1946
    # 0604: a Maestro prefix Faker draws (faker.providers.credit_card), kept so its test cards stay cards; Troy
    return digits.startswith(("0604", "9792"))


def _said_no_card(text: str, start: int, end: int) -> bool:
    """Its sentence says the number is no card (up to 100 characters after it: the remark comes last)."""
    head, tail = context.clause(text, start, end, after=100)
    sentence = f"{head}\n{tail}"
    if _NOT_A_CARD.search(sentence):
        return True
    plural = _NOT_CARDS.search(sentence)
    # A plural remark may speak of other numbers: believed only when nothing else in the sentence is about a payment
    # card ("Charge 4111... , gift cards are not payment cards" is a card). Cards that pay for nothing ("car wash gift
    # card serials, not payment cards", blind 21's) are no such word.
    rest = _NON_PAYMENT_CARDS.sub(" ", sentence[:plural.start()] + sentence[plural.end():]) if plural else ""
    return bool(plural) and not _card_word(rest, "", "")


def _under_a_table_line(text: str, start: int) -> bool:
    """The line before the one at `start` has two or more wide gaps between its words: a fixed-width table's header or
    row above this one."""
    line_start = text.rfind("\n", 0, start) + 1
    if not line_start:
        return False
    above = text[text.rfind("\n", 0, line_start - 1) + 1:line_start - 1]
    return len(context.TABLE_GAPS.findall(above)) >= 2


_WORD = re.compile(r"[^\W\d_]{2,}")


def _in_a_series(text: str, value: str) -> bool:
    """Another number in the text with as many digits and the same digits but the last three: consecutive ids."""
    digits = re.sub(r"\D", "", value)
    others = {re.sub(r"\D", "", run) for run in re.findall(r"\d[\d.-]*\d", text)}
    return any(other != digits and len(other) == len(digits) and other[:-3] == digits[:-3] for other in others)


def _periodic(digits: str) -> bool:
    """One block repeated to the end ("0000000000", "4382 4382 4382 4382", "62965871 62965871"): how placeholders
    and test values are made up. A real number does so about once in 10^(its length / 2)."""
    return any(len(digits) % size == 0 and digits == digits[:size] * (len(digits) // size)
               for size in range(1, len(digits) // 2 + 1))


def _card_word(head: str, tail: str, cues: str) -> bool:
    """A word about a card or a payment before the number or just after it, or in the cues around it."""
    words = f"{head}\n{tail[:30]}\n{cues}"
    return bool(_CARD_WORDS.search(words) or _CARD_WORDS.search(phones.fold(words))  # "cárta", "crèdit"
                or _UNSPACED_CARD_WORDS.search(words))


# A magnetic stripe's track 2 (ISO/IEC 7813): start sentinel ";" (at a line's or a value's start), the card number,
# "=", the expiry (YYMM) and the service code: the format names the card without a word (blind 25's
# ";639032975695=2906101000000000?"; not "lot;639032975695=2906101": ";" after a word joins a record's cells)
_TRACK2 = re.compile(r"(?:^|(?<=[\s\"'=:,(\[]));(\d{12,19})=\d{7}", re.MULTILINE)


def _on_track2(text: str, start: int, end: int) -> bool:
    m = _TRACK2.match(text, max(0, start - 1))
    return bool(m) and m.span(1) == (start, end)
