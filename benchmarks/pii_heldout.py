"""The held-out half of the PII benchmark: other sentences, other cue words, other ways of writing the values.

    .venv/bin/python benchmarks/pii_recall.py            # runs both sets; this module holds the held-out one

Written before the detector was tuned against the original set (issue 21), and not edited to make the
detector pass: it stands for texts nobody on this project wrote. Compared with the templates in
pii_recall.py it uses
- other sentence shapes: the value first, the cue after it or a clause away, questions, lists, forms, chat;
- other cue words and languages (German, French, Spanish, Italian, Dutch, Portuguese, Polish, Swedish,
  Finnish, English), including cues the detector's word lists may not hold ("laisse un message", "nobody
  answered", "Pozdrawiam");
- other spellings of the values: valid phone numbers rewritten in their region's national or international
  format, with dots, slashes or no separators; cards grouped 4-4-4-4, 4-6-5 (Amex) or with hyphens;
- a clean set of its own: invoices, logistics, versions, meeting ids, and phone-like references written
  next to "order", "ticket", "ref", "Kundennummer", "pedido", "case".
Some planted texts are deliberately hard (a number with only a weak cue a human would still read); their
misses are reported, not hidden.
"""

import random

import phonenumbers

# Per kind: templates in several languages. {v} the value, {name} a person, {label} the id's name in its
# locale (LABELS below, not pii_recall's ID_LABELS), {city}, {amount}.
T = {
    "phone": [
        "Für Rückfragen bin ich unter {v} zu erreichen.", "{v} ist meine Handynummer, bitte nur abends anrufen.",
        "N'hésitez pas à me contacter au {v} si besoin.", "Mon fixe : {v} (le portable ne capte pas ici)",
        "Puedes escribirme por WhatsApp al {v}.", "Si no contesto, deja un mensaje en el {v}.",
        "Per urgenze il mio recapito telefonico è {v}.", "Bel gerust naar {v}, ik ben de hele dag thuis.",
        "Pode me ligar no {v} amanhã de manhã?", "Proszę o kontakt pod numerem {v}.",
        "Ring mig på {v} efter lunch.", "Soita minulle numeroon {v}, kiitos.",
        "Contact details - phone: {v}, hours 9 to 5", "The courier tried {v} but nobody answered.",
        "Is {v} still the best number to reach you?", "New mobile: {v} (the old one is disconnected)",
        "{name}\nSales Manager\nT {v}\nwww.example.com", "Please update my phone number to {v}.",
        "I got a missed call from {v} claiming to be your support team.", "Numéro de téléphone mis à jour : {v}",
    ],
    "national_id": [
        "{v} is the {label} on my account.", "Attached my {label} ({v}) for the KYC check.", "{label} = {v}",
        "Für die Steuererklärung: {v} ({label})", "Voici mon {label}, {v}, pour le dossier.",
        "Adjunto mi {label}: {v}", "Allego il mio {label} {v} come richiesto.", "Mijn {label} is {v}, klopt dat?",
        "Segue o meu {label} {v} para o cadastro.", "Mój {label} to {v}.", "Can you check why {label} {v} is rejected?",
    ],
    "national_id_unlabelled": [
        "Applicant {name} - {v} - verified", "{v} / {name} / {city}", "Datos del cliente: {name}, {v}",
        "The number on my ID card is {v}.", "Il numero sul mio documento è {v}.",
    ],
    "card": [
        "Meine Kreditkarte {v} wurde doppelt belastet.", "J'ai payé avec la carte bancaire {v}.",
        "No reconozco el cargo en la tarjeta de crédito {v}.", "Ho pagato con {v}, ma l'ordine risulta non pagato.",
        "Betaald met creditcard {v} op 3 mei.", "O pagamento no cartão {v} foi recusado.",
        "Please don't store my Visa {v} on file.", "{v} exp 11/26 cvc 431", "Płatność kartą {v} nie przeszła.",
        "Debit card number: {v}", "I was charged twice on {v}, please refund one.",
    ],
    "iban": [
        "Bitte überweisen Sie den Betrag auf {v}.", "RIB / IBAN : {v}", "Mi cuenta bancaria es {v}.",
        "Rimborso sul conto {v}, intestato a {name}.", "Rekeningnummer {v} t.n.v. {name}", "Conta para depósito: {v}",
        "Numer rachunku: {v}", "{v} is the account for the deposit refund.",
    ],
    "email": [
        "Schreiben Sie mir an {v}.", "Mon adresse mail a changé : {v}", "Escríbeme a {v} cuando puedas.",
        "Mandami una mail a {v}.", "Stuur de factuur naar {v} aub.", "Meu e-mail é {v}.", "{v} never got the reset link",
        "cc: {name} <{v}>",
    ],
    "ip": [
        "Meine öffentliche IP ist {v}.", "Connexion refusée depuis {v} hier soir.", "El servidor {v} no responde.",
        "Accesso bloccato per l'indirizzo {v}.", "Kunnen jullie {v} op de allowlist zetten?", "Meu IP fixo é {v}.",
        "ssh admin@{v} hangs", "source={v} action=deny",
    ],
    "secret": [
        "Mein API-Schlüssel lautet {v}.", "Voici la clé qui ne marche pas : {v}", "Mi token es {v}, ¿está caducado?",
        "token={v}", "OPENAI_API_KEY: {v}", "git push failed even with {v} as the password",
    ],
    "credential": [
        "Die Verbindung zu {v} schlägt fehl.", "Le lien {v} ne marche plus.", "La URL {v} devuelve 403.",
        "Il backup legge da {v}.", "Probeer {v} eens in de browser.", "DATABASE_URL={v}",
    ],
    "person": [
        "Assigned to {name} in the support queue.", "Ich habe gestern mit {name} telefoniert.", "{name} a appelé hier soir.",
        "El técnico {name} no vino a la cita.", "Ho parlato con {name} della fattura.", "{name} heeft de factuur al betaald.",
        "Falei com {name} ontem à tarde.", "Pozdrawiam,\n{name}", "Hälsningar,\n{name}", "Terveisin,\n{name}",
        "Customer: {name}\nPlan: Business", "Can you add {name} as a second admin?", "Signed by {name} on 3 May.",
        "Je transfère à {name} qui gère la facturation.",
    ],
}
# The id's name as people also write it: not the same word as pii_recall.py's ID_LABELS.
LABELS = {"en_US": "social security number", "en_GB": "NI number", "de_DE": "Steueridentifikationsnummer", "fr_FR": "NIR",
          "es_ES": "NIF", "it_IT": "CF", "nl_NL": "burgerservicenummer", "pt_BR": "número do CPF", "pl_PL": "nr PESEL",
          "sv_SE": "personnr", "en_IN": "Aadhaar number", "en_CA": "social insurance number", "de_CH": "AHV-Nr.",
          "fi_FI": "hetu", "es_MX": "clave CURP", "no_NO": "personnummer"}

