"""Person names without a language model: cue phrases in seven languages plus Faker's name lists.

A name is a run of capitalised words (accents, hyphens and apostrophes included: José-María, O'Neil), with
the lower-case particles of European surnames inside it (van der Berg, de la Cruz, dos Santos). It counts as
a person
- after a strong cue: an introduction ("my name is", "je m'appelle", "ich heiße", "me llamo", "mi chiamo",
  "mijn naam is", "meu nome é"), a sign-off ("regards,", "Mit freundlichen Grüßen", "cordialement",
  "atentamente", "cordiali saluti", "met vriendelijke groet", "atenciosamente") or a title (Mr, Frau, Mme,
  Sra., Sig., Dhr.): whatever capitalised words follow;
- after a self-introduction ("this is", "ich bin", "je suis", "soy", "sono", "ik ben", "sou"): two or more
  capitalised words, or one known first name (German nouns are capitalised: "ich bin Neukunde");
- after a greeting ("Dear", "Hallo", "Bonjour"): only when a word is a known first or last name, because
  "Dear Acme Cloud" is a company;
- after a short sign-off line in any language ("Pagarbiai,", "Szép napot!") when the next line holds only the
  name, in a role field of a form, log or config ("Caller:", "assignee", `user '...'`, "approved by", a chat
  export's speaker, a column headed "Tenant"), as a quoted mail's writer ("... wrote:", "schrieb ...:"), or as
  the answer to a question for a name: two capitalised words that name no team or office, else as after a
  greeting;
- anywhere: a known first name followed by a capitalised surname (after a particle, a known surname:
  "Duarte do Galho" is a town).
Never a person: a run with a company word (GmbH, Inc., S.L.) or after San/Santa/São/St. (places).
Faker's person lists (their ASCII folds too; 30 locales whole, 37 more without common words: Latin, Cyrillic,
Greek, Armenian) are the gazetteer.
Greek, Cyrillic and Armenian names are found like Latin ones; names in scripts without capitals are
script_names.py's, and name_spans returns both.
"""

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

from tasks.sampling.pii import common_words, context, faker_names, language_ner, script_names

# Faker locales with names in a script with capital letters: Latin (ja_JP contributes its romaji), Cyrillic,
# Greek and Armenian. Names in scripts without them (Arabic, Hebrew, Indic, Thai, CJK, Hangul) are script_names.py's.
# fi_FI and de_CH stay out of both lists below: benchmarks/pii_recall.py's names from them measure names outside
# the lists.
NAME_LIST_LOCALES = ("en_US", "en_GB", "en_IN", "de_DE", "fr_FR", "es_ES", "it_IT", "pl_PL", "nl_NL", "pt_BR", "pt_PT",
                     "sv_SE", "tr_TR", "ru_RU", "hi_IN", "ja_JP", "zh_CN", "ar_AA", "es_MX", "de_AT", "fr_CH", "da_DK",
                     "no_NO", "en_IE", "cs_CZ", "uk_UA", "bg_BG", "mk_MK", "el_GR", "hy_AM")
# Every other such locale of Faker's. Their names count only where they are no common word of another language
# (common_words.py), and their first names only after a cue or before a known surname or a word no language uses
# often (_is_name): taken whole (2026-12-07), their 13,000 more first names brought in words of every language,
# "An Introduction To ...", "Valid From", "Sable Leather Sofa" (docs/facts.md), as a list's first name followed by
# any capitalised word is a name.
MORE_NAME_LIST_LOCALES = ("az_AZ", "de_LI", "de_LU", "en", "en_KE", "en_NG", "en_NZ", "en_PK", "en_TH", "es", "es_AR",
                          "es_CA", "es_CL", "es_CO", "et_EE", "fr_BE", "fr_CA", "fr_DZ", "ga_IE", "ha_NG",
                          "hr_HR", "hu_HU", "id_ID", "ig_NG", "is_IS", "lt_LT", "lv_LV", "nl_BE", "ro_RO", "sk_SK",
                          "sl_SI", "sw", "tw_GH", "uz_UZ", "vi_VN", "yo_NG", "zu_ZA")
# Capitalised words that are first names somewhere but far more often something else in tickets.
_NOT_NAMES = {"May", "June", "Mark", "Will", "Bill", "Grace", "Chase", "Austin", "Florence", "Victoria", "Jordan",
              "Chelsea", "Madison", "Carolina", "Georgia", "Virginia", "Santiago", "My", "Our", "Best", "Please",
              "Thanks", "Team", "Hope", "Page", "Sunday", "Monday", "Friday", "Dashboard", "Billing", "Max", "Pro",
              "Ruby", "Summer", "Sky", "Joy", "Faith", "Dawn", "Art", "Guy", "Rich", "Gene", "Chip", "Pat", "Sunny",
              "Lane", "Drew", "Miles", "Major", "Paris", "London", "Berlin", "Madrid", "Roma", "Lima", "Sofia",
              "Vienna", "Mai", "Juni", "Juli", "August", "April", "Marti", "Hi", "Hello", "Dear", "Van", "Del"}
# A sign-off's words that name a team, not a person ("Your Support Team", "Kundenservice Nord")
_TEAM_WORDS = {"The", "Your", "Service", "Services", "Support", "Desk", "Helpdesk", "Department", "Customer", "Customers",
               "Office", "Sales", "Accounts", "Accounting", "Operations", "Kundenservice", "Kundendienst", "Équipe",
               "Equipo", "Servicio", "Servizio", "Klantenservice", "Atendimento", "Staff", "Management", "Admin",
               "Ufficio", "Büro", "Bureau", "Oficina", "Kantoor", "Personale", "Personal", "Abteilung", "Afdeling",
               # the functions a firm's teams are named for ("led by Platform Engineering", "approved by Finance Ops")
               "Engineering", "Platform", "Finance", "Legal", "HR", "IT", "Marketing", "Security", "Research",
               "Product", "Design", "Data", "Infrastructure", "Ops", "DevOps", "Board", "Committee", "Council",
               "Logistics", "Procurement", "Quality", "Compliance", "Facilities", "Payroll", "Analytics", "Bot",
               # service, department, team, office in Russian, Ukrainian, Bulgarian, Serbian and Greek
               "Служба", "Отдел", "Отделение", "Департамент", "Команда", "Відділ", "Відділення", "Екип", "Одел",
               "Τμήμα", "Υπηρεσία", "Ομάδα", "Διεύθυνση", "Γραφείο"}
