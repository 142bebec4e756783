"""The words around a number: its clause, a reference label just before it, a currency that makes it an amount.

Validators alone cannot tell a phone, a card or an id from an order number (docs/facts.md "PII validators and
lookalikes"), so the detectors also read the number's surroundings, the way a person would:
- `clause`: the text before and after the number, cut at the sentence or line it sits in (a cue word in the
  next sentence says nothing about this number). A line ending in ":" runs on into the next ("Phone:\\n..."),
  and a number alone on its line is read with the line before. A structured key right before the number is
  given as words (`readable`: `<citizenId>` -> "citizen Id: ").
- `reference_before`: a business label right before the number ("order", "Ref.", "ticket #", "Meeting ID:",
  "Kundennummer", "pedido nº", "facture n°"): what follows is a reference, not a phone, card or id, even in a
  sentence that also says "call me".
- `names_another_number`: a label built on a number word ("Storingsnummer", "ID de réunion") names a number
  that is not a phone's, unless part of it is a phone or contact word.
- `amount`: a currency or a unit right before or after ("€ 1 234 567", "796 509 330 zł", "12 345 units").
- `cues_around`: words outside the number's sentence that still say what it is: the question or the sentence
  before it, the form's previous field, its column's header, its SQL INSERT column.
"""

import re

# The scrubber's INVISIBLE SEPARATOR: it splits a number from the letters of a script written without spaces while
# the detectors scan (scrubber._split_joins); no word character and no space, so no detector takes it into a span.
MARK = "\u2063"

# Sentence or line ends: . ! ? before a capital, a semicolon, a line break (not after a colon). "Tel. 0171 ..."
# and "Nr. 5" are not ends: a digit follows.
# A short capitalised abbreviation's dot ends nothing: "Social Ins. No. 587 940 818", "Mr. Smith".
_ABBREVIATION = r"(?<!\b[A-Z])(?<!\b[A-Z][a-z])(?<!\b[A-Z][a-z]{2})"
_END = re.compile(rf"(?:{_ABBREVIATION}\.|[!?])(?=\s+[A-ZÀ-ÞĀ-Ž])|;|(?<!:)[ \t]*\n")
# The same without the semicolon: an identifier's name may stand in the clause before one ("me piden el PESEL;
# es el 73031439903"); such names are specific enough to be read across it, a phone's cue words are not.
_END_NOT_SEMICOLON = re.compile(rf"(?:{_ABBREVIATION}\.|[!?])(?=\s+[A-ZÀ-ÞĀ-Ž])|(?<!:)[ \t]*\n")

