"""A blind set for the PII benchmark: templates, id labels and clean texts written without sight of the detector.

Written on 2026-12-03 by a helper that never opened the detector's code, its word lists, its tests or its
docs; it read only pii_recall.py and pii_heldout.py, to learn the shapes the benchmark expects (template
dicts keyed by kind, {v}/{name}/{label}/{city}/{amount} placeholders, a label per locale, clean templates
filled by pii_heldout.fill_clean). The sentences and cue words are new: they imitate how customer-support
messages, e-mails, chat lines, form dumps, CRM notes, quoted replies and signatures are written in English,
German, French, Spanish, Italian, Dutch, Portuguese, Polish, Swedish, Norwegian, Danish, Finnish, Turkish
and Czech, colloquial cues included ("me chama no zap", "puh.", "cc#", "sotu"). Some texts are hard on
purpose (a weak cue, the value before its cue, a value inside a log line), but in each planted text a careful
human reader would see that {v} is that kind of personal data; each clean text holds none.

Do not tune the detector on this set. It is blind only while its misses stay unread: once anyone reads its
misses and changes the detector in response, say so here (date and what was read), and write another blind
set by someone who has not seen the detector.

Read on 2026-12-03, after its first run: that run's figures are in docs/facts.md "PII recall" (its later ones
in docs/pii-benchmark-history.md); its misses and altered clean texts were read then, and the detector changed
in response (the hyphenated "Zoom-Meeting" reference, lower-case signature labels, sign-offs in more languages,
"cc#", "ID-Nr."). So it is no longer blind; pii_blind2.py is the next blind set.

Shapes as T_FRESH, LABELS_FRESH, CLEAN_FRESH in pii_heldout.py: T_BLIND (kind -> templates), LABELS_BLIND
(locale -> the national id's name as written there), CLEAN_BLIND (templates for pii_heldout.fill_clean).
"""

