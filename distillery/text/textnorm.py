"""Text normalization shared by prompt ids, exact dedup and near-dup shingles.

Normalization folds what does not change a prompt's meaning (unicode forms, case, runs of
whitespace, punctuation), so "Hi,  my CSV export fails!" and "hi my csv export fails" are the same
prompt. The demo log generator uses the same functions to keep its clean rows apart.
"""

import hashlib
import re
import unicodedata

_PUNCT = re.compile(r"[^\w<>\s]+")  # keep <EMAIL>-style placeholders intact
_SPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """NFKC, lower case, punctuation dropped, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text).lower()
    return _SPACE.sub(" ", _PUNCT.sub(" ", text)).strip()


def prompt_id(route: str, normalized_user_text: str) -> str:
    """Stable id of a prompt: the route and its normalized (already PII-scrubbed) user content."""
    return hashlib.sha256(f"{route}\n{normalized_user_text}".encode()).hexdigest()[:20]


def shingles(normalized_text: str, k: int = 3) -> list[str]:
    """Word k-grams; texts shorter than k words give one shingle so they still get a signature."""
    words = normalized_text.split()
    if len(words) <= k:
        return [" ".join(words)]
    return [" ".join(words[i : i + k]) for i in range(len(words) - k + 1)]


def jaccard(a: str, b: str, k: int = 3) -> float:
    """Exact Jaccard similarity of two normalized texts' shingle sets (for tests and the generator)."""
    sa, sb = set(shingles(a, k)), set(shingles(b, k))
    return len(sa & sb) / len(sa | sb) if sa or sb else 1.0
