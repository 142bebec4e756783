"""The Scrubber: runs the detectors over a text in a fixed order and counts what each replaced."""

import re
from collections import Counter
from dataclasses import dataclass, field

from tasks.sampling.pii import credentials, names, ner
from tasks.sampling.pii.context import MARK as _MARK
from tasks.sampling.pii.national_ids import DEFAULT_SCHEMES, NationalIds
from tasks.sampling.pii.numbers import Numbers
from tasks.sampling.pii.phone_context import PhoneContext
from tasks.sampling.pii.phones import DEFAULT_REGIONS, Phones

KINDS = ("email", "ip", "phone", "card", "iban", "national_id", "secret", "credential", "person")
PLACEHOLDER = {kind: f"<{kind.upper()}>" for kind in KINDS}
# Run order: URLs and secrets before emails (user:pass@host looks like an address), structured numbers
# before names, names last (a placeholder is never a name).
ORDER = ("credential", "secret", "email", "ip", "iban", "national_id", "card", "phone", "person")

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Dotted quads, and colon-separated hex groups with at least two colons (IPv6, :: shorthand included);
# `ipaddress` then decides, so 999.1.1.1 or a 10:30:00 time stay. A full stop may end the sentence after it; a
# port may follow a dotted quad ("10.31.67.35:51822", a proxy's client) or a full eight-group IPv6 address (a Java
# server's "/2001:db8:0:0:0:0:0:7:51022"). Not inside a longer dotted or colon run ("1.2.3.4.5", "10:30:00:12"), but after
# a word's colon ("outside:10.31.67.35", a firewall's interface; _ip decides which words) or a word's ellipsis
# ("vpn-gw...37.201.183.51", not "1.0.0.0..2.0.0.0" nor a table of contents' dot leader) (blind 23's).
_IP = re.compile(r"(?:(?<![\w.:])|(?<=[^\W\d_]:)|(?<=[^\W\d_]\.\.)|(?<=[^\W\d_]\.\.\.))(?:\d{1,3}(?:\.\d{1,3}){3}(?=:\d{1,5}(?![\w:]))|"
                 r"[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){7}(?=:\d{1,5}(?![\w:]))|"
                 r"(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7})(?![\w:]|\.\w))")


# The words before a colon that name an address in logs and configs ("outside:10.31.67.35" in a firewall's log,
# "src:", "peer:"); after any other word a colon joins a key to a version, an OID or a section number
# ("version:1.2.3.4", "oid:1.3.6.1", "Clause:4.1.2.3", a review's), unless a port or prefix follows ("/443").
_NETWORK_WORDS = {"outside", "inside", "dmz", "wan", "lan", "mgmt", "management", "ip", "ipv4", "ipv6", "addr", "address",
                  "host", "src", "dst", "source", "dest", "destination", "client", "server", "peer", "remote", "local",
                  "gw", "gateway", "nat", "public", "private", "external", "internal", "origin", "proxy", "forwarded",
                  "via", "interface", "iface", "eth0", "eth1", "wlan0", "vpn", "tunnel", "user", "guest"}
_KEY_BEFORE_COLON = re.compile(r"([^\W\d_][\w-]*)$")


def _after_a_network_word(text: str, colon: int, end: int) -> bool:
    key = _KEY_BEFORE_COLON.search(text, max(0, colon - 30), colon)
    if not key or key.start() > 0 and text[key.start() - 1] in "./:@":
        return False  # no word, or a coordinate's part: "registry.example.com/api:1.4.2.7", "com.acme:sdk:3.1.0.2"
    parts = set(re.split(r"[_-]", key.group(1).lower()))  # "client_ip", "NAS-IP-Address"
    return bool(parts & _NETWORK_WORDS) or text[end:end + 1] == "/" and text[end + 1:end + 2].isdigit() \
        and "." in text[colon:end]


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
        """Replace every detected PII span in `text` with its typed placeholder; count hits per detector."""
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
            text = _IP.sub(self._ip, text)
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

    def _ip(self, m: re.Match) -> str:
        import ipaddress

        value = m.group(0)
        if m.string[m.start() - 1:m.start()] == ":" and not _after_a_network_word(m.string, m.start() - 1, m.end()):
            return value  # "version:1.2.3.4", "image: registry/api:1.4.2.7", "wwn:50:01:43:80:12:34:56:78"
        if value.count(":") >= 2 and not re.search(r"[0-9A-Fa-f]", value):
            return value  # a run of colons, not an address
        try:
            ipaddress.ip_address(value)
        except ValueError:
            return value
        return self._hit("ip")
