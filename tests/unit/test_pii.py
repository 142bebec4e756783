"""PII scrubbing on hand-written texts: what must go, and what must stay (invoice numbers, dates, companies)."""

import pytest

from tasks.sampling.pii import Scrubber


@pytest.mark.parametrize("text, kind", [
    ("reach me at maria.gonzalez@globex.example please", "email"),
    ("call +1 415-555-0132 today", "phone"),
    ("or (212) 555-0187 after 5", "phone"),
    ("UK office +44 20 7946 0958", "phone"),
    ("card 4539 1488 0343 6467 was charged", "card"),
    ("card 4539148803436467 was charged", "card"),
    ("refund to DE89 3704 0044 0532 0130 00 thanks", "iban"),
    ("refund to GB82WEST12345698765432", "iban"),
    ("My name is Zorblat Quux and I manage the account", "person"),
    ("Thanks, Kenji Okafor", "person"),
    ("Please ask Maria Gonzalez from finance", "person"),
    ("Best regards, Priya", "person"),
    ("my router says 192.168.1.20 is blocked", "ip"),
    ("login from 203.0.113.77, not me", "ip"),
    ("the VPN gave me 2001:db8:85a3::8a2e:370:7334 today", "ip"),
    ("it listens on ::1 only", "ip"),
])
def test_scrubs_each_kind(text, kind):
    s = Scrubber()
    out = s.scrub(text)
    assert f"<{kind.upper()}>" in out
    assert s.hits[kind] == 1 and sum(s.hits.values()) == 1, (out, s.hits)


@pytest.mark.parametrize("text", [
    "Invoice INV-20931 dated 2026-10-06, total $1,234.50",
    "Receipt - Blue Bottle Cafe, 09/11/2026, ref 26-0947, TOTAL C$199.95",
    "Dear Acme Cloud, our May invoice shows EUR 412.80 for the Team plan",
    "The API returns 503 for every request in US-East since 9am",
    "Order #4815162342 shipped by DHL to Rotterdam",
    "Card ending 4111 was declined",  # four digits are not a card number
    "Upgraded the agent to 1.2.3 and then 10.4.12-beta, still failing",  # versions: three parts, not an address
    "The outage ran from 10:30:00 to 11:45:10 UTC on 2026.11.23",  # times and dotted dates
    "Quote 1.234.567,89 EUR for 999.1.1.1 units",  # not a valid address: an octet above 255
])
def test_leaves_business_text_alone(text):
    s = Scrubber()
    assert s.scrub(text) == text, s.hits


def test_only_configured_detectors_run():
    s = Scrubber(detectors=("email",))
    assert s.scrub("maria@globex.example, +1 415-555-0132, Maria Gonzalez") == "<EMAIL>, +1 415-555-0132, Maria Gonzalez"


# ---------------------------------------------------------------- beyond US formats (issue "Privacy you can show an auditor")

@pytest.mark.parametrize("text, kind", [
    ("Ruf mich bitte an: 0171 2345678", "phone"),  # German mobile, national format
    ("Mon portable : 06 12 34 56 78", "phone"),  # French pairs
    ("llámame al 612 34 56 78 por la tarde", "phone"),  # Spanish, announced
    ("Büro Berlin 030 12345678", "phone"),  # trunk prefix 0 and a separator
    ("WhatsApp +91 98765 43210", "phone"),
    ("Tel (11) 91234-5678", "phone"),  # Brazil, area code in brackets
    ("call me on +81 90-1234-5678 x204", "phone"),  # the extension goes with it
    ("Customer SSN 536-90-4399 called twice", "national_id"),
    ("mijn BSN is 111222333", "national_id"),
    ("CPF 390.533.447-05, pagamento pendente", "national_id"),
    ("codice fiscale RSSMRA85T10A562S", "national_id"),
    ("NIE X1234567L y DNI en trámite", "national_id"),
    ("mój PESEL to 44051401359", "national_id"),
    ("personnummer 811218-9876", "national_id"),
    ("NIR 2 95 10 99 126 111 93 sur la carte vitale", "national_id"),
    ("National Insurance AB 12 34 56 C", "national_id"),
    ("my key is sk-proj-Xk29fLq0Pz7Rt4Wm1Vb8Nc3Hs6Jd5Ga2", "secret"),
    ("token ghp_aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5", "secret"),
    ("AWS AKIAIOSFODNN7EXAMPLE leaked", "secret"),
    ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
     "secret"),
    ("Slack bot xoxb-123456789012-123456789012-AbCdEfGhIjKlMnOpQrStUvWx", "secret"),
    ("the db password is Tr0ub4dor&3", "secret"),
    ("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "secret"),
    ("the job reads postgresql://etl:S3cr3tPass@db.internal:5432/sales", "credential"),
    ("download https://files.example.com/r.csv?X-Amz-Signature=8a7f6e5d4c3b2a19", "credential"),
    ("Je m'appelle José-María van der Berg et mon colis est perdu", "person"),
    ("Bonjour, je suis Hélène Dubois-Lefèvre", "person"),
    ("Ich heiße Jürgen Müller-Lüdenscheidt", "person"),
    ("Me llamo Íñigo O'Neil", "person"),
    ("Mi chiamo Giuseppe Verdi", "person"),
    ("Mijn naam is Sanne de Vries", "person"),
    ("Meu nome é João dos Santos", "person"),
    ("Mit freundlichen Grüßen\nAnna Schmidt", "person"),
    ("Please call Frau Weber back", "person"),
])
def test_finds_planted_pii_beyond_us_formats(text, kind):
    s = Scrubber()
    out = s.scrub(text)
    assert f"<{kind.upper()}>" in out, (out, s.hits)
    assert s.hits[kind] == 1 and sum(s.hits.values()) == 1, (out, s.hits)


def test_credentials_leave_the_rest_of_the_url():
    out = Scrubber().scrub("see https://admin:hunter22@example.com/reset?user=5&token=abc123XYZ789 now")
    assert out == "see https://<CREDENTIAL>@example.com/reset?user=5&token=<CREDENTIAL> now"


@pytest.mark.parametrize("text", [
    "Order #4815162342 shipped on 2026-11-23, invoice INV-2026-00412",
    "The API call for order 4815162342 times out after 30 s",  # "call" next to an order number
    "Amazon order 112-8845123-4412733 arrived damaged",  # Luhn-valid or not, not grouped like a card
    "Total 1 234 567,89 EUR for 12 345 units, VAT 19 %",
    "Dates: 23.11.2026, 11/23/2026, 2026-11-23T10:30:00Z",
    "SKU AB-12345-X, part 88213-BLK, lot 2024-B-0931",
    "Upgrade from 4.17.21 to 10.0.19045.3693 failed",
    "Tracking 1Z999AA10123456784 and 9400 1234 5678 9012 3456 78",
    "EAN 4006381333931 and ISBN 978-3-16-148410-0",
    "Bestellnummer 0012345678, Codice ordine 0612345678",  # zero-padded references
    "Request 7f3e2c1a-9b8d-4e6f-a1b2-c3d4e5f6a7b8, commit 3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a3f",
    "Stripe charge ch_3NfP2kLkdIwHu7ix0RzQ9aXb refunded",  # an object id, not a secret
    "The password is incorrect and the token has expired",
    "SSN 000-12-3456 and 666-12-3456 are never issued",  # invalid ids, right shape
    "BSN 111222334, CPF 390.533.447-06, PESEL 44051401358",  # wrong check digits
    "codice fiscale RSSMRA85T10A562T, DNI 12345678A",
    "Refund to DE00 1234 5678 9012 3456 78",  # IBAN with bad check digits
    "Shipped from Santa Maria Novella to Duarte do Galho via Silva Logistics GmbH",
    "Lieferung an Juliá y Lastra S.L. und Todd Inc.",
])
def test_leaves_numbers_and_places_alone(text):
    s = Scrubber()
    assert s.scrub(text) == text, s.hits


def test_without_presidio_or_spacy_auto_is_the_bundled_models_and_off_is_none():
    """Presidio and spaCy are optional and not installed: 'auto' is the models that ship in their wheels (Russian,
    Ukrainian, Japanese) beside the cues and name lists; 'off' is the cues and name lists alone."""
    from tasks.sampling.pii import language_ner, ner

    if ner.installed("presidio") or ner.installed("spacy"):
        pytest.skip("Presidio or spaCy is installed here: 'auto' adds it to the bundled models")
    assert ner.load("auto") is language_ner.spans and ner.load("off") is None
    assert Scrubber(ner="auto").scrub("Je m'appelle Zoë Étienne") == "Je m'appelle <PERSON>"
    text = "Передайте документы Паламарчуку до пятницы."
    assert Scrubber(ner="auto").scrub(text) == "Передайте документы <PERSON> до пятницы."
    assert Scrubber(ner="off").scrub(text) == text


def test_config_defaults_match_the_scrubbers():
    """distillery.config cannot import tasks (layers), so the lists are written twice: they must agree."""
    from distillery.config import PiiConfig
    from tasks.sampling.pii import DEFAULT_REGIONS, DEFAULT_SCHEMES, KINDS

    cfg = PiiConfig()
    assert cfg.phone_regions == list(DEFAULT_REGIONS)
    assert cfg.national_ids == list(DEFAULT_SCHEMES)
    assert set(cfg.detectors) == set(KINDS)
    assert Scrubber.from_config(cfg).detectors == tuple(cfg.detectors)


def test_unknown_settings_are_refused():
    with pytest.raises(ValueError, match="national_ids"):
        Scrubber(national_ids=("xx.nothing",))
    with pytest.raises(ValueError, match="detectors"):
        Scrubber(detectors=("passport",))
    with pytest.raises(ValueError, match="phone_regions"):
        Scrubber(phone_regions=("QQ",))


# ---------------------------------------------------------------- context: cue words in the sentence, shapes, references
# (issue 21). Written for these tests, not taken from benchmarks/pii_recall.py or pii_heldout.py: each case is a way
# people write the datum that an earlier detector missed, or a lookalike that a looser one would scrub.

