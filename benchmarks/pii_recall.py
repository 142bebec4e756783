"""How much planted PII does the scrubber catch, and how many clean business texts does it alter?

    .venv/bin/python benchmarks/pii_recall.py            # ~40 s on 2 cores; --per-kind N for a bigger sample
    .venv/bin/python benchmarks/pii_recall.py --set fresh --per-kind 1600 --seed 8

Independent of the detector: values come from Faker's providers in 16 locales (phone_number, ssn and the
locales' id providers, iban, credit_card_number, ipv4/ipv6, email, first/last names, url parts) plus
hand-written fake secrets in the vendors' formats; the sentences around them are templates written here,
in several languages, not the detector's cue phrases or the demo generator's sentences. Clean texts are
full of order and invoice numbers, amounts, dates, times, SKUs, versions, barcodes, tracking numbers,
hashes and company names. Seeded: same seed, same figures (Faker's clock, its global `random` and the hash
order of its sets are pinned, see freeze_faker and main).

Thirty-eight sets of templates, each with its own clean texts: "original" (below; the detector was tuned on it),
"heldout" and "fresh" (pii_heldout.py: other sentences, cue words and value styles, written by the project;
their misses were read since), and "blind", "blind2", ..., "blind35" (pii_blind*.py: written by helpers that never
saw the detector; each module's docstring says whether its misses have been read, after which it is no longer
blind). The last unread one's first run is the figure to quote.

A planted value counts as caught when none of its pieces survives: no run of 3+ letters/digits of it
(a phone's groups, an IBAN's blocks) and no word of a name is left in the output. Output: one JSON line per
kind and subgroup with each set's recall (and its first misses), one line for the clean texts altered per
set (and by which detector: a text counts once for each detector that replaced something in it), and last a
summary document (structured recall, targets met, per set).

Targets (issue "Privacy you can show an auditor"): structured kinds recall >= 0.995, names >= 0.90, clean
texts altered <= 1%.

The scrubber runs as `Scrubber()` builds it: with the learned phone context on (tasks/sampling/pii/phone_context.py;
the product's `sampling.pii.phone_context: auto` turns it on only where prompts leave the machine). It was trained
on the read sets, never on the unread ones (its phone_context.json says which).
"""

import argparse
import base64
import datetime
import importlib
import json
import os
import random
import re
import string
import sys
import time
import types
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import quote

import phonenumbers
from faker import Faker
from stdnum import verhoeff
from stdnum.iso7064 import mod_11_10

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import pii_blind  # noqa: E402
import pii_blind2  # noqa: E402
import pii_blind3  # noqa: E402
import pii_blind4  # noqa: E402
import pii_blind5  # noqa: E402
import pii_blind6  # noqa: E402
import pii_blind7  # noqa: E402
import pii_blind8  # noqa: E402
import pii_blind9  # noqa: E402
import pii_blind10  # noqa: E402
import pii_blind11  # noqa: E402
import pii_blind12  # noqa: E402
import pii_blind13  # noqa: E402
import pii_blind14  # noqa: E402
import pii_blind15  # noqa: E402
import pii_blind16  # noqa: E402
import pii_blind17  # noqa: E402
import pii_blind18  # noqa: E402
import pii_blind19  # noqa: E402
import pii_blind20  # noqa: E402
import pii_blind21  # noqa: E402
import pii_blind22  # noqa: E402
import pii_blind23  # noqa: E402
import pii_blind24  # noqa: E402
import pii_blind25  # noqa: E402
import pii_blind26  # noqa: E402
import pii_blind27  # noqa: E402
import pii_blind28  # noqa: E402
import pii_blind29  # noqa: E402
import pii_blind30  # noqa: E402
import pii_blind31  # noqa: E402
import pii_blind32  # noqa: E402
import pii_blind33  # noqa: E402
import pii_blind34  # noqa: E402
import pii_blind35  # noqa: E402
import pii_heldout  # noqa: E402

from tasks.sampling.pii import Scrubber  # noqa: E402

LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "pt_BR", "pl_PL", "sv_SE", "en_IN",
           "en_CA", "de_CH", "fi_FI", "es_MX", "no_NO")
# The id each locale's people are asked for, what they call it, and how to make a valid one.
ID_LABELS = {"en_US": "SSN", "en_GB": "National Insurance number", "de_DE": "Steuer-ID", "fr_FR": "numéro de sécurité sociale",
             "es_ES": "DNI", "it_IT": "codice fiscale", "nl_NL": "BSN", "pt_BR": "CPF", "pl_PL": "PESEL",
             "sv_SE": "personnummer", "en_IN": "Aadhaar", "en_CA": "SIN", "de_CH": "AHV-Nummer", "fi_FI": "henkilötunnus",
             "es_MX": "CURP", "no_NO": "fødselsnummer"}
