"""National identifiers that python-stdnum validates (check digits, embedded dates, reserved ranges).

Each scheme says how the number is usually written. A written form distinctive enough on its own (SSN
123-45-6789, CPF 123.456.789-09, a codice fiscale, a Finnish HETU) is scrubbed when its validator accepts it.
A bare run of digits is scrubbed only with a word naming an identifier in its sentence, before or after it
("BSN", "PESEL", "tax ID", "... is the burgerservicenummer on file"; also as people misspell, shorten, dot,
inflect, write apart or spell out it: "fødselsnummeret", "burger service nummer", "Cadastro de Pessoas Físicas";
a word with the identity stem, a person's or citizen's number key), after a possessive ("my ...: 52871403956"), or right beside a person's name
with only punctuation between ("Kenan Rogner, 48179250306, Mühlhausen": a record about that person), and never after a
reference label ("Kundennummer", "order") or next to a currency: 88% of random 9-digit numbers are valid SSNs
(there is no check digit), 9% valid BSNs, and 4% of random 11-digit numbers pass one of the 11-digit schemes
(docs/facts.md "PII validators and lookalikes"), so the checksum alone would scrub order numbers. A scheme's
validator must accept the value either way, so an invoice number shaped like an SSN but in a reserved range,
or an id with a wrong check digit, is left alone.
"""

import importlib
import re
from dataclasses import dataclass
from functools import lru_cache

from tasks.sampling.pii import phones

# Words that name some identifier, in the prompts' languages; each scheme adds its own below.
GENERIC_WORDS = ("national id", "national identity", "id number", "id no", "id nr", "id-no", "id-nummer",
                 "identity number", "identity no", "identity nr", "identnummer", "identitetsnummer", "número de identidad",
                 "numero di identità", "numéro d'identité", "social insurance no", "social insurance number",
                 "identification number", "personal number", "personal id", "personal identity", "tax id",
                 "tax number", "tax identification", "taxpayer", "tin", "social security", "ssn", "id card",
                 "identity card", "citizen id", "ausweisnummer", "personalausweis", "identifikationsnummer",
                 "steuernummer", "numéro d'identification", "numéro fiscal", "pièce d'identité", "número de identificación",
                 "documento de identidad", "número fiscal", "documento", "codice identificativo", "identiteitsnummer",
                 "persoonsnummer", "número de identidade", "identidade", "contribuinte",
                 # Czech, Slovak, Croatian/Serbian/Slovenian, Hungarian, Dutch: "personal identification number"
                 "identifikační číslo", "identifikačné číslo", "rodné číslo", "osobní číslo", "osobné číslo", "oib",
                 "jmbg", "emšo", "osobni identifikacijski broj", "személyi szám", "személyi azonosító",
                 "adóazonosító jel", "identificatienummer", "personal identification",
                 # Polish, French and Finnish "identification number" / "personal identifier"
                 "numer identyfikacyjny", "identifiant personnel", "yksilöivä tunnus", "personal identifier",
                 # Turkish "identity number", German and Austrian "personal identification number"
                 "kimlik numarası", "kimlik no", "personenkennzahl", "personenkennnummer", "personenkennziffer",
                 # Basque "identity number", "identity card"
                 "nortasun-zenbakia", "nortasun zenbakia", "nortasun agiria",
                 # Croatian "personal number", "identity card"; Vietnamese "identification", "citizen id card";
                 # Finnish "identity card"
                 "osobni broj", "osobna iskaznica", "osobne iskaznice", "định danh", "dinh danh", "căn cước",
                 "can cuoc", "cccd", "henkilöllisyystodistus", "henkilöllisyystodistuksesta", "henkilökortti",
                 # identity card in German, Czech, Hungarian and Swahili; a government-issued id
                 "ausweis", "občanka", "občance", "občanský průkaz", "igazolvány", "személyi igazolvány",
                 "kitambulisho", "government-issued", "government id",
                 # an identity document's number, and keys that shorten "ID number" or "national id"
                 "identity document", "id document", "idno", "nat id",
                 # Indonesian: the population identity number (NIK) and the identity card (KTP) (blind 13's)
                 "nomor induk kependudukan", "nik ktp", "ktp", "e-ktp", "nomor ktp",
                 # a national identifier (not any "identifier"), Finnish "personal number", Spanish "cédula" (blind 14's)
                 "national identifier", "henkilönumero", "cédula", "cedula", "cédula de identidad",
                 # Hebrew "identity number", "identity card"; Malay "identification", "identity card" (blind 15's)
                 "מספר זהות", "תעודת זהות", "ת.ז", "ת\"ז", "nombor pengenalan", "kad pengenalan", "mykad", "no. kp",
                 # the same with Hebrew's article; Romania's personal numeric code spelled out (blind 16's)
                 "תעודת הזהות", "מספר הזהות", "cod numeric personal", "codul numeric personal",
                 # the fields that hold one in payroll filings: Norway's a-melding (<norskIdentifikator>), France's
                 # DSN (S21.G00.30.001, the employee's NIR) (blind 23's)
                 "norskidentifikator", "norsk identifikator", "s21.g00.30.001")


