"""Full-width and native digits, no-break spaces and invisible characters (fold.py): the detectors read them as
ASCII, and what they leave comes back as the user wrote it."""

import re

import pytest

from tasks.sampling.pii import Scrubber
from tasks.sampling.pii.fold import fold


@pytest.fixture(scope="module")
def scrub():
    return Scrubber(phone_context=False).scrub


@pytest.mark.parametrize("text, expected", [
    # a Japanese IME's full-width digits, hyphens, plus sign, at-sign and letters
    ("電話：０９０－１２３４－５６７８まで", "電話：<PHONE>まで"),
    ("携帯番号は０８０ー４４５６ー９８２１です", "携帯番号は<PHONE>です"),  # the long-vowel mark typed for "-"
    ("携帯 ＋８１ ９０ １２３４ ５６７８", "携帯 <PHONE>"),
    ("メール ｙａｍａｄａ＠ｅｘａｍｐｌｅ．ｃｏ．ｊｐ まで", "メール <EMAIL> まで"),
    ("振込先 ＤＥ８９ ３７０４ ００４４ ０５３２ ０１３０ ００ です", "振込先 <IBAN> です"),
    ("サーバー ２０３．０．１１３．７ が停止", "サーバー <IP> が停止"),
    ("担当 Ｊｏｈｎ Ｓｍｉｔｈ より", "担当 <PERSON> より"),
    # Eastern Arabic and Persian digits
    ("رقم الجوال ٠٥٠١٢٣٤٥٦٧ شكرا", "رقم الجوال <PHONE> شكرا"),
    ("شماره تماس: ۰۹۱۲ ۳۴۵ ۶۷۸۹", "شماره تماس: <PHONE>"),
    # no-break and narrow no-break spaces between a number's groups, as Word and Outlook write them
    ("Tél. : 06\u00a012\u00a034\u00a056\u00a078, merci", "Tél. : <PHONE>, merci"),
    ("Tel: +49\u202f30\u202f1234567", "Tel: <PHONE>"),
    # ... where they are no amount's thousands: a group of four, a "+" before, a hyphen's group after
    ("тел. +7\u2009903\u2009765\u201143\u201121", "тел. <PHONE>"),
    ("тел. 8\u2009903\u2009765\u201143\u201121", "тел. <PHONE>"),
    ("Móvil: +34\u2009612\u2009345\u2009678", "Móvil: <PHONE>"),
    # a non-breaking hyphen, an en dash, a minus sign inside the number
    ("Tel. 030 1234\u20115678", "Tel. <PHONE>"),
    ("Call (555) 123\u20134567 today", "Call <PHONE> today"),
    ("Tel. 030\u22121234567", "Tel. <PHONE>"),
    # invisible characters pasted from a web page
    ("Tel. +44\u200b20\u200b7946\u200b0958 ok", "Tel. <PHONE> ok"),
    ("write to jo\u00adhn.doe@example.com today", "write to <EMAIL> today"),
    ("write to john.doe@\u200bexample.\u200bcom today", "write to <EMAIL> today"),
    ("write to jean\u200b-pierre@acme\u200b_corp.com today", "write to <EMAIL> today"),
])
def test_folded_forms_are_scrubbed(scrub, text, expected):
    assert scrub(text) == expected


@pytest.mark.parametrize("text, expected", [
    # what is not scrubbed comes back as written: full-width, native digits, no-break spaces, invisible marks
    ("注文番号：１２３４５　電話：０９０－１２３４－５６７８　合計：１２，０００円",
     "注文番号：１２３４５　電話：<PHONE>　合計：１２，０００円"),
    ("\u200fالطلب ٤٥ — رقم الجوال ٠٥٠١٢٣٤٥٦٧ — ٣٬٥٠٠ ريال", "\u200fالطلب ٤٥ — رقم الجوال <PHONE> — ٣٬٥٠٠ ريال"),
    # a directional mark parts two runs: the word before an address stays, the marks too
    ("mail\u2068john@example.com\u2069 ok", "mail\u2068<EMAIL>\u2069 ok"),
    ("رقم الجوال \u2066+971501234567\u2069 للتواصل", "رقم الجوال \u2066<PHONE>\u2069 للتواصل"),
    # a full-width colon is a label's, as written; an ideographic space between a number's groups is a space
    ("IPアドレス：192.168.10.25", "IPアドレス：<IP>"),
    ("カード番号：４５３２\u3000０１５１\u3000１２８３\u3000０３６６\u3000有効期限", "カード番号：<CARD>\u3000有効期限"),
    # ... but one between two numbers grouped with plain spaces parts them
    ("TEL ０９０ １２３４ ５６７８\u3000０８０ ８７６５ ４３２１", "TEL <PHONE>\u3000<PHONE>"),
    # an ideographic space between words is as written: a family name and a title, a label after a name
    ("担当：佐藤\u3000部長", "担当：佐藤\u3000部長"),
    ("担当：佐藤\u3000メール：sato@example.jp", "担当：<PERSON>\u3000メール：<EMAIL>"),
    ("電話\u3000０９０－１２３４－５６７８", "電話\u3000<PHONE>"),
    # a zero-width space between an address and a word of another script parts them
    ("Mail john@example.com\u200bпожалуйста ответьте", "Mail <EMAIL>\u200bпожалуйста ответьте"),
    # two values, the first written with thin or zero-width spaces: the plain space between them comes back
    ("Tel +7\u2009903\u2009765\u201143\u201121 +7 903 765-43-22 ok", "Tel <PHONE> <PHONE> ok"),
    ("Tel +44\u200b20\u200b7946\u200b0958 +44 20 7946 0959 ok", "Tel <PHONE> <PHONE> ok"),
    ("Cards 4111 1111 1111 1111\u00a04012 8888 8888 1881", "Cards <CARD>\u00a0<CARD>"),
    ("Montant\u00a0: 1\u202f234,56\u00a0€ — tél. 06\u00a012\u00a034\u00a056\u00a078 — ré\u00adf. A\u201112",
     "Montant\u00a0: 1\u202f234,56\u00a0€ — tél. <PHONE> — ré\u00adf. A\u201112"),
])
def test_what_is_left_comes_back_as_written(scrub, text, expected):
    assert scrub(text) == expected