# The standard each locale's id follows (python-stdnum), to drop the few ids Faker gets wrong (a CURP with a
# state code that does not exist): a string that fails its own standard's check is not that id.
ID_STANDARD = {"en_US": "us.ssn", "de_DE": "de.idnr", "fr_FR": "fr.nir", "es_ES": "es.nif", "it_IT": "it.codicefiscale",
               "nl_NL": "nl.bsn", "pt_BR": "br.cpf", "pl_PL": "pl.pesel", "sv_SE": "se.personnummer", "en_IN": "in_.aadhaar",
               "en_CA": "ca.sin", "de_CH": "ch.ssn", "fi_FI": "fi.hetu", "es_MX": "mx.curp", "no_NO": "no.fodselsnummer"}
IBAN_LOCALES = ("en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "pt_BR", "pl_PL", "fi_FI", "de_CH", "no_NO")
DROPPED: Counter = Counter()  # generated values that failed their own standard, replaced by another draw
STRUCTURED = ("phone", "national_id", "card", "iban", "email", "ip", "secret", "credential")

T = {
    "phone": ["Call me back on {v} after 5pm please.", "You can reach our office at {v}, ask for the billing desk.",
              "My number changed, the new one is {v}.", "Tel.: {v}", "Please text {v} when the courier is outside.",
              "WhatsApp {v} is faster than email for me.", "Customer phoned from {v} twice today about the refund.",
              "{name} ({v}) wants to upgrade to the annual plan.", "Rückrufnummer {v}, danke!",
              "Pouvez-vous me rappeler au {v} ?", "Mi número es {v}, llámenme por la tarde.", "Il mio cellulare è {v}.",
              "Mijn telefoonnummer is {v}.", "Meu celular é {v}.", "The phone {v} is not receiving the 2FA code.",
              "Emergency contact: {v}", "mobile {v} / office hours 9-17"],
    "national_id": ["My {label} is {v}.", "{label}: {v}", "Customer {name} ({label} {v}) asked for a copy of the invoice.",
                    "For the verification, here is my {label} {v}", "I typed my {label} {v} and the form says it is invalid.",
                    "Please correct the {label} on file to {v}."],
    "national_id_unlabelled": ["{name}, {v}, {city}", "Please update the record for {v}, it has the wrong address.",
                               "Here is what you asked for: {v}"],
    "card": ["Charge it to my card {v}, exp 08/27.", "The payment with {v} failed twice.", "Kartennummer: {v}",
             "{name} paid with {v} but got no receipt.", "Use {v} for the renewal instead of the old one.",
             "Mi tarjeta {v} fue rechazada."],
    "iban": ["Please refund to IBAN {v}.", "Bankverbindung: {v}", "Our account is {v}, reference the invoice.",
             "Merci de faire le virement sur {v}.", "Send the {amount} to {v} before Friday.", "{name} - {v}"],
    "email": ["Reach me at {v}.", "{name} <{v}>", "Please cc {v} on the reply.", "Mi correo es {v}, gracias.",
              "The invite went to {v} instead of my work address.", "login: {v}"],
    "ip": ["Login from {v} was not me!", "The server {v} refuses connections since 10:00.", "Please whitelist {v}.",
           "Ma box a l'adresse {v}.", "Blocked by your firewall: {v} (error 403)", "ping {v} times out"],
    "secret": ["Here is my key: {v} - why is it rejected?", "export API_KEY={v}",
               "curl -H 'Authorization: Bearer {v}' https://api.example.com/v1/jobs",
               "I accidentally pasted {v} into the chat, please delete it", 'config: auth = "{v}"',
               "The webhook is signed with {v}"],
    "credential": ["The job fails to connect to {v}", "link: {v}", "Open {v} to reset it.", "{v} returns 401 since Monday",
                   "Our nightly export reads from {v}"],
    "person": ["Hi, this is {name} from the Lisbon office.", "Please forward the contract to {name} before Friday.",
               "{name} reported the outage at 09:14.", "Passenger: {name}, seat 14C", "Booking under the name {name}, two nights.",
               "Kind regards,\n{name}", "Thanks a lot!\n{name}", "Spoke with {name} yesterday, she confirmed the refund.",
               "Hallo, hier ist {name}, ich habe eine Frage zur Rechnung.", "Bonjour, je suis {name} et mon colis n'est pas arrivé.",
               "Buenas tardes, soy {name}, tengo un problema con mi pedido.", "Salve, sono {name} e non riesco ad accedere.",
               "Goedemiddag, met {name}, ik bel over mijn factuur.", "Olá, aqui é {name}, preciso de ajuda com o pagamento.",
               "Account owner {name} asked us to close the account.", "From: {name}", "Can {name} get admin rights on the workspace?",
               "Ticket opened by {name} on behalf of the finance team."],
}
CLEAN = [
    "Order #{order} shipped on {date} via {carrier}, tracking {tracking}.",
    "Invoice {inv} from {company} totals {amount} {cur}, due {date}.",
    "SKU {sku} is out of stock in the {city} warehouse; restock ETA {date}.",
    "After upgrading to v{version} the export takes {n} minutes instead of {m}.",
    "Build {sha} failed at {time} UTC with exit code {code}.",
    "Our team of {n} seats pays {amount} per month on the Business plan.",
    "Request {uuid} returned 503 after {ms} ms.",
    "Refund of {amount} {cur} for order {order} was processed on {date}.",
    "The sync moved from {time} to {time2} on {weekday}s.",
    "Package {tracking} left {city} on {date} and is stuck in customs.",
    "Please change item {sku} from {n} to {m} units (order {order}).",
    "Flight {flight} on {date} departs {time}, gate {gate}, booking ref {pnr}.",
    "EAN {ean} and ISBN {isbn} are listed twice in the catalogue.",
    "Ticket {jira} reopened: error 0x{hex} on Windows build {build}.",
    "The report for Q{q} {year} shows revenue of {amount} and {pct}% growth.",
    "{company} renewed {n} licences at {amount} each (PO {po}).",
    "Meter reading {big} kWh on {date}, contract {contract}.",
    "Bestellung {order} vom {date_de}: {amount_de} EUR, Lieferung an {company}.",
    "Commande n° {order} du {date_de}, montant {amount_de} €, réf. {sku}.",
    "Pedido {order} enviado el {date_de} desde {city}, total {amount_de} €.",
    "Ordine {order} del {date_de}: {n} pezzi, importo {amount_de} €.",
    "Bestelling {order} van {date_de} is nog niet geleverd (ref {po}).",
    "Pedido {order} de {date_de}: R$ {amount_de}, nota fiscal {inv}.",
    "Stock: {big} units at {amount} {cur}, batch {batch}, lot {lot}.",
    "Between {date} and {date2} we processed {big} payments worth {amount} {cur}.",
    "Deploy {version} to {city}-{n} at {time}; rollback to {version2} if p99 > {ms} ms.",
    "Room {gate}, floor {n}, {weekday} {time}-{time2}: quarterly review with {company}.",
    "Customer account {account} has {n} open invoices totalling {amount} {cur}.",
    "Serial {serial} (firmware {version}) reboots every {n} hours.",
    "Quote {inv}: {n} x {amount} {cur} = {amount2} {cur}, valid until {date}.",
]


def secret_values(rng: random.Random) -> list[str]:
    """Fake credentials in the vendors' formats (never real ones)."""
    def rand(n: int, alphabet: str = string.ascii_letters + string.digits) -> str:
        return "".join(rng.choice(alphabet) for _ in range(n))

    def b64(obj: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")
    jwt = f"{b64({'alg': 'HS256', 'typ': 'JWT'})}.{b64({'sub': rand(8), 'iat': rng.randrange(10**9, 2 * 10**9)})}.{rand(43)}"
    return [f"sk-{rand(48)}", f"sk-proj-{rand(64, string.ascii_letters + string.digits + '-_')}", f"ghp_{rand(36)}",
            f"github_pat_{rand(22)}_{rand(59)}", "AKIA" + rand(16, string.ascii_uppercase + string.digits),
            f"xoxb-{rng.randrange(10**11, 10**12)}-{rng.randrange(10**11, 10**12)}-{rand(24)}", f"AIza{rand(35)}",
            f"sk_live_{rand(24)}", f"glpat-{rand(20)}", f"hf_{rand(34)}", jwt, rand(40, string.ascii_letters + string.digits + "+/"),
            f"SG.{rand(22)}.{rand(43)}", f"npm_{rand(36)}"]


def credential_url(fake: Faker, rng: random.Random) -> tuple[str, str]:
    """(url, the secret in it)."""
    host = fake.domain_name()
    if rng.random() < 0.5:
        password = quote(fake.password(length=rng.randrange(10, 18)), safe="")
        scheme, port = rng.choice([("postgresql", 5432), ("mysql", 3306), ("mongodb+srv", None), ("redis", 6379),
                                   ("amqp", 5672), ("https", None), ("ftp", 21)])
        return f"{scheme}://{fake.user_name()}:{password}@{host}{f':{port}' if port else ''}/{fake.word()}", password
    token = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(rng.randrange(16, 40)))
    param = rng.choice(["token", "access_token", "api_key", "apikey", "key", "sig", "X-Amz-Signature", "password",
                        "auth_token", "client_secret", "session_id", "code"])
    return f"https://{host}/{fake.uri_path()}?lang=en&{param}={token}&page=2", token


def national_id(fake: Faker, locale: str, rng: random.Random) -> str:
    if locale == "en_GB":  # Faker's ssn is HMRC's ZZ placeholder, never issued: draw a NINO in HMRC's format
        first, second = rng.choice("ABCEHJKLMPRSTWXY"), rng.choice("ABCEHJKLMPRSTWXY")
        return f"{first}{second} {rng.randrange(10, 99)} {rng.randrange(10, 99)} {rng.randrange(10, 99)} {rng.choice('ABCD')}"
    if locale == "de_DE":  # Faker has no Steuer-ID: ten digits, one digit repeated, ISO 7064 check digit
        digits = rng.sample("123456789", 1) + rng.sample("0123456789", 10)
        digits = [digits[0]] + [d for d in digits[1:] if d != digits[0]][:8]
        digits.insert(rng.randrange(1, 10), rng.choice(digits))
        base = "".join(digits)
        return base + mod_11_10.calc_check_digit(base)
    if locale == "en_IN":  # Faker's aadhaar_id gets the Verhoeff digit wrong 9 times in 10
        base = str(rng.randrange(2 * 10**10, 10**11))
        value = base + verhoeff.calc_check_digit(base)
        return " ".join(value[i:i + 4] for i in range(0, 12, 4)) if rng.random() < 0.5 else value
    method = {"es_ES": "nif", "es_MX": "curp"}.get(locale, "ssn")
    if locale == "pt_BR" and rng.random() < 0.5:
        method = "cpf"
    standard = importlib.import_module(f"stdnum.{ID_STANDARD[locale]}")
    for _ in range(100):
        value = getattr(fake, method)()
        if standard.is_valid(value):
            return value
        DROPPED["national_id"] += 1
    raise RuntimeError(f"Faker's {locale} {method} never passes {ID_STANDARD[locale]}")


def card_number(fake: Faker, rng: random.Random) -> str:
    digits = fake.credit_card_number()
    style = rng.random()
    if style < 0.4 or len(digits) != 16:
        return digits
    return re.sub(r"(\d{4})(?=\d)", r"\1" + (" " if style < 0.8 else "-"), digits)


def iban_value(fakes: dict[str, Faker], locale: str, rng: random.Random) -> str:
    # The US, Canada, India and Mexico have no IBANs (Faker makes up malformed GB ones there): use an IBAN country.
    raw = fakes[locale if locale in IBAN_LOCALES else rng.choice(IBAN_LOCALES)].iban()
    return " ".join(raw[i:i + 4] for i in range(0, len(raw), 4)) if rng.random() < 0.5 else raw


def planted(kind: str, fakes: dict[str, Faker], locale: str, rng: random.Random, heldout: bool = False) -> tuple[str, str]:
    """(the value as written in the text, the part that must not survive). The held-out set writes phones and
    cards in more styles (pii_heldout.py); the other kinds' values are drawn the same way in both sets."""
    fake = fakes[locale]
    if kind == "phone":
        v = pii_heldout.phone_value(fake, locale, rng) if heldout else fake.phone_number()
    elif kind.startswith("national_id"):
        v = national_id(fake, locale, rng)
    elif kind == "card":
        v = pii_heldout.card_value(fake, rng) if heldout else card_number(fake, rng)
    elif kind == "iban":
        v = iban_value(fakes, locale, rng)
    elif kind == "email":
        v = fake.email()
    elif kind == "ip":
        v = fake.ipv6() if rng.random() < 0.3 else rng.choice([fake.ipv4_public(), fake.ipv4_private()])
    elif kind == "secret":
        v = rng.choice(secret_values(rng))
    elif kind == "credential":
        return credential_url(fake, rng)
    else:
        v = f"{fake.first_name()} {fake.last_name()}"
    return v, v


def leaked(secret: str, kind: str, out: str, template: str) -> bool:
    """Whether any identifying piece of `secret` is still in `out` (pieces the template itself has excepted; the
    caller fills the template's id label first, so "AHV-Nummer (756.)" leaves its own "756" out of the count)."""
    if kind == "person":
        pieces = [w for w in re.findall(r"[^\W\d_]{2,}(?:['’-][^\W\d_]+)*", secret) if w[0].isupper()]
        return any(re.search(rf"(?<!\w){re.escape(p)}(?!\w)", out) and p not in template for p in pieces)
    pieces = [p for p in re.findall(r"[A-Za-z0-9]{3,}", secret) if p not in template and not p.isalpha()] or [secret]
    if kind == "email":
        pieces = [secret]
    return any(p in out for p in pieces)


def fill_clean(template: str, fake: Faker, rng: random.Random) -> str:
    d = fake.date_between("-2y", "+1y")
    values = {
        "order": rng.choice([str(rng.randrange(10**5, 10**10)), f"{rng.randrange(100, 999)}-{rng.randrange(10**6, 10**7)}-{rng.randrange(10**6, 10**7)}",
                             f"SO-{rng.randrange(10**5, 10**6)}", f"{rng.randrange(2020, 2027)}-{rng.randrange(1, 99999):05d}"]),
        "date": d.isoformat(), "date2": fake.date(), "date_de": d.strftime(rng.choice(["%d.%m.%Y", "%d/%m/%Y", "%d-%m-%Y"])),
        "carrier": rng.choice(["DHL", "UPS", "FedEx", "PostNL", "La Poste", "Correos"]),
        "tracking": rng.choice([f"1Z{fake.bothify('???#####').upper()}{rng.randrange(10**9, 10**10)}",
                                f"9400 {rng.randrange(1000, 9999)} {rng.randrange(1000, 9999)} {rng.randrange(1000, 9999)} {rng.randrange(1000, 9999)} {rng.randrange(10, 99)}",
                                f"JJD{rng.randrange(10**17, 10**18)}", f"{rng.randrange(10**11, 10**12)}"]),
        "inv": rng.choice([f"INV-{rng.randrange(10**4, 10**6)}", f"{rng.randrange(2024, 2027)}/{rng.randrange(1, 9999):04d}",
                           f"RE{rng.randrange(10**7, 10**8)}", f"F-{rng.randrange(10**5, 10**6)}"]),
        "company": fake.company(), "city": fake.city(),
        "amount": rng.choice([f"{rng.randrange(1, 99999):,}.{rng.randrange(100):02d}", f"${rng.randrange(1, 9999)}.{rng.randrange(100):02d}",
                              f"{rng.randrange(1, 999)}", f"€{rng.randrange(1, 99999):,}"]),
        "amount2": f"{rng.randrange(100, 999999):,}.{rng.randrange(100):02d}",
        "amount_de": f"{rng.randrange(1, 99999):,}".replace(",", ".") + f",{rng.randrange(100):02d}",
        "cur": rng.choice(["EUR", "USD", "GBP", "CHF", "SEK", "PLN", "BRL", "INR"]),
        "sku": fake.bothify(rng.choice(["??-#####", "###-???-##", "SKU#######", "??####-??"])).upper(),
        "version": f"{rng.randrange(1, 20)}.{rng.randrange(0, 40)}.{rng.randrange(0, 200)}",
        "version2": f"{rng.randrange(1, 20)}.{rng.randrange(0, 40)}",
        "n": str(rng.randrange(2, 500)), "m": str(rng.randrange(2, 500)), "ms": str(rng.randrange(100, 60000)),
        "big": f"{rng.randrange(10**5, 10**9):,}".replace(",", rng.choice([",", ".", " ", ""])),
        "sha": fake.sha1()[: rng.choice([7, 12, 40])], "time": fake.time()[:5], "time2": fake.time(),
        "code": str(rng.randrange(1, 255)), "uuid": fake.uuid4(), "weekday": fake.day_of_week(),
        "flight": f"{rng.choice(['LH', 'AF', 'KL', 'BA', 'IB', 'AZ'])}{rng.randrange(100, 9999)}", "gate": fake.bothify("?##").upper(),
        "pnr": fake.bothify("??????").upper(), "ean": fake.ean13(), "isbn": fake.isbn13(),
        "jira": f"{rng.choice(['OPS', 'BILL', 'CORE'])}-{rng.randrange(10, 99999)}", "hex": f"{rng.randrange(16**8):08X}",
        "build": str(rng.randrange(10000, 30000)), "q": str(rng.randrange(1, 5)), "year": str(rng.randrange(2019, 2027)),
        "pct": f"{rng.randrange(0, 99)}.{rng.randrange(10)}", "po": f"{rng.randrange(45 * 10**8, 46 * 10**8)}",
        "contract": f"{rng.randrange(10**7, 10**10)}", "batch": fake.bothify("B##-####"), "lot": str(rng.randrange(10**5, 10**8)),
        "account": f"{rng.randrange(10**6, 10**9)}", "serial": fake.bothify("SN########").upper(),
    }
    return template.format(**values)


def subgroup(kind: str, value: str, locale: str) -> str | None:
    """A finer bucket for the kinds whose generator mixes easy and hard cases, reported beside the kind."""
    if kind == "phone":  # Faker draws many numbers no numbering plan has (area code 165, country code 80)
        try:
            valid = phonenumbers.is_valid_number(phonenumbers.parse(value, locale.split("_")[1]))
        except phonenumbers.NumberParseException:
            valid = False
        return "phone_valid_number" if valid else "phone_invalid_number"
    if kind == "person":  # the scrubber's name lists come from Faker too, but not from these two locales
        return "person_locales_not_in_name_lists" if locale in ("fi_FI", "de_CH") else "person_locales_in_name_lists"
    if kind == "card":  # 12-digit Maestro numbers are scrubbed only after a word naming a card
        return "card_12_digits" if len(re.sub(r"\D", "", value)) == 12 else "card_13_to_19_digits"
    return None


FAKER_TODAY = datetime.date(2026, 12, 1)  # the day Faker's "now" and "today" are pinned to (freeze_faker)
SETS = {  # name -> (templates, id labels, clean templates, clean filler)
    "original": (T, ID_LABELS, CLEAN, None),
    "heldout": (pii_heldout.T, pii_heldout.LABELS, pii_heldout.CLEAN, pii_heldout.fill_clean),
    "fresh": (pii_heldout.T_FRESH, pii_heldout.LABELS_FRESH, pii_heldout.CLEAN_FRESH, pii_heldout.fill_clean),
    "blind": (pii_blind.T_BLIND, pii_blind.LABELS_BLIND, pii_blind.CLEAN_BLIND, pii_heldout.fill_clean),
    "blind2": (pii_blind2.T_BLIND2, pii_blind2.LABELS_BLIND2, pii_blind2.CLEAN_BLIND2, pii_heldout.fill_clean),
    "blind3": (pii_blind3.T_BLIND3, pii_blind3.LABELS_BLIND3, pii_blind3.CLEAN_BLIND3, pii_heldout.fill_clean),
    "blind4": (pii_blind4.T_BLIND4, pii_blind4.LABELS_BLIND4, pii_blind4.CLEAN_BLIND4, pii_heldout.fill_clean),
    "blind5": (pii_blind5.T_BLIND5, pii_blind5.LABELS_BLIND5, pii_blind5.CLEAN_BLIND5, pii_heldout.fill_clean),
    "blind6": (pii_blind6.T_BLIND6, pii_blind6.LABELS_BLIND6, pii_blind6.CLEAN_BLIND6, pii_heldout.fill_clean),
    "blind7": (pii_blind7.T_BLIND7, pii_blind7.LABELS_BLIND7, pii_blind7.CLEAN_BLIND7, pii_heldout.fill_clean),
    "blind8": (pii_blind8.T_BLIND8, pii_blind8.LABELS_BLIND8, pii_blind8.CLEAN_BLIND8, pii_heldout.fill_clean),
    "blind9": (pii_blind9.T_BLIND9, pii_blind9.LABELS_BLIND9, pii_blind9.CLEAN_BLIND9, pii_heldout.fill_clean),
    "blind10": (pii_blind10.T_BLIND10, pii_blind10.LABELS_BLIND10, pii_blind10.CLEAN_BLIND10, pii_heldout.fill_clean),
    "blind11": (pii_blind11.T_BLIND11, pii_blind11.LABELS_BLIND11, pii_blind11.CLEAN_BLIND11, pii_heldout.fill_clean),
    "blind12": (pii_blind12.T_BLIND12, pii_blind12.LABELS_BLIND12, pii_blind12.CLEAN_BLIND12, pii_heldout.fill_clean),
    "blind13": (pii_blind13.T_BLIND13, pii_blind13.LABELS_BLIND13, pii_blind13.CLEAN_BLIND13, pii_heldout.fill_clean),
    "blind14": (pii_blind14.T_BLIND14, pii_blind14.LABELS_BLIND14, pii_blind14.CLEAN_BLIND14, pii_heldout.fill_clean),
    "blind15": (pii_blind15.T_BLIND15, pii_blind15.LABELS_BLIND15, pii_blind15.CLEAN_BLIND15, pii_heldout.fill_clean),
    "blind16": (pii_blind16.T_BLIND16, pii_blind16.LABELS_BLIND16, pii_blind16.CLEAN_BLIND16, pii_heldout.fill_clean),
    "blind17": (pii_blind17.T_BLIND17, pii_blind17.LABELS_BLIND17, pii_blind17.CLEAN_BLIND17, pii_heldout.fill_clean),
    "blind18": (pii_blind18.T_BLIND18, pii_blind18.LABELS_BLIND18, pii_blind18.CLEAN_BLIND18, pii_heldout.fill_clean),
    "blind19": (pii_blind19.T_BLIND19, pii_blind19.LABELS_BLIND19, pii_blind19.CLEAN_BLIND19, pii_heldout.fill_clean),
    "blind20": (pii_blind20.T_BLIND20, pii_blind20.LABELS_BLIND20, pii_blind20.CLEAN_BLIND20, pii_heldout.fill_clean),
    "blind21": (pii_blind21.T_BLIND21, pii_blind21.LABELS_BLIND21, pii_blind21.CLEAN_BLIND21, pii_heldout.fill_clean),
    "blind22": (pii_blind22.T_BLIND22, pii_blind22.LABELS_BLIND22, pii_blind22.CLEAN_BLIND22, pii_heldout.fill_clean),
    "blind23": (pii_blind23.T_BLIND23, pii_blind23.LABELS_BLIND23, pii_blind23.CLEAN_BLIND23, pii_heldout.fill_clean),
    "blind24": (pii_blind24.T_BLIND24, pii_blind24.LABELS_BLIND24, pii_blind24.CLEAN_BLIND24, pii_heldout.fill_clean),
    "blind25": (pii_blind25.T_BLIND25, pii_blind25.LABELS_BLIND25, pii_blind25.CLEAN_BLIND25, pii_heldout.fill_clean),
    "blind26": (pii_blind26.T_BLIND26, pii_blind26.LABELS_BLIND26, pii_blind26.CLEAN_BLIND26, pii_heldout.fill_clean),
    "blind27": (pii_blind27.T_BLIND27, pii_blind27.LABELS_BLIND27, pii_blind27.CLEAN_BLIND27, pii_heldout.fill_clean),
    "blind28": (pii_blind28.T_BLIND28, pii_blind28.LABELS_BLIND28, pii_blind28.CLEAN_BLIND28, pii_heldout.fill_clean),
    "blind29": (pii_blind29.T_BLIND29, pii_blind29.LABELS_BLIND29, pii_blind29.CLEAN_BLIND29, pii_heldout.fill_clean),
    "blind30": (pii_blind30.T_BLIND30, pii_blind30.LABELS_BLIND30, pii_blind30.CLEAN_BLIND30, pii_heldout.fill_clean),
    "blind31": (pii_blind31.T_BLIND31, pii_blind31.LABELS_BLIND31, pii_blind31.CLEAN_BLIND31, pii_heldout.fill_clean),
    "blind32": (pii_blind32.T_BLIND32, pii_blind32.LABELS_BLIND32, pii_blind32.CLEAN_BLIND32, pii_heldout.fill_clean),
    "blind33": (pii_blind33.T_BLIND33, pii_blind33.LABELS_BLIND33, pii_blind33.CLEAN_BLIND33, pii_heldout.fill_clean),
    "blind34": (pii_blind34.T_BLIND34, pii_blind34.LABELS_BLIND34, pii_blind34.CLEAN_BLIND34, pii_heldout.fill_clean),
    "blind35": (pii_blind35.T_BLIND35, pii_blind35.LABELS_BLIND35, pii_blind35.CLEAN_BLIND35, pii_heldout.fill_clean),
}
CLEAN_EXAMPLES = MISS_EXAMPLES = 6  # how many altered clean texts and misses per kind a set reports
TARGET = {**{k: 0.995 for k in STRUCTURED}, "person": 0.90}


def freeze_faker(today: datetime.date = FAKER_TODAY) -> None:
    """Make Faker repeatable. Its dates and some locales' ids (fi_FI, no_NO, sv_SE birth dates) count back from
    the wall clock, and es_MX's CURP draws from the global `random`: unfixed, the same seed gave other values
    each second (and other redraw counts, so every later draw shifted)."""
    import faker.providers.date_time as dt_provider

    class Same(type):  # isinstance(a real date, Date) stays true: Faker checks the types it is given
        def __instancecheck__(cls, obj):
            return isinstance(obj, cls.__mro__[1])

    class Date(datetime.date, metaclass=Same):
        @classmethod
        def today(cls):
            return cls(today.year, today.month, today.day)

    class DateTime(datetime.datetime, metaclass=Same):
        @classmethod
        def now(cls, tz=None):
            return cls(today.year, today.month, today.day, 12, tzinfo=tz)

        @classmethod
        def today(cls):
            return cls.now()
    clock = types.SimpleNamespace(**{k: getattr(datetime, k) for k in dir(datetime) if not k.startswith("__")})
    clock.date, clock.datetime = Date, DateTime
    dt_provider.datetime, dt_provider.dtdate = DateTime, Date
    for locale in ("fi_FI", "no_NO", "sv_SE"):
        importlib.import_module(f"faker.providers.ssn.{locale}").datetime = clock


def filled(template: str, kind: str, value: str, fake: Faker, label: str, rng: random.Random) -> str:
    """A template with its value, a person ("First Last"; the value itself for "person"), the locale's id label, a
    city and an amount; the draws in this order, so a seed gives the same texts."""
    return template.format(v=value, name=value if kind == "person" else f"{fake.first_name()} {fake.last_name()}",
                           label=label, city=fake.city(), amount=f"{rng.randrange(10, 9999)} EUR")


def run(per_kind: int, clean_n: int, seed: int, which: str = "original", phone_context: bool = True,
        reader: bool = False) -> dict:
    """One set's figures: recall per kind and subgroup, clean texts altered, the first misses."""
    templates, labels, clean_templates, clean_fill = SETS[which]
    heldout = which != "original"  # the held-out and fresh sets write phones and cards in more styles
    freeze_faker()
    random.seed(seed)  # the global one, for Faker's es_MX CURP
    rng = random.Random(seed)
    fakes = {loc: Faker(loc) for loc in LOCALES}
    Faker.seed(seed)
    DROPPED.clear()
    # phone_context False: the rules alone; reader: the learned context also reads with a language model
    scrubber = Scrubber(phone_context=phone_context, context_reader=reader)
    results: dict[str, list[bool]] = defaultdict(list)
    breakdown: dict[str, list[bool]] = defaultdict(list)
    misses: dict[str, list[str]] = defaultdict(list)
    started = time.monotonic()
    for kind in (*STRUCTURED, "national_id_unlabelled", "person"):
        for i in range(per_kind):
            locale = LOCALES[i % len(LOCALES)]
            fake = fakes[locale]
            template = rng.choice(templates[kind])
            value, secret = planted(kind, fakes, locale, rng, heldout)
            text = filled(template, kind, value, fake, labels[locale], rng)
            out = scrubber.scrub(text)
            ok = not leaked(secret, kind, out, template.replace("{label}", labels[locale]))
            results[kind].append(ok)
            if group := subgroup(kind, value, locale):
                breakdown[group].append(ok)
            if not ok and len(misses[kind]) < MISS_EXAMPLES:
                misses[kind].append(f"[{locale}] {text!r} -> {out!r}")
    clean_fake = [fakes[loc] for loc in LOCALES]
    altered, altered_by = [], Counter()
    for i in range(clean_n):
        template = rng.choice(clean_templates)
        text = (clean_fill or fill_clean)(template, clean_fake[i % len(clean_fake)], rng)
        before = scrubber.hits.copy()
        out = scrubber.scrub(text)
        if out != text:
            altered.append(f"{text!r} -> {out!r}")
            altered_by.update(set(scrubber.hits - before))  # which detectors altered it (a text once per detector)
    recall = {k: {"n": len(v), "recall": round(sum(v) / len(v), 4)} for k, v in results.items()}
    recall.update({k: {"n": len(v), "recall": round(sum(v) / len(v), 4)} for k, v in sorted(breakdown.items())})
    structured = [ok for k in STRUCTURED for ok in results[k]]
    clean_rate = len(altered) / clean_n
    return {"recall": recall, "structured_recall": round(sum(structured) / len(structured), 4),
            "clean": {"n": clean_n, "altered": len(altered), "rate": round(clean_rate, 4),
                      "by_detector": dict(altered_by.most_common()), "examples": altered[:CLEAN_EXAMPLES]},
            "ok": {"structured_ge_0.995": all(recall[k]["recall"] >= 0.995 for k in STRUCTURED),
                   "person_ge_0.90": recall["person"]["recall"] >= 0.90, "clean_altered_le_0.01": clean_rate <= 0.01},
            "generator_values_redrawn": dict(DROPPED), "misses": dict(misses), "wall_s": round(time.monotonic() - started, 1)}


def main() -> None:
    if os.environ.get("PYTHONHASHSEED") != "0":
        # Some Faker lists are sets (it_IT's cities), drawn from in hash order: pin it, or a seed repeats nothing.
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, "PYTHONHASHSEED": "0"})
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-kind", type=int, default=800, help="planted texts per kind and set (spread over the locales)")
    parser.add_argument("--clean", type=int, default=3000, help="clean business texts per set")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--set", choices=("all", *SETS), default="all", help="one set of templates, or all of them")
    parser.add_argument("--rules-only", action="store_true", help="without the learned phone context (Scrubber(phone_context=False))")
    parser.add_argument("--reader", action="store_true",
                        help="the learned context also reads with the bundled language model (Scrubber(context_reader=True))")
    parser.add_argument("--figures-only", action="store_true",
                        help="print figures only, no text of a set (measure a set kept unread without reading it)")
    args = parser.parse_args()
    names = list(SETS) if args.set == "all" else [args.set]
    sets = {name: run(args.per_kind, args.clean, args.seed, name, not args.rules_only, args.reader) for name in names}
    for line in report_lines(sets, args.seed, args.per_kind, args.figures_only):
        print(json.dumps(line, ensure_ascii=False))