@dataclass(frozen=True)
class Scheme:
    module: str                 # python-stdnum module (or local validator) whose is_valid decides
    written: str | None         # regex of the usual written form, distinctive on its own
    plain: str | None = None    # regex of other spellings (bare digits): need a naming word nearby
    words: tuple[str, ...] = ()  # upper-case ones match only in upper case: "SIN", not Spanish "sin"
    letters: bool = False       # may be written with letters: also found by its own pattern


SCHEMES: dict[str, Scheme] = {
    "us.ssn": Scheme("us.ssn", r"\d{3}-\d{2}-\d{4}", r"\d{3} ?\d{2} ?\d{4}", ("social security", "ssn")),
    "us.itin": Scheme("us.itin", r"9\d{2}-\d{2}-\d{4}", r"9\d{8}", ("itin",)),
    "gb.nino": Scheme("gb.nino", r"[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]", None,
                      ("national insurance", "nino", "ni number"), letters=True),
    "gb.nhs": Scheme("gb.nhs", None, r"\d{3} ?\d{3} ?\d{4}", ("nhs",)),
    "de.idnr": Scheme("de.idnr", None, r"\d{2} ?\d{3} ?\d{3} ?\d{3}",
                      ("steuer-id", "steuerid", "steuer id", "steueridentifikationsnummer", "idnr", "id-nr")),
    "fr.nir": Scheme("fr.nir", r"[12] ?\d{2} ?\d{2} ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3} ?\d{2}", None,
                     ("nir", "sécurité sociale", "securite sociale", "sécu", "insee", "carte vitale"), letters=True),
    "es.dni": Scheme("es.dni", r"\d{8}-?[A-HJ-NP-TV-Z]", None, ("dni",), letters=True),
    "es.nie": Scheme("es.nie", r"[XYZ]-?\d{7}-?[A-HJ-NP-TV-Z]", None, ("nie",), letters=True),
    "it.codicefiscale": Scheme("it.codicefiscale", r"[A-Z]{6}[\dLMNP-V]{2}[A-EHLMPR-T][\dLMNP-V]{2}[A-Z][\dLMNP-V]{3}[A-Z]",
                               None, ("codice fiscale",), letters=True),
    "nl.bsn": Scheme("nl.bsn", None, r"\d{9}|\d{4}\.\d{2}\.\d{3}", ("bsn", "burgerservicenummer", "sofinummer", "sofi", "bsn-nummer")),
    "be.nn": Scheme("be.nn", r"\d{2}\.\d{2}\.\d{2}-\d{3}\.\d{2}", r"\d{11}",
                    ("rijksregisternummer", "numéro national", "registre national", "insz", "niss")),
    "br.cpf": Scheme("br.cpf", r"\d{3}\.\d{3}\.\d{3}-\d{2}", r"\d{11}", ("cpf",)),
    # "UID no." is what Indian forms call the Aadhaar number (UIDAI issues it); bare "UID" names any software id
    "in_.aadhaar": Scheme("in_.aadhaar", None, r"\d{4} ?\d{4} ?\d{4}", ("aadhaar", "aadhar", "uidai", "uid no",
                                                                       "uid number", "uid card")),
    "pl.pesel": Scheme("pl.pesel", None, r"\d{11}", ("pesel",)),
    "se.personnummer": Scheme("se.personnummer", r"(?:\d{2})?\d{6}[-+]\d{4}", r"\d{10}|\d{12}",
                              ("personnummer", "person number", "pnr", "p-nr", "personnumret")),
    "dk.cpr": Scheme("dk.cpr", None, r"\d{6}-?\d{4}", ("cpr", "cpr-nummer", "personnummer")),
    "no.fodselsnummer": Scheme("no.fodselsnummer", None, r"\d{6} ?\d{5}", ("fødselsnummer", "fodselsnummer", "personnummer", "fnr")),
    "fi.hetu": Scheme("fi.hetu", r"\d{6}[-+A-FU-Y]\d{3}[\dA-FHJ-NPR-Y]", None, ("hetu", "henkilötunnus", "henkilötunnukseni", "sotu"), letters=True),
    "ch.ssn": Scheme("ch.ssn", r"756\.\d{4}\.\d{4}\.\d{2}", r"756\d{10}", ("ahv", "avs", "sozialversicherung")),
    "at.vnr": Scheme("at.vnr", None, r"\d{4} ?\d{6}", ("sozialversicherungsnummer", "svnr", "sv-nummer", "versicherungsnummer")),
    "ca.sin": Scheme("ca.sin", None, r"\d{3}[ -]?\d{3}[ -]?\d{3}", ("SIN", "NAS", "social insurance", "assurance sociale")),
    "mx.curp": Scheme("mx.curp", r"[A-Z]{4}\d{6}[HMX][A-Z]{5}[A-Z\d]\d", None, ("curp",), letters=True),
    "tr.tckimlik": Scheme("tr.tckimlik", None, r"\d{11}", ("kimlik", "tckn", "tc no", "t.c. no", "tc kimlik", "kimlik no")),
    "pt.nif": Scheme("pt.nif", None, r"\d{9}", ("nif", "número de contribuinte", "nº contribuinte")),
    "ro.cnp": Scheme("ro.cnp", None, r"\d{13}", ("cnp", "cod numeric personal")),
    # (its check digit may be X: found by the letters' pattern, or the digit runs' stopped before it, a review's
    # "身份证号：11010519491231002X")
    "cn.ric": Scheme("cn.ric", r"\d{17}[\dXx]", None, ("身份证", "resident identity"), letters=True),
    # Estonian and Lithuanian personal codes, Korea's resident registration number: a review of blind 25's round
    # found them named and not validated ("National personal code: 33309240064")
    # (not "personal code": a locker's or a kiosk's PIN too, a review's)
    "ee.ik": Scheme("ee.ik", None, r"\d{11}", ("isikukood", "isikukoodi", "isikukoodiga", "national personal code")),
    "lt.asmens": Scheme("lt.asmens", None, r"\d{11}", ("asmens kodas", "asmens kodą", "asmens kodo", "asmens kodu",
                                                              "national personal code")),
    "kr.rrn": Scheme("kr.rrn", None, r"\d{6}-?\d{7}", ("resident registration number", "주민등록번호", "주민번호")),
    # Croatia's OIB, Greece's AMKA, Israel's Teudat Zehut, Thailand's citizen number (its 1-4-5-2-1 groups are
    # distinctive), Latvia's personal code: schemes whose people Faker's locales write and stdnum validates. Not
    # Ukraine's 10-digit taxpayer number: one in ten 10-digit order numbers passes its check (blind 7's "Ma don hang
    # 2204657001", where "ma" reads as a possessive)
    "hr.oib": Scheme("hr.oib", None, r"\d{11}", ("oib", "osobni identifikacijski broj")),
    "gr.amka": Scheme("gr.amka", None, r"\d{11}", ("amka", "αμκα", "α.μ.κ.α.")),
    "il.idnr": Scheme("il.idnr", None, r"\d{9}|\d{8}-\d", ("teudat zehut", "תעודת זהות", "מספר זהות")),
    "th.pin": Scheme("th.pin", r"\d-\d{4}-\d{5}-\d{2}-\d", r"\d{13}", ("เลขประจำตัวประชาชน", "thai id")),
    "lv.pvn": Scheme("lv.pvn", None, r"\d{6}-?\d{5}", ("personas kods", "personas koda", "personas kodu")),
}
DEFAULT_SCHEMES = tuple(SCHEMES)
# Written with letters: one combined pattern finds them; the lookahead lets the regex engine skip the
# positions where none can start (5x faster than trying every alternative everywhere).
_LETTERED = r"(?=[A-Z\d][A-Z\d .+-]{{6}})(?<![\w-])(?:{})(?![\w-])"


