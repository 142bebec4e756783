"""Generate the demo production log: 30 days of Acme Cloud's LLM traffic with known, planted dirt.

Acme's logger keeps one request in fifty (configs/demo.yaml `source.sample_rate: 0.02`): the 6,000 rows, 200 a
day, stand for 10,000 requests a day, the volume the report prices.

    .venv/bin/python data/generate_demo_log.py                       # data/demo/production.{db,jsonl} + manifest.json
    .venv/bin/python data/generate_demo_log.py --rows 100000 --out /tmp/big --no-unique   # benchmark size

Same seed and row count, same bytes. Three routes (ticket-triage, invoice-extract, support-reply)
carry the long system prompts in data/routes/. Dirt is planted at the rates in DIRT_RATES and every
planted row is listed in manifest.json with what the sample stage must do with it (the expected
quarantine reason, the original a duplicate copies, the PII strings it contains), so tests can count.
"""

import argparse
import json
import random
import sqlite3
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import demo_text as T  # noqa: E402
from stdnum import iban as stdnum_iban  # noqa: E402
from stdnum import luhn  # noqa: E402

from distillery.text.textnorm import jaccard, normalize, shingles  # noqa: E402

SEED = 20261123
ROWS = 6000
END = datetime(2026, 11, 23, tzinfo=UTC)  # the log covers the 30 days before this instant
DAYS = 30
ROUTE_SHARE = {"ticket-triage": 0.5, "invoice-extract": 0.25, "support-reply": 0.25}
WEEKDAY_WEIGHT = [1.0, 1.05, 1.0, 0.95, 0.85, 0.35, 0.25]  # Mon..Sun: businesses write less at weekends
HOUR_WEIGHT = [1, 1, 1, 1, 1, 2, 3, 6, 10, 12, 12, 11, 9, 10, 11, 11, 10, 8, 6, 4, 3, 2, 2, 1]
PRODUCTION_MODELS = [("gpt-4.1-2025-04-14", 0.85), ("gpt-4.1-mini-2025-04-14", 0.15)]
# Share of all rows per kind of dirt. PII is added to otherwise clean rows (they must survive, scrubbed).
DIRT_RATES = {
    "exact_duplicate": 0.04, "near_duplicate": 0.04, "pii": 0.12, "empty_content": 0.01,
    "missing_field": 0.01, "wrong_type": 0.01, "broken_json": 0.01, "too_long": 0.005, "foreign_language": 0.02,
}
TOO_LONG_CHARS = 6000  # the demo config quarantines user content over 4000 characters
CLEAN_MAX_JACCARD = 0.5  # clean rows of a route stay below this pairwise, far from the 0.7 near-dup threshold