@pytest.mark.parametrize("text, kind", [
    ("Meine Festnetznummer ist 030 12345678, tagsüber erreichbar", "phone"),
    ("0176 98765432 ist meine neue Handynummer", "phone"),  # the phone word after the number
    ("Numer telefonu: 22 842 56 06", "phone"),  # Polish landline in its national grouping
    ("Ring mig på 070-123 45 67 efter klockan tre", "phone"),
    ("Mon numéro : 02-19-08-65-17", "phone"),  # once taken for a date (02-19-08)
    ("Sales desk\nT 0171 2345678", "phone"),  # a signature's T label
    ("Mobile:\n612 345 678", "phone"),  # the label on the line before; grouped like an amount, so the word decides
    ("text 07700 900123 if the door is locked", "phone"),
    ("Kontakt: 604-140-780", "phone"),
    ("Biuro: 604-140-780", "phone"),  # no phone word: Poland's own grouping of a valid Polish number
    ("Mein Handy: 0171/2345678", "phone"),  # the German slash after the area code
    ("He phoned from 1703764764 twice this morning", "phone"),  # no plan has the range; announced, it is a phone
    ("Soita numeroon 040 1234567 huomenna", "phone"),
    ("SSN (536-90-4399) on the form is wrong", "national_id"),  # in brackets
    ("111222333 is mijn BSN", "national_id"),  # the id's name after the number
    ("44051401359 - to mój numer PESEL", "national_id"),
    ("Zahlung mit Karte 561219671758 fehlgeschlagen", "card"),  # 12 digits: Luhn plus a card word
    ("589300123454 exp 11/26", "card"),  # 12 digits with Maestro's own IIN
    ("4584588237585 was charged twice", "card"),  # 13 digits that are also a valid EAN: the payment word decides
    ("the key +pY5o8jTL+uzaP///qVzXV6KTNIrAX37vL6Ffg6z stopped working", "secret"),  # base64 may hold ///
    ("IBAN: ES62 4404 7092 8575 9447 6501 BIC: DEUTDEFFXXX", "iban"),  # "BIC" once read as the IBAN's last group
    ("ANTHROPIC_API_KEY=XUVnARPlwZAK30+yUmN6hLvugg7nVnvfqnULH9Fd", "secret"),  # the label has a prefix
    ("Name: Pentti Valtonen", "person"),  # a form's field; Finnish names are not in the lists
    # everyday phone words added after the fresh set's misses, in more wordings than it used:
    ("Bitte rufen Sie mich unter 0221 4711 0815 zurück, oder einfach anrufen", "phone"),
    ("Kunt u mij morgen bereiken via 0612345678?", "phone"),
    ("easiest to get in touch on 07700900123 after six", "phone"),
    ("Se der algum problema, manda uma mensagem no 11987654321", "phone"),
    ("Zavolejte mi prosím na 601234567 zítra", "phone"),
    ("Yarın 05321234567 numaram üzerinden arayın lütfen", "phone"),
    ("Mitt kortnummer 561219671758 avvisades igjen", "card"),  # 12 digits; a Nordic card compound
    ("De betaalpas 561219671758 is geblokkeerd", "card"),
    ("Mitt f.nr. er 15038510190, oppdater gjerne", "national_id"),  # the Norwegian abbreviation
    ("CPR-nr. 0707614285 står forkert i systemet", "national_id"),
    # after the blind set's first run (benchmarks/pii_blind.py), in other words than it used:
    ("Sales team\nm: 3456789012", "phone"),  # a lower-case signature label, with its colon
    ("Med vänlig hälsning\nOrvar Teuta", "person"),
    ("S pozdravem,\nTeuta Benz", "person"),
    ("cc#: 561219671758, please delete it after the refund", "card"),
    # after the second blind set's first run, in other words than it used:
    ("Het sofinr. is 111222333", "national_id"),  # "...nummer" abbreviated "...nr"
    ("Ihre B.S.N. lautet 111222333", "national_id"),  # an acronym with dots
    ("Plata cu cardul 561219671758 a eșuat", "card"),  # Romanian "cardul"
    ("Potete richiamarmi al 3456789012 domani?", "phone"),
    ("Pozdrawiam serdecznie\nTeuta Benz", "person"),  # the longer sign-off wins over "Pozdrawiam"
    ("Groetjes,\nTeuta Benz", "person"),  # a cue is whole words: not "groet" + "jes"
    ("Victoria Hernández approved the refund", "person"),  # a first name that is also a word, before a surname
    # after the third blind set's misses were read (2026-12-03), in other words than it used:
    ("Nazovite me na 0463478612 poslije podne.", "phone"),  # Croatian "call me"
    ("Zavolajte mi prosím na 0463478612, ďakujem.", "phone"),  # Slovak
    ("Hívjon a 0463478612 számon.", "phone"),  # Hungarian
    ("Bana 0463478612 numarasından ulaşabilirsiniz.", "phone"),  # Turkish "you can reach me from number ..."
    ("Direct line 0463478612", "phone"),  # a signature's line name
    ("Para el alta me piden el PESEL; es el 44051401359.", "national_id"),  # the id's name before a semicolon
    ("Rodné číslo žadatele: 44051401359", "national_id"),  # Czech "birth number"
    ("Maksoin kortillani 739482610550 eilen.", "card"),  # Finnish "with my card": 12 Luhn-valid digits need a word
    ("Sevgiler,\nOskari Hämäläinen", "person"),  # a name in no list, after a Turkish sign-off
    ("Um abraço,\nOskari Hämäläinen", "person"),
    ("Kiittäen,\nOskari Hämäläinen", "person"),
    ("Mange hilsner\nOskari Hämäläinen", "person"),
    ("Assignee: Hanna\nStatus: open", "person"),  # a ticket's people field, with a known first name alone
    # after the fourth blind set's misses were read, in other words than it used:
    ("> What is your PESEL number?\nHere you go: 44051401359", "national_id"),  # the question names the answer
    ("Can I give you my BSN instead? It is 111222333.", "national_id"),
    ("Where can the driver reach you?\n0463478612", "phone"),
    ("Card type: VISA\nNumber: 739482610550\nExpiry: soon", "card"),  # the form's previous field
    ("id;phone;opt_in\nA17;0463478612;yes", "phone"),  # the column's header
    ("tax ident. number 44051401359 on file", "national_id"),  # a naming phrase cut short
    ("the f.n.r 14094546886 is mine", "national_id"),  # an acronym with dots
    ("Statement for acct holder: 4539578763621486 was charged twice", "card"),  # "account" labels no reference
    # after the fifth blind set's misses were read: rules on the shape of a label, not new words
    ("<applicant><taxId>43872510881</taxId></applicant>", "national_id"),  # an XML key's words: "tax id"
    ('{"customer": "A17", "bsn_number": "164505234"}', "national_id"),  # a JSON key's words: "bsn number"
    ("Aadhhar: 2464 8485 0695 (copy attached)", "national_id"),  # an id's name with a typo
    ("Steuerident.-Nr. 43872510881 liegt bei", "national_id"),  # a long id name cut short before its "Nr."
    ("S.I.N. 103 755 807 for the payroll form", "national_id"),  # an upper-case acronym written with dots
    ("Número de identificação civil: 83421746713", "national_id"),  # the identity stem, in any language
    ("Voici mon matricule: 164505234", "national_id"),  # someone's own number: a possessive before it
    ("Bitte um Rückruf unter\n0463478612", "phone"),  # alone on its line: the line before explains it
    ("Rückrufnummer 0171 2345678", "phone"),  # a number word's compound that names a phone
    ("Numéro de portable : 06 12 34 56 78", "phone"),
    # after the sixth blind set's misses were read: an id's name as written apart, inflected or spelled out, a
    # request in the sentence before, an XML attribute, a line that names the id before a name and a place
    ("burger service nummer 164505234 staat op de pas", "national_id"),  # a compound written apart
    ("Legg inn fødselsnummeret 15076500565 i skjemaet", "national_id"),  # the definite form of the compound
    ("Cadastro de Pessoas Físicas 57819062231 conferido", "national_id"),  # the initials spell CPF
    ("The form asks for the BSN. Here it is: 164505234", "national_id"),  # the request in the sentence before
    ("> Bitte senden Sie uns Ihre PESEL.\n\n44051401359 - sorry for the delay", "national_id"),  # the quoted line
    ('<Id scheme="BSN">164505234</Id>', "national_id"),  # an XML attribute qualifies the element
    ("Numero personale di identificazione del titolare della pratica, residente a Pisa dal 2019: 44051401359",
     "national_id"),  # the line opens with the id's name; 70 characters come between
    ("My landlord's number is 0456724205, he has the keys", "phone"),  # someone's number
    ("2026-11-30 INFO pbx: caller_number=0456724205 queue=sales", "phone"),
    ("Contact in case of emergency: 0456724205", "phone"),  # "case of" is no reference label
    ("Paljon kiitoksia!\nOrvokki Hämäläinen", "person"),  # any sign-off line, then a line holding only a name
    # after the seventh blind set's misses were read
    ("Emergency phone for the booking: 415-555-0132", "phone"),  # the reference is what the phone is for
    ("Card used for the delivery: 4539578763621486", "card"),
    ("El meu mòbil és el 612 345 678", "phone"),  # a cue word with an accent is also read folded (mobil)
    ("deploy.env: STRIPE_HOOK_SIGNING=Kx9vQ2mPzR7tW4nB8cJ5dF1h", "secret"),  # a random value right after "="
    ("escalated by\nOrvokki Hämäläinen", "person"),  # a "... by" field
    ('{"reviewer": "Orvokki Hämäläinen", "state": "open"}', "person"),  # a role that holds a person
    ("2026-11-30 09:12 audit: approver 'Orvokki Hämäläinen' signed off", "person"),
    ("Am 2. Dez. 2026 um 10:15 schrieb Orvokki Hämäläinen:\n> Hallo", "person"),  # a quoted mail's writer
    ("Paní Orvokki Hämäläinen volala", "person"),  # a Czech form of address
    # after the eighth blind set's misses were read
    ("2026-11-30 pbx: ring group sales, caller_id=0456 72 42 05", "phone"),  # "id" after "caller" is the phone's
    ("Ring the tenant on 0456 72 42 05 20 minutes before the visit", "phone"),  # the last group counts minutes
    ("The MSISDN on the SIM is 0456724205", "phone"),
    ("Bitte rufen Sie mich unter 0456724205 zurück", "phone"),
    ("INSERT INTO people (city, personal_no) VALUES ('Kraków', '44051401359');", "national_id"),  # its column
    ('{"identifier": {"system": "citizen-id", "value": "44051401359"}}', "national_id"),  # a citizen's number key
    ("Surname / Given names\nDOE JANE\nPersonal No.\n44051401359", "national_id"),
    ("[30/11/2026, 18:02] Orvokki Hämäläinen: running late", "person"),  # a chat export's speaker
    ("Tenant,Flat,Since\nOrvokki Hämäläinen,4B,2021", "person"),  # a column that holds people
    ("Could you spell your name for me?\nAGENT: Orvokki Hämäläinen", "person"),  # the answer to a name question
    # a possessive before (or after) a few words, then a number valid as a phone: someone's own number, in any
    # language's closed class of possessives (Welsh, Italian, Latvian, Indonesian here)
    ("Fy rhif newydd yw 5123456789", "phone"),
    ("Il numero mio è 3471234567", "phone"),
    ("Mans jaunais numurs: 29123456", "phone"),
    ("nomor baru saya 081234567890", "phone"),
    # after the ninth blind set's misses were read
    ("📞 5123456789 any time after six", "phone"),  # a phone emoji
    ("Inombolo yami ngu-0821234567", "phone"),  # after Zulu's copula prefix: "my number is ..."
    ("The plumber must ring the site manager on 5123456789 first", "phone"),
    ("This is to certify that\nOrvokki Hämäläinen\nhas completed the course", "person"),
    ("<Booking><Guest>Orvokki Hämäläinen</Guest></Booking>", "person"),  # an XML element holding a person
    # after the tenth blind set's misses were read
    ("Wrong number in my last mail, the correct number is 5123456789", "phone"),  # a correction names it
    ("chat with me here: https://wa.me/5123456789", "phone"),  # a WhatsApp link
    ("I'm on 5123456789 till six", "phone"),
    ("[10:02] Agent: the number on your identity document?\n[10:02] Customer: 44051401359", "national_id"),
    ("Die Nummer auf meinem Ausweis ist 44051401359", "national_id"),  # the ID card's name
    ("— Orvokki Hämäläinen, sent from my phone", "person"),  # a signature after a dash
    # the card networks' first digits: a 9 needs a card word, except Turkey's Troy (9792), a card network's own
    ("Taksit planı 9792123456789018 ile onaylandı", "card"),
    # after the eleventh blind set's misses were read
    ("date,card,amount\n2026-11-28,6011000990139424,78 EUR", "card"),  # a CSV cell after a cell ending in a digit
    ("Customer: ok here goes\nCustomer: 4539578763621486\nCustomer: exp 10/27\nAgent: never send that in chat!",
     "card"),  # the next turn's expiry
    ("User: 0806668364\nBot: Is this the mobile we should text the code to?", "phone"),  # the next turn says it
    ("Customer: can you call me instead?\nAgent: sure, which number?\nCustomer: 0711 1648065", "phone"),
    ("Agent: and the number from your identity document?\nCustomer: hold on\nCustomer: 44051401359", "national_id"),
    ('<contact type="mobile" owner="customer">0806668364</contact>', "phone"),  # an attribute's value says it
    ('<citizen city="Luleå" idno="44051401359"/>', "national_id"),  # an attribute's key says it
    ('{"city": "Luleå", "id_document_number": "44051401359"}', "national_id"),
    ("Agent: last thing, your Steueridentnummer\nCustomer: 44051401359. Do you need a photo?", "national_id"),
    ("SELECT * FROM clients WHERE nat_id = '44051401359';", "national_id"),
    ("I waited all day and nobody called 5123456789. Not once.", "phone"),
    ("You can get me on 5123456789 most mornings", "phone"),
    ("Give us a bell on 5123456789, arvo's best", "phone"),
    ("Vaccination reminders should go to 5123456789.", "phone"),  # where a reminder is sent
    ("Accompanying person: Orvokki Hämäläinen", "person"),
    ("Deceased: Orvokki Hämäläinen", "person"),
    ("14:05 mgr: name?\n14:06 desk: Orvokki Hämäläinen", "person"),  # the answer's speaker after its time
    ("Wrong phone number on file, it's 5123456789", "phone"),  # a correction of a phone's number is a phone
    # after the twelfth blind set's misses were read: scripts written without spaces join tokens to their letters
    ("我家的IP地址是169.102.245.19，被封了。", "ip"),
    ("APIキーghp_Tu0RDeC0yfJBp3ElRHEnfhiN35XAl6BuKRQ3が漏洩しました。", "secret"),
    ("携帯番号は+16067861675です。", "phone"),
    ("我的手机号是513 076 561，请下午联系。", "phone"),  # "mobile" inside an unspaced run
    ("제 휴대폰 번호는 3528854300입니다.", "phone"),  # a Korean particle joined to the number
    ("クレジットカード6011106592601057で二重に請求されています。", "card"),
    ("我的身份证号码是44051401359。", "national_id"),
    ("मेरा मोबाइल नंबर 0232676122 है।", "phone"),  # "phone" and "card" in spaced non-Latin scripts
    ("رقم جوالي 795712715، اتصل بي بعد العصر.", "phone"),
    ("Χρεώθηκε η κάρτα μου 4539578763621486 δύο φορές.", "card"),
    ("Ο αριθμός ταυτότητάς μου είναι 44051401359.", "national_id"),
    ("New card on file 6011603017594941", "card"),  # "on file" is no file's number
    ("Pharmacy SMS number: 048 6111489", "phone"),
    ("Helpdesk: user isn't getting the authenticator texts on 5123456789", "phone"),
    ("CC note: alternative number 515888718", "phone"),
    ("Customer: my number is\nCustomer: 08827 262088\nCustomer: (the first one I gave was my work phone)", "phone"),
    ("employee_id,SSN (US),start\n10442,706-48-4803,2027-01-05", "national_id"),  # a CSV cell after a digit
    ("employee_id,Aadhaar no. (12 digits),start\n10442,4954 1049 8023,2027-01-05", "national_id"),  # digits in a header
    # what Indian forms call the Aadhaar number (blind 6's misses, read 2026-12-06 night)
    ("The UID no. you need is 702122627902.", "national_id"),
    ("Please use UID number 3236 9230 0286 for my file.", "national_id"),
    # a holding turn longer than 30 characters between the question and the answer (blinds 10 and 19's)
    ("[10:14] Agent: your SIN no., please?\n[10:14] Customer: one moment, getting my card\n[10:15] Customer: 620 082 123",
     "national_id"),
    ("Baker: BSN vermeld op het rijbewijs of de ID-kaart?\nBaker: hang on its in my wallet\nBaker: 356809420",
     "national_id"),
    # "try" right before a number valid as a phone, and no lira: the currency's code counts in capitals only
    ("After 7pm try 604140780, I'm out till then.", "phone"),
    ("if i dont pick up its the parade drums, try 611.459.3186x2725 again", "phone"),
])
def test_finds_pii_by_its_context(text, kind):
    s = Scrubber()
    out = s.scrub(text)
    assert f"<{kind.upper()}>" in out, (out, s.hits)
    assert s.hits[kind] == 1 and sum(s.hits.values()) == 1, (out, s.hits)


@pytest.mark.parametrize("text, expected", [
    ("Jan Kowalski, 44051401359, Kraków", "<PERSON>, <NATIONAL_ID>, Kraków"),  # an unlabelled id beside its owner
    ("Hannah Berg (0456724205) asked for the annual plan", "<PERSON> (<PHONE>) asked for the annual plan"),
    ("Mieterin: Jan Kowalski, ID-Nr. 44051401359", "Mieterin: <PERSON>, ID-Nr. <NATIONAL_ID>"),  # the id's own word
    ("Jan Kowalski · 44051401359 · Kraków", "<PERSON> · <NATIONAL_ID> · Kraków"),  # fields split by middle dots
    # ... and by the full-width or ideographic comma, or a full-width bracket, as Chinese writes a parcel's label
    ("收件人：王小明，13800138000", "收件人：<PERSON>，<PHONE>"),
    ("收件人：王小明、13800138000", "收件人：<PERSON>、<PHONE>"),
    ("收件人：王小明（13800138000）", "收件人：<PERSON>（<PHONE>）"),
])
def test_a_number_beside_a_person_is_theirs(text, expected):
    assert Scrubber().scrub(text) == expected


@pytest.mark.parametrize("text", [
    "地址，13800138000",  # no person beside it
    "收件人：王小明（订单 20231234567）",  # a word between them
])
def test_a_number_with_no_person_right_beside_it_is_not_theirs(text):
    assert Scrubber(phone_context=False).scrub(text) == text.replace("王小明", "<PERSON>")


# A line's opening words, the number and a colon make a heading ("Outage 0382 9163929: ..."), never when the words
# say it is a phone or whose it is: the whole number goes, not only its last group.
@pytest.mark.parametrize("text, expected", [
    ("Mobile 0171 2345678: after six", "Mobile <PHONE>: after six"),
    ("My mobile 0171 2345678: after six", "My mobile <PHONE>: after six"),
    ("Hannah Berg 0456724205: after six", "<PERSON> <PHONE>: after six"),
])
def test_a_heading_yields_to_a_phone_word_or_an_owner(text, expected):
    assert Scrubber().scrub(text) == expected


