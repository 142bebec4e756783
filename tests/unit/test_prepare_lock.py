"""Two processes preparing the same bundled model at once (two demo runs, or a demo beside the test suite) build it
once: the second waits on the cache's lock file and then finds it cached, instead of deleting the first one's
build folder under it."""

import json
import threading
import time

from distillery.catalog import BUNDLED
from models import prepare as prep

NAME = "smollm2-135m-instruct"


def test_concurrent_prepares_build_once(tmp_path, monkeypatch):
    builds, inside, overlap = [], [], []

    def slow_build(spec, cache):  # stands in for download + convert (a minute): long enough to overlap
        inside.append(1)
        overlap.append(len(inside) > 1)
        time.sleep(0.5)
        target = prep.model_dir(spec.name, cache)
        target.mkdir(parents=True)
        (target / prep.MARKER).write_text(json.dumps({"gguf_sha256": spec.sha256}))
        builds.append(spec.name)
        inside.pop()
        return prep.Prepared(spec.name, target, "built", 0.5)

    monkeypatch.setattr(prep, "_build", slow_build)
    results = []
    threads = [threading.Thread(target=lambda: results.append(prep.prepare(NAME, cache=tmp_path))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert builds == [NAME] and not any(overlap)
    assert sorted(r.action for r in results) == ["built", "cached"]
    assert prep.is_prepared(BUNDLED[NAME], tmp_path)