# Of those, the ones that are people's first names too: a person when a known surname follows.
_WORD_NAMES = {"May", "June", "Mark", "Will", "Bill", "Grace", "Chase", "Austin", "Florence", "Victoria", "Jordan",
               "Chelsea", "Madison", "Carolina", "Georgia", "Virginia", "Santiago", "Ruby", "Summer", "Joy", "Faith",
               "Dawn", "Guy", "Gene", "Pat", "Drew", "Miles", "Hope", "Sofia", "Marti"}
# ... and every first name that is one of the most common English words (Faker's own English word list: "Line
# Items", "Floor Plan", "Age Verification", "Side Effects" are no one): the same, a person before a known name
# ("Per Andersson", "Per Gunnar Larsen") or after a cue ("Hi Per,")


def _common_words() -> frozenset[str]:
    """Faker's ~970 commonest English words, capitalised."""
    from faker.providers.lorem.en_US import Provider

    return frozenset(w.capitalize() for w in Provider.word_list)

_PARTICLES = {"van", "der", "den", "de", "la", "le", "les", "del", "della", "di", "da", "das", "do", "dos", "du", "von",
              "zu", "ten", "ter", "te", "bin", "ibn", "al", "el", "af"}  # not y/e: "Garza y Amaya" is a firm
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+|-[^\W\d_]+)*")
_STRONG = (r"in loving memory of|my name is|my name's|(?<!\w\s)name:|under the name(?: of)?|passenger:|guest:|full name:?|customer name:?|contact name:?|passenger name:?|guest name:?|"
           r"cardholder:?|contact person:?|ansprechpartner:?|nom ?:|nombre:|nome:|naam:|i am|i'm|ask for|attn:?|"
           r"regards,?|sincerely,?|signed,?|contact:|thanks,|"
           r"thank you,|cheers,|best,|yours,|"
           r"ich heiße|ich heisse|mein name ist|mit freundlichen grüßen,?|mit freundlichen grüssen,?|"
           r"viele grüße,?|liebe grüße,?|beste grüße,?|freundliche grüße,?|grüße,?|gruß,?|mfg,?|"
           r"je m'appelle|je m’appelle|mon nom est|cordialement,?|bien à vous,?|salutations,?|amitiés,?|"
           r"me llamo|mi nombre es|atentamente,?|saludos,?|un saludo,?|"
           r"mi chiamo|il mio nome è|cordiali saluti,?|distinti saluti,?|saluti,?|"
           r"mijn naam is|ik heet|met vriendelijke groet(?:en)?,?|groeten,?|groet,?|mvg,?|"
           r"meu nome é|me chamo|chamo-me|atenciosamente,?|cumprimentos,?|abraços,?|"
           # Nordic, Polish, Czech, Finnish and Turkish sign-offs and name fields
           r"med vänlig hälsning,?|vänliga hälsningar,?|hälsningar,?|med vennlig hilsen,?|vennlig hilsen,?|"
           r"med venlig hilsen,?|venlig hilsen,?|hilsen,?|mvh,?|namn:|navn:|"
           r"z poważaniem,?|pozdrawiam,?|pozdrowienia,?|imię i nazwisko:|nazwisko:|"
           r"s pozdravem,?|s přátelským pozdravem,?|jméno:|"
           r"terveisin,?|ystävällisin terveisin,?|parhain terveisin,?|nimi:|"
           r"saygılarımla,?|iyi çalışmalar,?|ad soyad:|isim:|"
           r"groetjes,?|saludos cordiales,?|cordiales saludos,?|un abrazo,?|pozdrawiam serdecznie,?|cu stimă,?|"
           r"cu stima,?|cu drag,?|un caro saluto,?|un saluto,?|me ektimisi,?|me filikous xairetismous,?|"
           r"üdvözlettel,?|s úctou,?|srdečně,?|lijep pozdrav,?|srdačan pozdrav,?|s poštovanjem,?|"
           # more sign-offs, Romance, Nordic, Finnish, Hungarian, Turkish, Slovak and Czech
           r"amicalement,?|bien cordialement,?|um abraço,?|abraço,?|beijos,?|a presto[,!]?|"
           r"mange hilsner,?|hilsner,?|kiittäen,?|kiitos,|üdv,?|üdvözlet,?|sevgiler,?|selamlar,?|"
           r"s pozdravom,?|pozdrav,?|pozdravy,?|přeji hezký den,?|hezký den,?|"
           # Russian, Ukrainian, Bulgarian, Serbian and Macedonian (Cyrillic), Greek and Armenian introductions,
           # sign-offs and name fields
           r"меня зовут|моё имя|мое имя|с уважением,?|фио:|имя:|фамилия:|контактное лицо:|мене звати|моє ім'я|"
           r"моє ім’я|з повагою,?|піб:|ім'я:|ім’я:|прізвище:|казвам се|с уважение,?|име:|зовем се|се викам|"
           r"срдачан поздрав,?|со почит,?|име и презиме:|με λένε|ονομάζομαι|το όνομά μου είναι|όνομα:|"
           r"ονοματεπώνυμο:|με εκτίμηση,?|με φιλικούς χαιρετισμούς,?|φιλικά,|իմ անունը|անուն:|հարգանքով,?|"
           r"менің атым|аты-жөні:|аты жөні:")  # (Kazakh "my name is", "full name:")
_INTRO = r"this is|it's|ich bin|hier ist|hier spricht|je suis|c'est|soy|habla|sono|ik ben|met|eu sou|sou|aqui é|fala"
_GREETING = (r"dear|hi|hello|hey|hallo|liebe|lieber|sehr geehrte|sehr geehrter|guten tag|bonjour|salut|cher|chère|"
             r"hola|estimado|estimada|querido|querida|buenos días|ciao|salve|gentile|caro|cara|buongiorno|hoi|"
             r"beste|geachte|olá|ola|oi|prezado|prezada|bom dia|"
             # mail headers, as mail clients write them in these languages: a person when a name part is known
             r"from:|to:|cc:|bcc:|reply-to:|von:|an:|de ?:|à ?:|para:|da:|van:|aan:|opened by|account owner|"
             # a ticket's people fields: "Assignee: Support Team" and "User-Agent: Mozilla" are no people
             r"assignee:|assigned to:?|reporter:|requester:|requested by:?|submitted by:?|"
             # what people do, and firms too ("led by Sequoia Capital"): a known name decides (blind 15's)
             r"led by|chaired by|taught by|examined by|supervised by|"
             # jobs whose word also names things ("Conductor: Annealed Copper", "vet Northwind Traders") (blind 16's)
             r"vet|veterinarian|patrol|remote pilot|examiner|adjuster|"
             # Cyrillic and Greek greetings, and the pronouns that introduce someone there ("Это Ирина": a known name
             # decides, "Це Нова Пошта" is a firm)
             r"это|я|це|аз съм|ја сам|јас сум|είμαι|εδώ|здравствуйте|добрый день|уважаемый|уважаемая|привет|дорогой|дорогая|шановний|шановна|вітаю|"
             r"добрий день|здравейте|уважаеми|уважаема|поштовани|поштована|αγαπητέ|αγαπητή|γεια σου|καλημέρα|"
             # whom one thanks ("Благодарим на Венета Колева за ...", "Хвала Наташи Ђурић"): a known name decides
             r"спасибо|благодарим|благодарим на|благодаря на|благодарност на|хвала|дякуємо|дякую|рахмет|"
             r"ευχαριστούμε τον|ευχαριστούμε την|ευχαριστώ τον|ευχαριστώ την|շնորհակալություն")