# Labels of business references, in the prompts' languages; an optional "number"/"no."/"#" may follow.
_REFERENCE_WORDS = (
    # English
    "order", "order no", "purchase order", "po", "ref", "reference", "your ref", "our ref", "ticket", "case", "incident",
    "issue", "request", "req", "invoice", "inv", "receipt", "quote", "quotation", "estimate", "tracking", "shipment",
    "parcel", "package", "consignment", "delivery", "awb", "waybill", "booking", "reservation", "confirmation",
    "transaction", "txn", "customer", "customer id", "client", "member", "membership", "contract", "agreement",
    "rental", "hire",
    "policy", "claim", "serial", "s/n", "sn", "sku", "item", "article", "part", "model", "batch", "lot", "build",
    "version", "release", "job", "run", "meeting", "meeting id", "conference id", "webinar", "room", "call id",
    "session", "id", "uid", "code", "error", "error code", "exit code", "barcode", "ean", "gtin", "upc", "isbn",
    "imei", "vin", "issn", "credit note", "gutschrift", "avoir", "record", "row", "file", "document", "doc",
    "report", "project", "task", "pr", "bug", "store", "change", "change request", "authorisation", "authorization",
    "work order", "service order", "sscc", "gln", "requisition", "dispute", "chargeback",
    # a ledger's entry or posting, a voucher or coupon (a review's: "Ledger entry 0171 2345678 posted")
    "entry", "ledger entry", "journal entry", "posting", "voucher", "coupon",
    # a cost centre; an order, receipt, invoice, package, parcel and tracking number in Amharic (not its "payment",
    # ክፍያ, a card's word: "ክፍያ 4111 ..." is a card); an order in Russian and Belarusian, an order and a bill in
    # Sinhala, an order in Somali, a bill in Burmese (a review of blind 22's round: its "call me" words in those
    # languages stand beside such numbers too)
    "cost centre", "cost center", "kostenstelle", "ትዕዛዝ", "ደረሰኝ", "ፋክቱር", "ፓኬጅ", "ጥቅል", "መከታተያ",
    "заказ", "заказа", "заказу", "нумар заказу", "ඇණවුම", "බිල්පත", "dalab", "dalabka", "ဘေလ်",
    # a route's or a flight's number as labelled (not bare "route", "flight": "Route 07700 900123 to voicemail",
    # "back from my flight 07700 900123 works again")
    "route no", "route number", "flight no", "flight number", "flugnummer",
    # a conference's dial-in is the meeting's number, not a person's
    "dial-in", "dial in", "conference line", "conference bridge", "audio conference", "bridge", "queue",
    # German
    "bestellung", "bestellnummer", "bestell-nr", "auftrag", "auftragsnummer", "auftrags-nr", "rechnung",
    "rechnungsnummer", "rechnungs-nr", "kundennummer", "kunden-nr", "kundennr", "kunde", "sendung", "sendungsnummer",
    "paket", "paketnummer", "lieferschein", "lieferung", "vertrag", "vertragsnummer", "vorgang", "vorgangsnummer",
    "aktenzeichen", "artikel", "artikelnummer", "seriennummer", "buchung", "buchungsnummer", "ticketnummer",
    "kassenbon", "bon", "beleg", "belegnummer", "quittung", "filiale",
    # French
    "commande", "livraison", "série", "sinistre", "facture", "référence", "réf", "dossier", "colis", "suivi",
    "numéro de suivi", "contrat", "devis", "bon de commande", "réservation", "article",
    # Spanish, Portuguese
    "pedido", "orden", "ordem", "serie", "siniestro", "sinistro", "factura", "referencia", "expediente", "envío",
    "envio", "seguimiento", "contrato", "cliente", "albarán", "presupuesto", "reserva", "fatura", "nota fiscal",
    "referência", "encomenda", "protocolo", "rastreio", "chamado",
    # Italian
    "ordine", "fattura", "riferimento", "rif", "pratica", "spedizione", "contratto", "preventivo", "prenotazione",
    # Dutch
    "bestelling", "bestelnummer", "factuur", "factuurnummer", "referentie", "kenmerk", "zending", "klantnummer",
    "offerte", "boeking", "werkbon", "werkorder", "opdracht",
    # Polish, Swedish, Norwegian, Danish, Finnish
    "zamówienie", "zamówienia", "faktura", "faktury", "przesyłka", "przesyłki", "umowa", "umowy", "zgłoszenie",
    "rezerwacja", "rezerwacji",
    "beställning", "ordernummer", "ärende", "referens", "kundnummer", "försändelse", "bestilling", "sak",
    "ordre", "tilaus", "lasku", "viite", "asiakasnumero", "lähetys", "tilausnumero",
    # Turkish, Czech, Romanian, Hungarian, Croatian
    "sipariş", "siparis", "sipariş no", "kargo", "takip", "takip no", "objednávka", "objednávky", "zásilka",
    "comanda", "comandă", "factură", "rendelés", "számla", "narudžba", "račun", "pošiljka", "nalog", "emri",
    "munkalap", "zlecenie", "zlecenia", "zakázka", "zakázky", "litige", "disputa", "reklamacija",
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
    # Permits, customs and tariff codes; "shipment", "invoice", "parcel" in Arabic, and "order" too in Vietnamese
    # (blind 13's; not Arabic "الطلب", also "the application": "الرقم الشخصي لمقدم الطلب" is the applicant's id)
    "permit", "permit to work", "ptw", "mrn", "hs", "hs code", "taric", "cn code",
    # a shipping container's number (ISO 6346 or the depot's own), said in a voicemail too (blind 15's)
    "container", "cntr", "box no",
    # a venue's or a room's hold on a date (blind 16's); not a bare "hold": "Caller on hold 0612345678"
    "venue hold", "room hold",
    "شحنة", "الشحنة", "فاتورة", "الفاتورة", "طرد", "lô hàng", "đơn hàng", "hóa đơn", "vận đơn",
    # an order in Chinese and Japanese, an order and an invoice in Bulgarian (a review of blind 24's round)
    "订单", "订单号", "訂單", "注文", "注文番号", "поръчка", "поръчката", "фактура",
    # an order, an invoice, a bill and a shipping receipt in Indonesian (beside its new phone words)
    "pesanan", "nomor pesanan", "faktur", "tagihan", "resi", "nomor resi",
)
# A packaging or handling unit, a hull or a chassis in lower case right before the number, or a stock number: "Bangle
# carton 628-753-4312", "mat stock number is ..." (blind 30's). In lower case only: capitalised, the same words are
# surnames and places ("Brian Hull 07700 900123", "Hull 01482 123456"), German "3. Stock" is a floor; not a till or a
# bank's name either ("Chef de caisse", "na Caixa"), nor "box" (a post box's, a call box's): a review's. Nowhere else
# in the clause: "the farmer who brought six sacks ... wants the result on 0619..." is his phone.
_UNIT_BEFORE = re.compile(r"(?<![\w'’-])(?:(?:carton|crate|pallet|skid|sack|bale|drum|keg|cask|barrel|reel|spool|hull|"
                          r"chassis|krat|skrzynia)s?(?:[ \t]+(?:number|no\.?|nr\.?|#))?|stock[ \t]+(?:number|no\.?))"
                          r"(?:[ \t]+is)?[ \t]*[:#=-]?[ \t]*$")
# A call or message named with its number word ("Chiamata n. 4836012216", "Call #5531", "Anruf-Nr. ..."): a
# call-log record. Without the number word these announce a phone ("call 020 7946 0958"), so they are no
# reference on their own.
_RECORD_WORDS = ("call", "calls", "chiamata", "anruf", "appel", "llamada", "ligação", "chamada", "gesprek", "samtal",
                 "opkald", "puhelu", "połączenie", "hovor", "arama", "message")
# "Number" as a label writes it, in the prompts' languages; the reference labels and the number-word labels below
# both build on it.
_NUMBER_NOUNS = r"no|nr|num|number|nummer|numéro|número|numero|numer|nro|id|code"
_NUMBER_WORD = rf"(?:{_NUMBER_NOUNS}|n|n[°º]|nº|#)"  # n: "Chiamata n."


def _inflected(word: str) -> str:
    """A reference word with its case endings: a long word ending in a vowel may end in one or two other letters
    (Croatian "broj narudžbe" for narudžba, Polish "faktury", Czech "objednávky", Italian "pratiche")."""
    if len(word) >= 7 and word.isalpha() and word[-1] in "aeiouyąęě":
        return re.escape(word[:-1]) + r"\w{1,2}"
    return re.escape(word)