# Blinds 13 and 14's rounds: each rule with the exact output, and beside it the business text it must leave alone.
@pytest.mark.parametrize("text, expected", [
    # a Hebrew one-letter prefix and Zulu's locative joined to the number by a hyphen
    ("תתקשרו אליי ל-+33 1 34 95 41 85 כשהרכב מוכן.", "תתקשרו אליי ל-<PHONE> כשהרכב מוכן."),
    ("Ngicela ungishayele ku-0228.810.112 uma imoto isilungile.", "Ngicela ungishayele ku-<PHONE> uma imoto isilungile."),
    # call verbs in Arabic, Persian, Urdu, Chinese; "rang ... on" past a time; "to call ...:"; a keyholder
    ("اتصلوا بي على 0491660536 عندما تكون السيارة جاهزة.", "اتصلوا بي على <PHONE> عندما تكون السيارة جاهزة."),
    ("وقتی ماشین آماده شد با 0830805169 تماس بگیرید.", "وقتی ماشین آماده شد با <PHONE> تماس بگیرید."),
    ("گاڑی تیار ہو جائے تو 22 9998-5082 پر کال کریں۔", "گاڑی تیار ہو جائے تو <PHONE> پر کال کریں۔"),
    ("车修好了请打0197409694通知我。", "车修好了请打<PHONE>通知我。"),
    ("we rang the parent at 11:40 on 08081570207.", "we rang the parent at 11:40 on <PHONE>."),
    ("Policyholder rang from 95870956, wants an update", "Policyholder rang from <PHONE>, wants an update"),
    ("Parent to call if ill: 01214960844", "Parent to call if ill: <PHONE>"),
    ("Site keyholder 1703764764", "Site keyholder <PHONE>"),
    ("Call mum 07700 900123: she is home", "Call mum <PHONE>: she is home"),  # the heading rule yields to "call"
    # "number is" after a comma names no other number; a phone for a court session is the translator's
    ("sorry my last msg had a typo, number is 1 (796) 475-8932", "sorry my last msg had a typo, number is <PHONE>"),
    ("Sworn translator's mobile for the court session: 37164170214",
     "Sworn translator's mobile for the court session: <PHONE>"),
    # an aside in brackets and a card's expiry are not the number's last group
    ("Rider Service Canada SIN: 233 914 399 (18+ ok)", "Rider Service Canada SIN: <NATIONAL_ID> (18+ ok)"),
    ("Guest: 3019 8719 5011 04 07/28", "Guest: <CARD> 07/28"),
    # an IBAN cell after a number cell
    ("member_no,iban,amount\n4471,GB23VCTR57855784366480,8898 EUR", "member_no,iban,amount\n4471,<IBAN>,8898 EUR"),
    # a question answered after a chat's speaker line; a Slack export's prompt without a question mark
    ("[14:20] PM\nCan you resend your Steuer-ID vom BZSt? Finance lost it.\n[14:22] Freelancer\n84429130670",
     "[14:20] PM\nCan you resend your Steuer-ID vom BZSt? Finance lost it.\n[14:22] Freelancer\n<NATIONAL_ID>"),
    ("claims-bot  11:02 AM\nPlease type the Aadhaar no. of the policyholder.\nyou  11:03 AM\n3098 4514 8360",
     "claims-bot  11:02 AM\nPlease type the Aadhaar no. of the policyholder.\nyou  11:03 AM\n<NATIONAL_ID>"),
    # "identity" with Arabic's article joined; Indonesia's population number
    ("رقم الهوية الوطنية للمؤمن عليه: 15241327663", "رقم الهوية الوطنية للمؤمن عليه: <NATIONAL_ID>"),
    ("Nomor induk kependudukan pelanggan: 787 465 848", "Nomor induk kependudukan pelanggan: <NATIONAL_ID>"),
    # blind 14's round
    ("the bride's mother wants all seating questions sent to 86 1049-7465.", "the bride's mother wants all seating questions sent to <PHONE>."),
    ("스키 강습 관련해서 0463478612로 연락 주세요.", "스키 강습 관련해서 <PHONE>로 연락 주세요."),
    ("ਵੀਜ਼ਾ ਬਾਰੇ ਮੈਨੂੰ 0547223101 ਤੇ ਫ਼ੋਨ ਕਰੋ।", "ਵੀਜ਼ਾ ਬਾਰੇ ਮੈਨੂੰ <PHONE> ਤੇ ਫ਼ੋਨ ਕਰੋ।"),
    ("За термин у амбасади позовите ме на 0122490054.", "За термин у амбасади позовите ме на <PHONE>."),
    ("number for the auction is (137)484-7771x83417 - my husband's", "number for the auction is <PHONE> - my husband's"),
    ("Baptism enquiry from 01214960844", "Baptism enquiry from <PHONE>"),
    ("the parent of the six-year-old in group Bambini 2 is on 0587722152 during lessons.",
     "the parent of the six-year-old in group Bambini 2 is on <PHONE> during lessons."),
    ("Plot 22 tenant 95870956", "Plot 22 tenant <PHONE>"),
    ("Householder (wasps) 723 373 474", "Householder (wasps) <PHONE>"),
    ("Mum 07700 900123: home", "Mum <PHONE>: home"),  # a role: no heading
    ("Push to courier 936 51 684: new order ready", "Push to courier <PHONE>: new order ready"),
    ("|===\n|Unit |Tenant phone\n|214 |36000497\n|===", "|===\n|Unit |Tenant phone\n|214 |<PHONE>\n|==="),
    ("FOURTH time I've rung about the visiting order. 056 480 79 89. Call me back.",
     "FOURTH time I've rung about the visiting order. <PHONE>. Call me back."),
    ("[21:14] <dispatch> locksmith needs the caller's number\n[21:14] <callhandler> 07752753",
     "[21:14] <dispatch> locksmith needs the caller's number\n[21:14] <callhandler> <PHONE>"),
    ("[Today at 9:01 AM] bot: Please send your PESEL\n[Today at 9:03 AM] newrider: 11310259110",
     "[Today at 9:01 AM] bot: Please send your PESEL\n[Today at 9:03 AM] newrider: <NATIONAL_ID>"),
    ("מרכז הוויזות חייב את הכרטיס 5657-5512-3587 פעמיים.", "מרכז הוויזות חייב את הכרטיס <CARD> פעמיים."),
    ("hi, the card for the auction invoice is 6304-8232-3536, please charge it",
     "hi, the card for the auction invoice is <CARD>, please charge it"),
    ("Lab request: patient's national identifier 468 468 772", "Lab request: patient's national identifier <NATIONAL_ID>"),
    ("申請者の個人番号：81012606143", "申請者の個人番号：<NATIONAL_ID>"),
    ("الرقم الشخصي لمقدم الطلب: 344667356359", "الرقم الشخصي لمقدم الطلب: <NATIONAL_ID>"),
    # blind 15's round: a log's snake_case words, whom to notify, who rings from or asked to be called on a number
    ('level=info event=call_back_requested to="0491570156"', 'level=info event=call_back_requested to="<PHONE>"'),
    ("Please notify the agent at 0612345678 on arrival.", "Please notify the agent at <PHONE> on arrival."),
    ("Reception: the patient rings from 0612345678 about tomorrow.",
     "Reception: the patient rings from <PHONE> about tomorrow."),
    ("Asked to be called on 0612345678 after six.", "Asked to be called on <PHONE> after six."),
    ("my shore number while I'm on leave 0612345678", "my shore number while I'm on leave <PHONE>"),
    ("The diver gave 0612345678 as his own number.", "The diver gave <PHONE> as his own number."),  # said after it
    ("my new no. 612 345 678 - old one is gone", "my new no. <PHONE> - old one is gone"),  # grouped like an amount
    ("Votre numéro est le 0612345678 ?", "Votre numéro est le <PHONE> ?"),
    ("אפשר להשיג אותי ב-0521234567", "אפשר להשיג אותי ב-<PHONE>"),
    ("Este a 0612345678 számon érnek el.", "Este a <PHONE> számon érnek el."),
    ("The volunteer who drives on Sundays is on 0612345678.", "The volunteer who drives on Sundays is on <PHONE>."),
    # chat speakers of Discord and of WhatsApp on Android, a job before a name
    ("[Yesterday at 3:12 PM] Oskari Tuominen: running late", "[Yesterday at 3:12 PM] <PERSON>: running late"),
    ("12/11/2026, 18:02 - Kaisa Rautio: landed", "12/11/2026, 18:02 - <PERSON>: landed"),
    ("Enumerator Satu Kivelä", "Enumerator <PERSON>"),
    # "personal identification number" in Chinese, Hebrew and Malay
    ("工人的个人身份号码：44051401359", "工人的个人身份号码：<NATIONAL_ID>"),
    ("מספר זהות: 44051401359", "מספר זהות: <NATIONAL_ID>"),
    ("Nombor pengenalan diri: 44051401359", "Nombor pengenalan diri: <NATIONAL_ID>"),
    # a real card's sentence may say what the card is not
    ("Paid with 4111 1111 1111 1111, not my usual card", "Paid with <CARD>, not my usual card"),
    ("Card 4111 1111 1111 1111 declined, no card on file now", "Card <CARD> declined, no card on file now"),
    # blind 16's round: a number moved between carriers, "call" in Bulgarian, "reachable" in Italian, "call me" in
    # Yoruba, "contact" in Japanese, "text" in Korean; a person who "is on", a reminder on, texts from, "get me"
    ("Number to port: 0612345678", "Number to port: <PHONE>"),
    ("За ремонта се обадете на 0612345678.", "За ремонта се обадете на <PHONE>."),
    ("La cliente è raggiungibile al 0612345678 dopo le 18.", "La cliente è raggiungibile al <PHONE> dopo le 18."),
    ("Ẹ pè mí sí 0612345678 lọ́la.", "Ẹ pè mí sí <PHONE> lọ́la."),
    ("予約の変更は0612345678までご連絡ください。", "予約の変更は<PHONE>までご連絡ください。"),
    ("변경 사항은 0612345678로 문자 주세요.", "변경 사항은 <PHONE>로 문자 주세요."),
    ("The customer who reported the leak is on 0612345678.", "The customer who reported the leak is on <PHONE>."),
    ("She wants a reminder on 0612345678 the day before.", "She wants a reminder on <PHONE> the day before."),
    ("The courier texts from 0612345678 before each drop.", "The courier texts from <PHONE> before each drop."),
    ("you can get me, I'm upstairs, on 0612345678 all day", "you can get me, I'm upstairs, on <PHONE> all day"),
    # money taken from a card, a plan renewed on it
    ("They took money off 5500 0000 0000 4 again.", "They took money off <CARD> again."),
    ("The annual plan renewed on 527311904421 without notice.", "The annual plan renewed on <CARD> without notice."),
    # "personal number" in Russian and Ukrainian, Romania's CNP spelled out, Hebrew's identity card with its article
    ("Персональный номер заёмщика: 44051401359", "Персональный номер заёмщика: <NATIONAL_ID>"),
    ("Особистий ідентифікаційний номер клієнта: 44051401359", "Особистий ідентифікаційний номер клієнта: <NATIONAL_ID>"),
    ("Codul numeric personal al clientului: 44051401359", "Codul numeric personal al clientului: <NATIONAL_ID>"),
    ("מספר תעודת הזהות של הלקוח: 44051401359", "מספר תעודת הזהות של הלקוח: <NATIONAL_ID>"),
    # a guide, a priest, an order of service
    ("Tour guide Oskari Tuominen meets the group at nine.", "Tour guide <PERSON> meets the group at nine."),
    ("The funeral mass will be said by Father Jouni Kuusela.", "The funeral mass will be said by Father <PERSON>."),
    ("In loving memory of\nKaisa Rautio\n1939 - 2026", "In loving memory of\n<PERSON>\n1939 - 2026"),
    # what those rounds' rules must not take away (a review's probes): a unit letter, a fraud report's "not a card
    # I ...", a call on hold
    ("Mob 0612345678 T 0201234567", "Mob <PHONE> T <PHONE>"),
    ("Bel 0612345678 t.a.v. Jan", "Bel <PHONE> t.a.v. Jan"),
    ("Phone 0612345678 tons of thanks", "Phone <PHONE> tons of thanks"),
    ("Bel me op 0612345678 t is dringend", "Bel me op <PHONE> t is dringend"),
    ("My card 4532 0151 1283 0366 is a debit card, not a credit card.",
     "My card <CARD> is a debit card, not a credit card."),
    ("Someone charged 4532 0151 1283 0366 twice, that is not a card I have ever used.",
     "Someone charged <CARD> twice, that is not a card I have ever used."),
    ("Refund 4532 0151 1283 0366 please, this was not a card payment I authorised.",
     "Refund <CARD> please, this was not a card payment I authorised."),
    ("geen paspoort 4111 1111 1111 1111", "geen paspoort <CARD>"),
    ("Caller on hold 0612345678", "Caller on hold <PHONE>"),
    # blind 18's structures: a table's cells one by one (the card in a row is caught, the row of small numbers is
    # not a phone), a measurement in a record is no phone, "not cards" is "not a card"; a phone keeps its place
    # in a CSV row and after a single space
    ("   booth  card  min_spend\n0     4  4962 1208 3073 3766  829 EUR",
     "   booth  card  min_spend\n0     4  <CARD>  829 EUR"),
    ("   bay  trays  temp\n0   94    279   94", "   bay  trays  temp\n0   94    279   94"),
    ("name  phone\nAnna  0171 2345678", "name  phone\nAnna  <PHONE>"),
    ("$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47",
     "$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47"),
    ("customer,callback_no,slot\nIsa Segrè,0549.760666,14:00-16:00", "customer,callback_no,slot\n<PERSON>,<PHONE>,14:00-16:00"),
    ("Exam script batch 6011 9892 9892 9819: 6 scripts sent (a barcode run, not cards).",
     "Exam script batch 6011 9892 9892 9819: 6 scripts sent (a barcode run, not cards)."),
    ("Charged 6011 9892 9892 9819 twice, those are not cards of mine.",
     "Charged <CARD> twice, those are not cards of mine."),
    # ... and what a review found those rules must not let through: a typo's wide gap outside a table, a phone exported
    # as a float, a plural remark about other things beside a card
    ("Call me on 07700  900123", "Call me on <PHONE>"),
    ("phone: +1 415  555  0132", "phone: <PHONE>"),
    ("Phone:  0171  2345678", "Phone:  <PHONE>"),
    ("id,phone,city\n1,4155550132.0,Boston", "id,phone,city\n1,<PHONE>,Boston"),
    ("Please charge my Visa 4539 1488 0343 6467, the vouchers I mentioned aren't cards.",
     "Please charge my Visa <CARD>, the vouchers I mentioned aren't cards."),
    # blind 19's round: an IBAN after EDIFACT's "+" separator, an address with its port; and what the narrowed rules
    # must still catch: a card with a word whatever its prefix, a long random session id, a one-time code
    ("FII+BF+FR7630006000011234567890189'", "FII+BF+<IBAN>'"),
    ("10.31.67.35:51822 [03/Dec/2026:22:41:10.118] fe_tickets", "<IP>:51822 [03/Dec/2026:22:41:10.118] fe_tickets"),
    ("client 2001:db8::7 connected", "client <IP> connected"),
    ("paid with 31529094663540", "paid with <CARD>"),
    ("https://shop.example/cart?session_id=q8F3kd92LmQ0zzP1x&step=2", "https://shop.example/cart?session_id=<CREDENTIAL>&step=2"),
    ("https://bank.example/verify?code=123456", "https://bank.example/verify?code=<CREDENTIAL>"),
    ("Tel 0171.2345678", "Tel <PHONE>"),
    # blind 20's round: EDIFACT's communication segment, an IPv6 address with its port, a cue word as OCR reads it;
    # and a remark that does not say the number is no phone
    ("CTA+IC'\nCOM+0171 2345678:TE'", "CTA+IC'\nCOM+<PHONE>:TE'"),
    ("COM++48 533 536 130:AL'", "COM+<PHONE>:AL'"),
    ("kid_builder[/6244:4729:7b5:fb53:39a0:f69a:7bc4:9e0e:51022] logged in", "kid_builder[/<IP>:51022] logged in"),
    ("Herdsman's m0bile: 4314204410", "Herdsman's m0bile: <PHONE>"),
    ("Call 757-842-3852, that is not my phone number but my wife's.",
     "Call <PHONE>, that is not my phone number but my wife's."),
    ("call 757-842-3852 - not a phone number I know", "call <PHONE> - not a phone number I know"),
    # a review's counterexamples to the first version of this round: a remark on the kind of phone, "route" and
    # "flight" as words, a local phone exported as a float, cards of networks the prefix check first missed, an
    # 11-digit session id
    ("Text 07700 900123 after 6, do not phone.", "Text <PHONE> after 6, do not phone."),
    ("Her number is 020 7946 0123 (landline, not mobile).", "Her number is <PHONE> (landline, not mobile)."),
    ("WhatsApp +44 7700 900123, text only, not a phone number.", "WhatsApp <PHONE>, text only, not a phone number."),
    ("Route 07700 900123 to voicemail after 6pm.", "Route <PHONE> to voicemail after 6pm."),
    ("Nach dem Flug 0171 2345678 erreichbar.", "Nach dem Flug <PHONE> erreichbar."),
    ("Phone: 5551234.0", "Phone: <PHONE>"),
    ("Sent it from 2205123456789014 yesterday.", "Sent it from <CARD> yesterday."),  # BORICA
    ("Sent it from 3112345678901234564 yesterday.", "Sent it from <CARD> yesterday."),  # China T-Union, 19 digits
    ("Sent it from 1946123456789010 yesterday.", "Sent it from <CARD> yesterday."),  # Indonesia's GPN
    ("https://legacy.example/app?sid=48213376519&page=2", "https://legacy.example/app?sid=<CREDENTIAL>&page=2"),
    # blind 21's round: a "+" number opening a CSV cell, HL7's telecom and identifier type codes, a Confluence
    # table's header row, ISO 7812's "primary account number", a message's recipient, a label's short number then
    # a phone, and the idioms its misses used
    ("id,arm,mobile\n7,arm_1,+447700900123,yes", "id,arm,mobile\n7,arm_1,<PHONE>,yes"),
    ("NK1|1||||4155550132^PRN^PH", "NK1|1||||<PHONE>^PRN^PH"),
    ("PID|1||44051401359^^^^NI||", "PID|1||<NATIONAL_ID>^^^^NI||"),
    ("<PrimaryAccountNumberID>503812345679</PrimaryAccountNumberID>", "<PrimaryAccountNumberID><CARD></PrimaryAccountNumberID>"),
    ('client.messages.create(to="4155550132", body="Your table is ready")',
     'client.messages.create(to="<PHONE>", body="Your table is ready")'),
    ('{"event": "otp_sent", "to": "07700900123"}', '{"event": "otp_sent", "to": "<PHONE>"}'),
    ("Table 12 (415) 555-0132", "Table 12 <PHONE>"),
    ("Guest in room 7 415.555.0132x21", "Guest in room 7 <PHONE>"),
    # ... and a review's cards: a plural remark about other cards does not speak for this one
    ("Charge 4111111111111111 for the order, gift cards are not payment cards.",
     "Charge <CARD> for the order, gift cards are not payment cards."),
    ("Voucher 6036 1234 5678 9010 and the customer's Visa 4111 1111 1111 1111 exp 09/26: vouchers are not payment cards.",
     "Voucher <CARD> and the customer's Visa <CARD> exp 09/26: vouchers are not payment cards."),
    ("I was charged twice on 5105105105105100 and your support said the coupons are not real cards.",
     "I was charged twice on <CARD> and your support said the coupons are not real cards."),
    ("Scrap yard: the man who sold the cable left 0290-036210 as his mobile.",  # "left" ends in "ft", no forint
     "Scrap yard: the man who sold the cable left <PHONE> as his mobile."),
    # blind 23's round: an address after a firewall interface's colon and after an ellipsis, a card joined to its
    # brand and an id to its type in an airline record, the payroll filings' id fields
    ("Built inbound TCP connection 77 for outside:203.0.113.9/51022 to inside:10.0.0.5/443",
     "Built inbound TCP connection 77 for outside:<IP>/51022 to inside:<IP>/443"),
    ("tunnel up between gw-a...198.51.100.23 (home)", "tunnel up between gw-a...<IP> (home)"),
    ("FP CCVI4111111111111111/0927", "FP CCVI<CARD>/0927"),
    ("SSR FOID YY HK1/NI536-22-4170\nRM ID TYPE social security number",
     "SSR FOID YY HK1/NI<NATIONAL_ID>\nRM ID TYPE social security number"),
    ("<norskIdentifikator>11128432037</norskIdentifikator>", "<norskIdentifikator><NATIONAL_ID></norskIdentifikator>"),
    ("S21.G00.30.001,'175091730037964'", "S21.G00.30.001,'<NATIONAL_ID>'"),
    # blind 24's round: a statement line's subfield, a card's magnetic track and its EMV tag, X12's contact and
    # name segments, an XML attribute's long label, and a "+" number after a word ending in "lat"
    (":86:166?20DUES?31DE89370400440532013000", ":86:166?20DUES?31<IBAN>"),
    ("Track1: %B4111111111111111^DOE/J^2811101?", "Track1: %B<CARD>^DOE/J^2811101?"),
    ("5A 08 4111 1111 1111 1111\n5F24 03 281130", "5A 08 <CARD>\n5F24 03 281130"),
    ("PER*IC*PARENT*TE*4155550132~", "PER*IC*PARENT*TE*<PHONE>~"),
    ("NM1*IL*1*SMITH****34*536224170~", "NM1*IL*1*SMITH****34*<NATIONAL_ID>~"),
    ('<Registrant type="CPF do titular conforme o comprovante de situação cadastral">19808594425</Registrant>',
     '<Registrant type="CPF do titular conforme o comprovante de situação cadastral"><NATIONAL_ID></Registrant>'),
    ("the student in the shared flat can be contacted on +441514960054.",
     "the student in the shared flat can be contacted on <PHONE>."),
    # ... and a review of both rounds: what their first versions let through
    ("Payment form: 4111111111111111 exp 11/27", "Payment form: <CARD> exp 11/27"),
    ("Contact form: 07700 900123", "Contact form: <PHONE>"),
    ("Ring numbers: 0612345678, 0687654321", "Ring numbers: <PHONE>, <PHONE>"),
    ("Batch BT1/DE89 3704 0044 0532 0130 00", "Batch BT1/<IBAN>"),
    ("FPCCVI4111111111111111/1128", "FPCCVI<CARD>/1128"),
    ("SSR FOID YY HK1/NI536224170", "SSR FOID YY HK1/NI<NATIONAL_ID>"),
    ("Mrs Okafor, Flat 5A 02 9876 5432", "Mrs <PERSON>, Flat 5A <PHONE>"),  # a flat's name, no EMV tag: no length byte
    ("Tag 9F02 06 +44 7700 900123", "Tag 9F02 06 <PHONE>"),
    ("client_ip:10.9.8.7 X-Forwarded-For:198.51.100.77", "client_ip:<IP> X-Forwarded-For:<IP>"),
    ("发短信到13812345678", "发短信到<PHONE>"),
    ("Emergency: 0612345678", "Emergency: <PHONE>"),
])
def test_blind_rounds_cues_and_joins(text, expected):
    assert Scrubber().scrub(text) == expected


