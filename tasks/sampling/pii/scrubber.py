"""The Scrubber: runs the detectors over a text in a fixed order and counts what each replaced."""

import re
from collections import Counter
from dataclasses import dataclass, field

from tasks.sampling.pii import credentials, ips, names, ner
from tasks.sampling.pii.context import MARK as _MARK
from tasks.sampling.pii.fold import fold
from tasks.sampling.pii.national_ids import DEFAULT_SCHEMES, NationalIds
from tasks.sampling.pii.numbers import Numbers
from tasks.sampling.pii.phone_context import PhoneContext
from tasks.sampling.pii.phones import DEFAULT_REGIONS, Phones

KINDS = ("email", "ip", "phone", "card", "iban", "national_id", "secret", "credential", "person")
PLACEHOLDER = {kind: f"<{kind.upper()}>" for kind in KINDS}
_PLACEHOLDERS = re.compile("(" + "|".join(map(re.escape, PLACEHOLDER.values())) + ")")
# Run order: URLs and secrets before emails (user:pass@host looks like an address), structured numbers
# before names, names last (a placeholder is never a name).
ORDER = ("credential", "secret", "email", "ip", "iban", "national_id", "card", "phone", "person")

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


# Scripts written without spaces between words (Chinese, Japanese, Thai, Lao, Khmer, Myanmar), and Korean and
# Amharic (Ge'ez), whose particles attach to what they follow ("በ+31895 559797", "at ..."), join Latin and digit
# tokens to their letters: "IP地址是10.0.0.1", "携帯番号は+16067861675です", "카드 4111...로". Every detector finds a
# token by the non-word characters around it, so while they scan, a marked space splits each such join; the marked
# spaces are removed after.
_UNSPACED = ("\u0e00-\u0eff\u1000-\u109f\u1200-\u137f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
             "\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f")
# ... and before a bracket too: "打(268)195-0446搵我" ("call ... to find me", blind 22's)
_JOIN_BEFORE = re.compile(rf"(?<=[{_UNSPACED}])(?=[A-Za-z0-9+(])")
_JOIN_AFTER = re.compile(rf"(?<=[A-Za-z0-9])(?=[{_UNSPACED}])")


def _split_joins(text: str) -> str:
    return _JOIN_AFTER.sub(" " + _MARK, _JOIN_BEFORE.sub(_MARK + " ", text))


def _unsplit_joins(text: str) -> str:
    return text.replace(_MARK + " ", "").replace(" " + _MARK, "")


@dataclass
class Scrubber:
    detectors: tuple[str, ...] = ORDER
    phone_region: str = "US"  # tried first for numbers written without a country code
    phone_regions: tuple[str, ...] = DEFAULT_REGIONS
    national_ids: tuple[str, ...] = DEFAULT_SCHEMES
    ner: str = "auto"  # 'auto': an installed Presidio or spaCy adds person spans; 'off': cues and name lists only
    phone_context: bool = True  # the learned second opinion on numbers no rule called a phone (phone_context.py)
    # That opinion also reads the words with a small language model (context_reader.py). Off for the class as the
    # benchmarks and tests build it (their default figures are the hashed words'); the config's default
    # (sampling.pii.context_reader) turns it on through from_config.
    context_reader: bool = False
    hits: Counter = field(default_factory=Counter)  # detector -> placeholders inserted so far

    def __post_init__(self):
        unknown = sorted(set(self.detectors) - set(KINDS))
        if unknown:
            raise ValueError(f"sampling.pii.detectors: {unknown} unknown; known: {list(KINDS)}")
        self._on = set(self.detectors)
        self._ids = NationalIds(self.national_ids)
        learned = None
        if self.phone_context and "phone" in self._on:
            learned = PhoneContext.bundled_with_reader() if self.context_reader else PhoneContext.bundled()
        self._numbers = Numbers(self._on, self._ids, Phones(self.phone_regions, self.phone_region), learned)
        self._ner = ner.load(self.ner) if "person" in self._on else None

    @classmethod
    def from_config(cls, pii, prompts_leave: bool = False) -> "Scrubber":
        """From a `sampling.pii` section (distillery.config.PiiConfig); `prompts_leave`: a teacher or judge endpoint
        is off this machine, which turns `phone_context: auto` on."""
        learned = pii.phone_context == "on" or (pii.phone_context == "auto" and prompts_leave)
        return cls(tuple(pii.detectors) if pii.enabled else (), pii.phone_region, tuple(pii.phone_regions),
                   tuple(pii.national_ids), pii.ner, learned, pii.context_reader != "off")

    def scrub(self, text: str) -> str:
        """Replace every detected PII span in `text` with its typed placeholder; count hits per detector. The
        detectors read it folded (fold.py: full-width and native digits, no-break spaces, invisible characters);
        what they leave is returned as written."""
        folded = fold(text)
        return folded.restore(self._scrub_joined(folded.folded), _PLACEHOLDERS)

    def _scrub_joined(self, text: str) -> str:
        joined = _MARK not in text and (_JOIN_BEFORE.search(text) or _JOIN_AFTER.search(text))
        text = _split_joins(text) if joined else text
        text = self._scrub(text)
        return _unsplit_joins(text) if joined else text

    def _scrub(self, text: str) -> str:
        on = self._on
        if "credential" in on:
            text = credentials.credential_urls(text, self._hit)
        if "secret" in on:
            text = credentials.secrets(text, self._hit)
        if "email" in on and "@" in text:
            text = _EMAIL.sub(lambda m: self._hit("email"), text)
        if "ip" in on and ("." in text or ":" in text):
            text = ips.scrub(text, self._hit)
        if "national_id" in on:
            text = self._ids.lettered_ids(text, self._hit)
        if on & {"iban", "card", "phone", "national_id"}:
            text = self._numbers.scrub(text, self._hit)
        if "person" in on:
            text = names.people(text, self._hit, self._ner)
        return text

    def _hit(self, kind: str) -> str:
        self.hits[kind] += 1
        return PLACEHOLDER[kind]
