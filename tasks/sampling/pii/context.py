"""The words around a number: its clause, a reference label just before it, a currency that makes it an amount.

Validators alone cannot tell a phone, a card or an id from an order number (docs/facts.md "PII validators and
lookalikes"), so the detectors also read the number's surroundings, the way a person would:
- `clause`: the text before and after the number, cut at the sentence or line it sits in (a cue word in the
  next sentence says nothing about this number). A line ending in ":" runs on into the next ("Phone:\\n...").
- `reference_before`: a business label right before the number ("order", "Ref.", "ticket #", "Meeting ID:",
  "Kundennummer", "pedido nº", "facture n°"): what follows is a reference, not a phone, card or id, even in a
  sentence that also says "call me".
- `amount`: a currency or a unit right before or after ("€ 1 234 567", "796 509 330 zł", "12 345 units").
"""

import re

# Sentence or line ends: . ! ? before a capital, a semicolon, a line break (not after a colon). "Tel. 0171 ..."
# and "Nr. 5" are not ends: a digit follows.
_END = re.compile(r"[.!?](?=\s+[A-ZÀ-ÞĀ-Ž])|;|(?<!:)[ \t]*\n")
# The same without the semicolon: an identifier's name may stand in the clause before one ("me piden el PESEL;
# es el 73031439903"); such names are specific enough to be read across it, a phone's cue words are not.
_END_NOT_SEMICOLON = re.compile(r"[.!?](?=\s+[A-ZÀ-ÞĀ-Ž])|(?<!:)[ \t]*\n")

# Labels of business references, in the prompts' languages; an optional "number"/"no."/"#" may follow.
_REFERENCE_WORDS = (
    # English
    "order", "order no", "purchase order", "po", "ref", "reference", "your ref", "our ref", "ticket", "case", "incident",
    "issue", "request", "req", "invoice", "inv", "receipt", "quote", "quotation", "estimate", "tracking", "shipment",
    "parcel", "package", "consignment", "delivery", "awb", "waybill", "booking", "reservation", "confirmation",
    "transaction", "txn", "account", "acct", "customer", "customer id", "client", "member", "membership", "contract",
    "policy", "claim", "serial", "s/n", "sn", "sku", "item", "article", "part", "model", "batch", "lot", "build",
    "version", "release", "job", "run", "meeting", "meeting id", "conference id", "webinar", "room", "call id",
    "session", "id", "uid", "code", "error", "error code", "exit code", "barcode", "ean", "gtin", "upc", "isbn",
    "imei", "vin", "issn", "credit note", "gutschrift", "avoir", "record", "row", "file", "document", "doc",
    "report", "project", "task", "pr", "bug", "store",
    # German
    "bestellung", "bestellnummer", "bestell-nr", "auftrag", "auftragsnummer", "auftrags-nr", "rechnung",
    "rechnungsnummer", "rechnungs-nr", "kundennummer", "kunden-nr", "kundennr", "kunde", "sendung", "sendungsnummer",
    "paket", "paketnummer", "lieferschein", "lieferung", "vertrag", "vertragsnummer", "vorgang", "vorgangsnummer",
    "aktenzeichen", "artikel", "artikelnummer", "seriennummer", "buchung", "buchungsnummer", "ticketnummer",
    "kassenbon", "bon", "beleg", "belegnummer", "quittung", "filiale",
    # French
    "commande", "facture", "référence", "réf", "dossier", "colis", "suivi", "numéro de suivi", "contrat", "devis",
    "bon de commande", "réservation", "article",
    # Spanish, Portuguese
    "pedido", "factura", "referencia", "expediente", "envío", "envio", "seguimiento", "contrato", "cliente", "albarán",
    "presupuesto", "reserva", "fatura", "nota fiscal", "referência", "encomenda", "protocolo", "rastreio", "chamado",
    # Italian
    "ordine", "fattura", "riferimento", "rif", "pratica", "spedizione", "contratto", "preventivo", "prenotazione",
    # Dutch
    "bestelling", "bestelnummer", "factuur", "factuurnummer", "referentie", "kenmerk", "zending", "klantnummer",
    "offerte", "boeking",
    # Polish, Swedish, Norwegian, Danish, Finnish
    "zamówienie", "zamówienia", "faktura", "faktury", "przesyłka", "przesyłki", "umowa", "umowy", "zgłoszenie",
    "beställning", "ordernummer", "ärende", "referens", "kundnummer", "försändelse", "bestilling", "sak",
    "tilaus", "lasku", "viite", "asiakasnumero", "lähetys", "tilausnumero",
    # Turkish, Czech, Romanian, Hungarian, Croatian
    "sipariş", "siparis", "sipariş no", "kargo", "takip", "takip no", "objednávka", "objednávky", "zásilka",
    "comanda", "comandă", "factură", "rendelés", "számla", "narudžba", "račun", "pošiljka",
    # Returns: a return's number is the shop's
    "return", "returns", "rma", "retoure", "rücksendung", "retour", "retourzending", "devolución", "devolução",
    "reso", "zwrot", "retur", "returnering", "palautus", "iade", "i\u0307ade", "vrácení", "reklamace", "reklamation",
    # ("İade".lower() is "i" + a combining dot: the second spelling is the capitalised word, lowered)
    # Payment references: 16 Luhn-valid digits there are a bank's reference, not a card
    "payment reference", "payment ref", "référence de paiement", "referencia de pago", "riferimento pagamento",
    "zahlungsreferenz", "verwendungszweck", "betalingskenmerk", "betalingsreferentie", "betalningsreferens", "ocr",
    "ocr-nummer", "bankgiro", "plusgiro", "kid", "kid-nummer", "viitenumero", "boleto", "nosso número",
    "linha digitável", "tytuł przelewu", "variabilní symbol",
    # Postcodes: 01310-100 (Brazil's CEP) or 00185 is a place, not a phone whose trunk 0 it looks like
    "zip", "zip code", "postcode", "postal code", "plz", "postleitzahl", "code postal", "cp", "código postal",
    "codigo postal", "cep", "cap", "kod pocztowy", "postnummer", "postinumero",
)
# A call or message named with its number word ("Chiamata n. 4836012216", "Call #5531", "Anruf-Nr. ..."): a
# call-log record. Without the number word these announce a phone ("call 020 7946 0958"), so they are no
# reference on their own.
_RECORD_WORDS = ("call", "calls", "chiamata", "anruf", "appel", "llamada", "ligação", "chamada", "gesprek", "samtal",
                 "opkald", "puhelu", "połączenie", "hovor", "arama", "message", "sms")
