"""A second blind set for the PII benchmark: templates, id labels and clean texts written without sight of the detector.

Written on 2026-12-03 by a helper that never opened the detector's code, its word lists, its tests, its docs or
the project's history; it read only pii_recall.py, pii_heldout.py and pii_blind.py, to learn the shapes the
benchmark expects (template dicts keyed by kind, {v}/{name}/{label}/{city}/{amount} placeholders, a label per
locale, clean templates filled by pii_heldout.fill_clean), and wrote new sentences, cue words and labels.
It exists because the first blind set, pii_blind.py, stopped being blind: its misses were read after its first
run. The texts imitate customer-support messages, e-mails, Outlook headers, chat and SMS shorthand, form dumps,
key=value logs, CRM and call-centre notes, quoted replies, | tables and signatures, in English, German, French,
Spanish, Italian, Dutch, Portuguese, Polish, Swedish, Norwegian, Danish, Finnish, Turkish, Czech, Romanian,
Hungarian and Greek (Latin transliteration). Some are hard on purpose (value before its cue, the cue in a table
header or a previous line, a log line), but in each planted text a careful human reader would see that {v} is
that kind of personal data. The clean texts hold no personal data, only business numbers, several of them
lookalikes: phone-like reference groupings, 11- and 12-digit references, 16-digit payment references, dial-in
ids, Belgian structured communications, Norwegian KID, Swedish OCR and bankgiro, Czech variable symbols.

Do not tune the detector on this set. It is blind only while its misses stay unread: once anyone reads its
misses and changes the detector in response, say so here (date and what was read), and have another blind set
written by someone who has not seen the detector.

Read on 2026-12-03, after its first run (figures in docs/facts.md "PII recall"): its
altered clean texts and its misses were read then, and the detector changed in response (returns, Turkish
orders, call-log records, payment references and CEPs as references; "...nr" abbreviations and dotted
acronyms of id names; more phone, card and sign-off words). So it is no longer blind; pii_blind3.py is the
next blind set.

Shapes as T_BLIND, LABELS_BLIND, CLEAN_BLIND in pii_blind.py: T_BLIND2 (kind -> templates), LABELS_BLIND2
(locale -> the national id's name as written there), CLEAN_BLIND2 (templates for pii_heldout.fill_clean).
"""