def _longest_first(alternatives: str) -> str:
    """The same alternation with its longest branches first: the regex engine takes the first branch that
    matches, and "pozdrawiam" must not win over "pozdrawiam serdecznie" (whose next word is no name)."""
    branches, depth, start = [], 0, 0
    for i, c in enumerate(alternatives):
        depth += (c == "(") - (c == ")")
        if c == "|" and depth == 0:
            branches.append(alternatives[start:i])
            start = i + 1
    branches.append(alternatives[start:])
    return "|".join(sorted(branches, key=len, reverse=True))


# A cue is whole words: "groet" must not stop at the start of "Groetjes".
_CUE = re.compile(rf"(?<![\w'’])(?:({_longest_first(_STRONG)})|({_longest_first(_INTRO)})|({_longest_first(_GREETING)}))"
                  r"(?!\w)[\s,:-]*")
_CUE_ANY_CASE = re.compile(_CUE.pattern, re.IGNORECASE)
# A greeting that addresses someone where a text, a line or a sentence opens: the capitalised words after it, up to a
# comma, a "!" or the line's end, are whom it greets when they are a listed first name or rare words (_addressee):
# "Cześć Zbigniew!", "Ћао Тијана Јанковић,"; not "Hi Team,", "Hi Zendesk,", "Hola Equipo!". Greetings, not a mail's
# headers or role words (_GREETING has those too), in the languages of the name lists and their neighbours.
_SALUTATIONS = (r"dear|hi|hiya|hello|hey|howdy|good morning|good afternoon|good evening|morning|hallo|liebe|lieber|"
                r"moin|servus|grüezi|grüß dich|guten morgen|guten tag|bonjour|bonsoir|salut|coucou|cher|chère|hola|"
                r"buenos días|buenas tardes|buenas|querido|querida|estimado|estimada|ciao|salve|buongiorno|buonasera|"
                r"caro|cara|gentile|olá|ola|oi|bom dia|boa tarde|prezado|prezada|hoi|goedemorgen|beste|hej|hei|moi|"
                r"moikka|terve|hejsan|tere|labas|sveiki|sveika|ahoj|dobrý den|cześć|witaj|dzień dobry|szia|sziasztok|"
                r"helló|jó napot|bună|buna|salutare|merhaba|selam|günaydın|zdravo|bok|dobar dan|jambo|habari|hujambo|"
                r"sawubona|salam|xin chào|chào|halo|selamat pagi|kumusta|"
                r"здравствуйте|здравствуй|привет|добрый день|доброе утро|добрый вечер|дорогой|дорогая|уважаемый|"
                r"уважаемая|привіт|вітаю|добрий день|шановний|шановна|здравей|здравейте|здрасти|добър ден|ћао|здраво|"
                r"добар дан|поштовани|поштована|сәлем|сәлеметсіз бе|салам|γεια|γεια σου|γεια σας|καλημέρα|"
                r"καλησπέρα|αγαπητέ|αγαπητή|բարև|բարեւ|ողջույն|հարգելի")
_SALUTATION = re.compile(rf"(?:^|(?<=[\n.!?:\"“«(]))[ \t]*(?:{_longest_first(_SALUTATIONS)})(?!\w)[ \t]*[,!]?[ \t]*")
# An addressee's end: a comma, "!", ":" or the line's end ("Hi Ayub Gatwiri, thanks"; not "Hello Kitty bags")
_ADDRESSEE_END = re.compile(r"[ \t]*(?:[,!:;]|\r?\n|$)")
# A sign-off in any language: a short line ending in "," or "!" ("Szép napot!", "Pagarbiai,", "Asante sana,"), then
# a line holding only two to four words: the writer's name, as mail is signed everywhere. Without the "," or "!"
# only when that line ends the text ("Předem děkuji\nAleksi Väisänen").
_NAME_LINE = r"(?:[^\W\d_][\w'’.-]*[ \t]+){1,3}[^\W\d_][\w'’-]*[ \t]*"
_CLOSING = re.compile(rf"(?:^|\n)[ \t]*[^\W\d_][^\n\d:;]{{0,40}}[,!][ \t]*\n[ \t]*(?={_NAME_LINE}(?:\n|$))|"
                      rf"(?:^|\n)[ \t]*[^\W\d_]\w*[ \t]+[^\W\d_A-Z][^\n\d:;,.!?]{{0,24}}\n[ \t]*(?={_NAME_LINE}$)")