def check_schemes(names) -> tuple[str, ...]:
    unknown = sorted(set(names) - set(SCHEMES))
    if unknown:
        raise ValueError(f"sampling.pii.national_ids: {unknown} unknown; known: {sorted(SCHEMES)}")
    return tuple(names)


@lru_cache(maxsize=64)
def _validator(module: str):
    if module == "gb.nino":
        return _valid_nino
    is_valid = importlib.import_module(f"stdnum.{module}").is_valid

    def safe(value: str) -> bool:
        try:
            return is_valid(value)
        except Exception:  # noqa: BLE001 - stdnum.cn.ric raises KeyError on some unknown region codes
            return False
    return safe


def _valid_nino(value: str) -> bool:
    """HMRC's allocation rules; python-stdnum has no UK National Insurance number. Prefixes BG, GB, KN, NK,
    NT, TN and ZZ (ZZ is the placeholder in HMRC's own examples) are never issued."""
    compact = value.replace(" ", "")
    return compact[:2] not in {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}


def _spellings(word: str) -> str:
    """The regex of a naming word as people abbreviate it: "...nummer" also as "...nr" ("burgerservicenr."), a
    short acronym with dots or hyphens between its letters ("c.p.f." for cpf, "f-nr" for fnr), and a phrase's
    later long words cut short with a dot ("Social Ins. No." for social insurance no)."""
    if word.endswith("nummer") and len(word) > 8:
        return re.escape(word[:-6]) + r"[- .]?(?:nummer|nr)"  # burgerservicenr, burgerservice-nr
    if word.isalpha() and 2 < len(word) <= 5 and word == word.lower() and not re.search(r"[aeiouy]{2}", word):
        return r"[.-]?".join(map(re.escape, word)) + r"\.?"
    if " " in word:
        first, *rest = word.split(" ")
        return " ".join([re.escape(first), *(_cut_short(w) for w in rest)])
    return re.escape(word)