# A reference word may close a compound written as one word ("Reparaturauftrag", "Huoltotilaus": German, Dutch,
# Nordic and Finnish join a noun to what it qualifies); only words of 5+ letters after 3+ letters of stem, so that
# "remember" is no "member".
_LONG_REFERENCE = sorted((w for w in _REFERENCE_WORDS if len(w) >= 5 and w.isalpha()), key=len, reverse=True)
# What may stand between a reference label and its number: a short qualifier after a preposition that joins
# nouns ("referência de pagamento", "orden de trabajo"; not English "of"/"for": "in case of emergency" announces a
# phone), and a copula after the number word ("Your ticket number is 428 970 5547", "número de pedido es"; not after
# the bare label: "the contact for the delivery is ..." is a phone).
_QUALIFIER = r"(?:[ \t]+(?:de|do|da|di|del|della|du|des|van|für|för|na|za)[ \t]+[^\W\d_]{3,})?"
_COPULA = r"(?:[ \t]+(?:is|was|es|era|est|ist|war|lautet|é|è|er|är|on|jest|je|ni))?"
# Labels that name nothing but a reference may take the copula without a number word: "your repair reference is
# 696.721.3353", "la referencia es ..."
_REFERENCE_NOUNS = (r"(?:reference|ref|référence|referencia|referência|riferimento|referentie|referens|ticket|case|"
                    r"booking|invoice|claim|tracking|rma|dispute)")
_REFERENCE = re.compile(
    # a compound's last part counts too: "Zoom-Meeting 971 9890 2280", "Kunden-Nr."
    r"(?<!\w)(?:(?:" + "|".join(map(_inflected, sorted(_REFERENCE_WORDS, key=len, reverse=True)))
    + r"|(?P<stem>[^\W\d_]{3,})(?:" + "|".join(map(_inflected, _LONG_REFERENCE)) + r"))s?"
    rf"{_QUALIFIER}\.?(?:[ \t]+{_NUMBER_WORD}\.?{_COPULA})?|{_REFERENCE_NOUNS}[ \t]+(?:is|es|est|ist|é|è|lautet)|(?:"
    + "|".join(map(re.escape, _RECORD_WORDS))
    + rf")(?:[ \t]*-|[ \t]+){_NUMBER_WORD}\.?)"
    r"[ \t]*[:#=-]?[ \t]*[#\"']?[ \t]*$")
# The amounts' patterns ignore case ("100 eur"), but the lira's code only in capitals: "try 0612345678" is English
# "try", before a phone as often as anything (read blinds 10 and 30's "After 7pm try 604140780")
_CURRENCY = (r"(?:€|\$|£|¥|₹|₽|₺|₩|R\$|C\$|A\$|CHF|EUR|USD|GBP|JPY|INR|SEK|NOK|DKK|PLN|CZK|HUF|BRL|MXN|CAD|AUD|(?-i:TRY)|"
             r"zł|zl|kr|kn|Kč|Ft|lei|euro|euros|dollars?|birr|ብር)")
_UNITS = (r"(?:units?|pcs|pieces?|items?|stück|stk|pezzi|piezas|unités|stuks|sztuk|kpl|kWh|MWh|kW|km|m²|m2|kg|"
          r"ms|sec|seconds?|minutes?|hours?|days?|MB|GB|TB|KB|bytes?|rows|records|users|requests|views|"
          r"visits|calls|jobs|tickets|orders|"
          # counts of people and things a business reports ("428.477.022 contacts in 2020", "741 369 322 customers")
          r"contacts|customers|clients|subscribers|members|accounts|employees|people|persons|messages|e-?mails|numbers|"
          r"transactions|sessions|downloads|clicks|impressions|devices|shipments|parcels|packages|cases|"
          # weights a mine, a farm or a port reports ("260 152 087 t ore hoisted", blind 15's): a lower-case "t"
          # only before what is weighed ("0612345678 T: 020 ..." is a signature's next line, Dutch "'t is" is "it")
          r"(?-i:t)(?=[ \t]+(?:of|ore|coal|grain|steel|cargo|co2e?|per|hoisted|mined|shipped|produced|loaded|"
          r"landed|handled|milled)\b)|tonnes|tonnen|toneladas|%)")
# A currency as a word of its own: "Ft" ends "left", "kr" "Dunkirk", "lei" "Galilei" ("... left 0290-036210 as his
# mobile" is no forint amount, blind 21's)
_AMOUNT_BEFORE = re.compile(rf"(?<![^\W\d_]){_CURRENCY}[ \t\u00a0]*$", re.IGNORECASE)
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
    if cut == start and _alone_on_line(text, start, end):
        # A number alone on its line is explained by the line before, as a label's value is: "souhaite être
        # rappelée au\n0463478612", "The correct one is\n7363 0024 2500".
        previous = text.rfind("\n", 0, max(0, start - 1))
        cut = max(lo, previous + 1)
    m = ends.search(text, end, end + after + 2)  # two more: a lookahead's room
    return readable(text[cut:start]), text[end : min(m.start(), end + after) if m else end + after]


def _alone_on_line(text: str, start: int, end: int) -> bool:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    return line_start > 0 and not text[line_start:start].strip() \
        and not text[end: len(text) if line_end < 0 else line_end].strip(" \t.,;)")


# A key of structured text right before the value: an XML tag (<citizenId>) or attribute (idno="), a JSON key
# ("order_id": "), a YAML, .env or log key (change_ticket: , ORDER_REF=, orderId=). Its words say what the value
# is, as a label's do.
_KEY_BEFORE = re.compile(r"""(?:<([A-Za-z_][\w.:-]*)(\s[^<>]*)?>|["']([^"'\n]{1,40})["']\s*:|(?<=\s)([A-Za-z][\w.:-]*)=(?=["'])|"""
                         r"""(?:^|(?<=[\s{,]))([A-Za-z][A-Za-z\d]*_\w*|[a-z]+[A-Z]\w*)[ \t]*[:=])[ \t]*["']?[ \t]*$""")