# A field or role that holds a person, as forms, logs, tickets and configs write it: "Caller: ...", "user 'Linda
# Patel' approved", '"displayName": "..."', "reviewers:\n  - ...", 'maintainers = ["..."]', "account holder, ...",
# "raised by ...". Like a sign-off, it needs two capitalised words that name no team.
_PERSON_FIELDS = (r"user|username|owner|assignee|reviewer|maintainer|caller|patient|applicant|holder|account holder|"
                  r"cardholder|display ?name|recipient|sender|approver|employee|author|technician|courier|passenger|"
                  # "Contact person:", "Accompanying person:", a death notice's "Deceased:" (blind 11's)
                  r"person|deceased|"
                  r"tenant|landlord|signatory|witness|beneficiary|insured|guest|candidate|mitarbeiter|mitarbeiterin|"
                  r"empleado|employé|dipendente|medewerker|pracownik|paciente|patiente|paziente|patiënt|student|"
                  # a tenant, a customer and a name key in other languages and forms (full_name=, customerName)
                  r"mieter|mieterin|huurder|locataire|inquilino|inquilina|leietaker|lejer|hyresgäst|cliente|kunde|"
                  r"kunden|klient|klientas|vuokralainen|pupil|pharmacist|attendees?|complainant|policyholder|c/o|"
                  # customer, recipient, sender, applicant, employee, patient, assignee in Russian, Ukrainian, Greek
                  r"клиент|получатель|отправитель|заявитель|сотрудник|пациент|исполнитель|ответственный|клієнт|"
                  r"отримувач|відправник|заявник|працівник|пацієнт|виконавець|πελάτης|παραλήπτης|αποστολέας|"
                  r"ασθενής|υπάλληλος|αιτών|"
                  # ... an owner, a contact person, whoever answers for it, a buyer in them, and in Bulgarian, Serbian,
                  # Kazakh and Armenian (the longer phrase first: the first branch that matches is taken)
                  r"владелец|собственник|контактное лицо|ответственное лицо|адресат|покупатель|власник|контактна особа|"
                  r"відповідальна особа|покупець|получател|подател|заявител|служител|отговорно лице|отговорник|"
                  r"лице за контакт|собственик|изпълнител|титуляр|купувач|прималац|пошиљалац|подносилац|запослени|"
                  r"пацијент|одговорно лице|контакт особа|клијент|купац|алушы|жіберуші|өтініш беруші|қызметкер|"
                  r"байланыс тұлғасы|жауапты тұлға|жауапты|тапсырыс беруші|υπεύθυνος επικοινωνίας|υπεύθυνη επικοινωνίας|"
                  r"υπεύθυνος|υπεύθυνη|ιδιοκτήτης|ιδιοκτήτρια|πελάτισσα|αγοραστής|παραλήπτρια|ενοικιαστής|ստացող|"
                  r"ուղարկող|դիմող|աշխատակից|հաճախորդ|պատասխանատու|կոնտակտային անձ|սեփականատեր|"
                  # people named by their job (blind 15's and 16's); not a bare "name" key: products and hosts have
                  # names
                  r"foreman|forewoman|enumerator|interviewer|inventor|goldsmith|tour guide|loss adjuster|"
                  r"wedding planner|consul|"
                  r"(?:full|first|last|given|family|customer|contact|legal|patient|client|guest|passenger|person|"
                  r"holder|owner|donor|member|user|employee|tenant|student|beneficiary|sender|recipient)[_ -]?name")
_FIELD = re.compile(rf"(?i)(?<![\w-])(?:{_PERSON_FIELDS})s?[\"']?(?:[ \t]*\([^)\n]{{0,40}}\))?"
                    r"(?:[ \t]*[:=,>][ \t]*(?:\n[ \t]*-?[ \t]*)?|[ \t]+)[\"'\[]*[ \t]*"
                    r"|(?<!\w)(?:raised|reported|created|opened|submitted|requested|approved|signed|handled|assigned|"
                    r"collected|received|sent|written|closed|issued|authori[sz]ed|prepared|checked|verified|reviewed|"
                    r"completed|referred|company) by[ \t]*:?[ \t]*\n?[ \t]*|(?<!\w)reassigned to[ \t]*"
                    r"|(?<!\w)certif(?:y|ies) that[ \t]*\n?[ \t]*|(?<!\w)signed(?: as)?[ \t]*[\"“]"
                    # a quoted mail's header with the verb first: "Am 2. Dez. 2026 um 10:15 schrieb ...:"
                    r"|(?<!\w)(?:schrieb|schreef|skrev|skrevet)[ \t]+"
                    # a chat export's speaker: "[03/12/2026, 09:14] ...: running late"
                    r"|(?:^|(?<=\n))\[[\d/.,: -]{8,24}\][ \t]*(?:-[ \t]*)?"
                    # ... with words in its stamp ("[Today at 9:41 AM] ...:", Discord), or none in brackets
                    # ("03/12/2026, 06:45 - ...:", WhatsApp on Android) (blind 15's)
                    # (the speaker's colon must follow: "[Step 1] Open Settings" and a log's "... 10:15 - Deploy
                    # Started" are no chats)
                    # (Discord's words only, not a log level's: "[ERROR 2024-05-12 10:15:03] Payment Gateway:"; the
                    # comma WhatsApp writes, not a log's "2024-05-12 10:15 - Backup Job:")
                    r"|(?:^|(?<=\n))\[(?:Today|Yesterday) at \d{1,2}:\d{2}(?: ?[AP]M)?\][ \t]*(?=[^\n:\[\]]{2,60}:)"
                    r"|(?:^|(?<=\n))\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4},[ \t]+\d{1,2}[:.]\d{2}(?:[ \t]?[AaPp]\.?[Mm]\.?)?"
                    r"[ \t]+-[ \t]+(?=[^\n:]{2,60}:)"
                    # a signature after a dash: "— Fatmir Stadelmann, sent from my phone"
                    r"|(?:^|(?<=\n))[ \t]*(?:—|–|--)[ \t]*")
# The answer to a question for a name, on the next line: "may I have your full name please?\nSPEAKER_01: ..."
_NAME_ANSWER = re.compile(r"(?i)\bnames?\b[^\n?]{0,40}\?[ \t]*\n[ \t]*(?:(?:\[?\d{1,2}:\d{2}(?::\d{2})?\]?[ \t]+)?"
                          r"[\w.-]{1,20}:[ \t]*)?")  # the answer's speaker, after its time ("14:06 desk: ")
# A quoted mail's header names its writer right before the verb: "... Satu Pesonen ha scritto:", "X wrote:".
_WROTE = re.compile(r"[ \t]*(?:<[^>\n]*>[ \t]*)?(?:wrote|ha scritto|schrieb|a écrit|escribió|escreveu|schreef|"
                    r"napisał\w*|skrev|kirjoitti|írta|napsal\w*|yazdı|scrise)[ \t]*:")