def _dotted(acronym: str) -> str:
    """An upper-case acronym as written, or with a dot after each letter: SIN, S.I.N."""
    plain = re.escape(acronym)
    if not (acronym.isalpha() and 2 <= len(acronym) <= 5):
        return plain
    return f"{plain}|{''.join(re.escape(c) + '[.]' for c in acronym)}"


def _cut_short(word: str) -> str:
    """A word of a naming phrase, whole or cut to three or more of its letters and a dot: insurance, ins., insur."""
    if len(word) < 6 or not word.isalpha():
        return re.escape(word)
    return re.escape(word[:3]) + f"(?:{re.escape(word[3:])}|{'?'.join(map(re.escape, word[3:6]))}?\\.)"


@lru_cache(maxsize=16)
def _compiled(names: tuple[str, ...]):
    """Per scheme: written and plain patterns, the naming-word pattern; plus the combined letters pattern."""
    out = {}
    for name in names:
        s = SCHEMES[name]
        words = s.words + GENERIC_WORDS
        folded = "|".join(map(_spellings, (w for w in words if not w.isupper())))
        exact = "".join("|" + _dotted(w) for w in words if w.isupper())
        words = re.compile(rf"(?<!\w)(?:(?i:{folded}){exact})(?!\w)")
        out[name] = (re.compile(s.written) if s.written else None, re.compile(s.plain) if s.plain else None, words)
    lettered = [(n, SCHEMES[n].written) for n in names if SCHEMES[n].letters]
    combined = re.compile(_LETTERED.format("|".join(f"(?P<s{i}>{p})" for i, (_, p) in enumerate(lettered)))) \
        if lettered else None
    return out, combined, [n for n, _ in lettered]


