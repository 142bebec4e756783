"""Prices finance sets: one table in the store that every report reads, so a price change outlives later runs.

    <store>/prices.json            {"pricing": {...}, "changed_at": "...Z", "changed_by": "..."}
    <store>/prices-history.jsonl   every table ever set, oldest first (who changed what, when)

Until a price is set, reports price with the run config's `pricing` section. Setting one (`-o pricing.<key>=...`
on `distillery report` or `demo`, or in the overrides of a Prefect run or rebuild) writes the whole pricing
section as the new table; from then on every report, nightly or rebuilt, uses it until the next change, and
says which table it used and when it changed. Editing `pricing` in a YAML file does not overrule the table: the
report names the difference instead of silently switching prices.
"""

import json
from datetime import UTC, datetime
from pathlib import Path

from distillery.config import PricingConfig
from distillery.store import write_json


def sets_prices(overrides) -> bool:
    """Do these `key=value` overrides (or override keys) change a price?"""
    return any(str(o).split("=", 1)[0].strip().startswith("pricing.") for o in overrides or ())


def price_table(store_root: str | Path) -> dict | None:
    path = Path(store_root) / "prices.json"
    return json.loads(path.read_text()) if path.is_file() else None


def set_prices(store_root: str | Path, pricing: PricingConfig, changed_by: str) -> dict:
    """Make `pricing` the store's price table; the previous one stays in the history. The same prices again (a
    retried run with the same overrides) change nothing, not even the date."""
    current = price_table(store_root)
    # compared as prices, not as JSON: a table set before a pricing key existed holds the same prices without it
    if current and PricingConfig.model_validate(current["pricing"]) == pricing:
        return current
    table = {"pricing": pricing.model_dump(mode="json"), "changed_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
             "changed_by": changed_by}
    root = Path(store_root)
    root.mkdir(parents=True, exist_ok=True)
    with (root / "prices-history.jsonl").open("a") as history:
        history.write(json.dumps(table, sort_keys=True) + "\n")
    write_json(table, root / "prices.json")
    return table


def effective_pricing(configured: PricingConfig, store_root: str | Path) -> tuple[PricingConfig, dict]:
    """The prices a report in this store uses, and where they came from (shown on the report)."""
    table = price_table(store_root)
    if table is None:
        return configured, {"source": "the run config's pricing section (no price has been set in this store)"}
    pricing = PricingConfig.model_validate(table["pricing"])
    source = {"source": "the store's price table", "changed_at": table["changed_at"], "changed_by": table["changed_by"]}
    if pricing != configured:
        source["config_differs"] = ("the config's pricing section differs and was not used; set prices with "
                                    "-o pricing.<key>=<value> on distillery report (or a run's overrides)")
    return pricing, source
