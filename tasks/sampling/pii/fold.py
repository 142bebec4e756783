"""Other ways to write the same digits and separators, folded to ASCII while the detectors look, then put back.

People write a phone number, an email address or an IP address with characters the detectors' patterns never
name: a Japanese IME types full-width "０９０－１２３４－５６７８" and "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍ", Arabic and
Persian keyboards type "٠٥٠١٢٣٤٥٦٧" and "۰۹۱۲۳۴۵۶۷۸۹", Word and Outlook put no-break spaces between a French
number's pairs ("06 12 34 56 78") and a minus sign or non-breaking hyphen inside one, and a copy from a web page
brings zero-width spaces and soft hyphens. Each went through whole or in part (docs/facts.md "PII: full-width,
native digits and invisible separators").

So the scrubber's detectors read a folded copy: other scripts' decimal digits and the full-width digits, letters and
"+-@._()" as ASCII (what NFKC does to them, one character for one), word spaces as a space, hyphens and the minus
sign as "-" (an en or em dash only inside a number: elsewhere it is the sentence's dash, which the name rules read
as a signature's), and the invisible characters removed inside a word or an address and read as a space elsewhere
(each rule's exceptions are below). What they did not replace is then put back as the user wrote it, so a clean
text comes out unchanged.

Hand-written rather than `unicodedata.normalize("NFKC")`: NFKC also rewrites ligatures, superscripts, compatibility
ideographs and Hangul jamo, and does not keep one character for one, so the user's text could not be put back.
"""

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

# Invisible characters. A soft hyphen, word joiner or BOM sits inside a word: removed. So is a zero-width space
# between two letters of one kind, ASCII or not (a break opportunity a CMS puts in "Bestell\u200bnummer"; not
# "john@example.com\u200bпожалуйста", a review's) or beside an email's "@", ".", "-" or "_" (one a web page puts so
# that a long address can wrap). Elsewhere a zero-width space, and a directional mark anywhere, parts two runs: read
# as a space ("+44\u200b20\u200b7946 0958", "mail\u2068john@example.com\u2069"). Not the zero-width (non-)joiner:
# Persian and the Indic scripts spell words with them.
_JOINERS = "\u00ad\u2060\ufeff"
_PARTERS = "\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_INVISIBLE = re.compile(f"[{_JOINERS}{_PARTERS}]")
_ADDRESS_MARKS = {"@", ".", "-", "_"}
_SPACES = "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u200a\u205f"
# The narrow no-break and thin spaces too, except between an amount's thousands: software writes them so (CLDR's
# French group separator is U+202F), and "178 648 723 attach requests" read as spaced became a phone (read blind
# 8's clean texts). "+49 151 2345 6789", "07 81 23 45 67" and "+7 903 765-43-21" are no amount.
# The ideographic space only beside a digit: between words it parts a Japanese family name from a given name or a
# title ("佐藤\u3000部長", a review's), which the name rules read as written.
_KEPT_SPACE = re.compile(r"(?P<kept>(?<![+\d\u202f\u2009])\d{1,3}(?:[\u202f\u2009]\d{3})+(?![\d\u202f\u2009]|-\d))|"
                         r"[\u202f\u2009]|(?<=\d)\u3000|\u3000(?=[\d+(])")
# A no-break or ideographic space between two digits is a space (an IME in full-width mode types one between a
# number's groups, "４５３２\u3000０１５１\u3000..."), unless the digits beside it are grouped with plain spaces: then
# it parts two numbers, "０９０ １２３４ ５６７８\u3000０８０ ８７６５ ４３２１" (a review's), which read as one run would be
# no phone at all.
_WIDE_BETWEEN_DIGITS = re.compile(r"(?<=\d)[\u00a0\u3000](?=\d)")
_PLAIN_GROUPS = re.compile(r"\d \d")
_HYPHENS = "\u2010\u2011\u2012\u2212\ufe63"
# An en dash, em dash or horizontal bar inside a number ("555–1234"), and the katakana long-vowel mark a Japanese
# IME gives for "-" ("０８０ー４４５６ー９８２１"); the digits are folded before this looks. Not between two numbers
# already written with hyphens: "Invoices 2024-0001–2024-0450" is a range of two (as one, a Luhn-valid card).
_DASH_IN_NUMBER = re.compile(r"(?<=[0-9])[\u2013\u2014\u2015\u30fc\uff70](?=[0-9])")
_HYPHENED_BEFORE = re.compile(r"-[0-9]+$")
_HYPHENED_AFTER = re.compile(r"[0-9]+-[0-9]")
# Of the full-width block, what a value is written with: digits, letters, "+", "-", "@", ".", "_", "(" and ")". Not
# the sentence's punctuation: a full-width colon or comma carries its own space ("IPアドレス：192.168.10.25" is a
# label and its value; "key:1.2.3.4" is not), and the detectors read them as written.
_FULL_WIDTH = "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ＋－＠．＿（）"