class NationalIds:
    """Finds identifiers of the configured schemes in a text; `classify` judges one digit-run candidate."""

    def __init__(self, names=DEFAULT_SCHEMES):
        self.names = check_schemes(names)
        self.patterns, self.lettered, self.lettered_names = _compiled(self.names)

    def classify(self, value: str, head: str, tail: str, excluded: bool = False, beside_person=None,
                 labelled_other: bool = False) -> bool:
        """A digit run (with separators), `head` and `tail` the text of its clause before and after it
        (context.clause): an identifier of some scheme? A distinctive written form needs only its validator.
        A bare run also needs a word naming an identifier in its clause, before or after it ("BSN", "tax ID",
        "... (Steueridentifikationsnummer)"), or, unless `excluded` (a reference label or a currency next to
        it), a person's name right beside it (`beside_person()`: "Kenan Rogner, 48179250306, Mühlhausen").
        `labelled_other`: a label naming some other thing stands right before it ("Part no. 220-95-5009"): then
        even a distinctive written form is that thing's number, unless a word naming an identifier is near."""
        named = None  # the clause, joined once and only if a plain form matches
        loose = None  # _loosely_named's answer: the same for every scheme, so asked once
        person = None
        for name in self.names:
            written, plain, words = self.patterns[name]
            if written is not None and written.fullmatch(value) and _validator(SCHEMES[name].module)(value):
                if not labelled_other or words.search(head + " " + tail):
                    return True
                continue
            if plain is not None and plain.fullmatch(value):
                if named is None:
                    named = head + " " + tail
                if not _validator(SCHEMES[name].module)(value):
                    continue
                if words.search(named) or len(re.sub(r"\D", "", value)) >= 11 and _BARE_ID.search(head):
                    return True
                if not excluded:
                    if loose is None:
                        loose = _loosely_named(head, tail, self.names)
                    if loose:
                        return True
                if beside_person is not None and not excluded:
                    if person is None:
                        person = beside_person()
                    if person:
                        return True
        return False

    def lettered_ids(self, text: str, hit) -> str:
        """Identifiers written with letters (NINO, DNI/NIE, codice fiscale, HETU, CURP, a Chinese id's X), validated."""
        if self.lettered is None or not re.search(r"\d", text):
            return text

        def one(m: re.Match) -> str:
            name = self.lettered_names[int(m.lastgroup[1:])]
            return hit("national_id") if _validator(SCHEMES[name].module)(m.group(0)) else m.group(0)
        return self.lettered.sub(one, text)


