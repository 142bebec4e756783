"""What the Russian (and Ukrainian) and Japanese NER models (tasks/sampling/pii/language_ner.py) cost the scrubber:
the first text that loads each, the memory they add, and the time per text against the rules alone, in one process.

    .venv/bin/python benchmarks/language_ner_cost.py      # ~30 s; one JSON line

Texts: the Russian and Japanese ones of pii_names_ru_uk_ja.py, names and clean texts (Ukrainian runs the same way as
Russian), and, for a log with neither language, the names dev set's English clean texts, which must cost nothing more
(the models are asked only about Cyrillic text lingua reads as Russian or Ukrainian, and text with kana).
"""

import json
import sys
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import pii_names_dev  # noqa: E402
import pii_names_ru_uk_ja  # noqa: E402

from tasks.sampling.pii import Scrubber  # noqa: E402

ROUNDS = 5


def per_text_ms(scrubber: Scrubber, texts: list[str]) -> float:
    started = time.perf_counter()
    for _ in range(ROUNDS):
        for text in texts:
            scrubber.scrub(text)
    return (time.perf_counter() - started) / (ROUNDS * len(texts)) * 1000


def main() -> None:
    russian = [t for t, _ in pii_names_ru_uk_ja.PERSON_RU] + pii_names_ru_uk_ja.CLEAN_RU
    japanese = [t for t, _ in pii_names_ru_uk_ja.PERSON_JA] + pii_names_ru_uk_ja.CLEAN_JA
    english = [t for t in pii_names_dev.CLEAN if t.isascii()]
    rules, models = Scrubber(phone_context=False, ner="off"), Scrubber(phone_context=False)
    for text in russian[:1] + japanese[:1] + english[:1]:
        rules.scrub(text)  # the rules' own lazy lists, loaded before anything is timed
    process = psutil.Process()
    loads = {}
    for language, first in (("russian", russian[0]), ("japanese", japanese[0])):
        rss, started = process.memory_info().rss, time.perf_counter()
        models.scrub(first)
        loads[language] = {"first_text_s": round(time.perf_counter() - started, 2),
                           "rss_added_mb": round((process.memory_info().rss - rss) / 2**20)}
    figures = {}
    for language, texts in (("russian", russian), ("japanese", japanese), ("english", english)):
        # alternated and the fastest of three kept: one pass over 20 short texts is a few ms, within a scheduler's noise
        pairs = [(per_text_ms(rules, texts), per_text_ms(models, texts)) for _ in range(3)]
        base, with_models = min(b for b, _ in pairs), min(m for _, m in pairs)
        figures[language] = {"texts": len(texts), "rules_ms": round(base, 3), "with_models_ms": round(with_models, 3),
                             "ratio": round(with_models / base, 2)}
    print(json.dumps({"benchmark": "language_ner_cost", "load": loads, "per_text": figures}, ensure_ascii=False))


if __name__ == "__main__":
    main()
