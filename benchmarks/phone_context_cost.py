"""What the learned phone context costs and buys, on a review's probes, and its time on the demo log.

    .venv/bin/python benchmarks/phone_context_cost.py      # ~1 min on 2 cores (most of it the demo log, twice each way)
    .venv/bin/python benchmarks/phone_context_cost.py --reader   # the model that also reads with a language model

Every text is scrubbed twice in one process, with the model (`Scrubber()`; `--reader`: `Scrubber(context_reader=True)`)
and with the rules alone (`Scrubber(phone_context=False)`); only the texts where the two differ are the model's doing:
- business_changed_by_model: business texts (benchmarks/phone_context_probes.py BUSINESS) where the model scrubs a
  phone the rules did not; business_kept_by_the_veto: those where its veto keeps one the rules scrubbed;
- phones: the probes' phone texts caught by the rules (and kept caught), by the model only, by neither, or caught
  by the rules and lost to the model's veto (caught: no number of 7+ digits in the text survives);
- time_ratio: seconds with the model / seconds without, scrubbing the demo log's messages (`make data` first; skipped
  without it), best of two runs each way.
The last stdout line is one JSON document.
"""

import json
import re
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from phone_context_probes import BUSINESS, PHONES  # noqa: E402

from tasks.sampling.pii import Scrubber  # noqa: E402

_NUMBER = re.compile(r"\+?\(?\d[\d .()-]{5,}\d")


def caught(text: str, out: str) -> bool:
    return not any(m.group(0) in out for m in _NUMBER.finditer(text) if len(re.sub(r"\D", "", m.group(0))) >= 7)


def best_seconds(scrubber: Scrubber, texts: list[str]) -> float:
    times = []
    for _ in range(2):
        started = time.perf_counter()
        for t in texts:
            scrubber.scrub(t)
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    reader = "--reader" in sys.argv[1:]  # the learned context also reads with the bundled language model
    learned, rules = Scrubber(context_reader=reader), Scrubber(phone_context=False)
    outs = [(t, rules.scrub(t), learned.scrub(t)) for _, _, t in BUSINESS]
    # the model scrubs a number the rules kept (its second opinion), or keeps one the rules scrubbed (its veto)
    changed = [t for t, by_rules, by_model in outs if by_model.count("<PHONE>") > by_rules.count("<PHONE>")]
    kept = [t for t, by_rules, by_model in outs if by_model.count("<PHONE>") < by_rules.count("<PHONE>")]
    phones = {"rules": 0, "model_only": 0, "neither": 0, "lost_to_the_veto": 0}
    for t in PHONES:
        by_rules, by_model = caught(t, rules.scrub(t)), caught(t, learned.scrub(t))
        phones["rules" if by_rules and by_model else "lost_to_the_veto" if by_rules else "model_only" if by_model
               else "neither"] += 1
    result = {"benchmark": "phone_context_cost", "reader": reader, "business_texts": len(BUSINESS),
              "business_changed_by_model": len(changed), "business_kept_by_the_veto": len(kept),
              "phone_texts": len(PHONES), "phones": phones, "examples_changed": changed[:5], "examples_kept": kept[:5]}
    log = ROOT / "data/demo/production.db"
    if log.exists():
        texts = [str(r[0]) for r in sqlite3.connect(log).execute("select messages from requests")]
        without, with_model = best_seconds(rules, texts), best_seconds(learned, texts)
        result.update(demo_rows=len(texts), seconds_without=round(without, 2), seconds_with=round(with_model, 2),
                      time_ratio=round(with_model / without, 3))
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