@pytest.mark.parametrize("text, expected", [
    # blind 21's round and later ones, for the rules alone (the learned context catches some of these by itself)
    ("|| Role || Notes || PESEL ||\n| extra, day 2 | none | 44051401359 |", "|| Role || Notes || PESEL ||\n| extra, day 2 | none | <NATIONAL_ID> |"),
    ("the candidate confirmed she answers on 07700900123.", "the candidate confirmed she answers on <PHONE>."),
    ("his wife picks up on 0612345678", "his wife picks up on <PHONE>"),
    ("my dads number for the trip is 0612345678", "my dads number for the trip is <PHONE>"),
    ("<reportertel>0612345678</reportertel>", "<reportertel><PHONE></reportertel>"),
    ("Bertan behera bada, deitu 0612345678 zenbakira.", "Bertan behera bada, deitu <PHONE> zenbakira."),
    # blind 22's round: particles joined to a number in Ge'ez and before a bracket in Chinese, "call me" in more
    # languages, "rang ... from"
    ("በ+251911234567 ደውሉልኝ", "በ<PHONE> ደውሉልኝ"),
    ("打(415)555-0132搵我", "打<PHONE>搵我"),
    ("ကျေးဇူးပြု၍ 0612345678 ကို ဖုန်းဆက်ပါ။", "ကျေးဇူးပြု၍ <PHONE> ကို ဖုန်းဆက်ပါ။"),
    ("කරුණාකර 0612345678 අංකයට කතා කරන්න.", "කරුණාකර <PHONE> අංකයට කතා කරන්න."),
    ("Iga soo wac 0612345678 berri.", "Iga soo wac <PHONE> berri."),
    ("Chámame ao 0612345678 mañá.", "Chámame ao <PHONE> mañá."),
    ("Тэлефануйце на 0612345678.", "Тэлефануйце на <PHONE>."),
    ("the driver rang the depot from 0612345678.", "the driver rang the depot from <PHONE>."),
    ('Voicemail: "ring 0612345678 - not a number to text"', 'Voicemail: "ring <PHONE> - not a number to text"'),
    # ... and a review of that round: a remark outside the number's quote, a validator's "not a number", "reach" as a
    # verb, a payment's word in Amharic before a card
    ('{"phone": "07700 900123", "note": "not a number to call"}', '{"phone": "<PHONE>", "note": "not a number to call"}'),
    ('{"field": "mobile", "value": "0412 345 678", "error": "not a number"}',
     '{"field": "mobile", "value": "<PHONE>", "error": "not a number"}'),
    ('Telefon: "0171 2345678" – not a number to call!', 'Telefon: "<PHONE>" – not a number to call!'),
    ('She wrote "07700 900123" on the form, not a number to call.', 'She wrote "<PHONE>" on the form, not a number to call.'),
    ("Reach 0612345678 after 6", "Reach <PHONE> after 6"),
    ("ክፍያ 4111111111111111 ተፈጽሟል", "ክፍያ <CARD> ተፈጽሟል"),
    # the signed-change words ("delta +12500000") stop short of words a phone's sentence also holds: a guard's cases
    # where it must not act (its first version took "change", "shift" and "loss" and lost these)
    ("Music school: lesson changes by SMS to +46 8 123 456 78.", "Music school: lesson changes by SMS to <PHONE>."),
    ("Shift change: ring +44 7700 900123 if late.", "Shift change: ring <PHONE> if late."),
    # blind 23's round: "call", "call back", "text" and "contact" in more languages, and English idioms for them
    ("Lūdzu zvaniet uz 0612345678 rīt.", "Lūdzu zvaniet uz <PHONE> rīt."),
    ("Перезвоните мне на 0612345678 вечером.", "Перезвоните мне на <PHONE> вечером."),
    ("لطفا به 0612345678 پیام بدهید.", "لطفا به <PHONE> پیام بدهید."),
    ("שלחו הודעה ל-0612345678 מחר.", "שלחו הודעה ל-<PHONE> מחר."),
    ("到了给0612345678发短信。", "到了给<PHONE>发短信。"),
    ("担当者に0612345678でつながります。", "担当者に<PHONE>でつながります。"),
    ("Nhắn tin cho 0612345678 nhé.", "Nhắn tin cho <PHONE> nhé."),
    ("A szerelő a 0612345678 számon érhető el.", "A szerelő a <PHONE> számon érhető el."),
    ("Maaloo 0612345678 bilbilaa.", "Maaloo <PHONE> bilbilaa."),
    ("Ndifonerei pa 0612345678.", "Ndifonerei pa <PHONE>."),
    ("Nkubira ku 0612345678.", "Nkubira ku <PHONE>."),
    ("پەیوەندیم پێوە بکە لە 0612345678", "پەیوەندیم پێوە بکە لە <PHONE>"),
    ("0612345678 - text only please", "<PHONE> - text only please"),
    ("number for texts: 0612345678", "number for texts: <PHONE>"),
    ("new SIM 0612345678, old one lost", "new SIM <PHONE>, old one lost"),
    ("work no. 0612345678", "work no. <PHONE>"),
    ("SSR CTCM YY HK1/0612345678/EN", "SSR CTCM YY HK1/<PHONE>/EN"),
    ("the buyer who disputed the refund left 0612345678 for support", "the buyer who disputed the refund left <PHONE> for support"),
    ("the client wants to hear back on 0612345678 today", "the client wants to hear back on <PHONE> today"),
    ("Calls after six are put through to 0612345678.", "Calls after six are put through to <PHONE>."),
    ("her aunt answers on 0612345678", "her aunt answers on <PHONE>"),
    ("Telpon aku neng 0612345678 yen wis teka.", "Telpon aku neng <PHONE> yen wis teka."),
    ("Nomor HP: 0812345678901", "Nomor HP: <PHONE>"),
    # blind 24's round: "call" in Maltese (after its joined article), Arabic and Bulgarian, Spanish "write to",
    # French "she is at", a person "whose" ... is on, who "gave" a number, "rung on", an emergency number
    ("Ċempel lill-0612345678 għada.", "Ċempel lill-<PHONE> għada."),
    ("يرجى الاتصال على 0612345678.", "يرجى الاتصال على <PHONE>."),
    ("Звънете на 0612345678 утре.", "Звънете на <PHONE> утре."),
    ("Para la caja, escribid al 0612345678.", "Para la caja, escribid al <PHONE>."),
    ("La propriétaire attend, elle est au 0612345678.", "La propriétaire attend, elle est au <PHONE>."),
    ("the member whose print jammed is on 0612345678", "the member whose print jammed is on <PHONE>"),
    ("the member hosting the night gave 0612345678 for anyone lost", "the member hosting the night gave <PHONE> for anyone lost"),
    ("the father asked to be rung on 0612345678", "the father asked to be rung on <PHONE>"),
    ('{"pilot": "member 118", "emergency": "0612345678"}', '{"pilot": "member 118", "emergency": "<PHONE>"}'),
    # blind 25's round: "dial" in French, "ring" in Icelandic, "my number" in Russian and Ukrainian, "on the line
    # at" in Russian, "I am at" in Greek, "can pick up" in Japanese after the number, a PBX's dial string (also
    # bracketed), an SMS gateway's recipients
    ("Bij twijfel: composez le 06 12 34 56 78 avant midi.", "Bij twijfel: composez le <PHONE> avant midi."),
    ("Hringdu í 0612345678 eftir hádegi.", "Hringdu í <PHONE> eftir hádegi."),
    ("Новый клиент, мой номер 0612345678, звонить вечером нельзя", "Новый клиент, мой номер <PHONE>, звонить вечером нельзя"),
    ("Щодо доставки: мій номер 0612345678", "Щодо доставки: мій номер <PHONE>"),
    ("я на связи по 0612345678 до вечера", "я на связи по <PHONE> до вечера"),
    ("Για την παραλαβή είμαι στο 0612345678 όλη μέρα.", "Για την παραλαβή είμαι στο <PHONE> όλη μέρα."),
    ("夕方なら0612345678に出られます", "夕方なら<PHONE>に出られます"),
    ('<action application="bridge" data="sofia/gateway/carrier1/0612345678"/>',
     '<action application="bridge" data="sofia/gateway/carrier1/<PHONE>"/>'),
    ("exten => 7001,1,Dial(PJSIP/trunk/0612345678,30)", "exten => 7001,1,Dial(PJSIP/trunk/<PHONE>,30)"),
    ("[sofia/gateway/gw/0612345678]", "[sofia/gateway/gw/<PHONE>]"),
    ('{"channel": "sms", "recipients": ["0612345678"], "body": "Your car is ready"}',
     '{"channel": "sms", "recipients": ["<PHONE>"], "body": "Your car is ready"}'),
    ("Всегда на связи по номеру 8 916 123 45 67", "Всегда на связи по номеру <PHONE>"),
    # ... a person's number named in Hungarian, Finnish, Portuguese (the CPF's long name), Korean with its spaces,
    # and the Estonian, Lithuanian and Korean numbers by their names (a review's)
    ("A bérlő személyi azonosítója: 44051401359", "A bérlő személyi azonosítója: <NATIONAL_ID>"),
    ("Vuokralaisen henkilön tunnistenumero: 44051401359", "Vuokralaisen henkilön tunnistenumero: <NATIONAL_ID>"),
    ("Inscrição no cadastro de pessoas físicas: 44051401359", "Inscrição no cadastro de pessoas físicas: <NATIONAL_ID>"),
    ("임차인 개인 식별 번호: 44051401359", "임차인 개인 식별 번호: <NATIONAL_ID>"),
    ("the tenant's national personal code is 44051401359", "the tenant's national personal code is <NATIONAL_ID>"),
    ("National personal code: 33309240064", "National personal code: <NATIONAL_ID>"),
    ("Tenant's isikukood 38001085718", "Tenant's isikukood <NATIONAL_ID>"),
    ("Asmens kodu 33309240064 patvirtinta.", "Asmens kodu <NATIONAL_ID> patvirtinta."),
    ("Resident registration number: 900101-1234568", "Resident registration number: <NATIONAL_ID>"),
    # ... a 12-digit card on a magnetic track 2, which no word names
    (";639032975695=2906101000000000?", ";<CARD>=2906101000000000?"),
    ('{"track2": ";639032975695=2906101000000000?"}', '{"track2": ";<CARD>=2906101000000000?"}'),
    # ... a phone's line that goes on with when to call is no record's next field, nor is one after a word that
    # says phone
    ("Plumber: 415-555-0132, after 5 pm.", "Plumber: <PHONE>, after 5 pm."),
    ("Locksmith 415-555-0132, weekdays 8 to 18.", "Locksmith <PHONE>, weekdays 8 to 18."),
    ("Call 415-555-0132, room 12.", "Call <PHONE>, room 12."),
    # ... and the remark that a number is no person's does not outweigh a word that says phone
    ("Call 415-555-0132 for the depot, it belongs to the yard, not to a person.",
     "Call <PHONE> for the depot, it belongs to the yard, not to a person."),
    ("Smith family 020 7946 0958, not one person.", "Smith family <PHONE>, not one person."),  # a household's
    # blind 26's round: a modem's dial command (either case), "dial" in Chinese and Cantonese joined to the words
    # around it, an SMS's sender, "I am on" in Ukrainian and Russian where the number ends the clause, "call" in
    # Malagasy, a NANP number with dots in a CSV cell after a cell ending in a digit
    ("ATD+33256371853;  // dials the keeper's mobile", "ATD<PHONE>;  // dials the keeper's mobile"),
    ('send("ATDT0612345678\r")', 'send("ATDT<PHONE>\r")'),
    ('ser.write(b"atdt0612345678;")', 'ser.write(b"atdt<PHONE>;")'),
    ("有問題打：94309176", "有問題打：<PHONE>"),
    ("到咗打俾94309176", "到咗打俾<PHONE>"),
    ("冰車司機話到咗就打94309176畀佢。", "冰車司機話到咗就打<PHONE>畀佢。"),
    ("技术员明天上午来，先打725 353 645", "技术员明天上午来，先打<PHONE>"),
    ('gammu-smsd[882]: Received message from 0586684140: "alarm"', 'gammu-smsd[882]: Received message from <PHONE>: "alarm"'),
    ("щодо води з бочки, я на 9365936877", "щодо води з бочки, я на <PHONE>"),
    ("Antsoy amin'ny 07330238763 ny mpamboly.", "Antsoy amin'ny <PHONE> ny mpamboly."),
    ("Team,Driver's mobile,Seats\nU12,741.215.4728,4", "Team,Driver's mobile,Seats\nU12,<PHONE>,4"),
    ("Team,Mobile,Seats\nU12,741 215 4728x038,4", "Team,Mobile,Seats\nU12,<PHONE>,4"),
    # ... and a person's number named in German and in Russian (Belarus's identity number)
    ("Im Melderegister unter der persönlichen Kennnummer 17076612870 geführt.",
     "Im Melderegister unter der persönlichen Kennnummer <NATIONAL_ID> geführt."),
    ("Владелец пруда, личный номер: 23280873553", "Владелец пруда, личный номер: <NATIONAL_ID>"),
    ("Личный номер гражданина 23280873553", "Личный номер гражданина <NATIONAL_ID>"),
    # blind 27's round: "no" before a noun is a negation, not a number's label; a CSV cell of a phone after a cell
    # ending in a digit; "call me" in Kinyarwanda, Hausa, formal Spanish, Moroccan Arabic; a person's number named by
    # its registration or its register (English, Romanian, Russian, Korean)
    ("Kiln 2 alarm, no power (212) 555-0187", "Kiln 2 alarm, no power <PHONE>"),
    ("sku,bay,keeper's mobile\nginger beer,04-11,071 234 56 78", "sku,bay,keeper's mobile\nginger beer,04-11,<PHONE>"),
    ("Mwampamagara kuri 0612345678 ejo.", "Mwampamagara kuri <PHONE> ejo."),
    ("Idan kun iso, ku kira ni a 0612345678.", "Idan kun iso, ku kira ni a <PHONE>."),
    ("Por favor márqueme al 0612345678 mañana.", "Por favor márqueme al <PHONE> mañana."),
    ("عيط ليا ف 0612345678 غدا", "عيط ليا ف <PHONE> غدا"),
    ("The tenant's citizen registration number is 44051401359.", "The tenant's citizen registration number is <NATIONAL_ID>."),
    ("Angajatul figurează în registrul populației: 44051401359", "Angajatul figurează în registrul populației: <NATIONAL_ID>"),
    ("Арендатор в государственном реестре населения: 44051401359", "Арендатор в государственном реестре населения: <NATIONAL_ID>"),
    ("세입자 주민 식별 번호: 44051401359", "세입자 주민 식별 번호: <NATIONAL_ID>"),
    # ... and what must stay a phone: a contact list's line with another field after the number (a rule reading such
    # lines as a record's was tried in blind 25's round and again in blind 27's, and dropped both times: the person
    # before the number is as often a role or a first name no list holds), a remark that names a person or a phone,
    # a password of digits
    ("Patient 07700 900123, bed 12.", "Patient <PHONE>, bed 12."),
    ("Contactpersoon 06 12345678, afdeling 4.", "Contactpersoon <PHONE>, afdeling 4."),
    ("Volunteer 07700 900123, shift B.", "Volunteer <PHONE>, shift B."),
    ("Jan 06 12 34 56 78 (a neighbour, not a customer number)", "Jan <PHONE> (a neighbour, not a customer number)"),
    ("Depot 0171 2345678 (the landline, not a mobile number).", "Depot <PHONE> (the landline, not a mobile number)."),
    ("Depot 0171 2345678 (the office line number, not a mobile number).",
     "Depot <PHONE> (the office line number, not a mobile number)."),
    ("password: 4821-9931-22", "password: <SECRET>"),
    # ... and what a review of the round found it had let through: a remark naming a person with another kind of
    # number; digits after "token" when a word makes it a credential, or after "bearer"
    ("After hours 07700 900123 (the manager, not a landline number)", "After hours <PHONE> (the manager, not a landline number)"),
    ("auth token 4821-9931-0712", "auth token <SECRET>"),
    ("OTP token 482-193-771-002 sent", "OTP token <SECRET> sent"),
    ("Authorization: Bearer 8812934471-0923847561-1029384756", "Authorization: Bearer <SECRET>"),
    ("Use bearer 000111222333-444555666 for the sandbox", "Use bearer <SECRET> for the sandbox"),
    ("Registrul populației, codul personal 44051401359", "Registrul populației, codul personal <NATIONAL_ID>"),
    # blind 28's round: "talk to me at" (Egyptian Arabic), "let me know at" (Spanish, Indonesian), German "anrufen"
    # split around the number; a person's number in Arabic with its clitics, in Hungarian, in the Nordic population
    # register, in traditional Chinese
    ("بخصوص الطلبية، كلمني على 0612345678", "بخصوص الطلبية، كلمني على <PHONE>"),
    ("¿Ya está listo? Avíseme al 0612345678.", "¿Ya está listo? Avíseme al <PHONE>."),
    ("Kalau sudah jadi, kabari ke 0612345678 ya", "Kalau sudah jadi, kabari ke <PHONE> ya"),
    ("Der Kurier ruft morgen früh 0612345678 an.", "Der Kurier ruft morgen früh <PHONE> an."),
    ("المستأجر مسجل برقمه الشخصي 44051401359", "المستأجر مسجل برقمه الشخصي <NATIONAL_ID>"),
    ("A bérlő személyes azonosítója 44051401359.", "A bérlő személyes azonosítója <NATIONAL_ID>."),
    ("Lejeren står i folkeregistret med nummer 44051401359.", "Lejeren står i folkeregistret med nummer <NATIONAL_ID>."),
    ("租客的身分號碼：44051401359", "租客的身分號碼：<NATIONAL_ID>"),
    # ... and what must stay a phone: a bracket naming a person or a phone's line after it
    ("Tom 06 12 34 56 78 (our account manager)", "Tom <PHONE> (our account manager)"),
    ("Reception 07700 900123 (the office number).", "Reception <PHONE> (the office number)."),
    ("Jan 06 12 34 56 78 (the mobile serial)", "Jan <PHONE> (the mobile serial)"),
    # ... and its review's: a person's number tagged with what it is about, or with the account it keys
    ("Chase 07700 900123 (the overdue invoice) before Friday.", "Chase <PHONE> (the overdue invoice) before Friday."),
    ("Complaint from 07700 900123 (the customer's meter).", "Complaint from <PHONE> (the customer's meter)."),
    ("Refund via Zelle to 415-555-0132 (the customer's Zelle account).",
     "Refund via Zelle to <PHONE> (the customer's Zelle account)."),
    # blind 29's round: a QR code's SMS scheme; answering at a number in Italian, French and Arabic; "call" in
    # Georgian, Azerbaijani, Igbo and Gaelic; a honoured person's number in Korean, a call back in Japanese; a transfer
    # to a mobile-money wallet, which a phone number keys
    ("SMSTO:84 9600-9523:Your delivery is on Saturday", "SMSTO:<PHONE>:Your delivery is on Saturday"),
    ("La guida risponde al 0612345678 dopo le otto.", "La guida risponde al <PHONE> dopo le otto."),
    ("Le guide répond au 06 12 34 56 78 le soir.", "Le guide répond au <PHONE> le soir."),
    ("الدليل يرد على 0612345678 مساء", "الدليل يرد على <PHONE> مساء"),
    ("გამარჯობა, დამირეკეთ 577.646.727", "გამარჯობა, დამირეკეთ <PHONE>"),
    ("salam, 881 969 506 nömrəsinə zəng edin", "salam, <PHONE> nömrəsinə zəng edin"),
    ("ndewo, kpọọ m na 0612345678", "ndewo, kpọọ m na <PHONE>"),
    ("madainn mhath, cuir fòn gu 0612345678", "madainn mhath, cuir fòn gu <PHONE>"),
    ("관장님 번호는 0612345678입니다.", "관장님 번호는 <PHONE>입니다."),
    ("0612345678に折り返しお願いします", "<PHONE>に折り返しお願いします"),
    ("Nagad → 0612345678 · ৳2,000 advance", "Nagad → <PHONE> · ৳2,000 advance"),
    ("DANA kirim ke 0812 3456 7890 ya", "DANA kirim ke <PHONE> ya"),
    ("Swish 070-123 45 67 for the tickets", "Swish <PHONE> for the tickets"),
    ("Swisha till 0701234567 för biljetterna", "Swisha till <PHONE> för biljetterna"),
    ("Swish till 0701234567", "Swish till <PHONE>"),
    # blind 30's round: "telephone" in Khmer, "call back" in Cantonese, "call me" in Cebuano, "call" in Kyrgyz; PicPay,
    # OPay, O!Dengi and an e-wallet's name; German "unter ... melden" (not MessageBird's "originator": a push
    # notification's payload has one too, a review's)
    ('សូមទូរស័ព្ទមក 0612345678', 'សូមទូរស័ព្ទមក <PHONE>'),
    ("打返0612345678俾我", "打返<PHONE>俾我"),
    ("maayong aga, tawgi ko sa (0056)-796962", "maayong aga, tawgi ko sa <PHONE>"),
    ("50117086 номурга чалыңыз", "<PHONE> номурга чалыңыз"),
    ("PicPay → 0612345678 · R$ 45", "PicPay → <PHONE> · R$ 45"),
    ("Touch 'n Go eWallet → 0612345678 · RM85", "Touch 'n Go eWallet → <PHONE> · RM85"),
    ("Bitte unter 533 536 130 melden.", "Bitte unter <PHONE> melden."),
    # ... and what its review found the first rules let through: the same words capitalised as surnames, places and a
    # floor, a till or a bank; a remark naming a home
    ("Contact: Brian Hull 07700 900123", "Contact: <PERSON> <PHONE>"),
    ("Hull 01482 123456", "Hull <PHONE>"),
    ("Hauptstraße 12, 3. Stock\n0171 2345678", "Hauptstraße 12, 3. Stock\n<PHONE>"),
    ("Chef de caisse 06 12 34 56 78", "Chef de caisse <PHONE>"),
    ("07700 900123 (the owner's house, not the shop's number)", "<PHONE> (the owner's house, not the shop's number)"),
    # ... and what must stay a phone: a word before "number" (a rule reading "<word> number" as a thing's was tried in
    # this round and dropped: person and phone words are an open class, "Host number", "Grandma number", "Burner
    # number", a review's), a remark with a person or a person's own phone or line in it
    ("Host number 415-555-0132, check-in after 3pm.", "Host number <PHONE>, check-in after 3pm."),
    ("Grandma number 07700 900123", "Grandma number <PHONE>"),
    ("Weekend cover 07700 900123 (the manager's personal line, not a store number).",
     "Weekend cover <PHONE> (the manager's personal line, not a store number)."),
    ("Her number 831-496-7136, cellar row 52.", "Her number <PHONE>, cellar row 52."),
    ("Work number 831-496-7136", "Work number <PHONE>"),
    ("Driver number 415-555-0132", "Driver number <PHONE>"),
    ("Dispatch 415-555-0132 (the dispatcher, not a driver's number).",
     "Dispatch <PHONE> (the dispatcher, not a driver's number)."),
    ("Dispatch 415-555-0132 (the driver's wife, not a driver's number).",
     "Dispatch <PHONE> (the driver's wife, not a driver's number)."),
    ("Dispatch 415-555-0132 (the driver's own, not a driver's number).",
     "Dispatch <PHONE> (the driver's own, not a driver's number)."),
    ("Call me 214-565-6778 (my own, not anyone's phone).", "Call me <PHONE> (my own, not anyone's phone)."),
    ("M-Pesa to 0712 345 678 for the goat", "M-Pesa to <PHONE> for the goat"),
    ('msgstr "Rufen Sie die Sennerin an: 509 051 877"', 'msgstr "Rufen Sie die Sennerin an: <PHONE>"'),
    ('"pickup_contact" = "94847005";', '"pickup_contact" = "<PHONE>";'),
    ("WeChat 0612345678", "WeChat <PHONE>"),
    ("ادفعوا من البطاقة 5617 0547 4444.", "ادفعوا من البطاقة <CARD>."),
    ("May 02 06:11:09 gw smsd[440]: queued notice to 696 657 030 (resident, block 4)",
     "May 02 06:11:09 gw smsd[440]: queued notice to <PHONE> (resident, block 4)"),
    # ... and a number said twice after a name, a person's or a family word, or in a quoted reply: no label
    ("Oma 0171 2345678, nochmal Oma 0171 2345678", "Oma <PHONE>, nochmal Oma <PHONE>"),
    ("Pick-up: lerato 082 123 4567, gate 2\n\n> Pick-up: lerato 082 123 4567, gate 2",
     "Pick-up: lerato <PHONE>, gate 2\n\n> Pick-up: lerato <PHONE>, gate 2"),
    ("Tom 415-555-0132 ... Tom 415-555-0132", "Tom <PHONE> ... Tom <PHONE>"),
    ("Mum 0612 345 678, again Mum 0612 345 678", "Mum <PHONE>, again Mum <PHONE>"),
    ("night nurse 0612 345 678, again night nurse 0612 345 678", "night nurse <PHONE>, again night nurse <PHONE>"),
    ("Thandiwe 082 123 4567, again Thandiwe 082 123 4567", "Thandiwe <PHONE>, again Thandiwe <PHONE>"),
    ("Her late husband's pension book number 831-496-7136", "Her late husband's pension book number <PHONE>"),
    ("加我微信0612345678", "加我微信<PHONE>"),
    # ... and a person's identifier after "number", shaped like a phone: it goes, whatever it is scrubbed as
    ("The claimant's civil registration number is 3835 8569 9278.",
     "The claimant's civil registration number is <PHONE>."),
    ("National registration number 8659 3298 9878", "National registration number <PHONE>"),
    # "the mobile number", and "the phone" as a label, in Arabic
    ("رقم الجوال 0501234567 شكرا", "رقم الجوال <PHONE> شكرا"),
    ("الهاتف: 0501234567", "الهاتف: <PHONE>"),
    # the Russian, Ukrainian and Bulgarian abbreviations of "phone" and "mobile"
    ("тел. 89037654321", "тел. <PHONE>"),
    ("Іван, моб.: 067 123 45 67", "Іван, моб.: <PHONE>"),
    ("Тел: +7 903 765-43-21", "Тел: <PHONE>"),
])
def test_blind_rounds_rules_catch_without_the_model(text, expected):
    assert Scrubber(phone_context=False).scrub(text) == expected


