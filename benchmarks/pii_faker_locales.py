"""Every Faker locale's own values, in plain sentences: how many does the scrubber catch, kind by kind?

    .venv/bin/python benchmarks/pii_faker_locales.py            # ~10 s on 2 cores
    .venv/bin/python benchmarks/pii_faker_locales.py --misses   # with the first misses of each locale

pii_recall.py draws its values from 16 locales; a user's log comes from anywhere. This one asks each of Faker's
locales (all of faker.config.AVAILABLE_LOCALES that load, 110) for phone numbers, national ids (`ssn()`, the
locale's own identifier), payment cards, IBANs, emails, IP addresses and full names, and puts each in a plain
English sentence ("Please call me at ...", "ID: ...", "Hi, this is ..."; a name is written in the locale's own order,
family name first where it puts it first, without the titles a title-holding "Dr." would leave behind as a miss), so
what is measured is the value's own shape and the scrubber's reach across locales, not the sentence. Caveats, said in the output: Faker writes some
values no real system issues (an "ssn" of random letters for az_AZ, IBANs of a wrong length for en_IN, zh_CN and
es_MX, UK insurance numbers with the never-issued ZZ prefix), and the scrubber's name lists are Faker's own for most
of these locales (names.py's NAME_LIST_LOCALES and MORE_NAME_LIST_LOCALES, script_names.py's NAME_LIST_LOCALES;
its caveat line counts them), and the rest
inherit most of theirs from a listed one (en_AU's from en_US): the person figure checks the rules on listed names,
not the reach (pii_recall.py's fi_FI and de_CH names and benchmarks/pii_names_scripts.py measure names outside
the lists).

Output: one JSON line per kind (recall over all locales, and the locales below 0.9), then a summary line.
Seeded: the same seed gives the same figures.
"""

import argparse
import json
import random
import re
import sys
import warnings
from collections import defaultdict
from pathlib import Path

from faker import Faker
from faker.config import AVAILABLE_LOCALES

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tasks.sampling.pii import Scrubber, names, script_names  # noqa: E402

# the locales whose names the scrubber holds (the more lists without their common words: names.py)
LISTED = set(names.NAME_LIST_LOCALES) | set(names.MORE_NAME_LIST_LOCALES) | set(script_names.NAME_LIST_LOCALES)

TEMPLATES = {
    "phone": ["Please call me at {v} tomorrow.", "My phone: {v}", "You can reach Anna on {v} after 6pm.", "tel {v}"],
    "national_id": ["My social security number is {v}.", "ID: {v}", "national id {v} attached"],
    "card": ["Charge my card {v} please.", "card number {v}"],
    "iban": ["Pay to IBAN {v}.", "Account {v}"],
    "email": ["write to {v}"],
    "ip": ["login from {v} failed", "peer {v} dropped"],
    "person": ["Hi, this is {v}.", "Please send it to {v}.", "{v} will pick up the order."],
}
PER_LOCALE = {"phone": 40, "person": 40}  # the rest: 10 a locale


def value(fake: Faker, kind: str, rng: random.Random) -> str:
    if kind == "ip":
        return fake.ipv4() if rng.random() < 0.5 else fake.ipv6()
    if kind == "person":
        return full_name(fake)
    return {"phone": fake.phone_number, "national_id": fake.ssn, "card": fake.credit_card_number, "iban": fake.iban,
            "email": fake.email}[kind]()


def full_name(fake: Faker) -> str:
    """A full name as the locale writes one (its own name formats: "王秀英", "김민지", "松本 翼", "Papp Leventené",
    "Казакова Александра Максимовна"), without the formats that add a title ("Dr.", "Jr.")."""
    formats = [f for f in getattr(fake.provider("faker.providers.person"), "formats", ())
               if "{{" in f and "prefix" not in f and "suffix" not in f]  # (es_CL's are the names of its lists)
    # (drawn with the locale's own generator, so the other kinds' draws stay those of a run without it)
    return fake.parse(fake.random_element(formats)) if formats else f"{fake.first_name()} {fake.last_name()}"


def leaked(v: str, out: str) -> bool:
    """A run of 3+ letters or digits of the value survives (a phone's groups, an IBAN's blocks, a name's words)."""
    pieces = re.findall(r"\w{3,}", v)
    return any(p in out for p in pieces) if pieces else v in out


def measure(seed: int, locales=AVAILABLE_LOCALES) -> dict:
    scrubber = Scrubber()
    random.seed(seed)  # the global one: some locales' ids draw from it (th_TH's and uk_UA's ssn())
    rng = random.Random(seed)
    caught: dict = defaultdict(lambda: defaultdict(list))
    misses: dict = defaultdict(list)
    for locale in locales:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # fr_QC's deprecation
            try:
                fake = Faker(locale)
            except AttributeError:
                continue
        fake.seed_instance(seed)
        for kind, templates in TEMPLATES.items():
            for _ in range(PER_LOCALE.get(kind, 10)):
                try:
                    v = value(fake, kind, rng)
                except AttributeError:  # a locale without that provider
                    break
                text = rng.choice(templates).format(v=v)
                ok = not leaked(v, scrubber.scrub(text))
                caught[kind][locale].append(ok)
                if not ok and len(misses[(kind, locale)]) < 3:
                    misses[(kind, locale)].append(text)
    return {"caught": caught, "misses": misses}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--misses", action="store_true", help="print the first misses of each weak locale")
    args = parser.parse_args()
    r = measure(args.seed)
    summary = {}
    for kind, by_locale in r["caught"].items():
        every = [ok for oks in by_locale.values() for ok in oks]
        weak = {loc: round(sum(oks) / len(oks), 2) for loc, oks in sorted(by_locale.items()) if sum(oks) < 0.9 * len(oks)}
        line = {"benchmark": "pii_faker_locales", "kind": kind, "n": len(every), "locales": len(by_locale),
                "recall": round(sum(every) / len(every), 4), "locales_below_0.9": weak}
        if args.misses:
            line["misses"] = {loc: r["misses"][(kind, loc)] for loc in weak}
        print(json.dumps(line, ensure_ascii=False))
        summary[kind] = line["recall"]
    print(json.dumps({"benchmark": "pii_faker_locales", "seed": args.seed, "recall": summary,
                      "caveat": f"Faker's own invalid values count as misses; {len(LISTED)} locales' names "
                                 "are in the scrubber's lists"}))


if __name__ == "__main__":
    main()