# Place names built on a saint's name: San Estefanía, Santa Maria, São João, St. Anna.
_SAINT = re.compile(r"(?<!\w)(?:San|Santa|Santo|São|Sao|Saint|Sainte|St\.?|Ste\.?|Sankt|Sint)\s+")
# Titles are matched with their case ("M. Dupont", not the "m." of "p.m."); the whole title stands alone.
_TITLE = re.compile(r"(?<![\w.])(?:Mr|Mrs|Ms|Mx|Dr|Prof|Herr|Frau|Hr|M|Mme|Mlle|Sr|Sra|Srta|Sig|Sig\.ra|"
                    r"Dott|Dott\.ssa|Dhr|Mevr|Monsieur|Madame|Mademoiselle|Señor|Señora|Señorita|Signor|"
                    r"Signora|Signorina|Senhor|Senhora|Meneer|Mevrouw|Doña|Dona|"
                    # Polish, Czech, Slovak, Croatian, Albanian, Maltese, Nordic and Turkish forms of address
                    r"Pan|Pani|Paní|Pán|Gospođa|Gospodin|Gđa|Gđica|Zonja|Zoti|Is-Sur|Is-Sinjura|Fru|Frk|Sayın|Bayan|"
                    r"Mnr|Mev|Councillor|Cllr|Rev|Revd|Father(?!\s+(?:Christmas|Time|Son|Daughter|Figure|Of)\b)|Pastor|Rabbi|Imam|"
                    # Cyrillic (Russian, Bulgarian, Ukrainian, Serbian), Greek and Armenian forms of address, in their
                    # cases too ("господину Фёдорову", "пане Романе", "господине Петровићу")
                    r"[Гг]-н|[Гг]-жа|[Гг]-ца|[Гг]-ну|[Гг]-же|[Гг]осподин(?:а|у|е|ом)?|[Гг]оспож(?:а|и|е|у|о|ой)|"
                    r"[Гг]оспођ(?:а|е|и|у|о|ом)|[Гг]оспођиц(?:а|е|и|у|о)|[Пп]ан(?:а|у|е|ові|ом)?|[Пп]ані|"
                    r"Κος|Κα|[Κκ](?=\.)|[Κκ]ύριος|[Κκ]υρία|"
                    r"[Κκ]ύριε|Պրն|[Պպ]արոն|[Տտ]իկին)\.?\s+")  # (Afrikaans, then English offices and clergy)
# Capital letters of the Latin, Greek, Cyrillic and Armenian scripts: a name starts with one.
_CASED_SCRIPTS = (range(0x41, 0x250), range(0x370, 0x530), range(0x531, 0x590))
_UPPER = re.escape("".join(c for block in _CASED_SCRIPTS for c in map(chr, block) if c.isupper()))
_START = re.compile(rf"(?<![\w’-])(?<!\w')(?:[{_UPPER}]|(?:{'|'.join(sorted(_PARTICLES, key=len, reverse=True))})(?=\s)|"
                    rf"[dl]['’][{_UPPER}])")
# Words that make a capitalised run a company, not a person ("Todd Inc.", "Porfirio Company Sevillano S.L.").
_COMPANY = {"Inc", "Ltd", "Llc", "LLC", "GmbH", "AG", "KG", "SA", "SAS", "SARL", "SE", "BV", "NV", "SpA", "Srl", "SRL",
            "SL", "Oy", "AB", "AS", "ASA", "Co", "Corp", "Corporation", "Company", "Group", "Gruppe", "Groupe", "Holding",
            "Partners", "Associates", "Sons", "Söhne", "Limited", "Ltda", "Cía", "Cia", "Hermanos", "Fils", "Frères",
            "SCoop", "SCom", "SLL", "SAD", "SLNE", "HB", "KB", "Oyj", "Ky", "ApS", "A/S", "sro", "Kft", "Zrt", "Bt",
            "SpzOO", "OHG", "eK", "eG", "UG", "Lda", "EIRELI", "ME", "EPP",
            # Bulgarian, Macedonian and Armenian legal forms after a firm's name ("Мочев Клатуров АД", "Мартиновски
            # Апостолов ДООЕЛ", "... ՍՊԸ")
            "АД", "ЕАД", "ООД", "ЕООД", "ЕТ", "КД", "КДА", "СД", "ДОО", "ДООЕЛ", "ЕД", "ЈП", "EAD", "EOOD", "OOD", "KDA", "ՍՊԸ",
            "ՓԲԸ", "ԲԲԸ", "ՀՁ", "ΑΕ", "ΕΠΕ", "ΙΚΕ", "ΟΕ", "ΕΕ"}  # (and Greek: "... Γρηγοριάδης ΑΕ")
# Legal forms written before a firm's name in Russian and Ukrainian (not ИП, a sole trader: a person's own name)
_FIRM_BEFORE = {"ООО", "ОАО", "ЗАО", "ПАО", "АО", "НПО", "РАО", "ТОВ", "ПАТ", "ПрАТ", "АТ"}
_SUFFIXES = {"Jr", "Sr", "II", "III", "IV"}  # part of the name: "Monique Koch II" leaves nothing behind


def gazetteer() -> tuple[frozenset[str], frozenset[str]]:
    """(first names, last names) from Faker's person providers, accented forms and their ASCII folds."""
    return _lists()[:2]


def _word_names() -> frozenset[str]:
    """First names that are words too ("Mark", "Line"): a person beside a known name or after a cue (_is_name)."""
    return _lists()[2]


@lru_cache(maxsize=1)
def _lists() -> tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str]]:
    """(first names, last names, word-names, the more lists' first names)."""
    first, last = _names(NAME_LIST_LOCALES)
    more_first, more_last = set(), set()
    for locale in MORE_NAME_LIST_LOCALES:
        # a name is a frequent word in its own language: that one is left out of the test ("László", "Mihai"), but
        # not Vietnamese, whose places capitalise every syllable as names do ("Hai Phong")
        own = None if locale == "vi_VN" else common_words.language(locale)
        locale_first, locale_last = _names((locale,))
        more_first |= {n for n in locale_first - first if not common_words.is_common(n, own)}
        more_last |= {n for n in locale_last - last if not common_words.is_common(n, own)}
    common = first & _common_words()
    word_names = common - _NOT_NAMES  # ("My" stays no name at all)
    more_first = more_first - _NOT_NAMES - word_names - _WORD_NAMES
    return (first - _NOT_NAMES - common, (last | more_last) - _NOT_NAMES, frozenset(_WORD_NAMES | word_names),
            frozenset(more_first))


def _more_first() -> frozenset[str]:
    """First names only the more lists hold: a person after a cue, or before a known surname or a word that is no
    common word ("Mindaugas Kazlauskas"; not "Sable Leather Sofa", "Snr Software Engineer": rare English words are
    first names somewhere)."""
    return _lists()[3]


def _names(locales: tuple[str, ...]) -> tuple[frozenset[str], frozenset[str]]:
    """(first names, last names) of `locales`, as written and ASCII-folded (a Cyrillic name folds to nothing)."""
    found: dict[str, set[str]] = {"first": set(), "last": set()}
    for kind, name in faker_names.entries(locales):  # nl_NL "van Ginkel" adds "Ginkel"
        if _is_cased_name(name.split()[-1]):
            found[kind].add(name.split()[-1])
    return tuple(frozenset(n for name in found[k] for n in (name, fold(name)) if n) for k in ("first", "last"))  # type: ignore[return-value]


def _is_cased_name(x) -> bool:
    return isinstance(x, str) and x[:1].isupper() and all(
        c.isalpha() and any(ord(c) in block for block in _CASED_SCRIPTS) or c in "-'ʼ’" for c in x)


