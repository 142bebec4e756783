"""Secrets in prompts: API keys with a vendor prefix, bearer tokens, JWTs, private keys, passwords given as
`password: ...`, long random tokens, and the credentials inside URLs (user:password@, ?token=, &sig=).

Hand-written on purpose: detect-secrets and gitleaks carry the same vendor rules but scan files and repos,
not strings in memory, and neither is a dependency here. The prefixes are the vendors' documented formats.
Only the secret itself is replaced, so "Authorization: Bearer <SECRET>" or
"https://<CREDENTIAL>@db.internal:5432/app" still tells the teacher what the user was doing.
"""

import math
import re
from collections import Counter
from collections.abc import Callable

Hit = Callable[[str], str]  # kind -> placeholder, counting the hit

_VENDOR_KEYS = [
    r"sk-ant-[A-Za-z0-9_-]{20,}",                                # Anthropic
    r"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}",          # OpenAI
    r"(?:sk|pk|rk|whsec)_(?:live|test)_[A-Za-z0-9]{16,}",         # Stripe
    r"gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}",  # GitHub
    r"glpat-[A-Za-z0-9_-]{20,}",                                  # GitLab
    r"(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA)[A-Z0-9]{16}",  # AWS access key id
    r"xox[abposre]-[A-Za-z0-9-]{10,}",                           # Slack
    r"AIza[0-9A-Za-z_-]{35}",                                     # Google API key
    r"ya29\.[0-9A-Za-z_-]{20,}",                                  # Google OAuth access token
    r"hf_[A-Za-z0-9]{30,}",                                       # Hugging Face
    r"npm_[A-Za-z0-9]{36}",                                       # npm
    r"pypi-[A-Za-z0-9_-]{50,}",                                   # PyPI
    r"SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}",               # SendGrid
    r"(?:SK|AC)[0-9a-f]{32}",                                     # Twilio
    r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*",  # JWT: base64url of '{"' twice
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)",
    r"https://hooks\.slack\.com/services/[A-Za-z0-9/]+",         # webhooks: the path is the secret
    r"https://discord(?:app)?\.com/api/webhooks/\d+/[\w-]+",
]
_VENDOR = re.compile(r"(?<![\w-])(?:" + "|".join(_VENDOR_KEYS) + r")(?![\w-])")
# The credential after an auth scheme ("Authorization: Bearer ...", "token abc...").
_AUTH_HEADER = re.compile(r"(?i)\b(?P<scheme>bearer|basic|token|apikey|api-key)(?:\s*[:=])?\s+([A-Za-z0-9._~+/=-]{12,})")
# After a bare "token", digits and separators alone are a ticket's number: a weighbridge's "token 563-211-8977", a
# queue's "Token 4821-9931-0735" (blind 27's). Not after a word that makes it a credential ("auth token 4821-9931-0712",
# "OTP token", "Authorization: Token ...", a review's), nor after "bearer", "basic" or "apikey". The word stands
# alone: "Prepaid token 4821-9931-0735" ends in "id" and is still a meter's ticket.
_TICKET_DIGITS = re.compile(r"[\d.~+/=-]+")
_CREDENTIAL_BEFORE_TOKEN = re.compile(r"(?i)(?<![a-z0-9])(?:authorization|auth|access|session|otp|api|refresh|security|id|sso|csrf|"
                                      r"jwt|oauth|bot)[ \t:_-]*$")
# A secret handed over in words or as an assignment, in the languages the prompts come in.
_ASSIGNED = re.compile(
    r"(?i)(?<![a-z0-9])(?:password|passwd|pwd|passcode|pin code|secret|client[_-]?secret|api[_ -]?key|apikey|access[_ -]?key|"
    r"secret[_ -]?key|private[_ -]?key|auth[_ -]?token|access[_ -]?token|refresh[_ -]?token|token|"
    r"passwort|kennwort|mot de passe|contraseña|contrasena|clave|senha|wachtwoord|parola d'ordine)"
    r"(?:\s*[:=]\s*|\s+(?:is|was|ist|war|est|était|es|era|è|é|is nu|now)\s*:?\s*)[\"'`]?([^\s\"'`<>,;]{4,})")
_AUTH_WORDS = ("bearer", "basic", "token", "apikey", "api-key")
_ASSIGN_WORDS = ("pass", "pwd", "pin code", "secret", "key", "token", "kennwort", "mot de passe", "contrase", "clave",
                 "senha", "wachtwoord", "parola")  # a word each alternative of _ASSIGNED contains
# Long runs of base64/url-safe characters; kept only when they look random (see _looks_random).
_TOKEN = re.compile(r"(?<![\w/+=.-])[A-Za-z0-9+/_-]{20,}={0,2}(?![\w/+=-])")
# The same right after a key's "=" ("PAYMENT_KEY=AvAi/ll99...", "sig=..."), which _TOKEN's look-behind skips so as
# not to start inside a token; the value must still look random.
_ASSIGNED_TOKEN = re.compile(r"(?<=[A-Za-z_]=)[A-Za-z0-9+/_-]{20,}={0,2}(?![\w/+=-])")
_OBJECT_ID = re.compile(r"[a-z]{2,5}_[A-Za-z0-9]+$")
_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s<>\"'`]+")
_USERINFO = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*://)([^/@\s?#]+)@")
# Query and fragment parameters that carry a credential (OAuth, presigned S3/GCS URLs, session ids).
_SECRET_PARAM = re.compile(
    r"(?i)([?&#;](?:[\w.-]*token|api[_-]?key|apikey|key|secret|client_secret|password|passwd|pwd|pass|auth|"
    r"authorization|sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token|x-goog-signature|"
    r"x-goog-credential|code|session|session[_-]?id|sid|jwt|access_key|otp)=)([^&#\s]+)")