@pytest.mark.parametrize("text", [
    "мой номер билета 0612345678",  # "my number" counts right before the number only: here a ticket's
    "sku;639032975695=12 units",  # a CSV's cell and a count, no track 2: a 12-digit Luhn-valid number needs a word
    "lot;639032975695=2906101",  # ";" after a word joins cells, it is no start sentinel
    "Batch 639032975695 done",
    "ATD 0612345678 departed",  # a modem dials a number joined to its ATD; spaced, ATD is a time of departure
    # blind 29's round: the remarks that a number is nobody's phone, or what it is is someone's thing, hold for the
    # rules alone
    "Salt flat jeep sheet 214-565-6778 (the operator's trip sheet, not a driver's number).",
    "Cabbage crate manifest 48 17 73 28 79 (the co-op's crate number, not anyone's phone).",
    # blind 30's round: a packaging unit, a stock number or a hull by its name in lower case; "not the X's number"
    # after a thing; "not a person's id"; "unter" before a number without "melden" after it; "打返" and Khmer
    # "telephone" not right before the number
    "Bangle carton 628-753-4312, colour 25.",
    "mat stock number is 169 624 2242, it's on the pallet",
    "Tricycle body number 231 466 8705 (the unit's plate series, not the operator's number).",
    "Unter 0612345678 finden Sie den Artikel.",
    "Pen 415-555-0132 (an animal record, not a person's id).",
    "會員打返九折，單號 61234567",  # "打返九折": a discount, not "call back"
    "ហាងទូរស័ព្ទ លេខវិក្កយបត្រ 61234567",  # a phone shop's invoice number
    'Voice note: "a pilha 286.454.3269 foi pesada hoje, pilha 286.454.3269"',  # read back after the same noun
    # ... and a wallet's number that is a merchant's or a shop's, "dana" (funds) in lower case: the wallet cue does
    # not hold (the learned context may still call the merchant's number a phone: a privacy-first miss)
    "Merchant Swish 0712345678",
    "Tienda Rosa: Yape al 987654321",
    "Sudah transfer dana ke 0812345678 (rekening BCA)",
])
def test_blind_rounds_rules_keep_without_the_model(text):
    s = Scrubber(phone_context=False)
    assert s.scrub(text) == text, s.hits