def fold(word: str) -> str:
    """José -> Jose: texts and lists disagree about accents."""
    return unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode()


def _capitalised(word: str) -> bool:
    return word[:1].isupper() and not word.isupper() and not word.endswith(".")


def _is_particle(word: str) -> bool:
    return word in _PARTICLES or (len(word) > 2 and word[:2] in ("d'", "d’", "l'") and word[2:3].isupper())


def cues(text: str) -> dict[int, str]:
    """Where a cue ends in `text` (the start of the word after it) -> 'strong', 'intro', 'greeting', 'closing' or
    'saint'; a greeting that may name whom it greets (_SALUTATION, _addressee) 'salutation', or 'greeting+salutation'
    where it is a greeting cue too ("Hi", "Dear").
    One pass per text: looking back from every capitalised word was the scrubber's slowest step."""
    lowered = text.lower()  # matching lower-cased text is 4x faster than IGNORECASE; the same offsets unless
    cue = _CUE if len(lowered) == len(text) else _CUE_ANY_CASE  # lower() changed a length (İ -> i̇)
    found = {m.end(): ("strong", "intro", "greeting")[m.lastindex - 1] for m in cue.finditer(lowered if cue is _CUE else text)}
    found.update((m.end(), "closing") for m in _CLOSING.finditer(text) if m.end() not in found)
    # a field is more specific than a greeting at the same place ("submitted by" is both)
    found.update((m.end(), "closing") for m in _FIELD.finditer(text) if found.get(m.end()) in (None, "greeting"))
    found.update((m.end(), "closing") for m in _NAME_ANSWER.finditer(text) if m.end() not in found)
    if len(lowered) == len(text):  # a greeting's addressee: "salutation" where no cue was, else as after a greeting
        found.update((m.end(), "salutation" if found.get(m.end()) is None else "greeting+salutation")
                     for m in _SALUTATION.finditer(lowered) if found.get(m.end()) in (None, "greeting"))
    found.update((m.end(), "saint") for m in _SAINT.finditer(text))
    found.update((m.end(), "strong") for m in _TITLE.finditer(text))
    return found


def name_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of person names in `text`, left to right, not overlapping."""
    first, last = gazetteer()
    cue_at = None
    spans, done = [], 0
    for m in _START.finditer(text):  # capitalised words, and particles (a name may start with one after "Mr")
        start = m.start()
        if start < done:
            continue
        if cue_at is None:
            cue_at = cues(text)
        cue = cue_at.get(start)
        if not text[start].isupper() and cue != "strong":
            continue
        run = _run(text, start)
        parts = [w for w in run if _capitalised(w)]
        end = start + len(" ".join(run))
        if cue in ("salutation", "greeting+salutation"):  # whom a greeting greets, else as before
            cue = "strong" if _addressee(text, end, parts, first, last) else "greeting" if cue != "salutation" else None
        if cue is None and (_WROTE.match(text, end) or _person_column(text, start)):
            cue = "closing"  # the writer of a quoted mail; a cell under "Owner", "Claimant", "Mieter"
        elif cue is None and parts and not script_names.is_latin(parts[0][0]) and len(parts) <= 3 and (
                script_names.speaker(text, start, end)
                or script_names.in_latin_line(text, start, end) and _surname_shaped(parts, first, last)
                or len(run) == len(parts) and _unlisted_person(text, start, parts)):
            # a Cyrillic, Greek or Armenian name as a chat's speaker, inside a Latin line with a name or a family
            # name's ending in it ("Handover from Бранислав Поповић to ..."; not "Meeting in Санкт Петербург"), or
            # a name no list holds in its own language's sentence
            cue = "intro"
        if parts and not _company(parts, text, start, end) and not (cue is None and parts[-1] in _PLACES) \
                and _is_name(parts, cue, first, last, len(run) == len(parts)):
            done = end
            spans.append((start, end - 2 if _ENGLISH_POSSESSIVE.search(text, start, end) else end))  # "<PERSON>'s"
    if script_names.has_script(text):  # names in scripts without capitals: their own evidence (script_names.py)
        spans = _merge(spans + script_names.spans(text, cues(text) if cue_at is None else cue_at))
    return spans


# Family names' endings in Russian, Ukrainian, Bulgarian, Serbian, Kazakh, Armenian and Greek
_SURNAME_ENDING = re.compile(r"(?:ов|ова|ев|ева|ёв|ёва|ин|ина|ын|ына|ский|ская|цкий|цкая|енко|ук|юк|чук|ич|ић|вич|вић|"
                             r"ян|янц|յան|ու|ης|ος|ας|ίδης|άκης|όπουλος|ου|ιάδης)$")


def _surname_shaped(parts: list[str], first: frozenset[str], last: frozenset[str]) -> bool:
    """A listed name, or a family name's ending on the last word, an English possessive aside ("Урош Костић's")."""
    parts = [*parts[:-1], _ENGLISH_POSSESSIVE.sub("", parts[-1])]
    return any(p in first or p in last for p in parts) or bool(_SURNAME_ENDING.search(parts[-1]))


_ENGLISH_POSSESSIVE = re.compile(r"['’]s$")


def _rare_or_listed(parts: list[str], first: frozenset[str], last: frozenset[str]) -> bool:
    """Capitalised words in Cyrillic, Greek or Armenian after a field or a greeting that may name a person: none is an
    everyday word the lists lack, and the first is a listed first name or no noun or adjective of Russian or
    Ukrainian. A department, a ministry, a shop, a theatre or a greeting's "dear ..." is written so too ("Отдел
    Кадров", "Министерство Финансов", "Театру Вахтангова", "Уважаемые Руководители Филиалов"), its first word a noun
    or an adjective (Bulgarian and Serbian share most of them)."""
    return (parts[0] in first or not language_ner.is_noun_or_adjective(parts[0])) \
        and all(p in first or p in last or not common_words.is_everyday(p) for p in parts)


