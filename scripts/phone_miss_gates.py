"""Why the scrubber misses the phones it misses: figures only, so the unread sets can be measured without reading them.

    PYTHONHASHSEED=0 .venv/bin/python scripts/phone_miss_gates.py blind31 blind32   # ~10 s a set, hashed context
    PYTHONHASHSEED=0 .venv/bin/python scripts/phone_miss_gates.py --strict blind31  # ... and what asking costs

Each planted phone the product's scrubber (the learned context on, hashed words) lets through is counted under the
first gate that kept it from the learned context, in the order numbers.py applies them: no digit run covers it, a
reference label or a column/question naming one, an amount, a label naming another number, not valid as a phone in
a configured region, no words around it, a clause that names a record, one of a series; what passes them all was
asked, and the context said no (or vetoed it). Only that last count is the context's to win: the rest is the
ceiling of any second opinion asked where numbers.py asks. `--strict` also runs the set with the context saying yes
to every number it is asked about and vetoing nothing, and prints its phone recall and clean texts altered: what
that ceiling costs. One JSON line per set; no text of a set is printed.
"""

import argparse
import json
import os
import random
import sys
from collections import Counter
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT.parent), str(ROOT.parent / "benchmarks")]

import pii_recall  # noqa: E402
from faker import Faker  # noqa: E402

from tasks.sampling.pii import Scrubber, context  # noqa: E402
from tasks.sampling.pii import numbers as numbers_module  # noqa: E402
from tasks.sampling.pii import phone_context  # noqa: E402


def gate(numbers, text: str, value: str) -> str:
    """The first gate between the planted `value` and the learned context (numbers.Numbers._kind, .may_ask)."""
    at = text.find(value)
    run = next((m for m in numbers_module._CANDIDATE.finditer(text) if m.start() <= at < m.end()), None)
    if at < 0 or run is None:
        return "no_digit_run"
    start, end = run.span()
    value, head, tail = run.group(0), *context.clause(text, start, end)
    if context.reference_before(head) or context.column_names_reference(text, start) \
            or context.question_names_reference(text, start) or context.corrects_reference(head):
        return "reference"
    if context.amount(head, tail):
        return "amount"
    if context.names_another_number(head):
        return "another_number"
    return numbers.not_asked_because(value, text, head, tail) or "asked_and_declined"


def misses(name: str, seed: int = 7, per_kind: int = 800) -> tuple[int, Counter]:
    """The set's planted phones (drawn as pii_recall.run draws them) and its misses by gate."""
    templates, labels, _, _ = pii_recall.SETS[name]
    pii_recall.freeze_faker()
    random.seed(seed)
    rng = random.Random(seed)
    fakes = {loc: Faker(loc) for loc in pii_recall.LOCALES}
    Faker.seed(seed)
    scrubber = Scrubber(phone_context=True)
    by_gate, phones = Counter(), 0
    for kind in (*pii_recall.STRUCTURED, "national_id_unlabelled", "person"):
        for i in range(per_kind):  # every kind is drawn, so the phones are the benchmark's own
            locale = pii_recall.LOCALES[i % len(pii_recall.LOCALES)]
            template = rng.choice(templates[kind])
            value, secret = pii_recall.planted(kind, fakes, locale, rng, name != "original")
            text = pii_recall.filled(template, kind, value, fakes[locale], labels[locale], rng)
            if kind != "phone":
                continue
            phones += 1
            if pii_recall.leaked(secret, kind, scrubber.scrub(text), template.replace("{label}", labels[locale])):
                by_gate[gate(scrubber._numbers, text, value)] += 1
    return phones, by_gate


def strict(name: str) -> dict:
    """The set scored with the context saying yes to whatever it is asked and vetoing nothing."""
    bundled = phone_context.PhoneContext.bundled

    @lru_cache(maxsize=1)
    def yes_to_all(cls):
        model = bundled()
        return cls(model.weights, threshold=0.0, veto=None)

    phone_context.PhoneContext.bundled = classmethod(yes_to_all)
    try:
        result = pii_recall.run(800, 3000, 7, name)
    finally:
        phone_context.PhoneContext.bundled = bundled
    return {"phone": result["recall"]["phone"]["recall"], "clean_altered": result["clean"]["rate"]}


def main() -> None:
    if os.environ.get("PYTHONHASHSEED") != "0":  # Faker draws from sets in hash order (pii_recall.main)
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, "PYTHONHASHSEED": "0"})
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="+", choices=list(pii_recall.SETS))
    parser.add_argument("--strict", action="store_true", help="also score the set with a context that says yes to all")
    args = parser.parse_args()
    for name in args.sets:
        phones, by_gate = misses(name)
        gated = sum(n for g, n in by_gate.items() if g != "asked_and_declined")
        line = {"set": name, "phones": phones, "missed": sum(by_gate.values()), "by_gate": dict(by_gate.most_common()),
                "ceiling_if_every_asked_number_were_scrubbed": round(1 - gated / phones, 4)}
        if args.strict:
            line["strict"] = strict(name)
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