# "identification", "identità", "identidad", "Identität", "identiteit", "identyfikacyjny", "identifikační": the stem
# names an identity document's number in every language these prompts use, whatever words stand around it. Not
# "identifier", "identifiant", "identificador", "Identifikator": any record's key ("identifiant de tâche").
_IDENTITY_STEM = re.compile(r"(?i)(?<!\w)ident(?!if(?:ier|iant|icador|icatore|ikator))(?:if|it|id|yf)\w*")
# "Identity" and the identity card in other scripts (blind 12's): Greek, Cyrillic, Devanagari, Arabic (with its
# article joined: "الهوية", blind 13's), Persian; in
# Turkish; a `GovId` key; and inside the runs of scripts written without spaces: Chinese, Japanese, Korean, Thai
_IDENTITY_ELSEWHERE = re.compile(r"(?i)(?<!\w)(?:ταυτότητ\w*|ταυτοτητ\w*|удостоверени\w*|паспорт\w*|पहचान|"
                                 # Russian and Ukrainian "personal number", Ukrainian "identification" (blind 16's)
                                 r"персональн\w* номер\w*(?! заказ)|особист\w* номер\w*|ідентифікаційн\w*|"
                                 r"(?:ال)?هوي[ةت]\w*|(?:الرقم|[وبل]?رقم(?:ه|ها|ي|هم)) (?:الشخصي|القومي|الوطني)(?! الموحد)|идентификацион\w*|شناسنامه|کارت ملی|nüfus cüzdan\w*|nufus cuzdan\w*|gov ?id|"
                                 # Hungarian "personal identifier/number" with its suffixes, Finnish "a person's
                                 # identification number", Portuguese "natural person's registration" (the CPF)
                                 # (blind 25's; not "személyi számítógép", a personal computer, nor "henkilöauton
                                 # tunnistenumero", a passenger car's, a review's)
                                 r"személyi (?:azonosító\w*|szám(?:a|át|ot|om|ának)?|igazolvány\w*)|henkilön tunnistenumero\w*|"
                                 # Hungarian "személyes (állami) azonosító" (a person's (state) identifier) (blind 28's)
                                 r"személyes (?:állami )?azonosító\w*|"
                                 r"(?:inscrição|cadastro|registro) (?:da |de |das )?pessoas? físicas?)(?!\w)")
# German "persönliche Kennnummer" (a person's identification number), Russian "личный номер (гражданина)" (personal
# number: Belarus's identity number), right before the number only (blind 26's): "Persönliche Kennnummer Ihrer
# Lizenz: ...", "Личный номер заявки ..." name a licence's and a request's (a review's)
# ... and the population register that issues it, right before the number or with its number's word between: "registrul
# populației cu codul personal ...", "в государственном реестре населения: ..." (blind 27's; not anywhere in the
# clause: "population register snapshot 8507100009", "Реестр населения: договор 8507100009", nor after its "№": "Запрос
# в реестр населения № 9434765919", a request's, a review's)
_PERSONAL_NUMBER_BEFORE = re.compile(r"(?i)(?<!\w)(?:(?:persönlich\w* kennnummer|личн\w* номер(?:[ \t]+гражданина)?)[ \t]*[:№]?|"
                                     r"(?:population regist(?:er|ry)|registrul populației|registrul populatiei|"
                                     r"реестр\w* населения|реєстр\w* населення)"
                                     r"(?:[^\d\n:№]{0,40}?(?<!\w)(?:number|no\.?|code|cod\w*(?: personal)?|номер\w*)(?!\w))?"
                                     # the Nordic folkeregister, right before the number or a short word and its
                                     # number word between (blind 28's; not "Folkeregisteret org. nummer", an
                                     # agency's, nor "henvendelse nummer", a case's, a review's)
                                     r"[ \t]*:?|folkeregist\w*(?:(?:[ \t]+\w{1,4})?[ \t]+(?:nummer\w*|nr|no)\.?)?[ \t]*:?)"
                                     r"[ \t]*$")