_SCHEME_ATTRIBUTES = {"idscheme", "idtype", "kind", "type", "system", "scheme", "schemename", "schemeid",
                      "identifiertype", "typecode"}


def readable(head: str) -> str:
    """`head` with the key right before the value written as words and a colon, as a label is: "<citizenId>"
    -> "citizen id: ", '"order_ref": "' -> "order ref: ", "change_ticket: " -> "change ticket: ". Cue words
    and reference labels are written as words; keys join them with capitals or underscores. Dots and hyphens
    stay: "f.nr." and "C.P.F." are abbreviations, not keys."""
    m = _KEY_BEFORE.search(head)
    if not m:
        return head
    key = next(g for i, g in enumerate(m.groups()) if g and i != 1)
    # An XML element's attributes qualify it: <PersonalIdentifier kind="fødselsnummer"> -> "... kind fødselsnummer"
    # ... up to 40 characters each, up to 100 for a scheme's or type's name: 'idScheme="BSN zoals vermeld op het
    # rijbewijs van de aanvrager"' (blind 24's; not a long note's or description's words, a review's)
    attributes = " ".join(v for k, v in re.findall(r"""([\w:.-]+)\s*=\s*["']([^"'<>]{1,100})["']""", m.group(2) or "")
                          if len(v) <= 40 or k.rsplit(":", 1)[-1].lower() in _SCHEME_ATTRIBUTES)
    words = re.sub(r"(?<=[a-z])(?=[A-Z])|[_\s]+", " ", key).strip()
    return f"{head[:m.start()]}{attributes + ' ' if attributes else ''}{words}: "


# A question right before the number's sentence, on its line or the (quoted) line above: "Could you send your
# BSN before Friday?\nSure - 521930765", "Czy mogę podać PESEL? To 88041956883". It names what the answer is.
# After its "?" only a short lead-in may come ("Sure - ", "To "), no other sentence; in a chat, up to two short
# turns without a number may come between ("Customer: hold on\n").
# A chat line's time stamp ("[10:02] ", "[03/12/2026, 09:14] ").
# Discord writes words in it ("[Today at 9:03 AM] "): letters may come with the digits (blind 14's).
_STAMP = r"\[(?=[^\]\n]*\d)[\w/.,: -]{4,30}\][ \t]*"
# The question, a short rest of its line ("? Finance lost it."), then at most two lines of up to 60 characters without
# digits but for a time stamp (a chat's speaker line: "[14:22] Freelancer", "you  11:03 AM", blind 13's; a holding
# turn: "[10:14] Customer: one moment, getting my card", blinds 10 and 19's), then the answer's line.
_ANSWER_AFTER_QUESTION = re.compile(rf"\?[^\n?]{{0,40}}?(?:\n(?:{_STAMP}|\d{{1,2}}:\d{{2}}|[^\n?\d]){{0,60}}){{0,2}}?"
                                    r"(?:\n[ \t>]*)*[^.!?\n]{0,30}$")
# A chat turn: an optional time stamp, a one- or two-word speaker, a colon ("[10:02] Agent: ", "Bot: ").
# IRC's "<nick> " too (blind 14's "[21:14] <callhandler> 07752753").
_TURN = re.compile(rf"^[ \t>]*(?:{_STAMP})?(?:[^\W\d_][\w.-]*(?: [^\W\d_][\w.-]*)?[ \t]*:|<[^\W\d_][\w.-]*>)[ \t]*")
_SHORT_QUESTION = 3  # words: "which number?", "and yours?" refer back to the turn before them

# A form's or record's lines: "Paid by: MASTERCARD\nAccount: 4392...", "f-nr: 29045711100" under "name: ...".
_FIELD_LINE = re.compile(r"^[ \t>-]*[\w\- .()/]{1,40}:[ \t]*\S")


def cues_around(text: str, start: int, end: int) -> str:
    """Text outside the number's own sentence that still says what it is, as a reader would take it: the
    question right before it, the previous field of the same form or record, the header of its column in a
    delimited table, the line after a value that ends its line. For cue words (a phone, card or id word) only: a
    reference label there vetoes nothing."""
    out = [question_before(text, start), sentence_before(text, start)]
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start: len(text) if line_end < 0 else line_end]
    if line_start and _FIELD_LINE.match(line):
        previous = text[text.rfind("\n", 0, line_start - 1) + 1: line_start - 1]
        if _FIELD_LINE.match(previous):
            out.append(previous)
    out.append(header_at(text, start))
    out.append(sql_column(text, start))
    out.append(line_after(text, end))
    out.append(sentence_after(text, start, end))
    return " \n ".join(x for x in out if x)


_ALONE_BEFORE = re.compile(r"(?:^|[.!?][ \t]+|\n[ \t>]*)$")
_NEXT_SENTENCE = re.compile(r"[ \t]*[.!?][ \t]+([^.!?\n]{1,80}[.!?]?)")


def sentence_after(text: str, start: int, end: int) -> str:
    """The next sentence when the number is a sentence of its own ("... the visiting order. 056 480 79 89. Call me
    back."): it may say what the number is. Else ""."""
    if not _ALONE_BEFORE.search(text[max(0, start - 4):start]):
        return ""
    m = _NEXT_SENTENCE.match(text, end)
    return m.group(1) if m else ""


def line_after(text: str, end: int) -> str:
    """The next line (a chat turn's words, without its speaker) when the value ends its own line: what comes
    right after a value given alone says what it was ("4295962120830733766\nCustomer: exp 10/27"). Else ""."""
    line_end = text.find("\n", end)
    if line_end < 0 or text[end:line_end].strip(" \t.,;)"):
        return ""
    return _said(text[line_end + 1:].split("\n", 1)[0])


_INSERT = re.compile(r"(?is)insert\s+into\s+[\w.\"`\[\]]+\s*\(([^()]{1,400})\)\s*values\s*\(")