# Endings that name a family without a list: the Cyrillic ones above in their cases ("Ивану Петрову", "Душану
# Лазићу") and the patronymics (-овна, Ukrainian -івні), but not the Greek ones above, which every Greek noun has
# (-ος, -ης, -ου); Kazakh and Azeri patronymics (-ұлы, -қызы, -оглы); Greek's own family endings in any case
# (-άκης, -άκη, -όπουλος, -ίδης ...); Armenian -յան with its case endings (Կարապետյանը, -յանի).
_UNLISTED_SURNAME = re.compile(r"(?:(?:ов|ев|ёв|ин|ын)(?:а|у|ым|им|ом|е|ой|ою|ої|ій)?|"  # and their cases: "Ивану Петрову"
                               r"(?:ск|ськ|цьк|цк)(?:ий|ая|ого|ому|им|ой|ую|ій|а|ої|ою|у|и)|енко|(?:ук|юк|чук)(?:а|у|ом|ові)?|"
                               r"ян|янц|"  # Armenian family names in Cyrillic (Мкртчян)
                               r"(?:ич|ић)(?:а|у|ем|ом|е)?|(?:овн|евн|ичн|івн|ївн)(?:а|ы|е|у|і|и)|"  # patronymics too
                               r"ұлы|қызы|улы|кызы|оглы|оглу|"
                               r"άκης|άκη|όπουλος|όπουλου|όπουλο|ίδης|ίδη|ιάδης|ιάδη|"
                               r"յան|յանը|յանն|յանի|յանին|յանից|յանով|յանց|ունի|ունը|եան)$")  # (-եան: Western Armenian)
# A Russian or Ukrainian adjective's endings, which no given name has: before a plural noun's -ов they make a title
# ("Использование Масштабируемых Порталов"), not a name
_ADJECTIVE = re.compile(r"(?:ый|ых|их|іх|ого|его|ому|ему|ыми|ими|ая|яя|ое|ее)$")  # not -ий: Юрий, Дмитрий
_CASED_LANGUAGES = ("ru", "uk", "bg", "mk", "el")  # wordfreq's languages in Cyrillic and Greek letters
# Serbian's Cyrillic letter by letter in its Latin alphabet (the two are one-to-one), since wordfreq holds Serbian,
# Croatian and Bosnian in Latin letters only ("sh"): "Срећан" -> "srećan", Zipf 4.4. Thirty letters: no library.
_SERBIAN_LATIN = str.maketrans({"а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "ђ": "đ", "е": "e", "ж": "ž", "з": "z",
                                "и": "i", "ј": "j", "к": "k", "л": "l", "љ": "lj", "м": "m", "н": "n", "њ": "nj", "о": "o",
                                "п": "p", "р": "r", "с": "s", "т": "t", "ћ": "ć", "у": "u", "ф": "f", "х": "h", "ц": "c",
                                "ч": "č", "џ": "dž", "ш": "š"})


def _unlisted_person(text: str, start: int, parts: list[str]) -> bool:
    """Two or three capitalised Cyrillic, Greek or Armenian words, the last with a family name's ending ("Вчера
    Радослава Пенчева се обади"): these languages capitalise no title's other words, so two capitals in a row are a
    proper name. A person's when the words before the last are no common words of those languages (wordfreq's Zipf
    4: "станция" is 4.4, "Москва" 5.4, "Министерства" 4.9, an unlisted given name such as "Радослава" 3.4), no
    adjectives, and no place's word is before or among them."""
    if not 2 <= len(parts) <= 3 or not _UNLISTED_SURNAME.search(parts[-1]) or any(map(_ADJECTIVE.search, parts[:-1])):
        return False
    before = text[max(0, start - 40) : start].rstrip(" \t\u00a0")  # a window: linear time on long lines
    word_before = before.rsplit(maxsplit=1)[-1] if before else ""
    if any(_PLACE_WORD.match(w.lower()) for w in (word_before.rstrip("."), *parts[:-1])):  # "улица Льва Толстого"
        return False
    # a surname nobody listed is rarer than a noun's plural or a town ("Бонев" 3.45, "Пенчева" 3.1; "Акционеров"
    # 3.6, "Подарков" 3.9, "Псков" 3.7, "Планина" 4.7)
    if _cased_zipf(parts[-1]) >= 3.6 or any(_cased_zipf(p) >= 4.0 for p in parts[:-1]):
        return False
    # three words opening a sentence or a field: the first is most often a verb or an adverb ("Звонила Сабина
    # Мамедова"); the scan tries the two after it next
    return len(parts) == 2 or not _opens(before)


def _opens(before: str) -> bool:
    """What comes after `before` opens a text, a line, a sentence, a field or a cell."""
    before = before.rstrip(" \t\u00a0")
    return not before or before[-1] in "\n.!?:;,\"«»„“”'()[]-–—•*#|"


def _cased_zipf(word: str) -> float:
    """The word's Zipf in Russian, Ukrainian, Bulgarian, Macedonian, Greek and Serbian."""
    word = word.lower()
    return max(common_words.zipf(word, _CASED_LANGUAGES), common_words.zipf(word.translate(_SERBIAN_LATIN), ("sh",)))


# What a street, a square, a station or an institution is called, in any case, before its name or a person's it
# bears ("булевар Гоце Делчев", "на Проспекте Гагарина", "Театре Вахтангова", "Στο Γήπεδο Καραϊσκάκη"), in Russian,
# Ukrainian, Bulgarian, Macedonian, Serbian, Greek and Armenian: a place named after someone
_PLACE_WORD = re.compile(r"(?:улиц|ул$|вулиц|вул$|булевар|бульвар|бул$|проспект|просп$|пр$|площ|пл$|переул|провул|пер$|"
                         r"шосс|шосе|набережн|наб$|станц|аэропорт|аеропорт|аеродром|летищ|метро|парк|сквер|мост|міст|"
                         r"трг|кеј|театр|музе|стадион|стадіон|кинотеатр|кінотеатр|завод|фабрик|комбинат|общин|громад|"
                         r"больниц|болниц|лікарн|университет|університет|универзитет|академи|академі|институт|інститут|"
                         r"школ|гимназ|гімназ|библиотек|бібліотек|οδό|οδο|λεωφόρ|πλατεί|αεροδρόμι|σταθμ|γήπεδ|κέντρ|"
                         r"νοσοκομεί|πανεπιστήμι|μουσεί|θέατρ|փողոց|պողոտա|հրապարակ|կայարան|նրբանցք|թատրոն|թանգարան)")


# Not a bare "name": a product table has one too ("sku,name\nA17,Steel Bracket").
_PERSON_COLUMN = re.compile(rf"(?i)(?:{_PERSON_FIELDS}|claimant|contact|customer|client|member|staff|agent|"
                            r"mitarbeiter\w*|фио|имя|фамилия|прізвище|ім'я|ім’я|піб|име|презиме|όνομα|επώνυμο|"
                            r"ονοματεπώνυμο)s?")


def _person_column(text: str, start: int) -> bool:
    """The word at `start` opens a cell of a delimited table whose column's header names people."""
    return context.header_names(text, start, _PERSON_COLUMN)


