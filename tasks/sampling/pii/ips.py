"""IP addresses: IPv4 and IPv6 in the forms logs, configs and tickets write them; `ipaddress` decides what parses."""

import ipaddress
import re
from typing import Callable

# Dotted quads, and colon-separated hex groups with at least two colons (IPv6, :: shorthand included), or both
# (an IPv6 address ending in an IPv4 one, RFC 4291 2.2: "::ffff:192.0.2.128", what a dual-stack server such as
# Node's logs for an IPv4 client); `ipaddress` then decides, so 999.1.1.1 or a 10:30:00 time stay. A full stop may
# end the sentence after it; a port may follow a dotted quad ("10.31.67.35:51822", a proxy's client), one ending an
# IPv6 address, or a full eight-group IPv6 address (a Java server's "/2001:db8:0:0:0:0:0:7:51022"). Not inside a
# longer dotted or colon run ("1.2.3.4.5", "10:30:00:12"), but after a word's colon ("outside:10.31.67.35", a
# firewall's interface; _wanted decides which words) or a word's ellipsis ("vpn-gw...37.201.183.51", not
# "1.0.0.0..2.0.0.0" nor a table of contents' dot leader) (blind 23's).
_QUAD = r"(?:[0-9A-Fa-f]{0,4}:){2,6}\d{1,3}(?:\.\d{1,3}){3}|\d{1,3}(?:\.\d{1,3}){3}"  # (after IPv6 groups, or alone)
_PORT = r"(?=:\d{1,5}(?![\w:]))"
_IP = re.compile(r"(?:(?<![\w.:])|(?<=[^\W\d_]:)|(?<=[^\W\d_]\.\.)|(?<=[^\W\d_]\.\.\.))"
                 rf"(?:(?:{_QUAD}){_PORT}|[0-9A-Fa-f]{{1,4}}(?::[0-9A-Fa-f]{{1,4}}){{7}}{_PORT}|"
                 rf"(?:{_QUAD}|[0-9A-Fa-f]{{0,4}}(?::[0-9A-Fa-f]{{0,4}}){{2,7}})(?![\w:]|\.\w))")
# A "defanged" IPv4 address, as security tickets and threat reports write one so that no tool links or connects to
# it: "198.51.100[.]23", "198[.]51[.]100[.]23", "10(.)0(.)0(.)1", "10[dot]0[dot]0[dot]1". It still names a host.
_DEFANGED = re.compile(r"(?<![\w.])\d{1,3}(?:(?:\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)|\.)\d{1,3}){3}(?![\w\[({]|\.\d)")
_FANG = re.compile(r"\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)")

# The words before a colon that name an address in logs and configs ("outside:10.31.67.35" in a firewall's log,
# "src:", "peer:", "адрес:"); after any other word a colon joins a key to a version, an OID or a section number
# ("version:1.2.3.4", "oid:1.3.6.1", "Clause:4.1.2.3", a review's), unless a port or prefix follows ("/443").
_NETWORK_WORDS = {"outside", "inside", "dmz", "wan", "lan", "mgmt", "management", "ip", "ipv4", "ipv6", "addr", "address",
                  "host", "src", "dst", "source", "dest", "destination", "client", "server", "peer", "remote", "local",
                  "gw", "gateway", "nat", "public", "private", "external", "internal", "origin", "proxy", "forwarded",
                  "via", "interface", "iface", "eth0", "eth1", "wlan0", "vpn", "tunnel", "user", "guest",
                  # "address", "server", "client", "host" in the languages the prompts come in
                  "adresse", "adres", "dirección", "direccion", "indirizzo", "endereço", "endereco", "adresa", "osoite",
                  "адрес", "адреса", "servidor", "serveur", "cliente", "kunde", "hôte", "hote", "хост", "сервер", "клиент"}
_KEY_BEFORE_COLON = re.compile(r"([^\W\d_][\w-]*)$")

