"""A third blind set for the PII benchmark: templates, id labels and clean texts written without sight of the detector.

Written on 2026-12-03 by a helper that never opened the detector's code, its word lists, its tests, its docs or
the project's history; it read only pii_recall.py, pii_heldout.py, pii_blind.py and pii_blind2.py, to learn the
shapes the benchmark expects (template dicts keyed by kind, {v}/{name}/{label}/{city}/{amount} placeholders, a
label per locale, clean templates filled by pii_heldout.fill_clean), and wrote new sentences, cue words and
labels. The texts imitate customer-support messages, e-mails and mail headers, chat and SMS shorthand, form
dumps, config and log lines, CRM and call-centre notes and signatures, in English, German, French, Spanish,
Italian, Dutch, Portuguese, Polish, Swedish, Norwegian, Danish, Finnish, Turkish, Czech, Slovak, Romanian,
Hungarian and Croatian. In each planted text a careful human reader would see that {v} is that kind of
personal data. The clean texts hold no personal data, only business numbers, many of them lookalikes:
return (RMA) and credit-note numbers, call-centre statistics and call ids, warehouse bin and stock counts,
bookkeeping vouchers and accounts, RF creditor references, postcodes, phone-like ticket groupings, meeting
ids, log ids, tracking and waybill numbers.

Do not tune the detector on this set. It is blind only while its misses stay unread: once anyone reads its
misses (or its altered clean texts) and changes the detector in response, say so here (date and what was
read), and have another blind set written by someone who has not seen the detector.

Read on 2026-12-03 (evening), so no longer blind: its misses and altered clean texts (40 of each kind) were
printed and the detector changed in response: phone words in Croatian, Slovak, Hungarian and Turkish and "direct
line"; an identifier's name read across a semicolon; Czech/Slovak/Croatian/Hungarian/Dutch "personal
identification number" words; Finnish "kortti" forms; more sign-offs and ticket fields ("Assignee:"); "appels"
(a count of calls) no longer a phone word; "Kassenbon"/"Beleg"/"Filiale" as references; the pieces of a labelled
reference stay the reference's. Its first run is in README "PII" and docs/facts.md "PII recall". pii_blind4.py
is the unread set now.

Shapes as T_BLIND2, LABELS_BLIND2, CLEAN_BLIND2 in pii_blind2.py: T_BLIND3 (kind -> templates), LABELS_BLIND3
(locale -> the national id's name as written there), CLEAN_BLIND3 (templates for pii_heldout.fill_clean).
"""

