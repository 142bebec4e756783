"""Person names by the named-entity models that ship inside their PyPI packages, for the languages that have one.

Most NER models come from a model hub, which these machines cannot reach (ner.py's Presidio and spaCy need one).
Two models are in wheels themselves:
- natasha's news NER (slovnet over navec embeddings, both inside the `natasha` wheel), trained on Russian, asked
  about text whose Cyrillic words lingua reads as Russian or Ukrainian. On Bulgarian, Serbian and Kazakh text it reads
  any capitalised word as a person ("Министерството", "Поштовани", "Наурыз": 17 of the names dev set's 31 clean texts
  in those languages), so it is not asked there. A span is kept where pymorphy3's dictionary of the text's language
  reads a word of it as a first, family or father's name, and nothing says it is a firm's or a place's.
- MeCab (fugashi) with UniDic-lite, whose dictionary tags given and family names (固有名詞,人名), asked about text
  with kana only: Chinese is written in the same characters and UniDic would read it as Japanese.
They add to the cue and name-list spans of names.py and script_names.py, never replace them, and each loads on the
first text that needs it: a log without these languages never pays for either (docs/facts.md "PII: Russian,
Ukrainian and Japanese names by the models in their wheels" has the figures and the cost).
"""

import re
from functools import lru_cache

_CYRILLIC_WORD = re.compile(r"[\u0400-\u04ff]+")
# A firm's legal form at the end of the model's span or right after it: "Иванов Петров ООО", "Мочев Клатуров АД".
# Not ИП: a sole trader's "ИП Сидоров" names a person.
_LEGAL_FORM = re.compile(r"(?<!\w)(?:ООО|ОАО|ЗАО|ПАО|АО|НКО|ТОО|АД|ЕАД|ООД|ЕООД|ДОО|и партн[её]ры)(?!\w)")
# Words before a name that a street, a square, a station or an institution bears (Russian, Ukrainian), and "named
# after" itself
_PLACE_WORDS = (r"имени|імені|им\.|ім\.|улиц[аеуы]|ул\.|вулиц[яіює]|вул\.|проспект\w*|просп?\.|пр-т|бульвар\w*|"
                r"бул\.|площад[ьи]|площ[аіу]|пл\.|переул\w*|пер\.|провул\w*|пров\.|набережн\w*|наб\.|шосе|шоссе|"
                r"узвіз\w*|майдан\w*|станці[яї]|станци[яи]|метро|тупик\w*|алле[яи]|алея|алеї")
_NAMED_AFTER = re.compile(rf"(?i)(?<!\w)(?:{_PLACE_WORDS})[\s«\"„]*$")  # right before the model's span
_PLACE_FIRST = re.compile(rf"(?i)(?:{_PLACE_WORDS})(?!\w)")  # or its first word: "Вулиця Івана Франка, 17"
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
    """(start, end) of each person name the Russian, Ukrainian or Japanese model finds in `text`."""
    found = []
    if _CYRILLIC_WORD.search(text) and (language := _cyrillic_language(text)):
        found += _cyrillic_people(text, language)
    if _KANA.search(text):
        found += _japanese_people(text)
    return found


def _cyrillic_language(text: str) -> str | None:
    """"ru" or "uk" when lingua reads the text's Cyrillic words alone (a Russian name in an English sentence is
    Russian) as that language at least twice as likely as the next Cyrillic one: Bulgarian and Russian share most short
    words ("Кирил и Методий площад", a square in Sofia: Russian 0.40, Bulgarian 0.32)."""
    ranked = _cyrillic_detector().compute_language_confidence_values(" ".join(_CYRILLIC_WORD.findall(text)))
    if ranked[0].value < 2 * ranked[1].value:
        return None
    return {"RUSSIAN": "ru", "UKRAINIAN": "uk"}.get(ranked[0].language.name)


def _cyrillic_people(text: str, language: str) -> list[tuple[int, int]]:
    segmenter, tagger, doc_type = _natasha()
    doc = doc_type(text)
    doc.segment(segmenter)
    doc.tag_ner(tagger)
    return [(s.start, s.stop) for s in doc.spans if s.type == "PER" and _names_someone(s.text, language)
            and not _a_firm(s.text, text[s.stop:]) and not _a_place(s.text, text[:s.start])]


def _a_place(span: str, before: str) -> bool:
    """What bears a person's name is no person: a street, a square or an institution named after one ("вулиця Лесі
    Українки", "проспект Степана Бандери", the span taking in the word itself at a line's start: "Вулиця Івана
    Франка, 17"); nor is a span with a word in lower case ("Партія сиру з Нових Санжар", "Я з
    Черкас": names are capitalised), which also leaves a span that takes in "імені" itself ("Гімназія імені
    Шевченка")."""
    return bool(_NAMED_AFTER.search(before) or _PLACE_FIRST.match(span)
                or any(w[0].islower() for w in _CYRILLIC_WORD.findall(span)))


def _a_firm(span: str, after: str) -> bool:
    words, next_words = span.split(), after.split(maxsplit=2)[:2]
    return bool(_LEGAL_FORM.fullmatch(words[-1]) or _LEGAL_FORM.match(" ".join(next_words).lstrip(", ")))


def _names_someone(span: str, language: str) -> bool:
    """The model's span holds a word the language's morphological dictionary reads as a first, family or father's name
    (or guesses so, for a word it does not know): on a short sentence the model reads a capitalised first word as a
    person too ("Перезвоните мне ..."). The model was trained on Russian, and on Ukrainian it also takes places and
    nouns for people, so there a span of one word must be nothing but a name ("Кушнір", not "Києві", which the
    dictionary reads as the dative of the first name Кий as well as Kyiv's locative)."""
    parses = {word: _morph(language).parse(word) for word in _CYRILLIC_WORD.findall(span)}
    if language == "uk" and len(parses) == 1:
        return all(_NAME_GRAMMEMES & p.tag.grammemes for p in next(iter(parses.values())))
    return any(_NAME_GRAMMEMES & p.tag.grammemes for ps in parses.values() for p in ps)


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
    """natasha's segmenter, its NER tagger over the bundled embeddings, and its document type."""
    from natasha import Doc, NewsEmbedding, NewsNERTagger, Segmenter

    return Segmenter(), NewsNERTagger(NewsEmbedding()), Doc


@lru_cache(maxsize=2)
def _morph(language: str):
    """pymorphy3 over its Russian (OpenCorpora) or Ukrainian (VESUM) dictionary, each in its own wheel."""
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang=language)


@lru_cache(maxsize=1)
def _mecab():
    """MeCab with UniDic-lite's dictionary (memory-mapped: milliseconds to load)."""
    import fugashi

    return fugashi.Tagger()