# characters: on a review's hardest text (a line of "－" after another) difflib took 0.09 s at 1,000, 0.36 s at 2,000
# and 34 s at 19,000
_LOOSE_LIMIT = 1_000


@cache
def _table() -> dict[int, str]:
    table = {ord(c): chr(ord(c) - 0xFEE0) for c in _FULL_WIDTH}
    table.update({ord(c): " " for c in _SPACES + _PARTERS})
    table.update({ord(c): "-" for c in _HYPHENS})
    # Every other decimal digit of the Basic Multilingual Plane: Arabic-Indic, Persian, Devanagari, Bengali, Thai, ...
    table.update({cp: str(unicodedata.decimal(chr(cp))) for cp in range(0x80, 0x10000)
                  if unicodedata.category(chr(cp)) == "Nd"})
    return table


@dataclass(frozen=True)
class Folded:
    text: str  # as the user wrote it
    folded: str  # what the detectors read
    origin: tuple[int, ...] | None  # the index in `text` of each character of `folded`, and len(text); None: the same

    def restore(self, scrubbed: str, placeholders: re.Pattern) -> str:
        """`scrubbed` (the folded text with some spans replaced by placeholders) with every character it kept put
        back as the user wrote it."""
        if scrubbed == self.folded:
            return self.text
        if self.folded == self.text:
            return scrubbed  # (what lining up would give, without the work)
        parts = placeholders.split(scrubbed)  # kept, placeholder, kept, ..., kept
        # a short piece may fit in more than one place ("Tel <PHONE> <PHONE>": the space between the values, or one
        # inside the first written "+7\u2009903"): first where none of its characters was folded, as text between
        # values usually is, then anywhere
        spans = _line_up(self.folded, parts[0::2], self._unfolded) or _line_up(self.folded, parts[0::2])
        if spans is None:
            return self._loosely(scrubbed, placeholders)
        # a kept piece runs on to the next character the detectors read, so the invisible ones after it stay, and
        # the first piece from the text's start; invisible ones right after a replaced value went with it
        return "".join(self._written(a, b) + (parts[2 * i + 1] if 2 * i + 1 < len(parts) else "")
                       for i, (a, b) in enumerate(spans))

    @property
    def _at(self):
        """The index in `text` of each character of `folded` (and of its end)."""
        return self.origin or range(len(self.folded) + 1)

    def _unfolded(self, a: int, b: int) -> bool:
        """folded[a:b] is as the user wrote it, character for character."""
        at = self._at
        return all(self.folded[i] == self.text[at[i]] for i in range(a, b))

    def _written(self, a: int, b: int) -> str:
        """folded[a:b] as the user wrote it."""
        at = self._at
        return self.text[at[a] if a else 0:at[b]]

    def _loosely(self, scrubbed: str, placeholders: re.Pattern) -> str:
        """Where a detector also moved a character outside what it replaced, the pieces do not line up exactly:
        difflib's matching blocks put back what it can. `scrubbed` as it is where that would touch a placeholder, or
        on a long text (the matching is quadratic at worst)."""
        if len(self.folded) > _LOOSE_LIMIT:
            return scrubbed
        blocks = difflib.SequenceMatcher(None, self.folded, scrubbed, autojunk=False).get_opcodes()
        out = "".join(self._written(a1, a2) if op == "equal" else scrubbed[b1:b2] for op, a1, a2, b1, b2 in blocks)
        return out if placeholders.findall(out) == placeholders.findall(scrubbed) else scrubbed