# ("personal identification number" in Chinese, Japanese and Korean: 身份号码, 個人識別番号, 개인식별번호, blind 15's)
_IDENTITY_UNSPACED = re.compile(r"身份证|身份證|身分證|本人確認|身分証|マイナンバー|個人番号|주민등록|신분증|บัตรประชาชน|"
                                r"身份号码|身份號碼|身分號碼|身分号码|个人识别|個人識別|개인식별|개인 식별 번호|"
                                # Korean "resident identification number" (blind 27's); not a product's 识别号
                                r"주민 ?식별 ?번호")
# Someone's own number: "my ... is 52871403956", "meine ...: ", "il mio ...", "mój ...", before the number
# (phones.OWNER: a possessive is a closed class in every language, unlike the names people give their identifiers).
# With a validator's yes and no reference label or amount next to it (the caller's check), the number is that
# person's.
_OWNER = phones.OWNER
# A person's or citizen's number as keys and forms name it: "Personal No.", "CitizenNo", "personal_id_no",
# "national-person-id" (words joined by spaces, hyphens or underscores; keys are read as words first)
_PERSON_NUMBER = re.compile(r"(?i)(?<![^\W_])(?:national|person|personal|citizen|civil|resident)"
                            r"(?:[ _-]?(?:person|personal|identity|id))?[ _-]?(?:id|no|nr|num|number)(?![^\W_])")
# ... and a citizen's or a person's registration number, before the number: "citizen registration number",
# "personal_registration_no" (blind 27's; not a civil one: a company has a "civil registration number" too; not after
# it: "Business registration number 123456782 (not a personal registration number)", reviews')
_PERSON_REGISTRATION = re.compile(r"(?i)(?<![^\W_])(?:citizen|person|personal)[ _-]?registration[ _-]?(?:no|nr|num|number)"
                                  r"(?![^\W_])")
_TOKEN = re.compile(r"[^\W\d_][\w.-]*[^\W\d_]\.?")
_NUMBER_SUFFIX = re.compile(r"(?:nummer|number|nr|no|num)\.?$")


# "ID" as the whole label, at the start of its clause or line ("ID: 78010496667", "Jan Nowak, ID 78010496667"): a
# person's id, though a reference list counts a bare "ID:" too; with a word before it, the id of that thing ("Order
# ID:", "user id"), and a key's "id=" is a record's. Only for 11 digits or more, where a scheme's check digit and date
# must both hold: after "ID:" us.ssn would take 87% of 9-digit record numbers, and a 9- or 10-digit scheme with one
# check digit one in ten (a review's).
_BARE_ID = re.compile(r"(?:^|[\n(\[|;,])[ \t]*(?:ID|I\.D\.)[ \t]*(?:[Nn]o\.?|[Nn]r\.?)?[ \t]*[:#]?[ \t]*$")