# Per kind: {v} the value, {name} a person ("First Last"), {label} the national id's name in the value's
# locale (LABELS_BLIND2), {city} a city, {amount} a sum such as "420 EUR".
T_BLIND2 = {
    "phone": [
        "Kannst du mich kurz zurückrufen? Bin unter {v} erreichbar, Festnetz spinnt gerade.",
        "Viele Grüße aus dem Lager\n{name}\nFon: {v}",
        "slt c moi, mon num a changé : {v} , enregistre-le stp",
        "Si hay algún problema con la entrega, mi teléfono de contacto es el {v}.",
        "Mi può richiamare al {v}? Sono in ufficio fino alle sei.",
        "Mijn 06 is veranderd, nieuw nummer: {v}",
        "Meu número pra contato é {v}, pode ligar a qualquer hora.",
        "Numer telefonu kontaktowego: {v} - proszę nie dzwonić przed 9.",
        "Jag nås bäst på mobilen, {v}, efter klockan tre.",
        "Du er velkommen til at sende en sms til {v}, hvis der er spørgsmål.",
        "Tavoitat minut parhaiten numerosta {v}.",
        "Vă rog să mă sunați la numărul {v} pentru confirmarea livrării.",
        "Telefonszámom: {v}, délután bármikor hívható vagyok.",
        "Kaleste me sto kinito mou {v} otan ftasei o kourieris.",
        "Moje číslo na mobil je {v}, klidně pište i SMS.",
        "Kurye beni {v} numaralı telefondan arayabilir.",
        "Caller ID showed {v}; customer confirmed it is her own mobile and asked for a callback tomorrow.",
        "| Contact | Phone |\n|---|---|\n| {name} | {v} |",
        "{v} <- that's my home landline, use it if the mobile goes straight to voicemail",
        '{{"contact_phone": "{v}", "preferred_time": "evening", "consent_sms": true}}',
    ],
    "national_id": [
        "Für den Mietvertrag brauchen Sie ja noch meine {label} - die lautet {v}.",
        "Angaben zur Person\n{label} ........ {v}\nWohnort ........ {city}",
        "Je vous transmets mon {label} ({v}) pour la mise à jour de mon dossier.",
        "{v} → ese es mi {label}, el que tenéis está mal escrito.",
        "Buongiorno, nel modulo ho sbagliato il {label}: quello giusto è {v}.",
        "Mijn {label} staat verkeerd in jullie systeem, het juiste is {v}.",
        "Na nota fiscal saiu o {label} errado, o certo é {v}.",
        "W formularzu wpisałam zły {label}, prawidłowy to {v}.",
        "Här kommer mitt {label} som ni bad om: {v}",
        "Mit {label} er {v} - ring endelig, hvis der mangler noget.",
        "Hakijan tiedot: {name}, {label} {v}",
        "Vă trimit {label} meu, conform solicitării: {v}",
        "Kérem javítani a rendszerben, a {label} helyesen: {v}",
        "O {label} mou einai {v}, parakalo elegxte to.",
        "{label} žadatele: {v}",
        "Başvuru formunda {label} alanına {v} yazdım ama sistem kabul etmiyor.",
        "Legger ved {label}: {v}. Gi beskjed om dere trenger noe mer.",
        "Verified caller via {label} {v} + date of birth, ok to discuss the account.",
        "| Employee | {label} | Start |\n|---|---|---|\n| {name} | {v} | 01/02 |",
        "do u still need my {label}?? its {v}",
    ],
    "national_id_unlabelled": [
        "Numer identyfikacyjny klienta: {v} ({name})",
        "Insured person: {name}, identity no. {v}, resident of {city}",
        "Codice identificativo personale dell'intestatario: {v}",
        "Henkilön tunniste: {v} ({name}, {city})",
        "Número de identidad del titular de la cuenta: {v}",
        "Personligt identitetsnummer för {name}: {v}",
    ],
    "card": [
        "Die Buchung lief über meine Kreditkarte, Nummer {v} - bitte stornieren.",
        "Le prélèvement sur ma carte Visa {v} apparaît deux fois sur mon relevé.",
        "Datos de pago → tarjeta: {v}, caducidad 05/29",
        "Numero carta {v} - scadenza 10/27 - intestata a {name}",
        "Kunnen jullie de afschrijving op mijn Mastercard ({v}) terugdraaien?",
        "Troquei de cartão, o novo é {v}, validade 04/30.",
        "Zapłaciłem kartą debetową {v}, a zamówienie dalej jest nieopłacone.",
        "Mitt Visakort {v} har dragits två gånger för samma beställning.",
        "Betalingskort: {v} (udløber 11/28)",
        "Maksoin kortilla {v}, mutta tilaus näkyy yhä maksamattomana.",
        "Am plătit cu cardul {v} și banii au fost retrași de două ori.",
        "A bankkártyám száma {v}, erről vonták le kétszer az összeget.",
        "Plirosa me tin karta {v} alla i paraggelia den exei ftasei akoma.",
        "Číslo karty: {v}, platnost do 09/27",
        "Kart numaram {v}, son kullanma tarihi 03/29.",
        "Jeg betalte med bankkortet mitt, {v}, men fikk feilmelding i kassen.",
        "CALL NOTES 14:02 - cust read out card {v} over the phone (should NOT have), advised to cancel & reissue",
        "ok here's the card: {v} exp 1/29 - pls just push the payment through",
        "payment_method=card; pan={v}; exp=2028-06; cvv=***",
        "| Date | Card used | Amount |\n|---|---|---|\n| 02.11. | {v} | {amount} |",
    ],
    "iban": [
        "Bankverbindung für die Rückzahlung der {amount}: {v}, Inhaber {name}",
        "Vous pouvez me rembourser sur mon compte : {v}",
        "Cuenta del titular {name} para el reembolso: {v}",
        "Conto per l'accredito: {v}",
        "Rekeningnummer voor de terugbetaling van {amount}: {v}",
        "Konto do zwrotu: {v} (właściciel: {name})",
        "Kontonummer för återbetalningen: {v}",
        "Palautus tilille {v}, saaja {name}, kiitos.",
        "Vă rog să returnați {amount} în contul {v}.",
        "Hesap: {v} / Alıcı: {name}",
    ],
    "email": [
        "Meine neue Mailadresse ist {v}, die alte gibt's nicht mehr.",
        "écrivez-moi plutôt sur {v}, je ne lis plus l'autre",
        "Mándame el presupuesto a {v} porfa",
        "Il mio indirizzo di posta è {v}.",
        "Van: {name} [{v}]\nVerzonden: dinsdag 4 maart 2025 09:41",
        "E-mailadresse: {v}",
        "Adresa mea de e-mail: {v}",
        "E-mail címem: {v}",
        'From: "{name}" <{v}>\nSubject: Re: invoice overdue',
        "Můj e-mail je {v}.",
    ],
    "ip": [
        "Seit heute früh komme ich von {v} aus nicht mehr ins Portal.",
        "adresse IP de mon bureau : {v} (fixe)",
        "L'IP del mio router è {v}, potete sbloccarla?",
        "Mijn thuis-IP is {v}, zet die maar op de whitelist.",
        "Failed password for admin from {v} port 51422 ssh2",
        "Min IP-adresse er {v}.",
        "Mój adres IP to {v}, dostęp jest zablokowany.",
        "Moje IP adresa: {v}",
        "client_ip={v} status=403 path=/account/settings",
    ],
    "secret": [
        "Der API-Key {v} ist in einem öffentlichen Gist aufgetaucht, bitte sofort sperren.",
        "Voici le jeton d'accès que j'utilise : {v}",
        "Llevo toda la mañana con el token {v} y sigue dando 401.",
        "Ho rigenerato la chiave, quella nuova è {v}.",
        'curl -s -H "X-Api-Key: {v}" https://api.example.org/v2/orders',
        "SECRET_TOKEN = '{v}'  # TODO move to vault",
        "Mijn toegangssleutel {v} werkt niet meer na de update.",
        "Klucz API: {v} - proszę go unieważnić.",
        "Gizli anahtar: {v}",
    ],
    "credential": [
        "Das Backup-Skript verbindet sich mit {v} und bricht nach 30 s ab.",
        "Lien d'accès envoyé par le support : {v}",
        "Esta es la cadena de conexión que uso: {v}",
        "Stringa di connessione del gestionale: {v}",
        "Kun je {v} even checken? Ik krijg een timeout.",
        "Raportin osoite: {v}",
        "[database]\nurl = {v}",
        "Odkaz na export: {v}",
        "docker run -e DB_URL={v} app:latest",
    ],
    "person": [
        "Beste Grüße\n{name}\nTeamleitung Vertrieb",
        "Bien à vous,\n{name}",
        "Saludos cordiales\n{name}\nDpto. de Compras",
        "Un caro saluto,\n{name}",
        "Groetjes,\n{name}",
        "Abraços,\n{name}",
        "Pozdrawiam serdecznie\n{name}",
        "Hilsen\n{name}",
        "Parhain terveisin\n{name}",
        "Cu stimă,\n{name}",
        "Üdvözlettel:\n{name}",
        "Me ektimisi,\n{name}",
        "S přátelským pozdravem\n{name}",
        "İyi çalışmalar,\n{name}",
        "Kundin {name} hat heute wegen der Rücksendung angerufen, Rückruf bis Freitag zugesagt.",
        "Technicien passé chez {name} ce matin, la box fonctionne de nouveau.",
        "Tengo cita con {name} el jueves para revisar el contrato.",
        "| Name | Role |\n|---|---|\n| {name} | key account contact |",
        "lol {name} just hit reply-all to the whole company again",
        "-- \n{name} | Customer Success\nSent from Outlook for iOS",
    ],
}

