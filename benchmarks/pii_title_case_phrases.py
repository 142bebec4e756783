"""Title-cased business phrases of every Faker locale: how many does the person detector take for a name?

    .venv/bin/python benchmarks/pii_title_case_phrases.py                # ~15 s
    .venv/bin/python benchmarks/pii_title_case_phrases.py --only-30-lists --examples

A first name from a list followed by any capitalised word is a name (names.py), so a title ("Valid From", "An
Introduction To ...") is where a longer name list costs. This asks every Faker locale for company names, job
titles, catch phrases, street names, cities and its own words, capitalises every word, and puts each in a short
subject-line template. What it counts is not all wrong: Faker builds many streets and firms from its own name
lists ("Kariuki Drives", "Munga, Makori And Kendi"), and scrubbing those takes a street or a firm, not a person's
data. `--only-30-lists` measures without the other locales' lists (names.MORE_NAME_LIST_LOCALES), for a before and
after in one process' code.

Output: one JSON line: phrases, altered, rate, altered by what Faker was asked for (and `--examples`: the texts).
Seeded: the same on any machine.
"""

import argparse
import json
import random
import sys
import warnings
from collections import Counter
from pathlib import Path

from faker import Faker
from faker.config import AVAILABLE_LOCALES

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tasks.sampling.pii import names  # noqa: E402

TEMPLATES = ("Re: {x}", "{x} - quarterly review", "Meeting about {x} tomorrow at 10.", "Subject: {x} update", "{x}")
ASKED = ("company", "job", "catch_phrase", "bs", "street_name", "city", "words", "sentence")
PER_LOCALE = 12


def phrases(seed: int) -> list[tuple[str, str, str]]:
    """(locale, what was asked, text) for every locale that loads."""
    out = []
    for locale in AVAILABLE_LOCALES:
        try:
            with warnings.catch_warnings():  # fr_QC: "deprecated, use fr_CA"
                warnings.simplefilter("ignore")
                fake = Faker(locale)
        except Exception:  # a locale Faker lists but cannot build here
            continue
        fake.seed_instance(seed)
        rnd = random.Random(f"{seed}-{locale}")
        for asked in ASKED:
            for _ in range(PER_LOCALE):
                try:
                    x = " ".join(fake.words(3)) if asked == "words" else getattr(fake, asked)()
                except AttributeError:  # the locale has no such provider
                    break
                out.append((locale, asked, rnd.choice(TEMPLATES).format(x=title_case(x))))
    return out


def title_case(x: str) -> str:
    """Every word's first letter capitalised, the rest as written ("data-driven ROI" -> "Data-driven ROI")."""
    return " ".join(w[:1].upper() + w[1:] for w in x.rstrip(".").split())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--only-30-lists", action="store_true", help="without names.MORE_NAME_LIST_LOCALES")
    parser.add_argument("--examples", action="store_true")
    args = parser.parse_args()
    if args.only_30_lists:
        names.MORE_NAME_LIST_LOCALES = ()  # read once, when the lists are first built below
    texts = phrases(args.seed)
    altered = [(locale, asked, t, out) for locale, asked, t in texts if (out := names.people(t, lambda _: "<PERSON>")) != t]
    line = {"benchmark": "pii_title_case_phrases", "seed": args.seed, "lists": "30" if args.only_30_lists else "30+more",
            "phrases": len(texts), "altered": len(altered), "rate": round(len(altered) / len(texts), 4),
            "altered_by_asked": dict(Counter(asked for _, asked, _, _ in altered).most_common())}
    if args.examples:
        line["examples"] = [f"{locale} {asked}: {t!r} -> {out!r}" for locale, asked, t, out in altered]
    print(json.dumps(line, ensure_ascii=False))


if __name__ == "__main__":
    main()