# Per kind: {v} the value, {name} a person ("First Last"), {label} the national id's name in the value's
# locale (LABELS_BLIND), {city} a city, {amount} a sum such as "420 EUR".
T_BLIND = {
    "phone": [
        "Tagsüber bitte im Büro anrufen, Durchwahl {v}.",
        "{v} - das ist meine neue Nummer, die alte bitte löschen.",
        "Vous pouvez m'appeler sur mon portable au {v} après 18h.",
        "tél. portable : {v}",
        "Llámame al móvil cuando llegue el repartidor: {v}",
        "Il numero del telefonino è cambiato, ora è {v}.",
        "Bel me even op {v}, dan leg ik het uit.",
        "me chama no zap: {v}",
        "Proszę dzwonić na komórkę {v} po południu.",
        "Du kan nå meg på {v} hele dagen.",
        "Ring gerne på {v}, jeg er hjemme i eftermiddag.",
        "{name}\nAsiakaspalvelu\npuh. {v}",
        "Cep telefonum {v}, lütfen akşam arayın.",
        "Můžete mi prosím zavolat na {v}?",
        "missed ur call - this is my cell {v}, txt me when ur free",
        "--\n{name}\nHead of Procurement\nm: {v} | w: see portal",
        "> Could you share a number we can call you on?\nSure, {v}, any time before noon.",
        "Contact No.: {v} (WhatsApp as well)",
        "There's a voicemail from {v} on the shared line, the caller wants a callback about the refund.",
    ],
    "national_id": [
        "Anbei wie gewünscht meine {label}: {v}",
        "{label} : {v} (copie recto-verso en pièce jointe)",
        "Te paso mi {label}, es el {v}.",
        "Come richiesto, le comunico il {label}: {v}.",
        "Graag aanpassen in jullie systeem: {label} moet {v} zijn.",
        "Informo abaixo o meu {label}: {v}",
        "Podaję {label} do umowy: {v}",
        "{label}: {v}\nAdress: {city}",
        "Mitt {label} er {v}, resten står i søknaden.",
        "Oma {label}: {v}",
        "{label}: {v} (kimlik kartımdaki bilgi)",
        "Name: {name}\n{label}: {v}\nCity: {city}",
        "{v} - this is the {label} you asked for on the phone",
        "Your portal won't accept my {label} ({v}), tried three times.",
        "hi, quick one: is {v} the {label} you have on file for me?",
        "Uvádím {label} pro ověření: {v}",
        "CRM note: {name}, {label} {v}, requested a copy of all stored data.",
    ],
    "national_id_unlabelled": [
        "Personal ID number for the lease contract: {v}",
        "Ausweisdaten des Mieters: {name}, ID-Nr. {v}, wohnhaft in {city}",
        "Numéro d'identification du titulaire : {v}",
        "Número de identificación del paciente: {v}",
        "Identiteitsnummer van de aanvrager: {v} ({name})",
        "Kimlik numaram {v}, adım {name}.",
    ],
    "card": [
        "Abgebucht wurde von meiner Mastercard {v}, obwohl ich Rechnung gewählt hatte.",
        "CB n° {v} - j'ai été débité deux fois pour la même commande.",
        "Pagué con la tarjeta de débito {v} y el pedido sigue pendiente.",
        "Ho pagato con la carta di credito {v}, potete verificare?",
        "Ik heb met mijn creditcard {v} betaald maar de bestelling staat nog open.",
        "Paguei no cartão de crédito {v} em 3x sem juros.",
        "Karta kredytowa: {v}, ważna do 12/27.",
        "Jag betalade med kreditkort {v} men fick inget kvitto.",
        "Luottokortti {v} hylättiin maksussa.",
        "Kredi kartımdan ({v}) iki kez çekim yapıldı.",
        "Platba kartou {v} neprošla, zkusím to znovu zítra.",
        "Card no. {v} - exp 02/30 - CVV by phone only",
        "{name}, Amex {v}, billing address unchanged",
        "Can you move the subscription to {v}? The old card expired last week.",
        "cc#: {v}",
        "Payment method\nType: credit card\nNumber: {v}\nExpiry: 07/28",
        "Kortet {v} ble belastet to ganger.",
    ],
    "iban": [
        "Bitte die {amount} auf mein Konto {v} erstatten.",
        "Coordonnées bancaires : {v} (titulaire : {name})",
        "Número de cuenta para la devolución: {v}",
        "Le coordinate per il bonifico sono {v}.",
        "Graag terugstorten op {v}.",
        "Dados bancários para reembolso: {v}",
        "Proszę o zwrot na rachunek {v}.",
        "Tilinumero: {v}",
        "IBAN numaram {v}, alıcı {name}",
    ],
    "email": [
        "Bitte die Rechnung an {v} schicken, nicht an die alte Adresse.",
        "Courriel : {v}",
        "Mi correo electrónico nuevo es {v}.",
        "Potete rispondere a {v}? L'altra casella è piena.",
        "Stuur het maar naar {v}, die lees ik dagelijks.",
        "Skriv til meg på {v}",
        "Sähköposti: {v}",
        "On Mon, 3 Mar at 10:12, {name} <{v}> wrote:",
        "e-posta adresim {v}",
        "mailto:{v}",
    ],
    "ip": [
        "Eure Firewall blockt mich, meine IP-Adresse lautet {v}.",
        '{v} - - [03/Mar/2026:10:12:44 +0000] "GET /login HTTP/1.1" 401',
        "X-Forwarded-For: {v}",
        "Mon adresse IP publique est {v}, pouvez-vous la débloquer ?",
        "Intento conectarme desde {v} y me da timeout.",
        "IP-adres thuis: {v}",
        "Kotiverkon IP-osoite on {v}.",
        "IP adresim {v}, erişim engellendi diyor.",
        "Přihlášení z {v} - to jsem nebyl já!",
    ],
    "secret": [
        "Hier der Schlüssel aus dem Dashboard: {v} - geht trotzdem nicht.",
        "clé secrète : {v}",
        "Le pasé la clave de API {v} al proveedor, ¿hay que rotarla?",
        "La chiave {v} risulta revocata da ieri.",
        "STRIPE_SECRET_KEY={v}",
        "headers = {{'Authorization': 'token {v}'}}",
        'api_key: "{v}"  # prod, do not commit',
        "oops, committed {v} to the public repo - can you revoke it?",
        "Minha chave de acesso é {v}",
    ],
    "credential": [
        "Lokal klappt die Verbindung, aber mit {v} auf dem Server nicht.",
        "URL de connexion : {v}",
        "Pegué {v} en el navegador y sale un error.",
        "Il job notturno legge da {v}",
        "Deze link werkt niet meer: {v}",
        "Link do raportu: {v}",
        "Bağlantı adresi: {v}",
        "env:\n  SOURCE_URL: {v}",
    ],
    "person": [
        "Mit freundlichen Grüßen\n\n{name}\nBuchhaltung",
        "Cordialement,\n{name}",
        "Un saludo,\n{name}",
        "Cordiali saluti\n{name}",
        "Met vriendelijke groet,\n{name}",
        "Atenciosamente,\n{name}",
        "Z poważaniem\n{name}",
        "Med vänliga hälsningar\n{name}",
        "Venlig hilsen\n{name}",
        "Saygılarımla,\n{name}",
        "S pozdravem\n{name}",
        "Cheers,\n{name}\n--\nSent from my phone",
        "Ansprechpartnerin beim Kunden ist {name}.",
        "{name} here - quick question about my plan.",
        "Ad Soyad: {name}",
        "Jméno a příjmení: {name}",
        "Nimi: {name}\nTilausnumero löytyy liitteestä.",
        "> {name} wrote:\n> Is the invoice ready?\nYes, attached.",
        "Note: {name} called twice today, unhappy with the delay.",
    ],
}