class Generator:
    def __init__(self, seed: int, unique: bool):
        self.rng = random.Random(seed)
        self.unique = unique
        self.system = {r: (HERE / "routes" / f"{r}.system.md").read_text() for r in ROUTE_SHARE}
        self.seen: dict[str, object] = {}  # route -> MinHashLSH of clean user texts
        self.texts: dict[str, str] = {}
        self.norms: set[str] = set()
        self.near_copies: set[str] = set()

    # ---------- small helpers ----------
    def pick(self, seq):
        return seq[self.rng.randrange(len(seq))]

    def fill(self, template: str) -> str:
        keys = {k for k in T.SLOTS if "{" + k + "}" in template}
        return template.format(**{k: self.pick(T.SLOTS[k]) for k in keys})

    # ---------- route content ----------
    def ticket(self) -> tuple[str, dict]:
        category = self.pick(T.CATEGORIES)
        problem, summary, urgency = self.pick(T.PROBLEMS[category])
        slots = {k: self.pick(v) for k, v in T.SLOTS.items()}
        impact_level = urgency if self.rng.random() < 0.8 else self.pick(["low", "medium", "high"])
        parts = [self.pick(T.GREETINGS), problem.format(**slots), self.fill(self.pick(T.DETAILS)),
                 self.fill(self.pick(T.IMPACT[impact_level])), self.pick(T.CLOSINGS)]
        text = " ".join(p for p in parts if p)
        level = max(urgency, impact_level, key=["low", "medium", "high"].index)
        summary = summary.format(**slots)
        return text, {"category": category, "urgency": level, "summary": summary[0].upper() + summary[1:]}

    def invoice(self) -> tuple[str, dict]:
        vendor, currency = self.pick(T.VENDORS)
        day = END - timedelta(days=self.rng.randrange(1, 90))
        items = [(self.pick(T.ITEMS), round(self.rng.uniform(4, 900), 2)) for _ in range(self.rng.randint(1, 4))]
        subtotal = round(sum(p for _, p in items), 2)
        tax = round(subtotal * T.TAX[currency], 2)
        total = round(subtotal + tax, 2)
        number = self.pick([f"INV-{self.rng.randrange(1000, 99999)}", f"#{self.rng.randrange(10000, 999999)}",
                            f"{day:%y}-{self.rng.randrange(100, 9999):04d}", None])
        date_text = self.pick([f"{day:%Y-%m-%d}", f"{day:%d %b %Y}",
                               f"{day:%m/%d/%Y}" if currency in ("USD", "CAD") else f"{day:%d/%m/%Y}"])
        sym = T.SYMBOL[currency]

        def money(x: float) -> str:
            if currency == "EUR" and self.rng.random() < 0.5:
                return f"{x:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".") + " EUR"
            return f"{sym}{x:,.2f}"

        lines = [f"{name} {money(price)}" for name, price in items]
        layout = self.rng.randrange(3)
        if layout == 0:
            doc = "\n".join([vendor.upper(), f"Invoice {number}" if number else "Invoice", f"Date: {date_text}",
                             "Bill to: Acme Cloud Inc", *lines, f"Subtotal {money(subtotal)}",
                             f"Tax {money(tax)}", f"Total due {money(total)}"])
        elif layout == 1:
            doc = (f"Receipt - {vendor}, {date_text}, " + ", ".join(lines) + f", TOTAL {money(total)}"
                   + (f", ref {number}" if number else ""))
        else:
            doc = (f"Forwarded invoice from {vendor}. Number: {number or 'n/a'}. Issued {date_text}. "
                   f"Items: " + "; ".join(lines) + f". Amount payable incl. tax: {money(total)}.")
        truth = {"vendor": vendor, "number": number, "date": f"{day:%Y-%m-%d}", "total": total, "currency": currency}
        return doc, truth

    def reply(self, ticket_truth: dict) -> str:
        restate = ticket_truth["summary"].rstrip(".")
        return (f"Hi there,\n\nThanks for getting in touch. {restate}.\n\n{T.REPLY_STEPS[ticket_truth['category']]}"
                "\n\nBest,\nThe Acme Cloud team")

    def content(self, route: str) -> tuple[str, str]:
        """(user text, production answer) for one clean request of `route`."""
        if route == "invoice-extract":
            doc, truth = self.invoice()
            return doc, json.dumps(truth)
        text, truth = self.ticket()
        return text, (json.dumps(truth) if route == "ticket-triage" else self.reply(truth))

    def distinct_content(self, route: str) -> tuple[str, str]:
        """Like content(), but never a near-duplicate of an earlier clean row of the route."""
        if not self.unique:
            return self.content(route)
        from datasketch import MinHash, MinHashLSH

        if route not in self.seen:
            self.seen[route] = MinHashLSH(threshold=0.3, num_perm=64)  # 21 bands x 3: misses a J=0.7 pair 1 in 7000
        lsh = self.seen[route]
        for _ in range(200):
            text, answer = self.content(route)
            norm = normalize(text)
            mh = MinHash(num_perm=64, seed=1)
            mh.update_batch([s.encode() for s in shingles(norm)])
            if norm not in self.norms and all(jaccard(norm, self.texts[k]) < CLEAN_MAX_JACCARD for k in lsh.query(mh)):
                key = f"{route}:{len(self.texts)}"
                lsh.insert(key, mh)
                self.texts[key] = norm
                self.norms.add(norm)
                return text, answer
        raise RuntimeError(f"could not draw a distinct {route} text in 200 tries; enlarge the pools in demo_text.py")

    # ---------- PII ----------
    def pii_value(self, kind: str) -> str:
        first, last = self.pick(T.FIRST_NAMES), self.pick(T.LAST_NAMES)
        if kind == "email":
            return f"{first.lower()}.{last.lower()}@{self.pick(T.EMAIL_DOMAINS)}"
        if kind == "phone":
            return self.pick(T.PHONES).format(n=self.rng.randrange(100, 9999), a=self.rng.randrange(10, 99),
                                              b=self.rng.randrange(10, 99))
        if kind == "card":
            body = self.pick(["4", "51", "55", "37"]) + "".join(str(self.rng.randrange(10)) for _ in range(14))
            body = body[:15]
            digits = body + luhn.calc_check_digit(body)
            return " ".join(digits[i : i + 4] for i in range(0, 16, 4)) if self.rng.random() < 0.7 else digits
        if kind == "iban":
            country = self.pick(list(T.IBAN_SHAPES))
            bban = "".join(str(self.rng.randrange(10)) for _ in range(T.IBAN_SHAPES[country]))
            if country == "GB":
                bban = "NWBK" + bban[4:]
            elif country == "NL":
                bban = "ABNA" + bban[4:]
            check = stdnum_iban.calc_check_digits(f"{country}00{bban}")
            raw = f"{country}{check}{bban}"
            return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4)) if self.rng.random() < 0.6 else raw
        return f"{first} {last}"

    def add_pii(self, route: str, text: str) -> tuple[str, list[dict]]:
        kinds = self.rng.sample(["email", "phone", "card", "iban", "person"], k=self.rng.choice([1, 1, 2]))
        planted = []
        for kind in kinds:
            value = self.pii_value(kind)
            if route == "invoice-extract" and kind == "person":
                text = text + f"\nAttn: {value}"
            else:
                text = text + " " + self.fill(self.pick(T.PII_SENTENCES[kind]).replace("{value}", value))
            planted.append({"kind": kind, "value": value})
        return text, planted

    # ---------- dirt ----------
    def duplicate_of(self, originals: list[dict], near: bool) -> tuple[dict, str]:
        """An original and its copy: verbatim, or as a user would send it again (words added, still J >= 0.8).

        Near copies are distinct from each other, so each is a near-duplicate, never an exact one of another copy."""
        edits = [lambda t: "Hi again, " + t, lambda t: t + " Any update?", lambda t: "Following up: " + t,
                 lambda t: t + " Sorry for the second message.", lambda t: "Reminder - " + t + " Thanks"]
        for _ in range(100):
            orig = self.pick(originals)
            if not near:
                return orig, orig["user"]
            copy = self.pick(edits)(orig["user"])
            norm = normalize(copy)
            if norm not in self.near_copies and jaccard(norm, normalize(orig["user"])) >= 0.8:
                self.near_copies.add(norm)
                return orig, copy
        raise RuntimeError("could not make a distinct near-duplicate in 100 tries")

    def timestamps(self, n: int) -> list[datetime]:
        start = END - timedelta(days=DAYS)
        days = [start + timedelta(days=d) for d in range(DAYS)]
        day_w = [WEEKDAY_WEIGHT[d.weekday()] for d in days]
        out = []
        for day in self.rng.choices(days, weights=day_w, k=n):
            hour = self.rng.choices(range(24), weights=HOUR_WEIGHT)[0]
            out.append(day + timedelta(hours=hour, seconds=self.rng.randrange(3600), microseconds=self.rng.randrange(10**6)))
        return sorted(out)