@pytest.mark.parametrize("text", [
    "Water main burst 0247 3670504: 100 properties affected, valve 05344 closed at 07:49.",  # a 3-word heading
    "Vessel call 568 704 9984: ETA 23:31, berth 52, draft 52 m.",  # a port call, not "call 568 ..."
    "Print job 1739689: 523 047 066 A5 flyers, 747 gsm, plate set 4950.",  # paper's gsm is no GSM phone
    'Speech-to-text: "reference two two four, sorry, 932 601 3123, for the pallet pickup"',  # a restarted reference
    "شحنة 20 59 20 88 30 وصلت الميناء الساعة 11:47.",  # "shipment" in Arabic
    "Lô hàng 89 43 80 54 67 đã thông quan lúc 16:36.",  # and in Vietnamese
    "BEGIN:VEVENT\nDESCRIPTION:Permit 0636 2100396\nEND:VEVENT",
    "Customs entry 3062490610: HS 0886.38.38, duty 26.393,42 EUR, released 12:46.",
    "Replacement phone for order 0612345678",  # a phone word, then "for" a reference: the order's number
    "Booking for the Smith family: 0612345678",
    # blind 14's round
    "ERROR [09:02] job=62598790 tenant=2692417617 retry=40 elapsed=81490ms",  # a log's key, not a tenant
    "The shipment is on 0612345678 manifest",  # "is on" only after a person
    'Speech-to-text: "reference, uh, 0912 1603902, for the locker refill"',  # a filler after the label
    "Rechnungsnr. 0612345678 bitte angeben",  # an abbreviation's full stop is no sentence's end
    # blind 15's round
    "Voicemail: container 4821937 is ready at gate 3",  # a container's number, in a voicemail
    "Mine output, week 12: 355 512 575 t hoisted.",  # tonnes (and a valid SIN)
    "Promo batch 4111 1111 1111 1111 - not a payment card, just the print run.",  # the text says what it is not
    "Our account number 0612345678 is on the invoice.",  # a possessive before a record's number word
    "my order number 0612345678 shipped",
    "Your confirmation number for Friday's trip is 0612345678.",  # a record's word between: no one's phone
    "The migration was led by Platform Engineering.",  # a team leads too
    "name = Billing Service",
    # blind 16's round
    "Porting window 12/03/2026: 496 045 603 numbers moved, 12 failures.",  # a count of numbers
    "Room hold 0612 3456789 for 14/05/2026: 80 covers.",  # a venue's hold
    "Opening hours Mo-Fr Sa So closed",  # no "Fr" title
    "Ref 527311904421 renewed",  # a labelled reference stays one
    "your meter number 12345678",  # a record's number word, not a line's
    "[Step 1] Open Settings",  # a bracket and two capitalised words are no chat speaker without a colon
    "2026-03-12 10:15 - Deploy Started",
    "The cluster is hosted by Google Cloud.",
    "Father Christmas visits at 5",
    "Can you get me the status of 0612345678?",
    "Account number to transfer to: 0612345678",
    # a second review's probes: records and things that the new words also name
    "[ERROR 2024-05-12 10:15:03] Payment Gateway: connection refused",
    "2024-05-12 10:15 - Backup Job: completed in 42s",
    "[Today at 9:41 AM] Deploy Bot: release 2.3 is out",
    "The Series B round was led by Sequoia Capital.",
    "Conductor: Annealed Copper, Insulation: XLPE",
    "We still need to vet Northwind Traders before onboarding.",
    "Father Son Matching Shirts, size M",
    "产品识别号 44051401359 已发货",
    "Seller: 2125551234",
    "Notification delivered at 1715526000 for job 8812.",
    "Payment reminder on 20240512 was skipped.",
    "Invoice reissued under new no. 4832019475.",
    "Blocked API calls from bots last month: 48320194.",
    "The customer account is on 48320194 with the old tariff.",
    "Our usual number of deliveries per week is 4832019.",
    "evt=signal_lost device=48320194 retry=3",
    "Deducted 2 units of 4006381330060 from warehouse A.",
    "Items taken from shelf: 4006381330060",
    # blind 19's round
    '<Bal><Amt Ccy="EUR">05833.54</Amt></Bal>',  # an amount: one dot, two decimals
    "https://api.timing.example/v2/laps?session=195661",  # a short number counts sessions, it opens none
    "Grooming van 27: water tank 27 l, route no. 0559 5753151.",  # a round's route, labelled
    # a fixed-width record: Luhn-valid by chance, a prefix no card network issues (31), no word about a card
    "820066354000006635400000094071160000000000004350142955                         31529094663540",
    "Idempotency-Key: 2015 8846 6237 410",  # Luhn-valid, and 20 is no network's prefix either
    # blind 20's round
    "Stairlift survey 757-842-3852 (a job reference, not a phone number): rail 84.84 m.",  # the writer says so
    "Pigeon race 2022/748: best velocity 0043.748 m/min.",  # a measurement's three decimals
    "SMS: Balloon flight no. 97 29 30 48 32 is GO.",  # a flight's number, labelled
    "NAD+BY+5412345000013::9'",  # an EDIFACT party's GLN, in no communication segment
    # blind 21's round
    "PID|1||44051401359^^^^MR||",  # a medical record number, not a national scheme's
    "Voucher stock 6036 1234 5678 9010: store gift card serials, not payment cards.",  # the qualified plural remark
    '{"range": {"from": "20240101", "to": "20241231"}}',  # a range's "to", in no text about messages
    "Hotel 4155550132 rooms",  # "tel" joined to a word only after a line's owner
    # a review of blind 21's round: what its first version scrubbed
    '{"messages": 42, "range": {"from": "20240101", "to": "20241231"}}',  # a range's "to", a count of messages
    '{"level": "info", "message": "report generated", "from": "20240101", "to": "20240630"}',
    "Part 3 100-200-3000 assembly",  # a label's short number, then one written without a phone's brackets
    "Invoice No. 12 345-678-9012",
    "Kérem a 12345678 számra utalni az összeget.",  # Hungarian "to the number": a transfer's account
    "Fakturaren zenbakia 202400123 da, deitu ez.",  # Basque "call" not right before the number
    "The scheduler picks up on 20240615 at 0600.",  # no person answers
    "My friends number of visits was 1234567 last year.",  # a plural, not a dropped apostrophe
    "account,period,delta\n4010,2024-06,+12500000",  # a signed change in its column
    "store,week,units,yoy\n17,24,3500,+61234567",
    "x,y\n1,+98765432",  # a signed figure after a digit cell: no new cell's phone
    "Offset +01234567890 applied to the ledger.",
    "Voucher 0201234567 redeemed",
    "Ledger entry 0171 2345678 posted",  # "entry" was a reference only by accident: it ends in the code TRY
    # blind 22's round
    'Voicemail (12 s): "van three is on 415-555-0132 — that\'s the route sheet, not a number — back at 5"',
    "Post 7: reach 612.345.678, clicks 4%.",  # a campaign's reach among its other metrics, not "reach me"
    "Reach: 2025550143 | Impressions: 3105550177",
    "cost center 0612 345 678 over budget",
    "Заказ 4155550132, тэлефануйце калі ласка",  # a "call me" word beside an order's number
    "called the API from 20240615 onwards",  # "rang/phoned the ... from" only
    # blind 23's round: "ring" as a noun, dotted and colon runs that are no address
    "Ring numbers on the pigeons: 4511 914 99544 (leg rings, not a phone number).",
    "firmware 1.2.3.4.5 rolled out at:10:30:00, ratio:1:2:3",
    "Message ID 0612345678 from the queue",  # a message's number, not a number for messages
    "the batch left 0612345678 rows behind",  # "left" after no person
    # blind 24's round: EMV fields other than the card's number, "gave" after no person
    "5A 08 [masked]  9F02 06 740160318580  // terminal totals, no card data",
    "5F24 03 281130  5F2A 02 0978",
    "the batch gave 0612345678 rows",
    # ... and a review of blinds 23's and 24's rounds: words that say "call" or "text" only beside the number (not an
    # order's, an error's or a code's number in the same clause), weak cues on dates and amounts, a word's colon
    # before a version, an OID or a package's coordinates, an ellipsis between two versions
    "הודעה מס' 4500123456 נשלחה לספק",
    "پیام خطا: 80070005",
    "短信验证码：84736251，5分钟内有效。",
    "サーバーにつながらない、エラーコード 80070005",
    "Nhắn tin mã OTP 84736251 tới khách",
    "Zvanični matični broj firme: 20123456, PIB 101234567.",
    "A 4500123456 számú számla a portálon érhető el.",
    "Перезвонить клиенту по поводу счёта 1234567890.",
    "Office No. 405, Balaji Tower, Pune; bank a/c 123456789012.",
    "New SIM activated on account 30512345.",
    "Field type: text only, max length 10000000",
    "Customer left 20240615 as the pickup date.",
    "The client left 1 250 000 in escrow.",
    "Order put through to 4500123456 for approval.",
    "Status messages for batch: 0612345678 pending",
    "version:1.2.3.4 image: registry.example.com/billing-api:1.4.2.7 implementation 'com.acme:payments-sdk:3.1.0.2'",
    "FileVersion:10.0.0.1 oid:1.3.6.1 Clause:4.1.2.3 wwn:50:01:43:80:12:34:56:78",
    "Upgrade path v1...2.0.0.0, Contents........1.2.3.4",
    # ... and a review of the fixes: cues that count beside the number only, a reference named after it, dates after
    # a weak cue, a long note's words, versions after "from:" and "to:"
    "Звънете за поръчка 4500123456",
    "Звънец на апартамент 4500123456",
    "مركز الاتصال رقم التذكرة 4500123456",
    "Ċempel għall-ordni 4500123456",
    "Lakkoofsa ajajaa 4500123456, bilbilaa",
    "The buyer gave 4500123456 as the PO number",
    "The patient whose surgery is on 20240615 needs a bed",
    "Il est au 20240615 dans le planning",
    "Emergency 4500123456 order expedited",
    '<Supplier note="Company registration id number as issued by the chamber of commerce">111222333</Supplier>',
    "订单4500123456短信已发送",
    "Pesanan 4500123456 sudah dikirim, telepon kami jika ada masalah.",
    "Upgrade from:2.1.0.4 to:2.2.0.1",
    # ... and the guards a read of the whole change found without a case: an EMV field other than the card's (the
    # terminal's serial number, 9F1E), a doorbell, a total of calls, a text message's word without its verb
    "9F36 02 0041  9F1E 08 3132 3334 3536 3738",
    "Звънецът на 4500123456 не работи",
    "Total number for calls 12345678 last quarter",
    "批次4500123456短信已发送",
    # blind 25's round: "my number" with the order's word between, a date after a weak cue, the remark that a
    # number is no person's
    "мой номер заказа 4500123456, оплачен",
    "The launch will be on 20240615 as planned.",
    "Loco boiler certificate 415-555-0132 belongs to the locomotive, not to a person.",
    "Sail number 612 345 6789 belongs to the boat, not to any person.",
    # ... and a review of it: "available", "digital", "comes out on", a voice menu's date, an account after "on
    # the line", a queue's number, a build, "gave the account", an escalated ticket, a server that answers a
    # number's requests, an Afrikaans system, a channel, a URL and a log path with "sip" or "sofia", a dial
    # string's date, a push notification's recipients, a personal computer, a passenger car, a company
    "سرور 4500123456 در دسترس نیست",
    "توقيع رقمي 4500123456 صالح حتى نهاية العام.",
    "20240615に出る予定です",
    "Serveur vocal: composez le 20240615 (date de naissance au format AAAAMMJJ) pour vous identifier.",
    "Менеджер на связи по счёту на 1250000 рублей.",
    "Мой номер 20240615 в очереди на получение.",
    "Είμαι στο 20240615 build και το bug υπάρχει ακόμα.",
    "The customer gave the account 3104567890 at the counter.",
    "The ticket escalated to 3104567890 after SLA breach.",
    "The fix will be on 3104567890 changeset.",
    "Palvelin vastaa numeroon 4500123456 tulleeseen pyyntöön.",
    "Die stelsel antwoord op 4500123456 met 'n fout.",
    "Channel PJSIP/3104567890-00000001 is ringing",
    "GET /api/v2/sip/3104567890/registrations HTTP/1.1",
    "/var/log/freeswitch/sofia/internal/3104567890.log rotated",
    "GET /api/sip/3104567890 HTTP/1.1",
    "loaded sofia/gateway/carrier1/3104567890.xml",
    "sofia/gateway/carrier1/20240615 failed: NO_ROUTE_DESTINATION",
    '{"notification": "push", "recipients": [3104567890], "originator": "system"}',
    "Személyi számítógép sorozatszám 44051401359",
    "Henkilöauton tunnistenumero 44051401359",
    "개인 식별 정보 삭제 요청 티켓 44051401359",
    # ... and a second review: a ring and a roundabout (Icelandic nouns), a git branch, an image, a locker's code,
    # cues that as often stand before an issue's or a contract's number
    "Hringurinn í 4500123456 er týndur.",
    "Hringtorgið í 2024061501 verkefninu.",
    "git checkout sip/4500123456",
    "docker pull pjsip/2024061501",
    "ticket SIP/4500123456, see Jira",
    "Branch (sip/4500123456) merged",
    'data="sofia/gateway/carrier1/3104567890.xml"',
    "Locker 38001085718: set your personal code at the kiosk.",
    "Lehti vastaa numerossa 4500123456 lukijan kysymykseen.",
    "Se envió aviso al 7001234567 del contrato vencido.",
    "Atbild pa 2024061501 versiju.",
    "The company's civil registration number 44051401359 (a business, not a person).",
    # blind 26's round: "ATD" as a departure time, or inside a word; "打" as a discount, printing, clocking in; a
    # message's date; an order's, an account's, a contract's "personal number" in Russian; a CSV of amounts
    "STATD0612345678;",
    "打印20240615的报表",
    "打8折，订单4500123456",
    "Release message from 20240615 build",
    # ... and a review of it: "打" ending another word or before a counted number; any "message(s) from" (an
    # error's, a range, a partner's); "I am on" before a sum, a line, an order; an interrogative "who ... sent to";
    # Urdu "on" before a column; "личный номер" and "persönliche Kennnummer" of a request, a licence
    "苏打4155550132批次入库",
    "苏打 4155550132 入库",
    "拍打13812345678次",
    "打13812345678号单据",
    "给客户打50000000元的预付款",
    "Deleting messages from 4155550132 to 4155550199 in queue billing",
    "Error message from 4155550132 batch: timeout",
    "ERROR: message from 7045551234 rejected: invalid schema (partner id)",
    "я на 9365936877 рублей оформил счёт",
    "Я на 3801234567 строке нашёл ошибку",
    "мы на 4500123456 заказ ещё ждём",
    "Ticket 4500123456: who has the invoice sent to 4155550132?",
    "آرڈر 4500123456 پر کالم B میں غلط رقم ہے",
    "Ваш личный номер заявки 23280873553",
    "Личный номер лицевого счета 23280873553",
    "Persönliche Kennnummer Ihrer Lizenz: 17076612870",
    "Gerät 17076612870 meldet: persönliche Kennnummer falsch",
    "Ваш личный номер заказа: 23280873553",
    "Ваш личный номер счёта 23280873553",
    "Die Kennnummer der Maschine: 17076612870",
    "item,qty,total\nA1,12,345.678",
    "A1,345.678.9012345",  # after a cell ending in a digit, only a whole 3-3-4 number opens a new one
    "打印13812345678号单据",  # "打" right before the number only: here printing a document's number
    # blind 27's round: a remark that says what the number is and which number it is not; a ticket's digits after
    # "token"
    "Proof sheet 0171 2345678 (a print shop job number, not a customer number).",
    "Queue token 4821-9931-0735 at counter 3",
    "Prepaid token 4821-9931-0735 for the meter",  # "paid" ends in "id": not a credential's word
    "total,1,056 215 90",  # after a cell ending in a digit, a trunk 0 opens a new cell only with nine digits or more
    # ... and its review's: "No" as Spanish and French write the number's label; the remark's old form whatever it
    # names; a register or a registration named elsewhere than right before the number; the round's call words
    # without their prepositions (Turkish "kira", rent; Malay "kira ni", count this; "call the office")
    "No póliza (415) 555-0132 vence el 30/06",
    "No adhérent 06 12 34 56 78",
    "See 415-555-0132 (the customer reference, not a phone number)",
    "See 415-555-0132 (the patient ID, not a phone number)",
    "Statistics office: population register snapshot 8507100009 archived",
    "Реестр населения: договор 8507100009 продлён",
    "Запрос в реестр населения № 9434765919 выполнен",
    "주민 식별 서비스 장애 티켓 9434765919",
    "Business registration number 123456782 (not a personal registration number)",
    "Hamagara ku biro, inyemezabuguzi 0612345678",
    # blind 28's round: a bracket right after the number that names its record; the remark's subject with an
    # apostrophe; "rufen ... an" only with a phone-valid number and no reference label
    "Kiosk meter 967 864 9118 (a flow meter's serial).",
    "Scanning 0612 345 678 (the barcode) fails at the till.",
    "Stall 14 float 06 12 34 56 78 (the till's float reference).",
    "Box 386 341 2483 (the forwarder's manifest number, not a phone number).",
    "Die Firma ruft die Bestellung 4500123456 an.",
    "Das Skript ruft danach 0612345678 auf.",  # "aufrufen" (to call up), not "anrufen"
    # ... and its review's: what a call is about, "an" as a preposition, an EDI message's number, a digital register,
    # a company's unified number, an agency's number in the folkeregister
    "Der Kunde rief wegen 0612345678 an und wollte den Status wissen.",
    "Forwarded to message 0612345678 in the EDI queue.",
    "تم تسجيل 123456782 في السجل الرقمي الوطني",
    "الشركة مسجلة برقمها الوطني الموحد 7001234567",
    "Folkeregisteret org. nummer 974760673",
    # blind 29's round: a remark that the number is nobody's phone, or that what it is is someone's thing; an EMV
    # tag=value dump; a word for funds that is a wallet's name in capitals
    "Cabbage crate manifest 48 17 73 28 79 (the co-op's crate number, not anyone's phone).",
    "Salt flat jeep sheet 214-565-6778 (the operator's trip sheet, not a driver's number).",
    "EMV tags 9F02=416430831592 5F2A=0978, PAN masked",
    "Transfer dana ke rekening 1234567890 sudah masuk",
    "M-PESA Paybill 511074, account 88274496 — the co-op's till, not a person's number.",
    'Voice note: "a pilha 286.454.3269 foi pesada hoje, pilha 286.454.3269"',
    '"contact_id": "4500123456"',  # a CRM record's id: a snake key with "contact" is a cue, its "id" a label
    # ... and its review's: a wallet or a messenger named elsewhere in the clause, a merchant's or a bill's; a member's
    # or a customer's number in Korean, a train turning back in Japanese; Spanish "corresponds to"
    "Zalo OA 0612345678 order",
    "微信支付商户号 1601234567",
    "GCash Bills Pay Meralco 4155550132",
    "Tigo Pesa: Muamala 8123456789 umekamilika",
    "회원님 번호 2024061234 (회원번호)",
    "折り返し運転 列車 4155550132",
    "El importe responde al 4500123456 del pedido",
    'Buzón: "la caja 173-419-9828 ya está anillada, caja 173-419-9828"',
])
def test_blind_rounds_business_numbers_stay(text):
    s = Scrubber()
    assert s.scrub(text) == text, s.hits


