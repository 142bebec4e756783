"""Language id without false quarantine: short texts full of names and places are kept (as unknown when they
cannot be told), texts in a script the route does not use and clear foreign-language texts are quarantined."""

import pytest

from distillery.text.language import LanguageCheck, Verdict, evidence, letters_by_script


@pytest.fixture(scope="module")
def english():
    return LanguageCheck({"*": ["en"]})


def verdict(check: LanguageCheck, text: str):
    return check.verdicts(["support-reply"], [text])[0]


@pytest.mark.parametrize("text", [
    "need 3 seats Tromsø to Zürich on 24 Jul",
    "Can I change my flight from Bordeaux to Saint-Étienne?",
    "any rooms left in Castillo de la Peña on the 12th?",
    "change my pickup from Turku to Val d'Isère",
    "Göteborg or Garmisch-Partenkirchen: which is closer to Luleå?",
    "book 2 rooms in Rio de Janeiro for 3 nights, then Frankfurt am Main",
    "Jürgen Müller 0171 1234567",  # names and numbers only
    "Zürich → Tromsø 2 pax 24/07",
    "Figueira da Foz → Oaxaca de Juárez 25.8. 1 pax",  # a place's particles: few words, no sum of languages (LONG_WORDS)
    "ok",
])
def test_short_english_with_foreign_names_is_kept(english, text):
    v = verdict(english, text)
    assert v.reason is None and v.language in ("en", "unknown"), v


@pytest.mark.parametrize("text", ["Jürgen Müller 0171 1234567", "Zürich → Tromsø 2 pax 24/07", "ok, thanks"])
def test_what_cannot_be_told_is_marked_unknown(english, text):
    assert verdict(english, text).language == "unknown"


@pytest.mark.parametrize("text, code", [
    ("Ich kann mich seit heute Morgen nicht mehr anmelden, das Passwort wird nicht akzeptiert.", "de"),
    ("Je voudrais annuler ma réservation pour le mois prochain, merci beaucoup.", "fr"),
    ("Ik wil graag mijn boeking voor volgende week annuleren, kan dat nog?", "nl"),
    ("Gostaria de cancelar a minha reserva para a próxima semana, por favor.", "pt"),
    ("Quisiera cancelar mi reserva para la semana que viene, por favor.", "es"),
    ("Vorrei annullare la mia prenotazione per la prossima settimana, grazie.", "it"),
])
def test_foreign_sentences_are_quarantined(english, text, code):
    assert verdict(english, text).reason == f"language:{code}"


@pytest.mark.parametrize("text, code", [
    ("Москва", "ru"),  # one word is enough when the whole script is foreign
    ("Подскажите, пожалуйста, когда моя посылка прибудет?", "ru"),
    ("رجاء إعادة المبلغ إلى حسابي", "ar"),
    ("我从Santiago de Compostela到Cotonou的火车被取消了，请问怎么退款？", "zh"),  # Latin place names do not count
])
def test_a_script_the_route_does_not_use_is_quarantined(english, text, code):
    assert verdict(english, text).reason == f"language:{code}"


def test_english_naming_a_cyrillic_city_is_not_a_foreign_script(english):
    assert verdict(english, "need 2 tickets to Москва and back on Friday").reason is None


def test_served_languages_and_unchecked_routes():
    check = LanguageCheck({"ticket-triage": ["en", "de"]})
    german = "Die Rechnung ist leider doppelt abgebucht worden, bitte erstatten Sie den Betrag."
    assert check.verdicts(["ticket-triage"], [german])[0].language == "de"
    assert check.reasons(["ticket-triage", "invoice-extract"], [german, "Москва"]) == [None, None]
    assert check.counts["de"] == 2


def test_evidence_is_the_words_that_carry_language():
    assert evidence("need 3 seats Tromsø to Zürich on 24 Jul") == ["need", "seats", "to", "on"]
    assert evidence("Tromsø to Oslo, then iPhone support at help@x.io <PERSON>") == ["to", "then", "support", "at"]
    assert letters_by_script("Flights to Москва") == {"LATIN": 2}  # capitalised runs are names


def test_unknown_language_code_is_refused():
    with pytest.raises(ValueError, match="ISO 639-1"):
        LanguageCheck({"*": ["xx"]})


@pytest.mark.parametrize("text", [
    "Dzień dobry, od tygodnia czekam na zwrot pieniędzy za zamówienie, kiedy dostanę przelew?",  # Polish
    "Halo kak, pesanan saya belum sampai padahal sudah lewat seminggu, tolong dicek ya",  # Indonesian
    "Dobrý den, včera jsem zaplatil kartou, ale objednávka pořád ukazuje, že čeká na platbu.",  # Czech
    "Paano ko po mababago yung address ng delivery ko, mali po kasi yung nailagay ko kahapon",  # Tagalog
])
def test_a_message_in_a_language_beyond_the_seven_common_ones_is_quarantined(english, text):
    # (lingua names only the languages it is given: LATIN_MORE; Tagalog is "fil" to wordfreq)
    assert verdict(english, text).reason is not None


@pytest.mark.parametrize("text", [
    "foo bar baz qux quux corge grault garply waldo fred",
    "xyzzy plugh frobnicate wibble wobble fnord quux blarg zork",
])
def test_words_of_no_language_are_kept_as_unknown(english, text):
    # lingua spreads them thinly over every language it knows: all of them together would beat English (FOREIGN_TOP)
    assert verdict(english, text) == Verdict("unknown")


def test_a_long_message_whose_confidence_similar_languages_split_is_quarantined(english):
    # Danish or Norwegian Bokmål: neither alone beats English by the margin, both together do (LONG_WORDS)
    text = "Kan dere sende fakturaen på nytt til den nye adressen min, takk?"
    assert verdict(english, text).reason is not None


@pytest.mark.parametrize("text", [
    "can i get the bacalhau à brás without olives",
    "we ordered the käsespätzle, two schweinshaxe and a weißbier but got schnitzel",
    "please add extra sambal matah and kerupuk to my nasi campur order",
])
def test_english_with_a_dish_s_foreign_name_is_kept(english, text):
    # half or more of the words are everyday English ones, whatever the trigrams say (SERVED_WORDS_SHARE)
    assert verdict(english, text).reason is None
