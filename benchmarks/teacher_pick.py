"""Which bundled model should be the demo teacher? Quality on hand-labelled tickets and labeling speed on this CPU.

    .venv/bin/python benchmarks/teacher_pick.py            # both candidates, ~6 min on 2 cores
    .venv/bin/python benchmarks/teacher_pick.py --only qwen2.5-coder-0.5b-instruct

One vLLM server at a time (the 1.5B takes ~9 GiB). The last stdout line is one JSON document.
"""

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from distillery.config import load_config  # noqa: E402
from models.vllm_server import served_endpoint  # noqa: E402

CANDIDATES = ["qwen2.5-coder-0.5b-instruct", "qwen2.5-coder-1.5b-instruct"]
CATEGORIES = ["billing", "account_access", "technical_bug", "feature_request",
              "shipping", "outage", "security", "general_question"]
SYSTEM = ("You triage customer support tickets for Acme Cloud. Answer with JSON only: "
          '{"category": one of ' + ", ".join(CATEGORIES) + "}.\n"
          "billing: charges, refunds, invoices. account_access: login, passwords, 2FA. technical_bug: a feature "
          "misbehaves for this customer. feature_request: asks for something new. shipping: physical deliveries. "
          "outage: the service is down for many users. security: breaches, phishing, leaked data. "
          "general_question: anything else.")
SCHEMA = {"type": "object", "properties": {"category": {"type": "string", "enum": CATEGORIES}},
          "required": ["category"], "additionalProperties": False}
# Hand-written and hand-labelled: two obvious tickets per category.
TICKETS = [
    ("I was charged twice for my March subscription, please refund one.", "billing"),
    ("Where can I download the invoice for last month's payment?", "billing"),
    ("I can't log in, the password reset email never arrives.", "account_access"),
    ("My 2FA codes are rejected since I changed phones.", "account_access"),
    ("The CSV export button does nothing when I click it in Firefox.", "technical_bug"),
    ("Charts on the dashboard show yesterday's numbers even after refresh.", "technical_bug"),
    ("Could you add a dark mode to the web app?", "feature_request"),
    ("Please support exporting reports to Excel directly.", "feature_request"),
    ("My hardware token was shipped two weeks ago and still has not arrived.", "shipping"),
    ("The courier left the package at the wrong address.", "shipping"),
    ("Your whole platform is down, none of our 40 users can reach it.", "outage"),
    ("API returns 503 for every request across all our regions since 9am.", "outage"),
    ("I got a phishing email pretending to be from you asking for my password.", "security"),
    ("Someone logged into our account from another country and downloaded our data.", "security"),
    ("What are your support hours on public holidays?", "general_question"),
    ("Do you have an office in Berlin?", "general_question"),
]


async def quality(client, model: str) -> float:
    async def one(text: str) -> str:
        r = await client.chat.completions.create(
            model=model, temperature=0, max_tokens=32,
            messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": text}],
            response_format={"type": "json_schema", "json_schema": {"name": "triage", "schema": SCHEMA}})
        try:
            return json.loads(r.choices[0].message.content)["category"]
        except (ValueError, KeyError, TypeError):
            return "invalid"

    answers = await asyncio.gather(*(one(t) for t, _ in TICKETS))
    return sum(a == label for a, (_, label) in zip(answers, TICKETS)) / len(TICKETS)


async def throughput(client, model: str, requests: int, concurrency: int, max_tokens: int) -> dict:
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int) -> int:
        async with gate:
            r = await client.chat.completions.create(
                model=model, temperature=0, max_tokens=max_tokens, extra_body={"ignore_eos": True},
                messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": TICKETS[i % len(TICKETS)][0]}])
            return r.usage.completion_tokens

    start = time.monotonic()
    tokens = sum(await asyncio.gather(*(one(i) for i in range(requests))))
    wall = time.monotonic() - start
    return {"requests": requests, "concurrency": concurrency, "output_tokens": tokens, "wall_s": round(wall, 1),
            "output_tok_s": round(tokens / wall, 1), "requests_per_min": round(requests / wall * 60, 1)}


async def measure(endpoint, requests: int, concurrency: int, max_tokens: int) -> dict:
    from openai import AsyncOpenAI

    client = AsyncOpenAI(base_url=endpoint.base_url, api_key=endpoint.api_key, max_retries=0, timeout=900)
    acc = await quality(client, endpoint.model)
    speed = await throughput(client, endpoint.model, requests, concurrency, max_tokens)
    return {"category_accuracy": round(acc, 3), **speed}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", action="append", choices=CANDIDATES)
    parser.add_argument("--requests", type=int, default=48)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("-o", "--override", action="append", default=[], help="config override, e.g. teacher.launch.dtype=float32")
    args = parser.parse_args()
    results = {}
    for name in args.only or CANDIDATES:
        cfg = load_config(Path(__file__).resolve().parents[1] / "configs/demo.yaml", [f"teacher.model=demo:{name}", *args.override])
        started = time.monotonic()
        with served_endpoint(cfg.teacher, Path(cfg.store.root) / "logs") as endpoint:
            start_s = time.monotonic() - started
            results[name] = {"server_start_s": round(start_s, 1),
                             **asyncio.run(measure(endpoint, args.requests, args.concurrency, args.max_tokens))}
            # 200 short prompts at ~100 output tokens each, at the measured rate.
            results[name]["minutes_per_200_prompts"] = round(200 * 100 / results[name]["output_tok_s"] / 60, 1)
        print(name, results[name], file=sys.stderr)
    print(json.dumps({"benchmark": "teacher_pick", "tickets": len(TICKETS), "overrides": args.override,
                      "teachers": results}))


if __name__ == "__main__":
    main()