def _loosely_named(head: str, tail: str, names: tuple[str, ...]) -> bool:
    """An identifier named as people write it when no exact naming word matched: a word with the identity stem,
    a possessive before the number ("my ...", "il mio ..."), an id name with one typo ("adhaar" for aadhaar,
    "pesle"), or one cut short before its number word ("Steuer-Ident-Nr." for Steueridentifikationsnummer,
    "Sozialvers.-Nr."). Not after a reference label or next to an amount (the caller checks): "Transaction
    identifier 123456789" stays."""
    clause = f"{head} {tail}"
    # The possessive only in the words just before the number: "Your order ... split into 80 parcels; the first
    # one (230163975144)" is no one's id
    if _IDENTITY_STEM.search(clause) or _PERSON_NUMBER.search(clause) or _PERSON_REGISTRATION.search(head) \
            or _IDENTITY_ELSEWHERE.search(clause) \
            or _IDENTITY_UNSPACED.search(clause) or _PERSONAL_NUMBER_BEFORE.search(head) \
            or _OWNER.search(head[-60:]) and not phones.announces(head, tail):
        return True  # "call me on my mobile 601234567" is a phone, whatever it validates as
    single, compact = _name_forms(names)
    words = [re.sub(r"[.-]", "", token) for token in _TOKEN.findall(clause.lower())]
    for i, word in enumerate(words):
        if len(word) >= 6 and any(_one_edit(word, n) for n in single if abs(len(n) - len(word)) <= 1):
            return True
        stem = _NUMBER_SUFFIX.sub("", word)
        if stem != word and len(stem) >= 6 and any(n.startswith(stem) and len(n) >= len(stem) + 3 for n in compact):
            return True
        # A compound name with an ending ("fødselsnummeret", "Personalausweises": the definite article or a case
        # ending), or written apart ("burger service nummer", "fodsels nummer")
        if len(word) >= 9 and any(word.startswith(n) and len(word) - len(n) <= (5 if len(n) >= 9 else 3)
                                  for n in single if len(n) >= 8):
            return True
        # a long name whose ending changes with its case ("henkilöllisyystodistukseni" for ...todistus)
        if len(word) >= 12 and any(len(n) >= 12 and word[:len(n) - 2] == n[:-2] for n in single):
            return True
        if any("".join(words[i:i + k]) in compact for k in (2, 3) if i + k <= len(words)):
            return True
    return _spelled_out(clause, _acronyms(names))


# A name spelled out in capitalised words, with the short words that join them: "Cadastro de Pessoas Físicas",
# "Número de Identificación Fiscal", "Social Insurance Number".
_TITLE_RUN = re.compile(r"(?<!\w)[^\W\d_a-z][^\W\d_]+(?:[ \t]+(?:[a-zà-ÿ]{1,3}[ \t]+)?[^\W\d_a-z][^\W\d_]+){1,4}")


def _spelled_out(clause: str, acronyms: frozenset[str]) -> bool:
    """An id's acronym written out: the initials of a run of capitalised words (skipping joining words such as
    "de", "of", "di") spell it, the way official names are written ("Cadastro de Pessoas Físicas" -> CPF)."""
    for m in _TITLE_RUN.finditer(clause):
        initials = "".join(w[0] for w in m.group(0).split() if w[0].isupper()).lower()
        # the whole run, or all but a word at either end ("My Social Insurance Number": sin)
        if initials in acronyms or initials[1:] in acronyms or initials[:-1] in acronyms:
            return True
    return False


@lru_cache(maxsize=16)
def _acronyms(names: tuple[str, ...]) -> frozenset[str]:
    """The configured schemes' naming words of 3 to 5 letters with no vowel pair (cpf, nif, dni, ssn, pesel)."""
    words = {w.lower() for name in names for w in SCHEMES[name].words} | set(GENERIC_WORDS)
    return frozenset(w for w in words if w.isalpha() and 3 <= len(w) <= 5 and not re.search(r"[aeiouy]{2}", w))


@lru_cache(maxsize=16)
def _name_forms(names: tuple[str, ...]) -> tuple[frozenset[str], frozenset[str]]:
    """(one-word naming words of 6+ letters, every naming word with spaces, dots and hyphens removed), lower case."""
    words = {w.lower() for name in names for w in SCHEMES[name].words} | set(GENERIC_WORDS)
    single = frozenset(w for w in words if w.isalpha() and len(w) >= 6)
    return single, frozenset(re.sub(r"[ .'-]", "", w) for w in words)


def _one_edit(a: str, b: str) -> bool:
    """a and b differ by one insertion, deletion, substitution or swap of neighbours (not equal: an exact name
    matched already). Hand-written: one bounded comparison does not warrant an edit-distance dependency."""
    if a == b:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = next((k for k in range(len(a)) if a[k] != b[k]), len(a))
    if len(a) == len(b):
        return a[i + 1:] == b[i + 1:] or (a[i + 2:] == b[i + 2:] and a[i:i + 2] == b[i:i + 2][::-1])
    return a[i:] == b[i + 1:]