def _run(text: str, start: int) -> list[str]:
    """The words of the name starting at `start`: capitalised words and particles joined by single spaces, at
    most four capitalised ones, never ending on a particle; a Jr/II suffix included."""
    words, keep, caps, expected = [], 0, 0, start
    for m in _WORD.finditer(text, start):
        if m.start() != expected or caps == 4:
            break
        w = m.group(0)
        if _capitalised(w) or (caps and w in _SUFFIXES):
            caps += 1
            keep = len(words) + 1
        elif not _is_particle(w):
            break
        words.append(w)
        expected = m.end() + 1
        if text[m.end() : expected] not in (" ", "\u00a0"):
            break
    return words[:keep]


# Words that end a capitalised run naming a place or an institution after someone ("Washington Street", "Lincoln
# Avenue", "Nelson Mandela Square", "Johns Hopkins University"), where no cue says a person. Not "Park", "Hall",
# "Lane", "Court", "Plaza" or "Arena": surnames too.
_PLACES = {"Street", "St", "Avenue", "Ave", "Road", "Rd", "Boulevard", "Blvd", "Drive", "Square", "Highway", "Bridge",
           "Station", "Airport", "Terrace", "Crescent", "Parkway", "Memorial", "University", "College", "Hospital",
           "Stadium", "Center", "Centre", "Institute", "Foundation", "Museum", "Library"}


def _company(parts: list[str], text: str, start: int, end: int) -> bool:
    """The run names a firm: "Todd Inc.", '"vendor": "Atlas Furniture SARL"', "ООО «Киселев Денисов»"."""
    rest = text[end : end + 16]
    after = rest.split(maxsplit=1)[0].replace(".", "").strip(",;:\"'”’»)]}") if rest[:1] == " " and rest.strip() else ""
    before = text[max(0, start - 8) : start].rstrip(" \u00a0«\"„“").split()
    return after in _COMPANY or any(p in _COMPANY for p in parts) or bool(before) and before[-1] in _FIRM_BEFORE


def _addressee(text: str, end: int, parts: list[str], first: frozenset[str], last: frozenset[str]) -> bool:
    """The capitalised words after a greeting name whom it greets: closed by a comma, "!", ":" or the line's end,
    a listed first name alone that is no everyday word ("Cześć Zbigniew!"), or two or three words each a listed name
    or a rare word (_rare_word: "Hi Oluwaseun Adebayo,"). One rare word alone is a firm as often ("Hi Zendesk,",
    "Привет, Озон!")."""
    if not _ADDRESSEE_END.match(text, end):
        return False
    if len(parts) == 1:  # (not "Good Morning America:")
        return (parts[0] in first or parts[0] in _more_first()) and not common_words.is_everyday(parts[0])
    return len(parts) <= 3 and all(p in first or p in last or _rare_word(p) for p in parts)


def _rare_word(word: str) -> bool:
    """No everyday word of any language (common_words.is_everyday) and, in Cyrillic or Greek, rarer than a town in
    those languages (_cased_zipf, as _unlisted_person); Armenian has no word list to ask."""
    if common_words.is_everyday(word) or "\u0531" <= word[0] < "\u0590":
        return False
    return script_names.is_latin(word[0]) or _cased_zipf(word) < 3.6


def _is_name(parts: list[str], cue: str | None, first: frozenset[str], last: frozenset[str], plain: bool) -> bool:
    """`parts`: the capitalised words of the run; `plain`: no particle among them."""
    # The lists hold accented names and their ASCII folds ("Jose" typed for "José"); the word itself is not
    # folded, or "Juliá y Lastra" (a company) would read as the first name Julia.
    # a first name that is a word too ("Per", "Grace") is one after a cue: "Hi Per,", "Dear Grace,"
    known_first = parts[0] in first or cue not in (None, "saint") and (parts[0] in _word_names() or parts[0] in _more_first())
    if cue == "saint":
        return False
    if cue == "strong":  # "Thanks, Team" and "Regards,\nThe Accounts Payable Team" are no one; "Ana Lívia Sales" is
        return (len(parts) > 1 or parts[0] not in _NOT_NAMES) and not (parts[0] in _TEAM_WORDS and not known_first)
    if cue == "closing":  # "Malika Wirth"; not "The Support Team"; a known name as after a greeting ("Assignee: Hanna")
        if len(parts) >= 2 and not any(p in _NOT_NAMES or p in _TEAM_WORDS for p in parts) \
                and (script_names.is_latin(parts[0][0]) or _rare_or_listed(parts, first, last)):
            return True
        cue = "greeting"
    if cue == "intro":
        return known_first or len(parts) >= 2
    if cue == "greeting":  # ... or, in Cyrillic, Greek or Armenian, a family name's ending in any case ("To: Илияна
        # Добрева", "Спасибо Савве Щукину")
        return known_first or any(p in last for p in parts[1:]) or len(parts) >= 2 \
            and not script_names.is_latin(parts[0][0]) and bool(_UNLISTED_SURNAME.search(parts[-1])) \
            and _rare_or_listed(parts, first, last)
    # No cue: a known first name and a surname; with a particle ("Enrique del Valle") a known surname, since
    # "Duarte do Galho" is a town.
    # A first name that is also a word ("Mark", "Victoria", "Grace", "Per") is one before a known surname, "Mark
    # Taylor", or a known first name and a known surname, "Per Gunnar Larsen"; not "Line Items", "Mark As Read".
    if parts[0] in _word_names():
        return len(parts) == 2 and parts[1] in last or len(parts) >= 3 and parts[1] in first and parts[-1] in last
    if parts[0] in _more_first():  # "László Nagy", "Mindaugas Kazlauskas"; not "Pall Mall", "Sable Leather Sofa"
        return len(parts) >= 2 and not common_words.is_title_word(parts[1]) and (
            parts[1] in last or not common_words.is_common(parts[1]))
    if len(parts) >= 2 and parts[0] in last and parts[1] in first and not script_names.is_latin(parts[0][0]):
        # family name first, as Russian forms write it ("Макарова Ирина Валериевна"); not in Latin, where a
        # family name before a first name is a place more often than a person ("West Samuel", "Cardoso do Amparo")
        return True
    return known_first and len(parts) >= 2 and (plain or parts[-1] in last)


def people(text: str, hit: Callable[[str], str], ner: Callable[[str], list[tuple[int, int]]] | None = None) -> str:
    """Replace every person name with <PERSON>; with an NER backend, its spans too."""
    spans = name_spans(text)
    if ner is not None:
        spans = _merge(spans + ner(text))
    for start, end in reversed(spans):
        text = text[:start] + hit("person") + text[end:]
    return text


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