# The national id's name as people in each locale also write it: not a label used in pii_recall.py's
# ID_LABELS, pii_heldout.py's LABELS or LABELS_FRESH, or pii_blind.py's LABELS_BLIND.
LABELS_BLIND2 = {"en_US": "Soc. Sec. #", "en_GB": "Nat Ins no.", "de_DE": "Steuer-Identnummer",
                 "fr_FR": "numéro d'assuré social", "es_ES": "Documento Nacional de Identidad", "it_IT": "Cod. Fisc.",
                 "nl_NL": "burgerservicenr.", "pt_BR": "C.P.F.", "pl_PL": "PESEL nr", "sv_SE": "p-nr",
                 "en_IN": "Aadhar No.", "en_CA": "Social Insurance No.", "de_CH": "Sozialversicherungsnummer",
                 "fi_FI": "sosiaaliturvatunnus", "es_MX": "número CURP", "no_NO": "fnr."}

# Clean business texts: no personal data, many numbers, some of them phone-, card- or id-like.
# Placeholders are pii_heldout.fill_clean's.
CLEAN_BLIND2 = [
    "Rechnung Nr. {year}/{n4}\nKundennr.: {n10z}\nLieferung an PLZ {n5} am {date_fr}\nGesamt: {eur_de} €",
    "Votre commande n° {n9} sera livrée le {date_fr} entre {time} et {time2}. Référence de paiement : {n12}.",
    "Pedido {grp} · {n2} artículos · total {eur_de} € · CP de entrega {n5}",
    'Bonifico ricevuto: causale "Fattura {n4}/{year}", CRO {n11}, importo {eur_de} €.',
    "Betalingskenmerk {n4}{n12} voor factuur {n8}, graag binnen {n2} dagen voldoen.",
    "Gestructureerde mededeling: +++{n3}/{n4}/{n5}+++ - bedrag {eur_de} EUR",
    "Faktura nr {n7} - termin płatności {date_fr}, tytuł przelewu: {n10z}.",
    "Ordrebekræftelse {n8}: {n2} varer, levering til postnr. {n4}, forventet {date_fr}.",
    "Tilausvahvistus {n9}: toimitus postinumeroon {n5}, viitenumero {n10z}, eräpäivä {date_fr}.",
    "KID for fakturaen er {n11}. Beløp {eur_de} kr, forfall {date_fr}.",
    "Bankgiro {n3}-{n4} · OCR {n12} · att betala {eur_de} kr senast {date_fr}",
    "Sipariş {grp} kargoya verildi; takip no {track}, tahmini teslim {date_fr}.",
    "Objednávka {n9}, variabilní symbol {n10z}, PSČ doručení {n5}, celkem {eur_de} Kč.",
    "Factura {n8} din {date_fr}, cod client {n7}, total de plată {eur_de} lei.",
    "Számla sorszáma: {year}/{n6}, fizetési határidő {date_fr}, végösszeg {eur_de} Ft.",
    "Ar. paraggelias {n9}, apostoli me kodiko {track}, synolo {eur_de} EUR.",
    "Ticket #{n7} | prio 2 | opened {date_fr} {time} | SLA breach at {time2}",
    "Meeting moved to {date_fr} at {time} CET - dial-in ID {zoom} #, passcode {n6}.",
    "Release notes {ver}: fixed crash on build {build}; min. Chrome {chrome}; kernel {kver} supported.",
    "Wire ref {n12} / MT103 / value date {date_fr} / amount {amount}",
    "Chiamata n. {n10} in coda alle {time}, durata {n2} min, esito: risolto.",
    "SKU {n3}-{n4}-{n2} | EAN {gtin} | on hand {big} units",
    "Retoure {grp} eingegangen am {date_fr}, Gutschrift über {eur_de} € folgt in {n2} Werktagen.",
    "Pedido {n10} saiu para entrega, CEP de destino {n5}-000, boleto {n12} vence em {date_fr}.",
    "Total ₹{inr} against invoice {n12}, due {date_fr}.",
    "> Wann kommt die Palette?\nAvis {n8}: Anlieferung {date_fr}, {time}-{time2} Uhr, Tor {n2}, Preis CHF {chf}.",
    "| Order | Date | Amount |\n|---|---|---|\n| {n9} | {date_fr} | {eur_de} € |\n| {n10} | {date_fr} | {amount} |",
    "Standort-Check {lat}, {lon}: Lagerfläche {big} m², Version {ver2} der Pickliste.",
]