def fold(text: str) -> Folded:
    """`text` with its digits, separators and invisible characters as the detectors read them."""
    if text.isascii():
        return Folded(text, text, None)
    origin, folded = None, text
    if _INVISIBLE.search(text):
        kept = _kept(text)
        if len(kept) < len(text):
            origin = (*kept, len(text))
            folded = "".join(text[i] for i in kept)
    parting = [m.start() for m in _WIDE_BETWEEN_DIGITS.finditer(folded)
               if _PLAIN_GROUPS.search(folded, max(0, m.start() - 12), m.start() + 13)]
    wide = [folded[i] for i in parting]
    folded = _DASH_IN_NUMBER.sub(_dash, folded.translate(_table()))
    if "\u202f" in folded or "\u2009" in folded or "\u3000" in folded:
        folded = _KEPT_SPACE.sub(lambda m: m.group(0) if m.group("kept") else " ", folded)
    if parting:
        chars = list(folded)
        for i, c in zip(parting, wide):
            chars[i] = c
        folded = "".join(chars)
    return Folded(text, folded, origin)


def _dash(m: re.Match) -> str:
    text, at = m.string, m.start()
    hyphened = _HYPHENED_BEFORE.search(text, max(0, at - 40), at) or _HYPHENED_AFTER.match(text, at + 1, at + 41)
    return m.group(0) if hyphened else "-"


def _kept(text: str) -> list[int]:
    """The indices of `text`'s characters the detectors read: all but the joiners, and the zero-width spaces between
    two letters or beside "@ . - _" (the characters around one are the nearest visible ones; two passes keep it
    linear on a run of them)."""
    invisible = set(_JOINERS + _PARTERS)
    before, last = [""] * len(text), ""
    for i, c in enumerate(text):
        before[i] = last
        if c not in invisible:
            last = c
    kept, after = [], ""
    for i in range(len(text) - 1, -1, -1):
        c = text[i]
        if c not in _JOINERS and not (c == "\u200b" and _inside(before[i], after)):
            kept.append(i)
        if c not in invisible:
            after = c
    return kept[::-1]


def _inside(before: str, after: str) -> bool:
    """A zero-width space between these two visible characters sits inside a word or an address."""
    return (before.isalpha() and after.isalpha() and before.isascii() == after.isascii()
            or before in _ADDRESS_MARKS or after in _ADDRESS_MARKS)


def _line_up(folded: str, kept: list[str], prefer=None) -> list[tuple[int, int]] | None:
    """Where each kept piece sits in `folded`: the first at its start, the last at its end, each other one at its
    first place after the previous one and at least one character on (a placeholder stood for something), or the
    first of those where `prefer(start, end)` holds (`_place`). Without `prefer` the first place always works when
    any does, so no search is needed; None where the pieces do not fit."""
    if len(kept) == 1 or not folded.startswith(kept[0]):
        return None
    spans, end = [(0, len(kept[0]))], len(kept[0])
    for i, piece in enumerate(kept[1:], 1):
        start = _find(folded, piece, end + 1, prefer, last=i == len(kept) - 1)
        if start < 0:
            return None
        spans.append((start, start + len(piece)))
        end = start + len(piece)
    return spans


def _find(folded: str, piece: str, at: int, prefer, last: bool) -> int:
    """Where `piece` starts, from `at` on; the last piece ends the text."""
    if last:
        start = len(folded) - len(piece)
        return start if start >= at and folded.endswith(piece) else -1
    return _place(folded, piece, at, prefer)


def _place(folded: str, piece: str, at: int, prefer) -> int:
    """The first place of `piece` from `at` on where `prefer` holds, among the first 20; else its first place."""
    first = start = folded.find(piece, at)
    for _ in range(20 if prefer else 0):
        if start < 0:
            break
        if prefer(start, start + len(piece)):
            return start
        start = folded.find(piece, start + 1)
    return first