CLEAN = [
    "Ticket #{n10} was merged into #{n10b}.", "Ref. {grp} - please quote it in every reply.",
    "Order {grp} was cancelled by the customer.", "Kundennummer {n10z}, Rechnung Nr. {year}-{n6}, Betrag {eur_de} €.",
    "Facture n° FA-{year}-{n5} du {date_fr}, montant {eur_de} € TTC.", "Fattura n. {n3}/{year} del {date_fr}, totale {eur_de} €.",
    "Factuur {year}.{n4} is op {date_fr} betaald.", "Pedido nº {n9} enviado por Correos, seguimiento {track}.",
    "Sendungsnummer {track}, Zustellung am {date_fr}.", "Numéro de suivi {track} - colis en transit.",
    "Case {n11} escalated to tier 2 at {time}.", "Meeting ID: {zoom}, passcode {n6}.",
    "Upgraded from {ver} to {ver2}; build {build} still crashes on start.", "Kernel {kver} with Chrome {chrome}.",
    "Payment of {amount} received for invoice {n12}, thank you.", "Customer number {n9} placed {n2} orders this month.",
    "Record {n9} updated by the nightly job at {time}.", "Population {big} ({year}), area {n5} km².",
    "Call ID {n10} lasted {n2} minutes.", "Please call the order desk about PO {n10} before {time}.",
    "Lot {n8}, expiry {date_fr}, GTIN {gtin}.", "Saldo: R$ {eur_de}; pedido {n10} aprovado.",
    "Zamówienie nr {n9} z dnia {date_fr}, kwota {eur_de} zł.", "Order {n10} - {n2} items - {amount}.",
    "Tilaus {n8} toimitettu {date_fr}.", "Beställning {n9} skickad {date_fr}, {eur_de} kr.",
    "Coordinates {lat}, {lon}; elevation {n3} m.", "Between {time} and {time2} the queue held {big} jobs.",
    "Ticket {grp} reopened after the {ver} release.", "Order ref {n10z} - delivery slot {time}-{time2}.",
    "Price CHF {chf}, article {n7}, {n2} pcs.", "Total: ₹{inr} for {n2} licences (order {n9}).",
]


def phone_value(fake, locale: str, rng: random.Random) -> str:
    """Faker's number, and for a valid one often the same number as people write it in other styles."""
    raw = fake.phone_number()
    region = locale.split("_")[1]
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return raw
    if not phonenumbers.is_valid_number(number):
        return raw
    if number.extension:  # Faker's "x5002": kept as Faker wrote it, or the digits would run into the number's
        return raw
    style = rng.random()
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    if style < 0.3:
        return raw
    if style < 0.55:
        return national
    if style < 0.7:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    if style < 0.8:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if style < 0.9:  # dots or hyphens instead of spaces: 06.12.34.56.78, 0171-2345678
        return national.replace("(", "").replace(")", "").replace(" ", rng.choice([".", "-"]))
    return "".join(c for c in national if c.isdigit())  # no separators at all