# The national id's name as people in each locale also write it: not a label used in pii_recall.py's
# ID_LABELS, pii_heldout.py's LABELS or LABELS_FRESH.
LABELS_BLIND = {"en_US": "Social Security no.", "en_GB": "NI No.", "de_DE": "Steuer-IdNr.", "fr_FR": "n° de sécu",
                "es_ES": "n.º de DNI", "it_IT": "cod. fiscale", "nl_NL": "sofinummer", "pt_BR": "CPF/MF",
                "pl_PL": "numer ewidencyjny PESEL", "sv_SE": "pers.nr", "en_IN": "Aadhaar card number",
                "en_CA": "SIN number", "de_CH": "AHV-Versichertennummer", "fi_FI": "sotu",
                "es_MX": "Clave Única de Registro de Población", "no_NO": "fødselsnr."}

# Clean business texts: no personal data, many numbers. Placeholders are pii_heldout.fill_clean's.
CLEAN_BLIND = [
    "Rechnungsnr. {year}-{n6} vom {date_fr}: Gesamtbetrag {eur_de} € inkl. MwSt., zahlbar binnen {n2} Tagen.",
    "Your order {n10} was split into {n2} parcels; the first one ({track}) is out for delivery.",
    "Facture {n8} réglée le {date_fr} - reste à payer : {eur_de} €.",
    "Nº de pedido {n9} · importe {eur_de} € · entrega prevista el {date_fr} entre las {time} y las {time2}.",
    "Ordine n. {n7} evaso il {date_fr}, DDT {n5}/{year}, colli {n2}.",
    "Pakket {track} ligt klaar bij het afhaalpunt tot {date_fr}.",
    "Nota fiscal {n9}, série {n3}, emitida em {date_fr}, valor R$ {eur_de}.",
    "Faktura VAT nr {n4}/{year}/FV z dnia {date_fr}, do zapłaty {eur_de} zł.",
    "Faktura {n8} förfaller {date_fr}; OCR-nummer {n12}.",
    "Ordren {n9} er sendt {date_fr}, sporingsnummer {track}.",
    "Lasku {n7}, eräpäivä {date_fr}, summa {eur_de} €, viitenumero {n10z}.",
    "Sipariş no {n9}, kargo takip no {track}, tutar {eur_de} TL.",
    "Objednávka č. {n8} ze dne {date_fr}, celkem {eur_de} Kč.",
    "Vorgangsnummer {grp} bitte bei jeder Antwort angeben.",
    "v{ver} -> v{ver2}: startup went from {n3} ms to {n2} s on build {build}.",
    "User agent Chrome/{chrome} on kernel {kver}, app {ver}.",
    "Inventaire du {date_fr} : GTIN {gtin}, {n3} unités en stock, lot {n8}.",
    "Zoom-Meeting {zoom}, Kenncode {n6}, Beginn {time}.",
    "Preis CHF {chf} pro Stück, Artikel-Nr. {n7}, Mindestmenge {n2}.",
    "Total payable ₹{inr} against PO {n10} (GST included).",
    "Monthly active users: {big}; churn {n2}% in {year}.",
    "Site survey at {lat}, {lon}: {n3} m altitude, {n2} antennas planned.",
    "Kunde rief um {time} wegen Bestellung {n9} an, Vorgang {n11} angelegt.",
    "Payment of {amount} received on {date_fr}, transaction {n12}, invoice {n10b}.",
    "Ref: {n10z} | Status: shipped | Qty: {n2} | Amount: {amount}",
    "Re: order {grp}\n> When will it ship?\nIt leaves the warehouse on {date_fr}.",
]