def usage(rng: random.Random, system: str, user: str, answer: str) -> tuple[int, int, int]:
    prompt = (len(system) + len(user)) // 4 + 8
    completion = max(1, len(answer) // 4)
    latency = int(max(120, 300 + prompt * 0.15 + completion * 18 + rng.gauss(0, 80)))
    return prompt, completion, latency


def generate(rows: int, seed: int, unique: bool = True) -> tuple[list[dict], dict]:
    g = Generator(seed, unique)
    rng = g.rng
    counts = {k: round(rate * rows) for k, rate in DIRT_RATES.items() if k != "pii"}
    n_pii = round(DIRT_RATES["pii"] * rows)
    rest = ["clean"] * (rows - 50 - sum(counts.values())) + [k for k, c in counts.items() for _ in range(c)]
    rng.shuffle(rest)
    kinds = ["clean"] * 50 + rest  # the first rows are clean so duplicates have originals to copy
    times = g.timestamps(rows)
    pii_slots = set(rng.sample([i for i, k in enumerate(kinds) if k == "clean"], n_pii))
    manifest = {"seed": seed, "rows": rows, "start": (END - timedelta(days=DAYS)).isoformat(), "end": END.isoformat(),
                "rates": DIRT_RATES, "invalid": {}, "duplicates": {}, "pii": {}, "clean": []}
    originals: list[dict] = []  # clean rows without PII, candidates for duplication
    out = []
    for i, (kind, ts) in enumerate(zip(kinds, times)):
        request_id = f"req_{rng.getrandbits(48):012x}"
        route = rng.choices(list(ROUTE_SHARE), weights=list(ROUTE_SHARE.values()))[0]
        model = rng.choices([m for m, _ in PRODUCTION_MODELS], weights=[w for _, w in PRODUCTION_MODELS])[0]
        if kind in ("exact_duplicate", "near_duplicate"):
            orig, user = g.duplicate_of(originals, near=kind == "near_duplicate")
            route, answer = orig["route"], orig["response"]
            manifest["duplicates"][request_id] = {"kind": kind, "of": orig["request_id"]}
        elif kind == "foreign_language":
            route = g.pick(["ticket-triage", "support-reply"])
            lang = g.pick(sorted(T.FOREIGN))
            user, answer = g.fill(g.pick(T.FOREIGN[lang])), "{}"
            manifest["invalid"][request_id] = f"language:{lang}"
        elif kind == "too_long":
            user, answer = g.content(route)
            log_line = "2026-11-0{d}T10:{m:02d}:00Z worker-{w} ERROR export job {j} failed: timeout after 30000 ms\n"
            while len(user) < TOO_LONG_CHARS:
                user += "\n" + log_line.format(d=rng.randrange(1, 9), m=rng.randrange(60), w=rng.randrange(9), j=rng.randrange(10**6))
            manifest["invalid"][request_id] = "too_long"
        elif kind == "empty_content":
            user, answer = g.pick(["", "   ", "\n\t  \n"]), ""
            manifest["invalid"][request_id] = "empty_content"
        else:
            user, answer = g.distinct_content(route) if kind == "clean" else g.content(route)
        planted = []
        if i in pii_slots:
            user, planted = g.add_pii(route, user)
            manifest["pii"][request_id] = planted
        p_tok, c_tok, latency = usage(rng, g.system[route], user, answer)
        messages = [{"role": "system", "content": g.system[route]}, {"role": "user", "content": user}]
        row = {"request_id": request_id, "created_at": ts.isoformat(timespec="microseconds").replace("+00:00", "Z"),
               "route": route, "messages": messages, "model": model, "response": answer,
               "prompt_tokens": p_tok, "completion_tokens": c_tok, "latency_ms": latency}
        if kind in ("missing_field", "wrong_type", "broken_json"):
            manifest["invalid"][request_id] = break_row(rng, kind, row)
        if kind == "clean":
            manifest["clean"].append(request_id)
            if not planted:
                originals.append({"request_id": request_id, "route": route, "user": user, "response": answer})
        out.append(row)
    return out, manifest


def break_row(rng: random.Random, kind: str, row: dict) -> str:
    """Damage `row` the way real logs are damaged; return the quarantine reason the sample stage must give."""
    if kind == "missing_field":
        field = rng.choice(["route", "messages", "created_at"])
        row[field] = None
        return f"missing_field:{field}"
    if kind == "broken_json":
        text = json.dumps(row["messages"])
        row["messages"] = text[: rng.randrange(20, len(text) - 5)]  # cut mid-stream, as a failed log write does
        return "bad_json:messages"
    field = rng.choice(["prompt_tokens", "latency_ms", "created_at", "messages", "content"])
    if field == "prompt_tokens":
        row["prompt_tokens"] = "n/a"
    elif field == "latency_ms":
        row["latency_ms"] = "slow"
    elif field == "created_at":
        row["created_at"] = "yesterday afternoon"
    elif field == "messages":
        row["messages"] = {"role": "user", "content": row["messages"][1]["content"]}  # an object, not a list
    else:
        row["messages"][1]["content"] = 4815162342
        field = "messages"
    return f"wrong_type:{field}"


COLUMNS = ["request_id", "created_at", "route", "messages", "model", "response", "prompt_tokens", "completion_tokens", "latency_ms"]


def write_sqlite(rows: list[dict], path: Path) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    con = sqlite3.connect(tmp)
    # Declared types like a real log table; SQLite keeps a wrongly typed value as written, so the dirt survives.
    con.execute("CREATE TABLE requests (request_id TEXT, created_at TEXT, route TEXT, messages TEXT, model TEXT, "
                "response TEXT, prompt_tokens INTEGER, completion_tokens INTEGER, latency_ms INTEGER)")
    con.executemany(f"INSERT INTO requests VALUES ({', '.join('?' * len(COLUMNS))})",
                    [[json.dumps(r[c]) if c == "messages" and not isinstance(r[c], (str, type(None))) else r[c]
                      for c in COLUMNS] for r in rows])
    con.commit()
    con.close()
    tmp.replace(path)


def write_jsonl(rows: list[dict], path: Path) -> None:
    tmp = path.with_suffix(".tmp")
    with tmp.open("w") as f:
        for r in rows:
            # A missing field is an absent key in JSON logs, not a null.
            f.write(json.dumps({k: v for k, v in r.items() if v is not None}, ensure_ascii=False) + "\n")
    tmp.replace(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, default=HERE / "demo")
    parser.add_argument("--no-unique", action="store_true", help="skip the pairwise-distinct check (big benchmark logs)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rows, manifest = generate(args.rows, args.seed, unique=not args.no_unique)
    write_sqlite(rows, args.out / "production.db")
    write_jsonl(rows, args.out / "production.jsonl")
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    planted = {k: sum(1 for v in manifest["invalid"].values() if v.split(":")[0] == k)
               for k in sorted({v.split(":")[0] for v in manifest["invalid"].values()})}
    print(f"{len(rows)} rows -> {args.out}/production.db, production.jsonl, manifest.json; "
          f"invalid {planted}, duplicates {len(manifest['duplicates'])}, rows with PII {len(manifest['pii'])}")


if __name__ == "__main__":
    main()