_NUMBER_WORD = r"(?:no|nr|n|n[°º]|nº|num|number|nummer|numéro|número|numero|numer|nro|id|code|#)"  # n: "Chiamata n."
_REFERENCE = re.compile(
    # a compound's last part counts too: "Zoom-Meeting 971 9890 2280", "Kunden-Nr."
    r"(?<!\w)(?:(?:" + "|".join(map(re.escape, sorted(_REFERENCE_WORDS, key=len, reverse=True))) + r")"
    rf"\.?(?:[ \t]+{_NUMBER_WORD}\.?)?|(?:" + "|".join(map(re.escape, _RECORD_WORDS)) + rf")(?:[ \t]*-|[ \t]+){_NUMBER_WORD}\.?)"
    r"[ \t]*[:#=-]?[ \t]*#?[ \t]*$")
_CURRENCY = (r"(?:€|\$|£|¥|₹|₽|₺|₩|R\$|C\$|A\$|CHF|EUR|USD|GBP|JPY|INR|SEK|NOK|DKK|PLN|CZK|HUF|BRL|MXN|CAD|AUD|TRY|"
             r"zł|zl|kr|kn|Kč|Ft|lei|euro|euros|dollars?)")
_UNITS = (r"(?:units?|pcs|pieces?|items?|stück|stk|pezzi|piezas|unités|stuks|sztuk|kpl|kWh|MWh|kW|km|m²|m2|kg|"
          r"ms|sec|seconds?|minutes?|hours?|days?|MB|GB|TB|KB|bytes?|rows|records|users|requests|views|"
          r"visits|calls|jobs|tickets|orders|%)")
_AMOUNT_BEFORE = re.compile(rf"{_CURRENCY}[ \t\u00a0]*$", re.IGNORECASE)
_AMOUNT_AFTER = re.compile(rf"^[ \t\u00a0]*(?:,-|,\d{{1,2}}|\.\d{{1,2}})?[ \t\u00a0]*(?:{_CURRENCY}|{_UNITS})(?![\w])",
                           re.IGNORECASE)


def clause(text: str, start: int, end: int, before: int = 60, after: int = 40,
           semicolon_ends: bool = True) -> tuple[str, str]:
    """(the text before text[start:end], the text after it), each at most `before`/`after` characters and not
    past the end of the sentence or line the span sits in (nor past a semicolon, unless `semicolon_ends` is
    False)."""
    ends = _END if semicolon_ends else _END_NOT_SEMICOLON
    lo = max(0, start - before)
    cut = lo
    for m in ends.finditer(text, lo, start):
        cut = m.end()
    m = ends.search(text, end, end + after + 2)  # two more: a lookahead's room
    return text[cut:start], text[end : min(m.start(), end + after) if m else end + after]


def reference_before(head: str) -> bool:
    """A reference label ends `head` (the text right before a number), in any case."""
    return bool(_REFERENCE.search(head[-40:].lower()))


def amount(head: str, tail: str) -> bool:
    """A currency just before, or a currency or unit just after: the number is a quantity."""
    return bool(_AMOUNT_BEFORE.search(head[-8:]) or _AMOUNT_AFTER.match(tail[:16]))