def sql_column(text: str, start: int) -> str:
    """In an SQL INSERT, the column named at the value's position: "personal_id_no" for the second value of
    "INSERT INTO persons (full_name, personal_id_no, city) VALUES ('...', '44051401359', ...)". Else ""."""
    m = None
    for m in _INSERT.finditer(text, 0, start):
        pass
    if m is None or ")" in text[m.end():start]:
        return ""
    # Hand-written: counting the commas outside quotes before the value is all an INSERT row needs here
    index, quoted = 0, False
    for c in text[m.end():start]:
        quoted = quoted != (c == "'")
        index += c == "," and not quoted
    columns = [c.strip(" \t\n\"`[]") for c in m.group(1).split(",")]
    return readable(columns[index] + ": ") if index < len(columns) else ""


def question_before(text: str, start: int) -> str:
    """The question (its own sentence) that the text right before `start` answers, or "". A short one ("sure,
    which number?") comes with the line before it, which says what it asks about ("can you call me instead?").
    In a chat, a turn that asks without a question mark counts too ("Bot: Enter your booking reference.\nUser: ")."""
    window = text[max(0, start - 200):start]
    m = _ANSWER_AFTER_QUESTION.search(window)
    if not m:
        return _prompting_turn(window)
    asked = window[:m.start() + 1]
    cut = max((e.end() for e in _END.finditer(asked, 0, len(asked) - 1)), default=0)
    question = asked[cut:].lstrip(" \t>")
    line_start = asked.rfind("\n", 0, cut) + 1
    if len(_said(question).split()) <= _SHORT_QUESTION and line_start:
        line_before = asked[asked.rfind("\n", 0, line_start - 1) + 1:line_start - 1].strip()
        return f"{line_before}\n{question}"
    return question


def _said(line: str) -> str:
    """A chat line's words without its speaker ("Agent: sure, which number?" -> "sure, which number?")."""
    return _TURN.sub("", line).strip()


def opens_chat_turn(text: str, start: int) -> bool:
    """text[start] opens a turn of a dialogue: its line is "<speaker>: <value>" and one of the three lines before or
    after is a speaker saying something, a question or three words at least ("Agent: and the number from your
    ID?\nCustomer: 62458291038", "Customer: my number is\nCustomer: 0882 ..."). "Customer:" is then who speaks,
    not a customer number's label; in a record ("Customer: 62458291038\nStatus: open", "Agent: Jan Kowalski") the
    other lines hold values, not sayings."""
    line_start = text.rfind("\n", 0, start) + 1
    tag = text[line_start:start]
    if not _TURN.fullmatch(tag):
        return False
    lines = text[max(0, line_start - 300):line_start].split("\n")[-4:-1] + text[start:start + 300].split("\n")[1:4]
    return any((m := _TURN.match(line)) and ("?" in line[m.end():] or len(line[m.end():].split()) >= 3)
               for line in lines)


# A chat export's speaker line, the words on the lines after it: "[14:22] Freelancer", "claims-bot  11:02 AM".
_SPEAKER_LINE = re.compile(rf"[ \t]*(?:{_STAMP}[^\W\d_][\w.-]*(?:[ \t]+[^\W\d_][\w.-]*){{0,2}}|"
                           r"[^\W\d_][\w.-]*(?:[ \t]+[^\W\d_][\w.-]*){0,2}[ \t]+\d{1,2}:\d{2}(?:[ \t]?[AaPp][Mm])?)[ \t]*")


def _prompting_turn(window: str) -> str:
    """The turn right before a chat turn that opens with the value ("Bot: Enter your booking reference.\nUser: 976
    419 1967", or in an export whose speakers stand on their own lines, "claims-bot 11:02 AM\nPlease type ...\nyou
    11:03 AM\n3098 ..."): what it asked for, without its speaker. "" outside a chat."""
    lines = window.split("\n")
    if len(lines) >= 4 and not lines[-1].strip() and _SPEAKER_LINE.fullmatch(lines[-2]) \
            and _SPEAKER_LINE.fullmatch(lines[-4]):
        return lines[-3].strip()
    if len(lines) < 2 or not _TURN.match(lines[-1]) or _said(lines[-1]):
        return ""
    return _said(lines[-2]) if _TURN.match(lines[-2]) else ""


_LEAD_IN = 30  # "It is ", "Eccolo: ", "Here you go - ": what may open the answer before its number


def sentence_before(text: str, start: int) -> str:
    """The sentence (or quoted line) before the one the number opens, when the number's own sentence starts with
    it or a short lead-in: that sentence asked for it or said what it is ("I was asked for my tax number. It is
    ...", "> Merci de nous transmettre votre NIR.\n\n1 84 12 ... – désolé"). Else ""."""
    lo = max(0, start - 2 * _LEAD_IN)
    cut = None
    for m in _END.finditer(text, lo, start):
        cut = m.end()
    if cut is None or len(text[cut:start].strip()) > _LEAD_IN or re.search(r"\d", text[cut:start]):
        return ""
    before = text[max(0, cut - 200):cut].rstrip(" \t\n>")
    if text[cut - 1:cut] == "\n":  # the number's sentence opens its line: the last line with words before it
        return before[before.rfind("\n") + 1:].strip(" \t>")
    ends = [m.end() for m in _END.finditer(before, 0, max(0, len(before) - 1))]
    return before[ends[-1] if ends else 0:].strip(" \t\n>")


def header_names(text: str, start: int, names: re.Pattern) -> bool:
    """The delimited-table column holding text[start] is headed by one of `names` (a person column: "Owner",
    "client", "نام")."""
    header = header_at(text, start)
    return bool(header) and bool(names.fullmatch(header.strip(" |\"'")))


