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

# A Cyrillic word with its stress marks, soft hyphens and apostrophes ("Ива́н", "Мар'яна Дем'яненко")
_CYRILLIC_WORD = re.compile(r"[\u0400-\u04ff][\u0400-\u04ff\u0300-\u036f\u00ad]*(?:['’ʼ][\u0400-\u04ff]+)*")
# A firm's legal form right before or after a name: "Иванов Петров ООО", "ТОВ Бондаренко", "Мочев Клатуров АД". Not
# ИП or ФОП: a sole trader's "ИП Сидоров" names a person.
_LEGAL_FORM = re.compile(r"(?<!\w)(?:ООО|ОАО|ЗАО|ПАО|АО|НКО|ТОО|ТОВ|ПрАТ|ПАТ|АТ|ТДВ|ДП|КП|АД|ЕАД|ООД|ЕООД|ДОО|"
                         r"и партн[её]ры)(?!\w)")
# Words right before a name that a street, a town, a station, a monument or an institution bears (Russian,
# Ukrainian): "вулиця Лесі Українки", "г. Королёв", "памятник Пушкину", "теорема Пифагора", "имени Ломоносова".
# Abbreviations count in lower case only, so that an initial ("С. Петров") is never one.
_PLACE_WORDS = (r"(?i:имени|імені|улиц[аеуы]|вулиц[яіює]|проспект\w*|бульвар\w*|площад[ьи]|площ[аіу]|переул\w*|"
                r"провул\w*|набережн\w*|шосе|шоссе|узвіз\w*|майдан\w*|станці[яї]|станци[яи]|метро|тупик\w*|"
                r"алле[яи]|алея|алеї|памятник\w*|пам['’ʼ]ятник\w*|теорем\w*|театр\w*|музе\w*|преми\w*)|"
                r"им\.|ім\.|ул\.|вул\.|просп?\.|пр-т|бул\.|пл\.|пер\.|пров\.|наб\.|г\.|м\.|с\.|ст\.|пос\.|смт|пгт")
_NAMED_AFTER = re.compile(rf"(?<!\w)(?:{_PLACE_WORDS})[\s«\"„]*$")  # ends the text before a name
_PREPOSITION_BEFORE = re.compile(r"(?i)(?<!\w)(?:в|во|из|до|у|под|через|к|от|из-под)\s+$")  # "в Александров"
_NEXT_WORD = re.compile(rf" ({_CYRILLIC_WORD.pattern})")  # one space after a name, for _widen
_WORD_BEFORE = re.compile(rf"(?<!\w)({_CYRILLIC_WORD.pattern}) $")
_KAZAKH_MONGOLIAN_LETTERS = re.compile(r"[әғқңөұүһӘҒҚҢӨҰҮҺ]")
_INITIAL = re.compile(r"[А-ЯЁЄІЇҐ]")  # a capital alone: "Е. В. Громов"
_NAME_GRAMMEMES = {"Name", "Surn", "Patr"}  # OpenCorpora's tags for a first, a family and a father's name
_KANA = re.compile(r"[\u3040-\u30ff]")
_KATAKANA_WORD = re.compile(r"[\u30a1-\u30fa\u30fc]+")  # letters and ー; not ・, which parts a foreign name
_UNREADABLE = re.compile(r"[\ud800-\udfff\x00]")  # MeCab cannot encode a lone surrogate and stops at NUL
# lingua's Cyrillic-script languages: Russian must win against these, not against every language
_CYRILLIC_LANGUAGES = ("RUSSIAN", "UKRAINIAN", "BELARUSIAN", "BULGARIAN", "MACEDONIAN", "SERBIAN", "KAZAKH",
                       "MONGOLIAN")