def report_lines(sets: dict, seed: int, per_kind: int, figures_only: bool = False) -> list[dict]:
    """The JSON lines main prints: one per kind (each set's recall side by side), the clean texts, the summary.
    figures_only leaves out every text of a set (misses, altered clean texts), so a set kept unread can be measured
    without being read."""
    lines = []
    for kind in next(iter(sets.values()))["recall"]:
        line = {"benchmark": "pii_recall", "kind": kind, "target": TARGET.get(kind)}
        line.update({name: r["recall"][kind] for name, r in sets.items() if kind in r["recall"]})
        if not figures_only and any(r["misses"].get(kind) for r in sets.values()):
            line["misses"] = {name: r["misses"][kind][:3] for name, r in sets.items() if r["misses"].get(kind)}
        lines.append(line)
    clean = {name: r["clean"] if not figures_only else {k: v for k, v in r["clean"].items() if k != "examples"}
             for name, r in sets.items()}
    lines.append({"benchmark": "pii_recall", "kind": "clean_altered", "target": 0.01, **clean})
    lines.append({"benchmark": "pii_recall", "seed": seed, "per_kind": per_kind, "locales": list(LOCALES),
                  **{name: {k: r[k] for k in ("structured_recall", "ok", "generator_values_redrawn", "wall_s")}
                     | {"clean_rate": r["clean"]["rate"]} for name, r in sets.items()}})
    return lines


if __name__ == "__main__":
    main()