# A dotted quad right after a word that numbers a version or a part of a document is that number, not an address:
# "Upgrade to version 4.2.1.0", "Build 1.0.0.127 failed", "See section 2.3.1.4", "Clause 4.1.2.3 applies" (every part
# of them parses as an IPv4 address). Only the word right before it (and "is", "to", "no.", "#" after the word). Words
# that as often say what is done to a host, or where it sits, stay out: "patch 10.0.0.5 tonight", "tag 10.0.0.5 as
# compromised", "upgrade 10.0.0.5 first" (only "upgrade to" is in), "release 10.20.1.5 from the blocklist", a DNS
# record's "update to 203.0.113.10", a firewall's "rule", a route "table", "from".
_NUMBERING_WORD = re.compile(
    r"(?i)(?<![\w-])(?:version|ver|build|firmware|bios|driver|(?:up|down)grade[ \t]+to|"
    r"package|pkg|sdk|plugin|kernel|rev|revision|edition|section|sec|§|clause|article|art|item|"
    r"paragraph|para|chapter|step|figure|fig|appendix|annex|exhibit|subsection|requirement|req|spec|specification|"
    r"oid|wbs|milestone|versión|versão|versione|versie|wersja|версия|версія|sürüm|abschnitt|ziffer|kapitel|artikel|"
    r"artículo|apartado|sección|capítulo|chapitre|paragraphe|sezione|capitolo|articolo|artigo|seção|secção|"
    r"hoofdstuk|rozdział|раздел|пункт|глава|статья|madde|bölüm)\.?(?:[ \t]+(?:is|to|no\.?|nr\.?|number|#))?[ \t]*[#:=]?"
    r"[ \t]*$")


def scrub(text: str, hit: Callable[[str], str]) -> str:
    """Replace every IP address in `text` with hit("ip")."""
    if "[" in text or "(" in text or "{" in text:
        text = _DEFANGED.sub(lambda m: hit("ip") if _defanged(m.group(0)) else m.group(0), text)
    return _IP.sub(lambda m: hit("ip") if _wanted(m) else m.group(0), text)


def _defanged(value: str) -> bool:
    return bool(_FANG.search(value)) and _parses(_FANG.sub(".", value))


def _wanted(m: re.Match) -> bool:
    text, value, start = m.string, m.group(0), m.start()
    if text[start - 1:start] == ":" and not _after_a_network_word(text, start - 1, m.end()):
        return False  # "version:1.2.3.4", "image: registry/api:1.4.2.7", "wwn:50:01:43:80:12:34:56:78"
    if ":" in value:
        return bool(re.search(r"[0-9A-Fa-f]", value)) and _parses(value)  # (a run of colons is no address)
    return not _NUMBERING_WORD.search(text, max(0, start - 40), start) and _parses(value, text[max(0, start - 40):start])


_FIREWALL_WORDS = {"deny", "denied", "allow", "allowed", "drop", "dropped", "accept", "accepted", "block", "blocked",
                   "reject", "rejected", "permit", "firewall", "login", "connection", "connect", "connected"}


def _parses(value: str, before: str = "") -> bool:
    try:
        ipaddress.ip_address(value)
        return True
    except ValueError:
        # `ipaddress` refuses leading zeros (an octal reading would differ); a fixed-width log's zero-padded
        # address ("DENY src 192.168.001.010", every part three digits) is still the decimal one, after a network
        # word: a ledger's "GL 101.000.110.000" is an account
        parts = value.split(".")
        return len(parts) == 4 and all(len(p) == 3 and p.isdigit() and int(p) <= 255 for p in parts) and any(
            w in _NETWORK_WORDS or w in _FIREWALL_WORDS for w in re.findall(r"[^\W\d_]+", before.lower()))


def _after_a_network_word(text: str, colon: int, end: int) -> bool:
    key = _KEY_BEFORE_COLON.search(text, max(0, colon - 30), colon)
    if not key or key.start() > 0 and text[key.start() - 1] in "./:@":
        return False  # no word, or a coordinate's part: "registry.example.com/api:1.4.2.7", "com.acme:sdk:3.1.0.2"
    parts = set(re.split(r"[_-]", key.group(1).lower()))  # "client_ip", "NAS-IP-Address"
    return bool(parts & _NETWORK_WORDS) or text[end:end + 1] == "/" and text[end + 1:end + 2].isdigit() \
        and "." in text[colon:end]
