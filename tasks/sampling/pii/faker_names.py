"""Faker's person lists, the gazetteer of names.py and script_names.py: every first and last name a locale's
person provider holds, as written there (ja_JP keeps (kanji, kana, romaji) tuples: each part counts)."""

import importlib
from collections.abc import Iterator


def entries(locales: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    """("first" or "last", a name as the list writes it: "van Ginkel", "عبد الملك", "高橋") for each locale."""
    for locale in locales:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attr in dir(provider):
            kind = attr.split("_")[0]
            values = getattr(provider, attr)
            if kind not in ("first", "last") or "name" not in attr or not isinstance(values, (list, tuple, dict)):
                continue
            for v in values:
                yield from ((kind, x) for x in (v if isinstance(v, tuple) else (v,)) if isinstance(x, str) and x.split())