# What may follow a single name word glued to it and leave it a person's: honorifics (さん, 様) and titles (部長, 先生,
# 弁護士); any other noun or suffix glued after one name word makes a firm's or a place's name of it (山崎製パン, 中村屋,
# 夏目坂). Not 御中, which addresses a firm.
_HONORIFICS = frozenset("さん 様 さま 氏 君 くん ちゃん 殿 宛 達 たち ら 家 夫妻 夫婦 夫人 本人 先生 先輩 教授 准教授 講師 "
                        "助教 博士 医師 院長 看護師 弁護士 税理士 会計士 司法書士 行政書士 記者 秘書 担当 顧問 理事 "
                        "理事長 委員 委員長 役員 取締役 代表取締役 社長 副社長 会長 専務 常務 部長 副部長 本部長 課長 "
                        "係長 次長 室長 所長 局長 支店長 工場長 店長 主任 リーダー マネージャー 選手 監督 議員 知事 "
                        "市長".split())


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
    words ("Кирил и Методий площад", a square in Sofia: Russian 0.40, Bulgarian 0.32). Kazakh and Mongolian count
    only where one of their own letters is written: lingua reads Ukrainian with "щ" as Kazakh, all of its confidence
    ("Питання щодо доставки вирішує ...")."""
    words = " ".join(_CYRILLIC_WORD.findall(text))
    detector = _cyrillic_detector(bool(_KAZAKH_MONGOLIAN_LETTERS.search(words)))
    ranked = detector.compute_language_confidence_values(words)
    if len(ranked) < 2 or ranked[0].value < 2 * ranked[1].value:
        return None
    return {"RUSSIAN": "ru", "UKRAINIAN": "uk"}.get(ranked[0].language.name)


def _cyrillic_people(text: str, language: str) -> list[tuple[int, int]]:
    segmenter, tagger, doc_type = _natasha()
    doc = doc_type(text)
    doc.segment(segmenter)
    doc.tag_ner(tagger)
    return [(start, end) for span in doc.spans if span.type == "PER"
            for start, end in _name_runs(text, span.start, span.stop, language)
            if not _a_firm(text[:start], text[end:]) and not _a_place(text, start, end, language)]


def _name_runs(text: str, start: int, stop: int, language: str) -> list[tuple[int, int]]:
    """The model's span cut into runs of capitalised words, each less the words at its ends that the dictionary knows
    and reads as no name, kept where a name word is left. The model's span often takes in the sentence's first words
    ("Вітаємо Поліну Ісаєнко", "Дані Поліни Ісаєнко") and any word glued to a name on a short sentence ("Перезвоните
    мне"); a word in lower case is never in a name ("Договір погоджено з Оксаною Миколаївною Бойко"). A word runs on to
    its end past the span (the model stops at an apostrophe: "Дем'яненко")."""
    words = []
    for m in _CYRILLIC_WORD.finditer(text, start):
        if m.start() >= stop:
            break
        words.append((m.start(), m.end(), m.group()))
    runs, run = [], []
    for word in words:
        joined = run and re.fullmatch(r"[\s.\-]*", text[run[-1][1]:word[0]])
        if word[2][0].isupper() and (joined or not run):
            run.append(word)
            continue
        runs.append(run)
        run = [word] if word[2][0].isupper() else []
    runs.append(run)
    kept = []
    for run in runs:
        while run and _plain(run[0][2], language):
            run = run[1:]
        while run and _plain(run[-1][2], language):
            run = run[:-1]
        names = [w for _, _, w in run if not _INITIAL.fullmatch(w)]  # "Я" is a word, not an initial
        if names and _names_someone(names, language, alone=len(run) == 1):
            end = run[-1][1] + (text[run[-1][1]:run[-1][1] + 1] == "." and _INITIAL.fullmatch(run[-1][2]) is not None)
            kept.append(_widen(text, run[0][0], end, language))  # an initial's dot with it: "Кузнецов А.В."
    return kept


def _widen(text: str, start: int, end: int, language: str) -> tuple[int, int]:
    """The name's neighbours that are names too, one space away: the model stops short of them as often as it takes in
    a word too many ("Дані Поліни | Ісаєнко", "Олени (a place to it) | Коваль")."""
    while (m := _NEXT_WORD.match(text, end)) and m.group(1)[0].isupper() and _reads_as_name(m.group(1), language):
        end = m.end()
    while ((m := _WORD_BEFORE.search(text, 0, start)) and m.group(1)[0].isupper()
           and _reads_as_name(m.group(1), language)):
        start = m.start()
    return start, end


def _plain(word: str, language: str) -> bool:
    """A word the dictionary knows that it never reads as a first, family or father's name ("Вітаємо", "Вулиця")."""
    return _parses(word, language)[0].is_known and not _reads_as_name(word, language) and not _INITIAL.fullmatch(word)


def _names_someone(words: list[str], language: str, alone: bool) -> bool:
    """A word the language's dictionary reads as a first, family or father's name (or guesses so, for a word it does
    not know). The model was trained on Russian, and on Ukrainian it also takes places and nouns for people, so there
    one word alone (no other word, no initial) must read as a name and never as a thing ("Кушнір", "Ковальчук"; not
    "Києві", which the dictionary reads as the dative of the first name Кий as well as Kyiv's locative)."""
    if language == "uk" and alone:
        return _reads_as_name(words[0], language) and not any("inan" in p.tag.grammemes
                                                               for p in _parses(words[0], language))
    return any(_reads_as_name(word, language) for word in words)


def _reads_as_name(word: str, language: str) -> bool:
    return any(_NAME_GRAMMEMES & p.tag.grammemes for p in _parses(word, language))


def _a_firm(before: str, after: str) -> bool:
    """A legal form right before or right after the name: "ТОВ Бондаренко", "Иванов Петров ООО", "Иванов и партнёры"."""
    last_before, next_words = before.split()[-1:], after.split(maxsplit=2)[:2]
    return bool(last_before and _LEGAL_FORM.fullmatch(last_before[0])
                or _LEGAL_FORM.match(" ".join(next_words).lstrip(", ")))


def _a_place(text: str, start: int, end: int, language: str) -> bool:
    """What bears a person's name is no person: a street, a town, a monument or an institution named after one
    ("вулиця Лесі Українки", "г. Королёв", "імені Шевченка"), and one word that is also a town's name after "в", "из"
    or "до" ("Поставка в Александров и Владимир")."""
    before = text[:start]
    if _NAMED_AFTER.search(before):
        return True
    word = text[start:end]
    return bool(_CYRILLIC_WORD.fullmatch(word) and _PREPOSITION_BEFORE.search(before)
                and any("Geox" in p.tag.grammemes for p in _parses(word, language)))


def _japanese_people(text: str) -> list[tuple[int, int]]:
    """Runs of name words (a family name, a space, a given name are one), less one name word glued to a firm's or a
    place's word (伊藤園, 武田薬品工業, 羽田空港), and katakana neither addressed nor parted by a space: shops and brands
    are written so (ローソン, ルイ・ヴィトン, ホテルニューオータニ's オータニ), a person is addressed (ジョン・スミスさん)
    or, in a form's reading of a name, spaced (クボ ナオト)."""
    text = _UNREADABLE.sub(" ", text)  # one character for one: the offsets stay the text's
    words, at = [], 0
    for w in _mecab()(text):
        start = text.find(w.surface, at)  # MeCab drops white space: each word is found where the last one ended
        if start < 0:  # a surface MeCab normalised: nothing after it can be placed safely
            break
        at = start + len(w.surface)
        if w.surface == "・" or w.surface.isspace():  # a foreign name's parting, a full-width space: gaps
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
        while (j + 1 < len(words) and words[j + 1][0] == words[j][1] and _KATAKANA_WORD.fullmatch(words[j][2])
               and _KATAKANA_WORD.fullmatch(words[j + 1][2])):
            j += 1  # the rest of a katakana name MeCab split off (クボ ナオ|ト)
        after = words[j + 1] if j + 1 < len(words) and words[j + 1][0] == words[j][1] else None
        addressed = after is not None and after[2] in _HONORIFICS
        in_compound = i == j and after is not None and after[3] in ("名詞", "接頭辞", "接尾辞") and not addressed
        katakana_only = all(_KATAKANA_WORD.fullmatch(w[2]) for w in words[i:j + 1])
        spaced = any(text[words[k][1]:words[k + 1][0]] in (" ", "\u3000") for k in range(i, j))  # フリガナ: クボ ナオト
        if not in_compound and (addressed or spaced or not katakana_only):
            found.append((words[i][0], words[j][1]))
        i = j + 1
    return found


@lru_cache(maxsize=2)
def _cyrillic_detector(kazakh_and_mongolian: bool):
    from lingua import Language, LanguageDetectorBuilder

    names = [n for n in _CYRILLIC_LANGUAGES if kazakh_and_mongolian or n not in ("KAZAKH", "MONGOLIAN")]
    return LanguageDetectorBuilder.from_languages(*(getattr(Language, n) for n in names)).build()


@lru_cache(maxsize=1)
def _natasha():
    """natasha's segmenter, its NER tagger over the bundled embeddings, and its document type."""
    from natasha import Doc, NewsEmbedding, NewsNERTagger, Segmenter

    return Segmenter(), NewsNERTagger(NewsEmbedding()), Doc


def is_noun_or_adjective(word: str) -> bool:
    """The Russian or Ukrainian dictionary knows `word` as a noun or a full adjective first, and never as a name:
    "Совету", "Отдел", "Министерство", "Театру", "Уважаемые", "Главному" (a council, a department, a ministry, a
    theatre, "dear", "chief", which open capitalised words after a field or a greeting as often as a person's name);
    not "Вера" (a first name too), "Румяна" (a short adjective first), nor a word it does not know ("Илияна")."""
    for language in ("ru", "uk"):
        parses = _parses(word, language)
        if parses[0].is_known and parses[0].tag.POS in _THING_POS \
                and not any(_NAME_GRAMMEMES & p.tag.grammemes for p in parses):
            return True
    return False


_THING_POS = {"NOUN", "ADJF"}  # OpenCorpora's noun and full adjective


@lru_cache(maxsize=2)
def _morph(language: str):
    """pymorphy3 over its Russian (OpenCorpora) or Ukrainian (VESUM) dictionary, each in its own wheel."""
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang=language)


@lru_cache(maxsize=65536)
def _parses(word: str, language: str) -> tuple:
    """A word's readings, looked up once: the trimming, the name test, the widening and the town test each ask."""
    return tuple(_morph(language).parse(word))


@lru_cache(maxsize=1)
def _mecab():
    """MeCab with UniDic-lite's dictionary (memory-mapped: milliseconds to load)."""
    import fugashi

    return fugashi.Tagger()