@pytest.mark.parametrize("text", [
    "Boss, tolong kira ni jumlah untuk invois 0612345678",  # Malay "count this", not Hausa "call me at"
    "Bitte rufen Sie die 0612345678 an der Kasse auf.",  # "an" a preposition, "die" before the number
    "Wir rufen 0612345678 an der Ausgabe auf.",
    # "тел", "моб", "сот" and the Arabic "the phone" in other senses: bodies, a plot's size, a version, a product
    "Опознание тел завершено, номер дела 1234567890.",
    "Продаётся участок 15 сот. в СНТ «Ромашка», кадастровый номер 1234567890.",
    "Моб. версия: 1 234 567 визитов",
    "Тел. модель Samsung A54, артикул 8806094934123.",
    "كفر الجوال رقم المنتج 6281234567890",
    "شاشة الهاتف: رقم القطعة 661-17934",
    "رقم الجوال مسجل على الحساب 1234567890",
    "تحديث رقم الهاتف للطلب 12345678 غير ممكن حاليا",
])
def test_blind_rounds_business_numbers_stay_for_the_rules(text):
    """Reviews' business texts that the rules keep and the learned phone context, refitted on blind 28 (whose phones
    include "ruft ... an" and chat in Indonesian), scores as phones: a cost of the model, measured in docs/facts.md
    "PII: blind 28 read, a review, blinds 29 to 31 unread". The rules' guards stay tested here."""
    s = Scrubber(phone_context=False)
    assert s.scrub(text) == text, s.hits


def test_a_person_word_before_a_number_is_no_role_for_the_rules():
    """"Claimant" is in phones._PEOPLE, not _ROLES: right before a number the rules read it as a record's. The learned
    phone context, refitted on blind 20 (where "Vault box holder 8624120957" is a phone), puts this UK-mobile-shaped
    one at 0.80, on its threshold: with the model on it goes, the privacy-first side of a borderline number."""
    text = "Claimant 07700900123 appealed the decision."
    assert Scrubber(phone_context=False).scrub(text) == text


def test_is_on_is_a_person_s_only_for_the_rules():
    """Blind 14's round: "is on" makes a number a phone only after a person. The model refitted on blinds 1-20 puts
    "Backup job is on 2692417617" at 0.80, on its threshold, and scrubs it (docs/facts.md "PII: blind 20 read,
    blind 21 unread"); the rules keep it."""
    text = "Backup job is on 2692417617"
    assert Scrubber(phone_context=False).scrub(text) == text