def header_at(text: str, start: int) -> str:
    """The header of the delimited-table column whose cell holds text[start], or "" outside such a table."""
    line_start = text.rfind("\n", 0, start) + 1
    if not line_start:
        return ""
    line_end = text.find("\n", start)
    line = text[line_start: len(text) if line_end < 0 else line_end]
    return column_header(text, line_start, line, start - line_start) or aligned_header(text, line_start, start)


TABLE_GAPS = re.compile(r"\S {2,}(?=\S)")  # the wide gaps between an aligned table's cells
ALIGNED_CELL = re.compile(r"\S+(?: \S+)*")  # its cells: words joined by single spaces


def aligned_header(text: str, line_start: int, start: int) -> str:
    """In a table aligned with spaces (a pandas frame, a fixed-width report), the header cell above the value:
    "emergency_phone" for the last cell of "0  4471  C  08613094053" under "   bib  wave  emergency_phone". The header
    is the first line of the value's block, with two or more wide gaps and no cell that starts with a digit; the
    cell is the one over the value's columns (pandas aligns numbers right, text left), else the nearest."""
    block_start = text.rfind("\n\n", 0, line_start)
    header_start = block_start + 2 if block_start >= 0 else 0
    header = text[header_start:text.find("\n", header_start)]
    if header_start == line_start or len(TABLE_GAPS.findall(header)) < 2:
        return ""
    cells = [(m.start(), m.end(), m.group(0)) for m in ALIGNED_CELL.finditer(header)]
    if any(c[2][0].isdigit() for c in cells):
        return ""
    value = ALIGNED_CELL.match(text, start)
    left, right = start - line_start, start - line_start + len(value.group(0))
    over = [c for c in cells if c[0] < right and c[1] > left]
    if over:
        return over[0][2]
    return min(cells, key=lambda c: min(abs(c[0] - right), abs(c[1] - left)))[2]


_FENCE = re.compile(r"\|?=+|\+[-+=]+\+?|-{3,}")


def column_header(text: str, line_start: int, line: str, offset: int) -> str:
    """In a delimited table (CSV with ",", ";", tab or "|"), the first line's cell above the value: "mobile" for
    "Juhani Harju;0088203139;yes" under "name;mobile;sms_opt_in". Empty when the line is not such a row."""
    for sep in (";", "\t", "|", ","):
        if line.count(sep) < 1:
            continue
        block_start = text.rfind("\n\n", 0, line_start)
        block = text[block_start + 2 if block_start >= 0 else 0:].split("\n", 2)
        # an AsciiDoc or ASCII table's fence ("|===", "+----+") opens the block: the header is the line after it
        header = block[1] if len(block) > 1 and _FENCE.fullmatch(block[0].strip()) else block[0]
        if sep == "|" and header.lstrip().startswith("||"):
            header = header.replace("||", "|")  # Confluence's and Jira's header row: "|| name || phone ||"
        # a header names its columns: no cell of it starts with a digit ("Aadhaar no. (12 digits)" may hold one)
        if header == line or header.count(sep) != line.count(sep) \
                or any(re.match(r"\s*[\d+-]", cell) for cell in header.split(sep)):
            continue
        return header.split(sep)[line[:offset].count(sep)].strip()
    return ""


# "backlog 321 tickets, oldest 482-711-4485": the number is one of the references the clause just counted.
_ONE_OF_THEM = re.compile(r"(?<!\w)(?:oldest|newest|latest|last|first|next|previous|earliest)[ \t:]*$")
_COUNTED = re.compile(r"(?<!\w)(?:tickets|orders|cases|invoices|requests|incidents|shipments|parcels|bookings|claims|"
                      r"returns|jobs|issues|records|items)(?!\w)")


def column_names_reference(text: str, start: int) -> bool:
    """In a delimited table, the column's header is a reference label ("ticket", "order_no", "Auftragsnummer"):
    its cells are references, however they are grouped."""
    header = header_at(text, start)
    return bool(header) and (reference_before(readable(header + ": ")) or names_another_number(readable(header + ": ")))


# A chat transcript's speaker tag ("[10:02] Customer: ..."): who speaks, not what the number is.
_SPEAKER = re.compile(rf"^[ \t>]*{_STAMP}[^\W\d_]+[ \t]*:[ \t]*$")


def question_names_reference(text: str, start: int) -> bool:
    """The question the number answers asks for a reference ("what's the order number?\n[10:02] Caller: ...")."""
    asked = question_before(text, start)
    return bool(asked) and reference_before(asked.rstrip(" ?¿\"'»”)") + ": ")


# A correction that names what it corrects, then gives the value: "Wrong job number on the van sheet, it's ...".
_CORRECTION = re.compile(r"(?i)(?<!\w)(?:wrong|incorrect|correct|right|old|new|updated)[ \t]+((?:[^\W\d_]+[ \t]+){0,2}?"
                         r"(?:number|no|nr|id|code|ref|reference))(?!\w)[^.!?\n]{0,60}?"
                         r"(?:it['’]?s|is|should be|=|:)[ \t]*$")


# A label, the start of its number (spoken or in digits), then the speaker starts again: "reference two two four,
# sorry, 932 601 3123" (blind 13's speech-to-text). The number after the restart is the label's.
# The digits' tokens are separated, so a run of digits has one reading (no backtracking through its splits); the
# restart's words are looked for first, in plain text, since they are rare.
_DIGIT_TOKEN = r"(?:\d+|zero|oh|one|two|three|four|five|six|seven|eight|nine|double|triple)"
_RESTART_WORDS = ("sorry", "i mean", "correction", "no wait", "scratch that", "start again")
_RESTARTED = re.compile(rf"(?i)((?:[^\W\d_]+[ \t]+){{0,2}}?[^\W\d_]+)[ \t]+{_DIGIT_TOKEN}(?:[ \t,-]+{_DIGIT_TOKEN})*"
                        r"[ \t,-]+(?:sorry|i mean|correction|no wait|scratch that|let me start again)[ \t,.-]*$")