# Per kind: {v} the value, {name} a person ("First Last"), {label} the national id's name in the value's
# locale (LABELS_BLIND3), {city} a city, {amount} a sum such as "420 EUR".
T_BLIND3 = {
    "phone": [
        "Ich bin diese Woche nur im Homeoffice, also am besten direkt aufs Handy: {v}",
        "Kontaktformular\nName: {name}\nTelefon (tagsüber): {v}\nAnliegen: Reklamation Waschmaschine",
        "Bonjour, pour le devis vous pouvez me joindre en fin de journée, mon numéro perso c'est le {v}.",
        "Ya te pasé mi móvil por privado pero por si acaso: {v}",
        "Sono io il referente per la consegna, cellulare {v}, citofono scala B.",
        "Als de monteur eerder kan komen, graag even bellen naar {v}.",
        "Tenta me ligar no fixo, {v}, o celular tá sem sinal aqui em casa.",
        "Kurier może dzwonić na {v}, będę w domu od 15:00.",
        "Sms:a gärna till {v} när bilen är klar för hämtning.",
        "Nytt mobilnummer fra og med i dag: {v} - det gamle er sagt opp.",
        "Ring til mig på {v}, jeg tager den også i weekenden.",
        "Hei, soitatko takaisin kun ehdit? Numeroni on {v}.",
        "Bana {v} numarasından ulaşabilirsiniz, akşamları da açığım.",
        "Kdyby cokoliv, volejte na {v}, jsem k zastižení celý den.",
        "Telefonul meu de acasă este {v}, vă rog sunați după ora 18.",
        "Hívjon nyugodtan a {v} telefonszámon, egész nap elérhető vagyok.",
        "Molim vas nazovite me na broj {v} kad dostavljač krene.",
        "Moje telefónne číslo je {v}, volajte prosím poobede.",
        "hey it's {name}, got a new phone, save this one: {v} 👍",
        "Callback requested - best number for the customer is {v}, prefers mornings before 10.",
        "{name}\nOffice Manager\nDirect line {v}\nPlease consider the environment before printing this e-mail.",
    ],
    "national_id": [
        "Hier noch die fehlende Angabe für den Antrag: {label} {v}. Den Rest haben Sie ja schon.",
        "Suite à votre courrier du mois dernier, je vous confirme mon {label} : {v}.",
        "Para darme de alta en la mutua me piden el {label}; es el {v}.",
        "Il {label} giusto dell'intestatario è {v}, quello stampato sulla bolletta è sbagliato.",
        "Bij de aanvraag was ik mijn {label} vergeten, bij deze: {v}",
        "Preciso atualizar meu cadastro, segue {label}: {v}",
        "Proszę o poprawienie moich danych w umowie, {label}: {v}",
        "Mitt {label} är {v} om ni behöver det för kreditprövningen.",
        "Oppgir {label} som avtalt på telefonen i går: {v}",
        "Her er mit {label} til lønsedlen: {v}",
        "Asiakkaan {label} on {v}, tarkistettu kuvallisesta henkilökortista.",
        "{label} bilgim {v}, sözleşmeye eklenmesi gerekiyormuş.",
        "Zasílám {label}, jak jste po mně chtěli: {v}",
        "Am completat greșit {label} în formular, cel corect este {v}.",
        "A munkaszerződéshez szükséges {label}: {v}",
        "Moj {label} je {v}, molim vas ažurirajte podatke.",
        "Na overenie totožnosti uvádzam {label}: {v}",
        "ID check passed - {name}, {label} {v}, date of birth matches the file.",
        "Payroll onboarding\nFull name: {name}\n{label}: {v}\nStart date: Monday",
        "sorry forgot to put it in the form earlier, my {label} is {v}",
    ],
    "national_id_unlabelled": [
        "Persönliche Kennnummer der versicherten Person: {v} ({name}, {city})",
        "Numéro d'identification nationale du souscripteur : {v}",
        "National identity number of the account holder: {v} - {name}, {city}",
        "Persoonlijk identificatienummer van de klant: {v}",
        "Número de identificação pessoal do titular: {v} ({name})",
        "Osobní identifikační číslo žadatele: {v}, bydliště {city}",
    ],
    "card": [
        "Hab gestern mit der Karte {v} bezahlt, aber die Bestellung steht immer noch auf 'ausstehend'.",
        "Merci d'arrêter le prélèvement mensuel sur ma carte {v}, je résilie l'abonnement.",
        "Me han vuelto a cobrar la suscripción en la tarjeta {v} aunque la di de baja.",
        "Vi chiedo di rimuovere la carta di credito {v} dal mio profilo.",
        "Graag mijn creditcard {v} uit mijn account verwijderen, ik gebruik hem niet meer.",
        "A compra no meu cartão de crédito {v} veio duplicada na fatura.",
        "Proszę o zwrot środków na kartę {v}, z której płaciłam.",
        "Kortet jag betalade med är {v}, giltigt t.o.m. 06/28.",
        "Beløpet ble trukket fra Visa-kortet mitt {v} to ganger.",
        "Mit kreditkort {v} blev afvist, selvom der er penge nok på kontoen.",
        "Veloitus tehtiin luottokortiltani {v}, vaikka peruin tilauksen.",
        "{v} numaralı kredi kartımdan yapılan ödemeyi iade edebilir misiniz?",
        "Platil jsem kreditní kartou {v}, peníze mi odešly dvakrát.",
        "Cardul meu de credit {v} a fost debitat fără acordul meu.",
        "Kérem, töröljék a {v} számú bankkártyámat a fiókomból.",
        "Platio sam kreditnom karticom {v}, a narudžba još nije potvrđena.",
        "Platba kartou {v} bola zamietnutá, skúšal som to trikrát.",
        "14:37 inbound - caller read out full card number {v} to settle {amount}, payment taken, advised never to send it by chat",
        "can u just charge the card on my acct? if that doesn't work use {v}, exp 12/27",
        "Cardholder: {name}\nCard number: {v}\nValid thru: 03/29",
    ],
    "iban": [
        "Überweisen Sie die Gutschrift bitte auf mein Girokonto {v}.",
        "Je souhaite être remboursé sur le compte suivant : {v} (au nom de {name}).",
        "Os paso el número de cuenta para la devolución de los {amount}: {v}",
        "Rimborsatemi pure sull'IBAN {v}, il conto è intestato a me.",
        "Graag de {amount} terugboeken naar mijn rekening {v}.",
        "Meu IBAN para o estorno: {v}",
        "Zwrot proszę przelać na moje konto {v}, odbiorca {name}.",
        "Återbetala gärna till mitt bankkonto {v}.",
        "Pengene kan overføres til min konto {v}, tak.",
        "Refund details\nAccount holder: {name}\nIBAN: {v}\nAmount: {amount}",
    ],
    "email": [
        "Die Auftragsbestätigung ging an meine alte Adresse, bitte an {v} schicken.",
        "Pour les prochaines factures, utilisez désormais {v}.",
        "Si necesitas algo más, escríbeme a mi correo personal: {v}",
        "Inviatemi la ricevuta all'indirizzo {v}, grazie mille.",
        "Kunt u de bevestiging naar {v} mailen? Mijn werkmail blokkeert bijlagen.",
        "Manda o boleto pro meu email {v} que eu pago hoje.",
        "Proszę o kontakt mailowy na adres {v}.",
        "Skicka kvittot till {v} tack, inte till jobbmailen.",
        "E-posta adresimi {v} olarak güncelleyebilir misiniz?",
        "Reply-To: {name} <{v}>\nDate: Thu, 12 Nov 2026 08:03:11 +0100",
    ],
    "ip": [
        "Unser Router hat die feste IP {v}, bitte für den Fernzugriff freischalten.",
        "Depuis ce matin mon IP {v} est bannie du forum, je n'ai rien fait.",
        "Me sale 'acceso denegado' cuando entro desde la IP {v}.",
        "Il vostro sito mi blocca, il mio indirizzo IP è {v}.",
        "Thuis heb ik IP {v}, op kantoor een ander adres.",
        "Meu IP de casa é {v}, consegue liberar no painel?",
        "Ktoś logował się na moje konto z IP {v}, to nie byłem ja.",
        "IP-adressen min er {v}, kan dere fjerne blokkeringen?",
        "Az IP-címem {v}, kérem oldják fel a tiltást.",
    ],
    "secret": [
        "Habe aus Versehen meinen Zugangsschlüssel {v} ins Ticket kopiert, bitte löschen und neu erzeugen.",
        "Ma clé d'API perso : {v} - elle renvoie toujours 'invalid'.",
        "La API key {v} dejó de funcionar después del cambio de plan.",
        "Il mio token personale {v} va revocato subito, è finito su Slack.",
        'export SERVICE_TOKEN="{v}"',
        'requests.get(url, headers={{"X-Auth-Token": "{v}"}}, timeout=10)',
        "Mój klucz API {v} wyciekł w logach, proszę go zablokować.",
        "API-nyckeln {v} syns i loggen, kan ni spärra den?",
        "Yeni API anahtarım {v}, eskisini iptal ettim.",
    ],
    "credential": [
        "Der Import zieht die Daten von {v}, seit gestern kommt nur noch 403.",
        "Voici l'URL que j'ai configurée dans l'outil : {v}",
        "En el .env tengo {v} y no conecta.",
        "Il link di download {v} è già scaduto?",
        "Wie heeft {v} in de gedeelde chat gezet? Daar staat het wachtwoord in.",
        "Odkaz {v} vrací chybu 500.",
        "Tietokannan osoite on {v}, toimiiko se teillä?",
        "spring.datasource.url={v}",
        "Bağlantı dizesini {v} olarak girdim ama bağlanmıyor.",
    ],
    "person": [
        "Liebe Grüße\n{name}",
        "Amicalement,\n{name}",
        "Un abrazo,\n{name}",
        "A presto,\n{name}",
        "Hartelijke groet,\n{name}",
        "Um abraço,\n{name}",
        "Łączę pozdrowienia\n{name}",
        "Vennlig hilsen\n{name}",
        "Mange hilsner\n{name}",
        "Allt gott,\n{name}",
        "Kiittäen,\n{name}",
        "Sevgiler,\n{name}",
        "Děkuji a přeji hezký den,\n{name}",
        "Cu drag,\n{name}",
        "Üdv,\n{name}",
        "Lijep pozdrav,\n{name}",
        "S pozdravom\n{name}",
        "{name} war heute persönlich im Laden und hat das defekte Gerät zurückgebracht.",
        "Entregué el paquete a {name}, la vecina del segundo, porque no había nadie.",
        "Just got off the phone with {name} - happy with the replacement, closing the ticket.",
        "Assignee: {name}\nWatchers: 2\nStatus: waiting for customer",
    ],
}