def card_value(fake, rng: random.Random) -> str:
    digits = fake.credit_card_number(card_type=rng.choice([None, None, "amex", "visa13", "visa19", "maestro", "diners",
                                                           "discover", "jcb"]))
    style = rng.random()
    if style < 0.35:
        return digits
    if len(digits) == 15 and style < 0.7:
        return f"{digits[:4]} {digits[4:10]} {digits[10:]}"
    sep = " " if style < 0.75 else "-"
    return sep.join(digits[i:i + 4] for i in range(0, len(digits), 4))


def fill_clean(template: str, fake, rng: random.Random) -> str:
    d = fake.date_between("-2y", "+1y")
    r = rng.randrange

    def grp() -> str:  # phone-like groupings of a reference number
        return rng.choice([f"{r(100, 999)}-{r(100, 999)}-{r(1000, 9999)}", f"{r(100, 999)} {r(100, 999)} {r(1000, 9999)}",
                           f"{r(10, 99)} {r(10, 99)} {r(10, 99)} {r(10, 99)} {r(10, 99)}", f"{r(1000, 9999)} {r(100000, 999999)}",
                           f"0{r(100, 999)} {r(1000000, 9999999)}", f"{r(100, 999)}.{r(100, 999)}.{r(1000, 9999)}"])
    values = {
        "n2": str(r(2, 99)), "n3": str(r(1, 999)), "n4": f"{r(1, 9999):04d}", "n5": f"{r(1, 99999):05d}", "n6": str(r(10**5, 10**6)),
        "n7": str(r(10**6, 10**7)), "n8": str(r(10**7, 10**8)), "n9": str(r(10**8, 10**9)), "n10": str(r(10**9, 10**10)),
        "n10b": str(r(10**9, 10**10)), "n10z": f"{r(10**6, 10**9):010d}", "n11": str(r(10**10, 10**11)),
        "n12": str(r(10**11, 10**12)), "grp": grp(), "year": str(r(2019, 2027)),
        "eur_de": f"{r(1, 99999):,}".replace(",", ".") + f",{r(100):02d}", "date_fr": d.strftime("%d/%m/%Y"),
        "track": rng.choice([f"00340434{r(10**11, 10**12)}", f"6A{r(10**10, 10**11)}", f"{r(10**11, 10**12)}",
                             f"LX{r(10**8, 10**9)}DE", f"1Z{fake.bothify('###???').upper()}{r(10**9, 10**10)}"]),
        "time": fake.time()[:5], "time2": fake.time()[:5],
        "zoom": rng.choice([f"{r(100, 999)} {r(1000, 9999)} {r(1000, 9999)}", f"{r(100, 999)} {r(100, 999)} {r(1000, 9999)}"]),
        "ver": f"{r(1, 30)}.{r(0, 40)}.{r(0, 300)}", "ver2": f"{r(1, 30)}.{r(0, 40)}.{r(0, 300)}-rc{r(1, 5)}",
        "build": f"{r(10, 23)}.0.{r(10000, 30000)}.{r(100, 9999)}", "kver": f"{r(4, 7)}.{r(0, 20)}.0-{r(1000, 1100)}-azure",
        "chrome": f"{r(100, 130)}.0.{r(4000, 7000)}.{r(10, 300)}", "amount": f"${r(1, 99999):,}.{r(100):02d}",
        "big": f"{r(10**5, 10**9):,}".replace(",", rng.choice([",", ".", " ", "\u202f"])), "gtin": fake.ean13(),
        "lat": f"{rng.uniform(-80, 80):.4f}", "lon": f"{rng.uniform(-170, 170):.4f}",
        "chf": f"{r(1, 99):d}'{r(100, 999)}.{r(100):02d}", "inr": f"{r(1, 99)},{r(10, 99)},{r(100, 999)}.00",
    }
    return template.format(**values)


