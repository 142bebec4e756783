"""Person names by the named-entity models that ship inside their PyPI packages, for the languages that have one.

Most NER models come from a model hub, which these machines cannot reach (ner.py's Presidio and spaCy need one).
Two languages have a model in the wheel itself:
- Russian: natasha's news NER (slovnet over navec embeddings, both inside the `natasha` wheel), asked only about
  text whose Cyrillic words lingua reads as Russian. On Ukrainian, Bulgarian, Serbian and Kazakh text it reads any
  capitalised word as a person ("Укрзалізниця", "Министерството", "Поштовани": 22 of the names dev set's 40 clean
  texts in those languages, none of its 10 Russian ones), so it is not asked there.
- Japanese: MeCab (fugashi) with UniDic-lite, whose dictionary tags given and family names (固有名詞,人名),
  asked only about text with kana: Chinese is written in the same characters and UniDic would read it as Japanese.
They add to the cue and name-list spans of names.py and script_names.py, never replace them, and each loads on the
first text that needs it: a log without Russian or Japanese never pays for either (docs/facts.md "PII: Russian and
Japanese names by the models in their wheels" has the figures and the cost).
"""

import re
from functools import lru_cache

_CYRILLIC_WORD = re.compile(r"[\u0400-\u04ff]+")
# A firm's legal form at the end of the model's span or right after it: "Иванов Петров ООО", "Мочев Клатуров АД".
# Not ИП: a sole trader's "ИП Сидоров" names a person.
_LEGAL_FORM = re.compile(r"(?<!\w)(?:ООО|ОАО|ЗАО|ПАО|АО|НКО|ТОО|АД|ЕАД|ООД|ЕООД|ДОО|и партн[её]ры)(?!\w)")
_NAME_GRAMMEMES = {"Name", "Surn", "Patr"}  # OpenCorpora's tags for a first, a family and a father's name
_KANA = re.compile(r"[\u3040-\u30ff]")
_KATAKANA_WORD = re.compile(r"[\u30a1-\u30fa\u30fc]+")  # letters and ー; not ・, which parts a foreign name
# lingua's Cyrillic-script languages: Russian must win against these, not against every language
_CYRILLIC_LANGUAGES = ("RUSSIAN", "UKRAINIAN", "BELARUSIAN", "BULGARIAN", "MACEDONIAN", "SERBIAN", "KAZAKH",
                       "MONGOLIAN")
# What follows a name glued to it and still leaves it a person's: honorifics (さん, 様) and titles (部長, 先生); any
# other noun or suffix glued after a name makes a firm's or a place's name of it (山崎製パン, 中村屋, 夏目坂).
_HONORIFICS = frozenset("さん 様 さま 氏 君 くん ちゃん 殿 宛 達 たち ら 夫妻 夫人 先生 先輩 教授 准教授 博士 医師 "
                        "部長 課長 係長 次長 室長 所長 店長 社長 会長 専務 常務 主任 選手 監督 議員 知事 市長".split())


def spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each person name the Russian or the Japanese model finds in `text`."""
    found = []
    if _CYRILLIC_WORD.search(text) and _is_russian(text):
        found += _russian_people(text)
    if _KANA.search(text):
        found += _japanese_people(text)
    return found


def _is_russian(text: str) -> bool:
    """Lingua reads the text's Cyrillic words alone (a Russian name in an English sentence is Russian) as Russian at
    least twice as likely as the next Cyrillic language: Bulgarian and Russian share most short words ("Кирил и
    Методий площад", a square in Sofia: Russian 0.40, Bulgarian 0.32)."""
    words = " ".join(_CYRILLIC_WORD.findall(text))
    ranked = _cyrillic_detector().compute_language_confidence_values(words)
    return ranked[0].language.name == "RUSSIAN" and ranked[0].value >= 2 * ranked[1].value


def _russian_people(text: str) -> list[tuple[int, int]]:
    segmenter, tagger, doc_type, vocab = _natasha()
    doc = doc_type(text)
    doc.segment(segmenter)
    doc.tag_ner(tagger)
    return [(s.start, s.stop) for s in doc.spans
            if s.type == "PER" and _names_someone(s.text, vocab) and not _a_firm(s.text, text[s.stop:])]


def _a_firm(span: str, after: str) -> bool:
    words, next_words = span.split(), after.split(maxsplit=2)[:2]
    return bool(_LEGAL_FORM.fullmatch(words[-1]) or _LEGAL_FORM.match(" ".join(next_words).lstrip(", ")))


def _names_someone(span: str, vocab) -> bool:
    """The model's span holds a word the morphological dictionary reads as a first, family or father's name (or
    guesses so, for a word it does not know): on a short sentence the model reads a capitalised first word as a person
    too ("Перезвоните мне ...")."""
    return any(_NAME_GRAMMEMES & p.tag.grammemes for word in _CYRILLIC_WORD.findall(span) for p in vocab.parse(word))


def _japanese_people(text: str) -> list[tuple[int, int]]:
    """Runs of name words (a family name, a space, a given name are one), less those inside a firm's or a place's
    compound (伊藤園, 武田薬品工業, 羽田空港) and a katakana name alone (ローソン, ホテルニューオータニ's オータニ)."""
    words, at = [], 0
    for w in _mecab()(text):
        start = text.find(w.surface, at)  # MeCab drops white space: each word is found where the last one ended
        if start < 0:  # a surface MeCab normalised: nothing after it can be placed safely
            break
        at = start + len(w.surface)
        if w.surface == "・":  # a foreign name's parting, a gap like a space (ジョン・スミス)
            continue
        words.append((start, at, w.surface, w.feature.pos1, w.feature.pos2 == "固有名詞" and w.feature.pos3 == "人名"))
    found, i = [], 0
    while i < len(words):
        if not words[i][4]:
            i += 1
            continue
        j = i  # the run's last name word: 山田 太郎, ジョン・スミス
        while j + 1 < len(words) and words[j + 1][4] and text[words[j][1]:words[j + 1][0]] in ("", " ", "\u3000", "・"):
            j += 1
        after = words[j + 1] if j + 1 < len(words) and words[j + 1][0] == words[j][1] else None
        addressed = after is not None and after[2] in _HONORIFICS
        in_compound = after is not None and after[3] in ("名詞", "接頭辞", "接尾辞") and not addressed
        # katakana alone, one word or words run together, is how shops and brands write a name too (ローソン,
        # マツモトキヨシ); a person's katakana name is parted (クボ ナオト, ジョン・スミス) or addressed
        brand_like = not addressed and all(_KATAKANA_WORD.fullmatch(w[2]) for w in words[i:j + 1]) and (
            i == j or "" in (text[words[k][1]:words[k + 1][0]] for k in range(i, j)))
        if not (in_compound or brand_like):
            found.append((words[i][0], words[j][1]))
        i = j + 1
    return found


@lru_cache(maxsize=1)
def _cyrillic_detector():
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(*(getattr(Language, n) for n in _CYRILLIC_LANGUAGES)).build()


@lru_cache(maxsize=1)
def _natasha():
    """natasha's segmenter, its NER tagger over the bundled embeddings, its document type and its morphological
    dictionary (pymorphy2's OpenCorpora one)."""
    from natasha import Doc, MorphVocab, NewsEmbedding, NewsNERTagger, Segmenter

    return Segmenter(), NewsNERTagger(NewsEmbedding()), Doc, MorphVocab()


@lru_cache(maxsize=1)
def _mecab():
    """MeCab with UniDic-lite's dictionary (memory-mapped: milliseconds to load)."""
    import fugashi

    return fugashi.Tagger()
