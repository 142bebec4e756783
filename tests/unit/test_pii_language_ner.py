"""Russian, Ukrainian and Japanese person names by the NER models in their wheels (tasks/sampling/pii/language_ner.py),
and the gates that keep them off other languages, firms and places. Each planted name is one the cue and name-list
rules alone leave (checked with ner="off")."""

import pytest

from tasks.sampling.pii import Scrubber


@pytest.fixture(scope="module")
def scrubbers():
    return Scrubber(phone_context=False), Scrubber(phone_context=False, ner="off")


@pytest.mark.parametrize("text, expected", [
    ("Передайте документы Паламарчуку до пятницы.", "Передайте документы <PERSON> до пятницы."),
    ("Договор подписал Кузнецов А.В., копия в архиве.", "Договор подписал <PERSON>, копия в архиве."),
    ("Посилку отримала Олеся Гнатюк, а оплатив її брат.", "Посилку отримала <PERSON>, а оплатив її брат."),
    ("昨日、高田 美咲が請求書を確認しました。", "昨日、<PERSON>が請求書を確認しました。"),
    ("田中部長に報告してください。", "<PERSON>部長に報告してください。"),  # a title after the name: still a person
    ("ジョン・スミスさんが来社されます。", "<PERSON>さんが来社されます。"),  # a foreign name parted by ・ is one
    ("山田　太郎さんから電話がありました。", "<PERSON>さんから電話がありました。"),  # a full-width space parts a name
    ("氏名（フリガナ）：クボ ナオト", "氏名（フリガナ）：<PERSON>"),  # a name's reading: spaced katakana, all of it
    ("山田 太郎名義の口座に振り込みました。", "<PERSON>名義の口座に振り込みました。"),  # two name words before a noun
    # a word with an apostrophe is one word; a word in lower case ends a name; a name the model stopped short of
    ("Гроші надіслала Дар'я Коваль вчора.", "Гроші надіслала <PERSON> вчора."),
    ("Договір погоджено з Оксаною Миколаївною Бойко.", "Договір погоджено з <PERSON>."),
    ("Дані Поліни Ісаєнко оновлено.", "<PERSON> оновлено."),
    ("Що нового у Харкові? Питання до Олени Коваль.", "Що нового у Харкові? Питання до <PERSON>."),
    # Ukrainian that lingua reads as Kazakh, which has letters this text does not
    ("Питання щодо доставки вирішує Олексій Кравчук.", "Питання щодо доставки вирішує <PERSON>."),
])
def test_a_name_no_cue_announces_is_found_by_the_model(scrubbers, text, expected):
    with_model, rules_alone = scrubbers
    assert with_model.scrub(text) == expected
    assert rules_alone.scrub(text) != expected


@pytest.mark.parametrize("text", [
    # a capitalised first word the Russian model reads as a person, that no dictionary knows as a name
    "Перезвоните мне на 0612345678 вечером.",
    # Bulgarian, Macedonian: the model is not asked (it reads their capitalised words as people)
    "Министерството на земеделието обяви нов прием.",
    "Мочев Клатуров АД подписа договора.",
    "Булевар Вишеслав Кудрявцев 711, Скопје",
    "Кирил и Методий площад",  # Bulgarian read as Russian, but not twice as likely
    # what bears a person's name: a street, an institution "named after"; a span with a word in lower case
    "Адреса доставки: вулиця Лесі Українки, 14, Рівне.",
    "Склад: проспект Степана Бандери, 8, Київ.",
    "Вулиця Івана Мазепи, 40, Полтава.",
    "Гімназія імені Шевченка оплатила рахунок.",
    "Партія масла з Нових Санжар прибуде в четвер.",
    "Я з Черкас, хочу оформити кредит.",
    # a legal form before or after, a town, a monument, a theorem, a town after a preposition
    "Постачальник ТОВ Бондаренко надіслав рахунок.",
    "Поставщик ООО Смирнов прислал счёт.",
    "Доставка в г. Королёв завтра.",
    "Встреча у памятника Пушкину на Тверской.",
    "Теорема Пифагора входит в программу.",
    "Поставка в Александров во вторник.",
    # Ukrainian: one word alone must be nothing but a name ("Києві" is also the dative of the first name Кий)
    "Відділення №7 на вул. Франка у Києві тимчасово зачинене.",
    "Магазин у Львові працює до 21:00.",
    "Укрзалізниця призначила додатковий поїзд Інтерсіті до Львова.",
    # Japanese family names inside a firm's or a place's compound, and katakana brands
    "伊藤園のお茶を申し込みたいです。",
    "武田薬品工業の工場見学に申し込みました。",
    "羽田空港第2ターミナルで集合です。",
    "中村屋のカレーを注文しました。",
    "ローソンで支払いました。",
    "マツモトキヨシで購入しました。",
    "ホテルニューオータニ大阪より連絡です。",
    "会議はホテルニューオータニで行います。",  # a katakana name alone, even at the compound's end
    "ルイ・ヴィトンの財布を返品したいです。",  # katakana parted by ・ and not addressed: a brand
])
def test_a_firm_a_place_or_another_language_stays(scrubbers, text):
    with_model, _ = scrubbers
    assert with_model.scrub(text).replace("<PHONE>", "0612345678") == text


def test_a_legal_form_after_the_span_makes_it_a_firm():
    """The Russian model reads "Иванов и партнёры" as a person; a legal form after it says it is a firm's name."""
    from tasks.sampling.pii import language_ner

    firm, person = "Поставщик: Иванов Петров ООО, счёт оплачен.", "Поставщик: Иванов Петров, счёт оплачен."
    assert language_ner.spans(person) and not language_ner.spans(firm)


def test_chinese_text_is_not_read_as_japanese():
    """Kanji without kana may be Chinese, which the Japanese dictionary would read as Japanese words."""
    from tasks.sampling.pii import language_ner

    assert language_ner.spans("高田美咲昨天提交了申请。") == []
    assert language_ner.spans("高田美咲さんが申請しました。")


@pytest.mark.parametrize("text", ["\ud800田中さんから", "田中さん\udc00です", "\x00田中さんが来ました。"])
def test_a_lone_surrogate_or_nul_neither_crashes_nor_hides_a_name(scrubbers, text):
    """MeCab cannot encode a lone surrogate (it raised through Scrubber.scrub) and stops reading at NUL."""
    with_model, _ = scrubbers
    assert "田中" not in with_model.scrub(text)


def test_a_town_after_a_preposition_is_no_person(scrubbers):
    """"в Александров": the dictionary reads the word as a town as well as a family name (the second town of the
    sentence, "Владимир", is a first name as well, and goes)."""
    with_model, _ = scrubbers
    assert "Александров" in with_model.scrub("Поставка в Александров и Владимир — четверг.")
