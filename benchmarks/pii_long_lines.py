"""Does scrubbing time grow with a line's length, or with its square? One long line per script, scrubbed at n and 2n
characters: a ratio near 2 is linear, near 4 quadratic.

    .venv/bin/python benchmarks/pii_long_lines.py        # ~10 s on 2 cores

The name rules for other scripts look around each candidate word (script_names.in_latin_line, the CJK family-name
scan); read over the whole line, a 40,000-character Chinese run took 2.1 s (a review's probe, 2026-12-07). Words
are drawn, seeded, from business text and names in each script, with no line break, as a pasted document arrives.
Prints one JSON line: per script the seconds at n and 2n and their ratio (each the best of three runs).
"""

import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tasks.sampling.pii import Scrubber  # noqa: E402

WORDS = {
    "cyrillic": "Москва склад отгрузка задержана понедельника договор подписан Сбербанк Онлайн карта ошибка Иван Петров",
    "arabic": "وصلت الشحنة من الرياض إلى جدة يوم الأحد محمد علي السيد الفاتورة",
    "han": "客户高度满意导致销量上升王先生李经理我叫陈思彤订单",
    "mixed": "order shipped to مدينة Москва from the 王小明 warehouse",
}


def line(script: str, n: int, rng: random.Random) -> str:
    if script == "han":  # written without spaces: characters, not words
        return "".join(rng.choice(WORDS[script]) for _ in range(n))
    words, out, size = WORDS[script].split(), [], 0
    while size < n:
        out.append(rng.choice(words))
        size += len(out[-1]) + 1
    return " ".join(out)


def seconds(scrubber: Scrubber, text: str) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        scrubber.scrub(text)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    scrubber = Scrubber(phone_context=False)
    n = 20_000
    figures = {}
    for script in WORDS:
        short, long = (seconds(scrubber, line(script, size, random.Random(7))) for size in (n, 2 * n))
        figures[script] = {"s_at_n": round(short, 3), "s_at_2n": round(long, 3), "ratio": round(long / short, 2)}
    print(json.dumps({"benchmark": "pii_long_lines", "n_chars": n, "scripts": figures}, ensure_ascii=False))


if __name__ == "__main__":
    main()
