"""Stratified, seeded selection: the budget split across routes, then spread over topics inside a route.

Everything is deterministic given the pool (ordered by prompt_id, not by source order) and the seed.
"""

import numpy as np
import xxhash


def allocate(budget: int, available: dict[str, int], weights: dict[str, float], cap: int | None = None) -> dict[str, int]:
    """Split `budget` by `weights` (largest remainder), never beyond what a key has or `cap`;
    what a full key cannot take goes to the others, so the budget is used whenever supply allows."""
    limit = {k: min(n, cap) if cap else n for k, n in available.items()}
    share = {k: 0 for k in available}
    open_keys = [k for k in sorted(available) if limit[k] > 0 and weights.get(k, 0) > 0]
    remaining = min(budget, sum(limit[k] for k in open_keys))
    while remaining > 0 and open_keys:
        total = sum(weights[k] for k in open_keys)
        exact = {k: remaining * weights[k] / total for k in open_keys}
        give = {k: int(exact[k]) for k in open_keys}
        leftover = remaining - sum(give.values())
        for k in sorted(open_keys, key=lambda k: (-(exact[k] - give[k]), k))[:leftover]:
            give[k] += 1
        for k in open_keys:
            take = min(give[k], limit[k] - share[k])
            share[k] += take
            remaining -= take
        open_keys = [k for k in open_keys if share[k] < limit[k]]
    return share


def stable_seed(*parts) -> int:
    """A seed from values (not Python's salted hash), so route X always gets the same stream."""
    return xxhash.xxh64_intdigest("\0".join(map(str, parts)).encode())


def bag_of_words(texts: list[str], dims: int = 256) -> np.ndarray:
    """Unit-length hashed word-count vectors (the hashing trick: no vocabulary to fit or store)."""
    bucket: dict[str, int] = {}
    rows, cols = [], []
    for i, text in enumerate(texts):
        for word in text.split():
            b = bucket.get(word)
            if b is None:
                b = bucket[word] = xxhash.xxh32_intdigest(word.encode()) % dims
            rows.append(i)
            cols.append(b)
    x = np.zeros((len(texts), dims), dtype=np.float32)
    np.add.at(x, (np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64)), 1.0)
    x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-9)
    return x


def topic_clusters(texts: list[str], k: int, seed: int, iterations: int = 10) -> np.ndarray:
    """k-means (k-means++ start) over hashed bag-of-words vectors; a cluster label per text."""
    x = bag_of_words(texts)
    n = len(x)
    rng = np.random.default_rng(seed)
    centers = [x[rng.integers(n)]]
    d2 = ((x - centers[0]) ** 2).sum(1)
    for _ in range(1, k):
        probs = d2 / d2.sum() if d2.sum() > 0 else np.full(n, 1 / n)
        centers.append(x[rng.choice(n, p=probs)])
        d2 = np.minimum(d2, ((x - centers[-1]) ** 2).sum(1))
    c = np.stack(centers)
    labels = np.zeros(n, dtype=np.int64)
    for _ in range(iterations):
        labels = np.argmax(x @ c.T, axis=1)  # unit vectors: max cosine = nearest center
        for j in range(k):
            members = x[labels == j]
            if len(members):
                c[j] = members.mean(0)
    return labels


def pick(n_pool: int, k: int, seed: int, texts: list[str] | None = None) -> list[int]:
    """k indices out of range(n_pool). With texts: cluster into ~sqrt(n) topics and take evenly from each,
    so a route's rare request types are not drowned by its most common one."""
    if k >= n_pool:
        return list(range(n_pool))
    rng = np.random.default_rng(seed)
    if texts is None or k < 2:
        return sorted(rng.choice(n_pool, size=k, replace=False).tolist())
    n_topics = int(min(k, max(2, round(np.sqrt(n_pool))), 32))
    labels = topic_clusters(texts, n_topics, seed)
    members = {j: np.flatnonzero(labels == j) for j in range(n_topics)}
    per_topic = allocate(k, {str(j): len(m) for j, m in members.items()}, {str(j): 1.0 for j in members})
    chosen = []
    for j, m in members.items():
        take = per_topic[str(j)]
        if take:
            chosen.extend(rng.choice(m, size=take, replace=False).tolist())
    return sorted(chosen)