def credential_urls(text: str, hit: Hit) -> str:
    """URLs keep scheme, host and path; their user:password@ and secret parameters become <CREDENTIAL>."""
    if "://" not in text:
        return text
    return _URL.sub(lambda m: _scrub_url(m.group(0), hit), text)


# A session parameter holding a number of six digits or fewer counts sessions (a lap, a class, a meeting):
# "?session=195661" names a karting heat. A longer one may be a legacy app's login (?sid=48213376519).
_SESSION_PARAM = re.compile(r"(?i)[?&#;](?:session|session[_-]?id|sid)=$")
_SHORT_NUMBER = re.compile(r"\d{1,6}")


def _scrub_url(url: str, hit: Hit) -> str:
    url = _USERINFO.sub(lambda m: m.group(1) + hit("credential") + "@", url, count=1)
    return _SECRET_PARAM.sub(lambda m: m.group(0) if _counts_sessions(m) else m.group(1) + hit("credential"), url)


def _counts_sessions(m: re.Match) -> bool:
    return bool(_SESSION_PARAM.match(m.group(1)) and _SHORT_NUMBER.fullmatch(m.group(2)))


def secrets(text: str, hit: Hit) -> str:
    """Vendor keys, JWTs and private keys whole; bearer tokens and assigned passwords after their label;
    then any remaining long random-looking token."""
    text = _VENDOR.sub(lambda m: hit("secret"), text)
    lowered = text.lower()
    if any(w in lowered for w in _AUTH_WORDS):  # a substring test is 20x cheaper than the patterns
        text = _AUTH_HEADER.sub(lambda m: _replace_group(m, hit, 2) if _mixed(m.group(2)) and not _ticket(m) else m.group(0),
                                text)
    if any(w in lowered for w in _ASSIGN_WORDS):
        text = _ASSIGNED.sub(lambda m: _replace_group(m, hit) if _mixed(m.group(1)) else m.group(0), text)
    text = _TOKEN.sub(lambda m: hit("secret") if _looks_random(m.group(0)) else m.group(0), text)
    return _ASSIGNED_TOKEN.sub(lambda m: hit("secret") if _looks_random(m.group(0)) else m.group(0), text)


def _ticket(m: re.Match) -> bool:
    """A ticket's number after a bare "token" (_TICKET_DIGITS), not a credential."""
    return m.group("scheme").lower() == "token" and bool(_TICKET_DIGITS.fullmatch(m.group(2))) \
        and not _CREDENTIAL_BEFORE_TOKEN.search(m.string, max(0, m.start() - 30), m.start())


def _replace_group(m: re.Match, hit: Hit, group: int = 1) -> str:
    start, end = m.span(group)
    return m.group(0)[: start - m.start()] + hit("secret") + m.group(0)[end - m.start():]


def _mixed(value: str) -> bool:
    """A password or token mixes letters with digits or symbols, or cases ('hunter2', 'Tr0ub4dor'); a plain
    word after 'password is' ('incorrect', 'expired') is not one."""
    if value.startswith("<") or value.lower() in {"null", "none", "redacted", "xxxx", "****"}:
        return False
    classes = sum(map(bool, (re.search(r"[a-z]", value), re.search(r"[A-Z]", value), re.search(r"\d", value),
                             re.search(r"[^A-Za-z0-9]", value))))
    return classes >= 2 and not re.fullmatch(r"[A-Z]?[a-z]+", value)


def _looks_random(token: str) -> bool:
    """Upper case, lower case and digits together, at a character entropy no identifier or word reaches:
    UUIDs and hashes (lower-case hex), SKUs and tracking numbers (upper case and digits), snake_case names
    and paths fail the class test; CamelCase identifiers fail the entropy test."""
    body = token.rstrip("=")
    if _OBJECT_ID.match(body):
        return False  # Stripe-style object ids (ch_3NfP2k..., cus_Nffr...) name a record, they open nothing
    if not (re.search(r"[a-z]", body) and re.search(r"[A-Z]", body) and re.search(r"\d", body)):
        return False
    if all(part.isalpha() or part.isdigit() for part in re.split(r"[-_./+]", body) if part):
        return False  # words and numbers joined (Chevalier-sur-Descamps-60): a name, not a secret
    segments = [part for part in body.split("/") if part]
    words = sum(part.isalpha() and (part.islower() or part.istitle() or part.isupper()) for part in segments)
    if (len(segments) > 3 or body.startswith("/") and len(segments) > 1) and 2 * words >= len(segments):
        # a path: four or more segments, or an absolute one ("/api/shipments/LX238512930DE"), half of them words
        # (base64 has slashes too, between noise)
        return False
    if body.count("_") > 3 or body.count("-") > 3:
        return False  # a slug, not an encoded secret
    counts = Counter(body)
    entropy = -sum(n / len(body) * math.log2(n / len(body)) for n in counts.values())
    return entropy >= 3.7