@pytest.mark.parametrize("text", [
    "Ref. 548-401-8169 - please quote it in every reply",  # shaped like a US phone, labelled a reference
    "Order 808 552 8063 was cancelled by the customer",
    "Meeting ID: 845 1234 5678, passcode 482913",
    "Ticket 2024 5567 8890 reopened; call me if it happens again",  # a phone word, but the number is a ticket's
    "Kundennummer 0171234567, bitte zurückrufen",
    "Request 2c104dda-9491-4595-9f89-23948b12682c returned 503",  # a UUID's groups
    "Population 620,626,008 (2020), area 21876 km²",
    "Deploy 12.19.178 to eu-west at 09:00",  # a version that splits like a local number
    "Upgraded Chrome to 120.0.6099.130 on my phone",  # a version beside a phone word
    "Mobile app 24.38.179 crashed 273 times on Android 14",
    "GET /api/v1/users/Ab3dK9xQ2mP7rT5wZ8yL/orders returns 404",  # a path with an id in it, not a key
    "Our mobile revenue was €12 345 678 last year",  # an amount beside a phone word
    "We reached 1 234 567 users on mobile",
    "Payment of $1,200.00 received for invoice 639049329019, thank you",  # Luhn-valid 12 digits, an invoice's
    "Zahlung für Rechnung 639049329019 erhalten",
    "Customer number 123456789 placed 4 orders",  # a valid SSN, labelled a customer number
    "SKU 914 36 537 is sold out",
    "Deploy 5.24.184 to Chevalier-sur-Descamps-60 at 00:27",  # a hyphenated place and a number: not a token
    "Invoice 2025/2453 from Abdi Andersson HB, due 2027-05-03",  # a company's legal form
    "Product name: Widget Pro; host name: Alpha Server",
    "Between 01.02.2025 - 31.12.2025 the phone line was down 3 times",
    "The API call for order 4815162342 times out; contact me if you need logs",
    "The label reads 4815162342. Call me tomorrow if it is wrong.",  # the phone word is the next sentence's
    "Entrega no CEP 01310-100, pedido 4815162342",  # Portuguese CEP is a postcode, not the Turkish "cep" (mobile)
    "whats up with the 4815162342 shipment, its been a week",  # chat "whats" is "what's", not WhatsApp
    "Kortet ble belastet 1 234 567 kr for abonnementet",  # a card word beside an amount
    "Teams-Meeting 845 1234 5678 um 10 Uhr",  # a compound's last part is the reference label
    "Service-Ticket 0171 2345678 abgeschlossen",
    # after the second blind set's first run, in other words than it used:
    "RMA 0171 2345678 approved, label attached",  # a return's number
    "İade 532 123 45 67 onaylandı",  # Turkish "return", before a number shaped like a Turkish mobile
    "Payment reference 4539578763621486 for the March invoice",  # 16 Luhn-valid digits after a reference label
    "Call no. 0171 2345678 lasted 4 min, resolved",  # a call-log record, not "call 0171 ..."
    "Entrega em 04538-132, São Paulo; retirada no 00434-000",  # a CEP's 5-3 shape, with 00 too
    # after the third blind set's misses were read, in other words than it used:
    "Appels traités aujourd'hui : 512 334 120, abandonnés : 41",  # "appels" counts calls, it announces no number
    "Kassenbon 0619-154136, Filiale 709, Summe 12,99 €",  # a receipt's number
    "Hotline stats: Ticket 0849 4725112 closed after 3 calls",  # both pieces of a labelled reference are its own
    "Assignee: Support Team\nReporter: Monitoring Bot\nUser-Agent: Mozilla/5.0",  # fields naming no person
    # after the fourth blind set's misses were read:
    "Dostava: broj narudžbe 0171 2345678, 3 paketa",  # an inflected reference word (narudžba)
    "Queue today: 48 orders, latest 415-555-0132, 3 refunds",  # one of the references the clause counts
    "Did you get my message? Order 4815162342 is still open",  # a question names nothing the reference answers
    "sku;ean;qty\nA17;0463478612;4",  # a column that is no phone's
    # after the fifth blind set's misses were read: the label names another number, in any words
    "Störungsnummer 206-523-4848 wurde geschlossen",  # a compound ending in a number word
    "Num. de série 415 555 0132 reparado",  # a label that starts with the number word
    "incident_ref: 44 12 35 67 89",  # a YAML key: "incident ref"
    "<TrackingCode>0576 4405459</TrackingCode>",  # an XML key: "tracking code"
    "Why did my order 83421746713 never arrive?",  # a possessive, but before a reference: a valid PESEL stays
    "identifiant de tâche 246484850695 en échec",  # "identifier" is any record's key, not an identity's
    "Runtime 58 min 164505234",  # "min" after a count is minutes, not the Nordic "my" (a valid BSN stays)
    # after the sixth blind set's misses were read: a label's shape, a table's column, a count
    "Wartungsauftrag 0171 2345678 erledigt",  # a compound ending in a reference word
    "Your booking number is 415 555 0132",  # the copula after a reference's number word
    "Referência de cobrança 4539578763621486 gerada",  # a reference word with its qualifier, then 16 Luhn digits
    "case,opened,team\n415-555-0132,09:12,billing",  # a cell of the column "case"
    "Campaign reached 412 334 120 subscribers on mobile",  # a count of people beside a phone word
    "Item no. 536-22-4170 fits the 2019 model",  # SSN-shaped, but a numbered item's label is right before it
    # the id's clause reaches 120 characters back, a possessive counts only in the last 60
    "Your order 8873662968 was split into 80 parcels for the move; the first one (230163975144) is out today",
    "Thanks!\nThe Support Team",  # a sign-off, then a team
    # after the seventh blind set's misses were read
    "Forklift truck for bay 12, lot 46044237 loaded",  # "truck" is not the Catalan "truca" (call)
    "GET /api/parcels/LX238512930DE HTTP/1.1 200",  # an absolute path's last segment, not a token
    "Refund for the order 415 555 0132 approved",  # no colon: the number is the order's
    "Tracking number for the order: 415 555 0132",  # the label's head noun is itself a reference
    'ticket = "44 12 35 67 89"',  # a quote may open the value after a reference label
    "Radni nalog 0171 2345678 zatvoren",  # a work order (Croatian)
    "Your return authorisation 189-477-9056 is approved",
    "SSCC 005635918865219088, 12 cartons",  # a GS1 shipping container code
    "owner: Platform Team\nstatus: open",  # a role field holding a team
    "Am 2. Dez. 2026 schrieb Ufficio Personale:\n> Hallo",  # an office, not a person
    # after the eighth blind set's misses were read
    "EDI: INVOIC message 8644263533 rejected, segment 12",  # "message" announces a phone only as "message me/at"
    "Meeting moved - dial-in ID 845 123 4567, passcode 99812",  # a conference's id, not a caller's
    "Sinistre n° 474 925 3803 – bris de glace",  # an insurance claim (French)
    "your case number is 415 555 0132, again: 415 555 0132",  # a repeat is what it was the first time
    "Idempotency-Key: 983780464275273481",  # Luhn-valid 18 digits, but no card network issues a 9...
    "sku,name\nA17,Steel Bracket",  # a bare "name" column: products have names too
    "Contacto telefónico do inquilino: ver abaixo",  # "inquilino" ends in "no" but is no number word
    "OrderId 0612 345 678 shipped",  # a camel-case compound with a short number word still names a reference
    "Meu pedido 912345678 chegou",  # a possessive, but before a reference label
    # after the ninth blind set's misses were read
    "Voucher batch 2129-2129-2129-2129 issued",  # 4-4-4-4 after a reference label, no check digit: no card
    "Where: room 4, dial-in 595 851 1546, PIN 2231",  # a conference's dial-in is the meeting's number
    "Your repair reference is 696.721.3353 - keep it",  # a reference noun with a copula
    "Zlecenie nr 919.225.9602 zakończone",  # a work order (Polish)
    # after the tenth blind set's misses were read
    "[10:02] Agent: what's the order number?\n[10:02] Caller: 0931 1324854",  # the answer to a reference question
    '=TEXT(A2; "000-000-0000")',  # a format, nobody's number
    "Queue 890-463-3974: 847 waiting",  # a call-centre queue's id
    "Billet n° 4, porte 12, rang 14, place 203",  # French "rang" is a row, not "rang (called)"
    "Numer zamówienia to 0283 8006873",  # a label that starts with its number word, then a copula
    # after the eleventh blind set's misses were read
    "Bot: Enter your booking reference.\nUser: 976 419 1967\nBot: Found it: 36 nights",  # the turn that asked
    "Customer: 44051401359\nStatus: open",  # a record's customer number: no one speaks in a record
    "Statement ref 8172 8172 8172 8172: 95 lines",  # one group repeated: a placeholder (and a reference)
    "Serial range 6296587162965871 to 6296587162965871 recalled",  # Luhn-valid, but one block twice
    "Meter point 1977204513889: reading 386 m³",  # Luhn-valid 13 digits, but only Visa's start with 4
    "Total 620,626,008 units",  # a grouped figure's tail is no new CSV cell
    "Rental agreement 268-675-8516: class C, fuel 8/8",
    "Rezerwacja 539.472.6277 potwierdzona",  # a reservation (Polish)
    "Verhuisopdracht 173-419-9828: 668 m³",  # a removal order (Dutch compound)
    "Person: Support Desk",  # a person field holding a desk
    "uid=702122627902 gid=100 groups=100",  # a software uid, Verhoeff-valid: only "UID no." names an Aadhaar
    "Please try 20240415 as the date",  # "try" is a weak cue: not before a compact date
    "Total 604140780 TRY paid",  # the lira's code in capitals is an amount's
    "Wrong job number on the van sheet, it's 510.590.6251, not 4753136644.",  # a correction names a reference
    # after the twelfth blind set's misses were read
    "Outage 0382 9163929: 7806 premises without power",  # a line's opening words, the number, a colon: a heading
    "Recall notice 135.567.2876: 8057 units, lot 71122998",
    "注文番号12345678は発送済みです。",  # an order number joined to Japanese
    "価格は1200円です。",
])
def test_leaves_references_and_quantities_alone(text):
    s = Scrubber()
    assert s.scrub(text) == text, s.hits


# Grouped in fours and Luhn-valid, from a range no card network issues (ISO/IEC 7812: a payment card's number starts
# with its network's IIN): a card only with a word about one; from a network's range, a card without one
@pytest.mark.parametrize("text, expected", [
    ("Router 8104 2267 3391 0052 shipped to the depot.", "Router 8104 2267 3391 0052 shipped to the depot."),
    ("Pallet tag 1007 3826 6150 9474, bay 4", "Pallet tag 1007 3826 6150 9474, bay 4"),
    ("Serial 0529 1836 4470 2132 registered", "Serial 0529 1836 4470 2132 registered"),
    ("9500-1726-4839-5112 printed on the crate", "9500-1726-4839-5112 printed on the crate"),
    ("Fuel card 7005 1234 5678 9015 was declined at the pump", "Fuel card <CARD> was declined at the pump"),
    ("Kraftstoffkarte 7005 1234 5678 9015 gesperrt", "Kraftstoffkarte <CARD> gesperrt"),
    ("Router 4539 1488 0343 6467 shipped to the depot.", "Router <CARD> shipped to the depot."),
    ("Booked on 5500-0055-5555-5559 yesterday", "Booked on <CARD> yesterday"),
])
def test_a_grouped_card_needs_a_network_s_range_or_a_word(text, expected):
    assert Scrubber(phone_context=False).scrub(text) == expected


# 12 or 13 digits written in groups of four like a card, Luhn-valid and from a network's range: a card without a word
# (a random 12-digit reference passes Luhn one time in ten, so ungrouped it still needs one)
@pytest.mark.parametrize("text, expected", [
    ("Two nights at the lodge 5412 7534 0019", "Two nights at the lodge <CARD>"),
    ("Cheese board 6011-7391-2358, thanks!", "Cheese board <CARD>, thanks!"),
    ("Two nights at the lodge 4930 7986 8307 8", "Two nights at the lodge <CARD>"),  # 13 digits, also a valid EAN
    ("Two nights at the lodge 4930798683078", "Two nights at the lodge 4930798683078"),  # ungrouped: a barcode
    ("Two nights at the lodge 541275340019", "Two nights at the lodge 541275340019"),  # ungrouped: needs a word
    ("Two nights at the lodge 7311 2045 8898", "Two nights at the lodge 7311 2045 8898"),  # no network's range
    ("Two nights at the lodge 5412 7534 0018", "Two nights at the lodge 5412 7534 0018"),  # Luhn fails
    ("Order 5412 7534 0019 shipped", "Order 5412 7534 0019 shipped"),  # a reference's label
])
def test_a_short_card_in_groups_of_four_needs_no_word(text, expected):
    assert Scrubber(phone_context=False).scrub(text) == expected


@pytest.mark.parametrize("text, expected", [
    # mod 97 holds, and stdnum's IBAN registry does not list the country: Iran's, the IBAN form of Argentine and
    # Thai accounts
    ("Pay to IBAN IR250077215473203093196542.", "Pay to IBAN <IBAN>."),
    ("Account AR68NSYM82047381247146522817", "Account <IBAN>"),
    ("Transfer to TH17 6749 6577 13 today", "Transfer to <IBAN> today"),
    # the same with a check digit off, a listed country's number that fails its format (a digit short), and a
    # code of the same shape from no country: they stay
    ("Account AR69NSYM82047381247146522817", "Account AR69NSYM82047381247146522817"),
    ("refund GB89IGJR8535530976522", "refund GB89IGJR8535530976522"),
    ("Part XQ40ABCD1234567890 shipped", "Part XQ40ABCD1234567890 shipped"),
    ("Pay to XQ40ABCD1234567890", "Pay to XQ40ABCD1234567890"),  # an account word, but no country "XQ"
    ("See patent US20210100043A1", "See patent US20210100043A1"),  # no account word: a publication number
])
def test_an_account_number_with_an_iban_checksum_goes(text, expected):
    assert Scrubber(detectors=("iban",)).scrub(text) == expected


@pytest.mark.parametrize("text, expected", [
    # "ID" as the whole label, validated by a scheme; Croatia's OIB, Greece's AMKA, Thailand's grouped citizen number
    ("ID: 78010496667", "ID: <NATIONAL_ID>"),
    ("Jan Nowak, ID 78010496667", "<PERSON>, ID <NATIONAL_ID>"),
    ("OIB: 21403579864", "OIB: <NATIONAL_ID>"),
    ("ΑΜΚΑ 25087714173", "ΑΜΚΑ <NATIONAL_ID>"),
    ("citizen no. 3-8303-45780-07-5 on file", "citizen no. <NATIONAL_ID> on file"),
    # a Chinese resident id whose check digit is X, and one with a wrong check digit
    ("身份证号：11010519491231002X", "身份证号：<NATIONAL_ID>"),
    ("我的身份证号是11010519491231002x，谢谢", "我的身份证号是<NATIONAL_ID>，谢谢"),
    ("身份证号：11010519491231003X", "身份证号：11010519491231003X"),
    # a check digit off, and the id of a thing
    ("ID: 78010496668", "ID: 78010496668"),
    ("Order ID: 78010496667", "Order ID: 78010496667"),
    # a bare "ID" before fewer than 11 digits: a record's (us.ssn takes 87% of 9-digit numbers), and a key's "id="
    ("ID: 244272509", "ID: 244272509"),
    ("status=open; id=78010496667", "status=open; id=78010496667"),
])
def test_more_national_ids_and_a_bare_id_label(text, expected):
    assert Scrubber(phone_context=False).scrub(text) == expected


@pytest.mark.parametrize("text, expected", [
    # two phones parted by one space: a run too long for one (E.164: 15 digits) that parts into two
    ("TEL 090 1234 5678 080 8765 4321", "TEL <PHONE> <PHONE>"),
    ("Tel: 555 123 4567 555 987 6543", "Tel: <PHONE> <PHONE>"),
    ("Phones: 020 7946 0958 020 7946 0123", "Phones: <PHONE> <PHONE>"),
    ("Tel: 0171 2345678  030 12345678", "Tel: <PHONE>  <PHONE>"),  # the gap between them stays as written
    # ... not a long reference, nor two parts that are no phones, nor a run with no phone word in its clause
    ("Serial 090 1234 5678 080 8765 4321", "Serial 090 1234 5678 080 8765 4321"),
    ("Lottery numbers 07 12 19 23 34 41 02 09 15 22 30 44", "Lottery numbers 07 12 19 23 34 41 02 09 15 22 30 44"),
    ("Payload: 12 34 56 78 90 12 34 56 78 90", "Payload: 12 34 56 78 90 12 34 56 78 90"),
    ("Tel: 000 000 0000 000 000 0000", "Tel: 000 000 0000 000 000 0000"),
])
def test_two_phones_side_by_side_go_one_by_one(text, expected):
    assert Scrubber(phone_context=False).scrub(text) == expected