def corrects_reference(head: str) -> bool:
    """The clause corrects a reference's number and gives the right one: "Wrong job number on the van sheet,
    it's ...", "the correct order no. is ...", "reference two two four, sorry, ...". Not a phone's ("wrong number,
    the right one is ..." names none)."""
    tail = head[-120:]
    m = _CORRECTION.search(tail) or (any(w in tail.lower() for w in _RESTART_WORDS) and _RESTARTED.search(tail))
    return bool(m) and reference_before(m.group(1) + ": ")


def reference_before(head: str) -> bool:
    """A reference label ends `head` (the text right before a number), in any case; or the number is the oldest,
    latest, ... of the references its clause counts."""
    if _SPEAKER.match(head):
        return False
    if _UNIT_BEFORE.search(head[-40:]):
        return True
    # "reference, uh, 0912 ...": the filler is no word; "订单" MARK " 4500123456": the scrubber's mark splitting a
    # label joined to its number in a script without spaces is no character of the text's
    lowered = _FILLERS_AT_END.sub(" ", head[-50:].lower().replace(MARK, ""))
    if _SENTENCE_ENDS.search(lowered):
        return False  # "... about the visiting order. 056 480 79 89.": the label's sentence ended before the number
    if _ON_FILE.search(lowered):
        return False  # "New card on file 6011...": stored, not a file's number
    m = _REFERENCE.search(lowered)
    if m and m.group("stem") and _CONTACT_PART.search(m.group("stem")):
        m = None  # "Rückrufauftrag": a compound with a phone or contact part is about a call
    if m and _GENERIC_LABEL.match(m.group(0)) and _PHONE_OWNER.search(lowered, 0, m.start()):
        m = None  # "caller_id=", "WhatsApp ID:", "phone no.": the number word belongs to a phone (not "dial-in ID")
    if m and (":" in m.group(0) or _COPULA_END.search(m.group(0))) \
            and (p := _PREPOSITION_BEFORE.search(lowered, 0, m.start())):
        # "Contact phone for the claim: ...", "Card used for the order: ...", "the card for the auction invoice
        # is ...": the reference is what the label's head noun is for; the head noun says what the number is
        return reference_before(lowered[:p.start()])
    return bool(m or _ONE_OF_THEM.search(lowered) and _COUNTED.search(head.lower()))


_ON_FILE = re.compile(r"(?<!\w)on (?:file|record)[ \t:]*$")
# A sentence of three words or more that ends in a full word and a full stop right before the number; not a label's
# abbreviation ("Rechnungsnr. 12345", "Ref. 548-...", "Order no. ...").
_SENTENCE_ENDS = re.compile(r"(?:[^\W\d_][\w'’-]*[ \t]+){2,}(?![\w-]*(?:nr|no|num|nummer|number|ref|id)\.)"
                            r"[^\W\d_]{4,}\.[ \t]+$")
_FILLERS_AT_END = re.compile(r"(?:[ \t]*,?[ \t]*(?<!\w)(?:uh+|um+|erm+|ehm|ähm|äh|euh|eh)(?!\w))+[ \t]*,?[ \t]*$")
_COPULA_END = re.compile(r"(?<!\w)(?:is|es|est|ist|é|è|lautet)[ \t]*$")
_GENERIC_LABEL = re.compile(r"(?:id|uid|no|nr|num|number|code)\b")
_PHONE_OWNER = re.compile(r"(?<!\w)(?:caller|phone|telephone|mobile|cell|whatsapp|telegram|signal|viber|msisdn|sender)"
                          r"[ _-]?$")
# ... with up to two words between: "mobile for the court session:" (blind 13's)
_PREPOSITION_BEFORE = re.compile(r"(?<!\w)(?:for|of|on|für|pour|para|per|voor|til|på|do|da)"
                                 r"(?:[ \t]+(?:the|a|an|this|that|your|my|die|der|den|das|le|la|les|el|il|lo|o))?"
                                 r"(?:[ \t]+[^\W\d_][\w'’-]*){0,2}?[ \t]+$")


# Words for "number" (and "id", "code") that end a label's compound or start a label: Storingsnummer, Rendelésszám,
# Auftrags-Nr., OrderId; "ID de réunion", "Nr referencyjny zwrotu", "número de pedido".
_OTHER_NUMBER_WORDS = r"numara\w*|szám\w*|čísl\w*|broj\w*|kode|koodi"
_NUMBER_WORDS = rf"(?:{_NUMBER_NOUNS}|{_OTHER_NUMBER_WORDS}|kod|kód)"
# Joined without a hyphen only with a number word of four or more letters ("Storingsnummer") or in camel case
# ("OrderId", "KundenNr"): not "inquilino", whose "no" is no number word, nor "casino".
_LONG_NUMBER_WORDS = "(?:" + "|".join(w for w in _NUMBER_NOUNS.split("|") if len(w) >= 4) + f"|{_OTHER_NUMBER_WORDS})"
_COMPOUND_LABEL = re.compile(rf"(?i)(?<![\w-])([^\W\d_]{{3,}}(?:-{_NUMBER_WORDS}|{_LONG_NUMBER_WORDS}|"
                             r"(?-i:(?<=[a-z])(?:Id|ID|Nr|No|Num))))\.?[ \t]*[:#=–-]?[ \t]*#?[ \t]*$")
