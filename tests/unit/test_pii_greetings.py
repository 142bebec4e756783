"""Whom a greeting greets, a name before a word of respect, and a letter's opening words of respect (names.py
`_addressee`, script_names.py `_addressed`, `_named` and `_RESPECTED`): a listed name there goes, and so do two
words with no everyday word among them (capitalised scripts) or a listed name and a rare word (scripts without
capitals); one rare word alone (a firm, a town, a role), an everyday word, a greeting that nothing closes, an
adjective after a noun or Marathi's "hundred" stays."""

import pytest

from tasks.sampling.pii import Scrubber, common_words


@pytest.fixture(scope="module")
def scrub():
    return Scrubber(detectors=("person",), phone_context=False).scrub


@pytest.mark.parametrize("text, name", [
    ("Cześć Zbigniew! Paczka jest w drodze.", "Zbigniew"),  # a greeting that was no cue, a listed name
    ("Hi Oluwaseun Adebayo, your parcel left the depot.", "Oluwaseun Adebayo"),  # two words no list holds
    ("Ћао Тијана Јанковић, јеси ли видела нову понуду?", "Тијана Јанковић"),  # Serbian
    ("Сәлем, Нұржан Сейітов! Ертең кездесу бола ма?", "Нұржан Сейітов"),  # Kazakh
    ("Բարև Լիլիթ, վաղը գրասենյակում կլինե՞ս։", "Լիլիթ"),  # Armenian, a listed name
    ("مرحبا ليلى الدوسري، هل وصلك الطرد؟", "ليلى الدوسري"),  # Arabic: a listed name and a rare word
    ("السلام عليكم إبراهيم، وصل الطرد.", "إبراهيم"),
    ("היי יונתן, המשלוח בדרך.", "יונתן"),  # Hebrew
    ("გამარჯობა ანა, ხვალ ოფისში იქნები?", "ანა"),  # Georgian
    ("ইমতিয়াজ বাবু, বিলটা পাঠিয়েছেন?", "ইমতিয়াজ"),  # before a word of respect (Bengali)
    ("فرشید بهرامی صاحب امروز تماس گرفتند.", "فرشید بهرامی"),  # and the given name before the family name
    ("محترمہ نادیہ حسن پیر سے اس کیس کی نگرانی کریں گی۔", "نادیہ حسن"),  # a letter's opening "respected"
    ("ბატონო ლაშა, გიგზავნით ხელშეკრულების პროექტს.", "ლაშა"),  # Georgian's "Mr." as one calls him
    ("सौ. शुभांगी माने सोमवारपासून हे प्रकरण पाहतील.", "शुभांगी माने"),  # Marathi's "Mrs." with its dot
    ("திரு. கோபிநாத் வெங்கடேசன் பில் அனுப்பினார்.", "கோபிநாத் வெங்கடேசன்"),  # a form of address with a dot
])
def test_whom_a_greeting_or_a_word_of_respect_names_goes(scrub, text, name):
    out = scrub(text)
    assert not any(part in out for part in name.split()), out


@pytest.mark.parametrize("text", [
    "Hi Zendesk, my Zendesk account is locked.",  # one rare word alone: a firm as often
    "Hi Zendesk Support, my account is locked.",  # two words, one an everyday word
    "Здравствуйте, Клиенты Озона!",  # "customers" (Zipf 4.1 in Russian: no rarer than a town)
    "Բարև Սիրելի Հաճախորդներ,",  # "Dear customers": no word list for Armenian, so only a listed name
    "Ordine: Gnocchi Zorbex Quintaro, 2 pezzi.",  # "hi" ends a word here, and opens nothing
    "Good morning نون, my order never came.",  # a new greeting is no cue for one rare word of another script
    "Assigned to سپورٹ ٹیم for review.",  # a team (Urdu), after a role field
    "Привет, Озон! Где мой заказ?",
    "Good Morning America: the show starts at 7.",  # a listed first name that is an everyday word
    "Hello Zorbex Quintaro deals end tonight.",  # nothing closes the greeting
    "Hola Equipo! Nos vemos mañana.",
    "مرحبا نون، طلبي لم يصل.",  # a firm
    "مرحبا عملاءنا الكرام، العرض ينتهي اليوم.",  # "our dear customers": no listed name
    "మేనేజర్ గారు, బిల్ పంపండి.",  # "manager" before a word of respect
    "مشتری محترم، سفارش شما ارسال شد.",  # "respected" after a noun: "dear customer"
    "محترم کسٹمر، آپ کا آرڈر بھیج دیا گیا۔",  # "respected customer": no name follows
    "सौ रुपये का बिल भेजा गया।",  # "a hundred rupees": Marathi's "Mrs." needs its dot
])
def test_a_firm_a_role_or_an_everyday_word_stays(scrub, text):
    assert scrub(text) == text


@pytest.mark.parametrize("word, everyday", [
    ("equipo", True), ("друзья", True), ("الجميع", True), ("Team", True),  # English: Zipf 3 is enough
    ("Grüße", True), ("Λόγος", True),  # found case-folded, as wordfreq keeps them ("grüsse", "λόγοσ")
    ("Zbigniew", False), ("رانيا", False), ("Тијана", False),
])
def test_everyday_words_are_frequent_in_some_language(word, everyday):
    assert common_words.is_everyday(word) is everyday


def test_the_everyday_word_before_a_name_and_a_word_of_respect_stays(scrub):
    assert scrub("دیروز علی صاحب تماس گرفت.") == "دیروز <PERSON> صاحب تماس گرفت."  # "yesterday Ali sahib called"