# ---------------------------------------------------------------- the fresh set
# Written after the detector had been tuned on the two sets above, and run once, untouched since: the held-out
# set above stopped being blind when its first misses were read (see docs/facts.md "PII recall"). Other sentences
# again, other labels, the same value styles.
T_FRESH = {
    "phone": [
        "Hola, soy de la tienda; mi teléfono directo es {v}.", "Je suis joignable au {v} du lundi au vendredi.",
        "Bitte unter {v} zurückrufen, nicht per Mail.", "Se preferir, manda mensagem pro {v}.", "Il numero da chiamare è {v}.",
        "U kunt mij bereiken op {v}.", "Tel/WhatsApp: {v}", "Best way to get hold of me is {v}.",
        "Jeśli coś, proszę dzwonić: {v}.", "Vänligen ring {v} före kl. 16.", "{name} | Account Executive | {v}",
        "Calling from a new number ({v}), please update the account.", "Mobilnummer: {v}",
        "Puhelinnumeroni on vaihtunut: {v}", "I can't receive SMS on {v} anymore.",
    ],
    "national_id": [
        "Here's my {label}: {v} - let me know if you need anything else.", "{label} {v}, Geburtsdatum siehe Anhang.",
        "Pour info, {label} = {v}.", "Verifica del {label} {v} fallita.", "{v} ({label})",
        "Mi {label} es {v} y no me deja registrarme.",
    ],
    "national_id_unlabelled": [
        "Beneficiary: {name}, {v}", "{name} ({v}) changed address to {city}.", "Correct value is {v}, not the one on file.",
        "Patient {name}, ID {v}",
    ],
    "card": [
        "Die Abbuchung von meiner Visa {v} war doppelt.", "Ma carte {v} expire le mois prochain.",
        "Cobraron dos veces en mi tarjeta {v}.", "Il pagamento con la carta {v} è stato rifiutato.",
        "Mijn pinpas {v} werkt niet in de webshop.", "Número do cartão: {v} / validade 09/28", "Card: {v} (Amex)",
        "Please charge {v} for the upgrade.", "Numer karty {v} został zablokowany.", "Kortnummer {v} gick inte igenom.",
    ],
    "iban": [
        "Kontoinhaber {name}, IBAN {v}", "Virement à effectuer sur le compte {v} avant vendredi.",
        "Por favor devuelvan el dinero a {v}.", "IBAN: {v} BIC: DEUTDEFFXXX", "{v} - conto corrente aziendale",
    ],
    "email": ["Contacto: {v}", "E-Mail-Adresse: {v}", "Write to {v} or call.", "<{v}>", "adres e-mail {v}"],
    "ip": ["Die IP {v} wurde gesperrt.", "IP: {v}", "Mi router tiene la IP {v}", "l'indirizzo {v} risulta in blacklist",
           "from {v} port 22"],
    "secret": ["Der Token {v} funktioniert nicht mehr.", "Clé API : {v}", "Using key {v} in the header",
               "ANTHROPIC_API_KEY={v}"],
    "credential": ["Connection string: {v}", "Webhook: {v}", "Veja {v}"],
    "person": [
        "Le dossier est suivi par {name}.", "Bitte an {name} weiterleiten.", "{name} heeft gebeld over de levering.",
        "Grazie,\n{name}", "Obrigado,\n{name}", "Best,\n{name}", "Approved by {name}", "{name} will join the call at 3pm.",
        "Spoke to {name} from accounting.", "Mvh\n{name}", "Ystävällisin terveisin\n{name}",
    ],
}
LABELS_FRESH = {"en_US": "SSN#", "en_GB": "NINO", "de_DE": "steuerliche Identifikationsnummer", "fr_FR": "numéro INSEE",
                "es_ES": "DNI/NIF", "it_IT": "codice fiscale", "nl_NL": "BSN-nummer", "pt_BR": "CPF nº",
                "pl_PL": "numer PESEL", "sv_SE": "personnummer", "en_IN": "UIDAI number", "en_CA": "SIN", "de_CH": "AHV",
                "fi_FI": "henkilötunnus", "es_MX": "CURP", "no_NO": "f.nr."}
CLEAN_FRESH = [
    "Auftrag {n9} vom {date_fr} storniert.", "Commande {grp} expédiée, suivi {track}.",
    "Ticket {grp}: printer offline since {time}.", "Licence key valid until {date_fr}; seats {n2}.",
    "Invoice total {eur_de} EUR incl. {n2}% VAT.", "Reading at {time}: {big} kWh.",
    "Release {ver} ships on {date_fr}; hotfix {ver2}.", "Case no. {n11} closed.", "Numero pratica {n10}, importo {eur_de} €.",
    "Referentie {grp} - levering {date_fr}.", "Protocolo {n12} aberto em {date_fr}.", "Zamówienie {grp} anulowane.",
    "Ärende {n9}: {n2} artiklar saknas.", "Serial number {n12}, firmware {ver}.",
    "Call queue held {n5} callers; average wait {n2} s.", "Mobile app {ver} crashed {n3} times on Android {n2}.",
    "Contact center volume: {big} calls in {year}.", "Webex meeting number {zoom}.",
    "Payment reference {n12} for invoice {n6}.", "Charged {amount} on {date_fr} (receipt {n10}).",
    "Order ID {n10}, phone order placed by the store.", "{n10} units shipped, {n7} returned.",
    "Between {time} and {time2}: {n8} requests, {n6} errors.", "Batch {n8} scanned at dock {n2}.",
]
