"""Build tasks/sampling/pii/script_name_list.json.gz: first and family names written in Arabic (Persian, Urdu),
Hebrew, Devanagari, Bengali and Tamil script, from the names-dataset wheel.

    pip download names-dataset==3.3.1 --no-deps -d /tmp/nd      # 56 MB
    .venv/bin/python scripts/build_script_name_list.py /tmp/nd/names_dataset-3.3.1-py3-none-any.whl   # ~15 s, 1.2 GB

Faker's person lists (script_names.py's first gazetteer) hold a few hundred names a script: "ليلى" and "إبراهيم",
not "المطيري" or "کاظمی". names-dataset (PyPI, MIT) holds 730,000 first and 980,000 family names with their rank
in each country where they are borne. Its README says where they come from: the names of the 533 million Facebook
accounts scraped and published in 2021. What we keep is a name word and nothing else, no person's record: the
single words in these scripts that rank in the top RANK_MAX of at least one country, as first or as family name.
The scripts are those of wordfreq's languages (script_names.WORDFREQ_SCRIPTS): only there can the dataset's everyday
words ("من", from) be told from its names.

Committed, not read at run time: the wheel's two pickles take ~15 s and 1.2 GB to load, the list kept 0.04-0.06 s
(docs/facts.md). The
wheel is read as a zip (its pickles), so the package and its dependencies need not be installed; a pickle runs
code when loaded, so the wheel is checked against the hash it was first built from (pass --sha256 for another).
script_names.py drops a listed word that is an everyday word of some language (common_words.is_everyday). RANK_MAX
is 1,000, not more: a review's hardest business texts lost far more to names at 5,000 (docs/facts.md "PII:
names-dataset's names in the scripts without capitals" has the figures and how they were taken).
"""

import argparse
import gzip
import hashlib
import json
import pickle
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tasks.sampling.pii import script_names

WHEEL = "names_dataset-3.3.1-py3-none-any.whl"
WHEEL_SHA256 = "9fb1b60a82de8bea004e7755b6133df0b4a029f93b9ee18bfa37f356f2b8c75e"
RANK_MAX = 1000  # a name among the 1,000 most borne in some country


def _best_rank(info: dict) -> float:
    """The name's best rank in any country (1: the commonest); infinity where it ranks in none."""
    return min((info.get("rank") or {}).values(), default=float("inf"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("wheel", type=Path, help=f"the downloaded {WHEEL}")
    parser.add_argument("--sha256", default=WHEEL_SHA256, help="the wheel's expected SHA-256")
    parser.add_argument("--rank-max", type=int, default=RANK_MAX)
    args = parser.parse_args()
    digest = hashlib.sha256(args.wheel.read_bytes()).hexdigest()
    if digest != args.sha256:
        sys.exit(f"{args.wheel}: SHA-256 {digest}, expected {args.sha256}: download {WHEEL} again, or pass --sha256 "
                 "for a wheel you trust (its pickles run code when loaded)")
    out = {"source": f"{args.wheel.name} (PyPI names-dataset, MIT): the names of the 2021 Facebook scrape, per country",
           "wheel_sha256": digest, "rank_max": args.rank_max}
    with zipfile.ZipFile(args.wheel) as wheel:
        for kind in ("first", "last"):
            with wheel.open(f"names_dataset/v3/{kind}_names.pkl.gz") as f, gzip.open(f) as unzipped:
                names = pickle.load(unzipped)  # name -> {"country": ..., "gender": ..., "rank": {country: rank}}
            out[kind] = sorted(name for name, info in names.items()
                               if script_names.is_listable(name) and _best_rank(info) <= args.rank_max)
            del names
            print(f"{kind}: {len(out[kind])} names", file=sys.stderr)
    target = Path(script_names.__file__).with_name("script_name_list.json.gz")
    with gzip.GzipFile(target, "wb", mtime=0) as f:  # (mtime 0: the same wheel builds the same bytes)
        f.write(json.dumps(out, ensure_ascii=False, indent=0).encode())
    print(f"wrote {target} ({target.stat().st_size} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