# (a lower-case "no" without its dot is the negation before a noun, "Digester, no gas (904) 805-0183", blind 27's;
# Spanish and French write "No póliza", "No adhérent" for the number, a review's)
_NUMBER_WORD_FIRST = re.compile(rf"(?i)(?:^|[,;:(\n>]|\s[–-])[ \t]*((?!(?-i:no)[ \t])(?:{_NUMBER_WORDS})\.?[ \t]+(?:[^\W\d_]+['’]?[ \t]*){{1,3}}?)"
                                r"(?:[ \t]+(?:is|es|est|è|é|ist|er|är|on|to|jest|je|yw))?[ \t]*[:#=–-]?[ \t]*$")
# Parts of a label that make it a phone's or a contact's: Telefonnummer, Handynr, Rückrufnummer, numéro de portable.
_CONTACT_PART = re.compile(r"(?i)tel|fon|phon|handy|mobil|cell|fax|ruf|wahl|kontakt|contact|contat|whats|gsm|puhelin|"
                           r"portable|móvil|movil|celular|privat|notfall|sms|komórk|mobitel|numaram|"
                           # the number a customer moves to another carrier ("Number to port:", blind 16's)
                           r"\bto port\b|\bported\b|\bporting\b")
# ... and, in a label only, the number texts or calls go to ("Number for texts:", blind 23's; not a contact word in a
# sentence: "Status messages for batch: 0612345678" names a batch, a review's)
_CONTACT_LABEL = re.compile(r"(?i)\b(?:texts|messages|calls)\b")


# A business record named anywhere in the number's clause, for the learned second opinion only (phone_context.py):
# the rules read a phone's cue wherever it stands, the model guesses from the words around a number, and it must not
# guess inside a sentence about a booking, a shipment or an account number ("Booking for the Smith family:
# 0612345678", "Printer 0612345678 jammed"). The reference words of four letters or more, not those that also name
# people ("customer phoned from ..."), things that carry serial numbers, and the number nouns; a contact word in
# the clause lifts it ("the customer's contact number"), at the start of a word only: "Bestellung", "hotel", "Intel"
# and "cancelled" hold "tel", "cell" and "fon" and are no contact words (a review's finding).
_PEOPLE_REFERENCES = {"customer", "customer id", "client", "member", "membership", "kunde", "cliente"}
_RECORD_IN_CLAUSE = re.compile(
    r"(?i)(?<!\w)(?:" + "|".join(map(_inflected, sorted((w for w in _REFERENCE_WORDS if len(w) >= 4
                                                          and w not in _PEOPLE_REFERENCES), key=len, reverse=True)))
    + r"|status|account|konto|compte|cuenta|conta|number|nummer|numéro|número|numero|numer|"
    # sums a text settles or carries ("total of 0612345678 carried forward", "Kindly settle 0612345678 by month end")
    r"total|amount|sum|balance|betrag|rechnungsbetrag|montant|importe|saldo|settle|carried forward|"
    r"device|printer|scanner|sensor|camera|meter|pump|valve|tank|machine|terminal|asset|equipment|vehicle|truck|"
    r"trailer|pallet|shelf|locker|gateway|router|server|host|node)s?(?!\w)")

_CONTACT_WORD = re.compile(rf"(?<![^\W\d_])(?:{_CONTACT_PART.pattern.removeprefix('(?i)')}|rückruf|durchwahl)",
                           re.IGNORECASE)


def names_a_record(head: str, tail: str) -> bool:
    """The number's clause (context.clause) names a business record, and no phone or contact word."""
    near = f"{head[-60:]} {tail[:40]}"
    return bool(_RECORD_IN_CLAUSE.search(near)) and not _CONTACT_WORD.search(near)


_COPULA_ONLY = re.compile(rf"(?i){_NUMBER_WORDS}\.?[ \t]+(?:is|es|est|è|é|ist|er|är|on|to|jest|je|yw|was|ist es)[ \t]*")


def names_another_number(head: str) -> bool:
    """The label right before the value names a number that is not a phone's: a compound ending in a number word
    ("Storingsnummer", "Rendelésszám", "Auftrags-Nr.", "order Id: ") or a label that starts with one and names
    what it numbers ("ID de réunion", "Nr referencyjny zwrotu"), with no phone or contact word in it. For phones
    only: such a number is whatever its label says, even when it is grouped like a phone. A bare "Nummer:" or
    "my number is" is no such label."""
    m = _COMPOUND_LABEL.search(head[-40:]) or _NUMBER_WORD_FIRST.search(head[-50:])
    # "..., number is": a copula after the number word names nothing (blind 13's "had a typo, number is ...")
    return bool(m) and not _CONTACT_PART.search(m.group(1)) and not _CONTACT_LABEL.search(m.group(1)) \
        and not _COPULA_ONLY.fullmatch(m.group(1))


def amount(head: str, tail: str) -> bool:
    """A currency just before, or a currency or unit just after, or a metric's name among others: the number is a
    quantity."""
    return bool(_AMOUNT_BEFORE.search(head[-8:]) or _AMOUNT_AFTER.match(tail[:16])
                or _METRIC_BEFORE.search(head[-24:]) and _METRICS.search(f"{head} {tail}"))


# A campaign's or a channel's count, named right before it, among other metrics in its clause: "76 posts, reach
# 937.705.133, engagement 76.76%" (blind 22's). "Reach 0612345678 after 6" is someone's phone: no other metric.
_METRIC_BEFORE = re.compile(r"(?i)(?<![^\W\d_])(?:reach|impressions|views|followers|subscribers|downloads|clicks|"
                            r"plays|streams|listeners|visitors)[ \t]*[:=]?[ \t]*$")
_METRICS = re.compile(r"(?i)(?<![^\W\d_])(?:posts?|impressions|views|engagement|followers|clicks|ctr|cpm|cpc|likes|"
                      r"shares|comments|campaign|conversions?|bounce rate|sessions|streams|plays)(?![^\W\d_])")