@pytest.mark.parametrize("text", [
    "注文番号：１２３４５、数量：３個、合計　１２，０００円（税込）",
    "٢٠٢٤/٠٣/١٥ — الكمية ١٢ — السعر ٣٬٥٠٠٫٧٥ ريال",
    "Besprechung 10–12 Uhr, Seiten 12–18 \u2014 Raum\u00a0204",
    "Invoices 2024-0001–2024-0450 were paid.",  # a range of two numbers written with hyphens
    "\u200eSKU\u200b-4471 \u00adx",
    # an amount's thousands apart by narrow no-break spaces, as software writes them: no spaced phone
    "Cell site 01514: 178\u202f648\u202f723 attach requests, 85% dropped.",
    "Montant : 12\u202f345\u202f678,90 €",
    # a zero-width space inside a word is no space: "Bestellnummer" still labels an order's number
    "Bestell\u200bnummer 0171\u200b2345678",
])
def test_a_clean_text_comes_back_unchanged(scrub, text):
    assert scrub(text) == text


def test_a_sentences_dash_stays_a_dash():
    # an en or em dash between words is punctuation the name rules read (a signature's "— Name"); only one between
    # two digits is folded
    assert fold("Thanks — Anna, 10–12, —5").folded == "Thanks — Anna, 10-12, —5"


def test_a_name_before_the_join_and_the_brackets_come_back_as_written():
    # the unspaced scripts' join parts "王芳" from "(" with a marked space while the detectors read it; the name
    # stops at its characters, so no space is left, and the full-width brackets come back, on a long text too
    tail = "。" * 1_200
    for text in ("收件人：王芳（０９０－１２３４－５６７８）", "收件人：王芳(090-1234-5678)"):
        assert Scrubber(phone_context=False).scrub(text + tail) == \
            text.replace("王芳", "<PERSON>").replace(text[7:-1], "<PHONE>") + tail


def test_pieces_that_do_not_line_up_are_put_back_loosely_never_through_a_placeholder():
    placeholders = re.compile("(<PHONE>|<PERSON>)")
    # a character a detector added that is no join's space: what matches comes back as written
    assert fold("名前：李娜（０９０）").restore("名前：<PERSON>x(<PHONE>)", placeholders) == "名前：<PERSON>x（<PHONE>）"
    # ... but not where a placeholder would be rebuilt from what the user wrote, nor on a long text
    assert fold("<ＰＨＯＮＥ>x").restore("<PHONE>yx", placeholders) == "<PHONE>yx"
    assert fold("ａ" * 1_001).restore("<PHONE>x" + "a" * 1_000, placeholders) == "<PHONE>x" + "a" * 1_000
    assert fold("aａ").restore("a<PHONE>a", placeholders) == "a<PHONE>ａ"  # a placeholder for nothing: loosely


def test_pieces_never_overlap():
    from tasks.sampling.pii.fold import _line_up
    assert _line_up("abc", ["ab", "bc"]) is None  # "bc" would reuse the "b" before the placeholder
    assert _line_up("abcbc", ["ab", "bc"]) == [(0, 2), (3, 5)]


def test_each_placeholder_stood_for_at_least_one_character():
    # the pieces are lined up so: "1" after <X> is the third character, the one written "١", not the second
    placeholders = re.compile("(<X>|<Y>)")
    assert fold("aａab").restore("a<X>a<Y>", placeholders) == "a<X>a<Y>"
    assert fold("1１١x").restore("1<X>1<Y>", placeholders) == "1<X>١<Y>"


def test_hits_count_once_per_value():
    scrubber = Scrubber(phone_context=False)
    scrubber.scrub("電話：０９０－１２３４－５６７８、メール ａ＠ｅｘａｍｐｌｅ．ｃｏｍ")
    assert scrubber.hits == {"phone": 1, "email": 1}