# The national id's name as people in each locale also write it: not a label used in pii_recall.py's
# ID_LABELS, pii_heldout.py's LABELS or LABELS_FRESH, pii_blind.py's LABELS_BLIND or pii_blind2.py's LABELS_BLIND2.
LABELS_BLIND3 = {"en_US": "soc sec number", "en_GB": "Nat. Insurance number", "de_DE": "Steuer-Identifikationsnummer",
                 "fr_FR": "numéro de sécu", "es_ES": "número de DNI", "it_IT": "C.F.", "nl_NL": "BSN nr.",
                 "pt_BR": "nº do CPF", "pl_PL": "numer PESEL-u", "sv_SE": "pnr", "en_IN": "Aadhaar UID",
                 "en_CA": "SIN #", "de_CH": "AHVN13", "fi_FI": "sotu-numero", "es_MX": "C.U.R.P.",
                 "no_NO": "fødselsnummer (11 siffer)"}

# Clean business texts: no personal data, many numbers, several of them phone-, card- or id-like.
# Placeholders are pii_heldout.fill_clean's.
CLEAN_BLIND3 = [
    "Retourennummer {n10}: Ware eingegangen am {date_fr}, Erstattung über {eur_de} € ist angewiesen.",
    "Hotline-Statistik vom {date_fr}: {n5} Anrufe, {n3} verpasste Anrufe, Ø Wartezeit {n2} s, Ticket {grp}.",
    "Kassenbon {n4}-{n6}, Filiale {n3}, {date_fr} {time}, Summe {eur_de} €.",
    "Verwendungszweck: RF{n2} {n4} {n8} - Rechnung {n7}, fällig am {date_fr}.",
    "Numéro de retour {grp} : article {n7} reçu à l'entrepôt le {date_fr}, avoir {n8} émis.",
    "Appels traités aujourd'hui : {big}, abandonnés : {n3}, durée moyenne {n2} min, file d'attente {n4}.",
    "Llamadas atendidas en la cola de facturación: {n5}; tiempo medio de espera {n2} s; incidencia {n11}.",
    "Pedido mayorista {n10}: {n3} cajas, EAN {gtin}, albarán {n8}, CP {n5}.",
    "Reunión de seguimiento: ID {zoom}, código de acceso {n6}, el {date_fr} a las {time}.",
    "Reso n. {n9} autorizzato, codice RMA {n8}, colli {n2}, peso {n3} kg.",
    "Prot. n. {n7}/{year} - pratica {grp} chiusa il {date_fr}.",
    "Spedizione {track}, CAP {n5}, {n2} colli, contrassegno {eur_de} €.",
    "Retourzending {track} ontvangen; creditnota {n8} van {eur_de} EUR volgt binnen {n2} werkdagen.",
    "Versie {ver} uitgerold naar {n3} kassa's, build {build}, {n2} meldingen open.",
    "Devolução {n10} aprovada; estorno de R$ {eur_de} na fatura com vencimento em {date_fr}.",
    "Faturamento {year}: {big} notas emitidas, ticket médio R$ {eur_de}, protocolo {n12}.",
    "Zwrot {n9}: magazyn {n2}, regał {n3}, ilość {n6} szt., kod pocztowy {n5}.",
    "Lagerplats {n2}-{n3}, artikelnr {n7}, saldo {big} st, inventering {date_fr}.",
    "Kundeservice {date_fr}: {n5} henvendelser, snittid {n3} sekunder, saksnr. {n11}.",
    "Bogføring: bilag {n6}, konto {n4}, beløb {eur_de} kr, bogført {date_fr}.",
    "Varastosaldo {big} kpl, hyllypaikka {n3}, tilausnumero {n10}, lähetys {track}.",
    "İade talebi {n9} onaylandı, kargo kodu {n12}, tutar {eur_de} TL.",
    "Reklamace č. {n8} přijata {date_fr}, dobropis {n10} na {eur_de} Kč.",
    "Objednávka {grp}, PSČ {n5}, faktúra {n10}, splatnosť {date_fr}.",
    "Retur nr. {n7}, AWB {n12}, valoare {eur_de} lei, depozitul {n2}.",
    "Ügyfélszolgálat napi riport: {n5} bejövő hívás, átlagos várakozás {n3} mp, ügyszám {n11}.",
    "Narudžba br. {n9}, poštanski broj {n5}, iznos {eur_de} EUR, dostava {date_fr}.",
    "Call log {date_fr} {time}: queue Billing, call ID {n12}, {n3} calls waiting, AHT {n2} min.",
    "ERROR [{time}] job={n8} tenant={n10} retry={n2} elapsed={n5}ms order={grp}",
    "Inventory count {date_fr}: bin A{n2}, SKU {n7}, counted {n3}, GTIN {gtin}.",
    "Order {n10} refunded ({amount}); chargeback case {n11}; reason code {n2}.",
    "Versjon {ver} -> {ver2}: {n3} feilrettinger, build {build}, Chrome {chrome}.",
]
