"""Phone numbers of any region, with libphonenumber (`phonenumbers`) deciding validity.

With a broad region list nearly every 8- to 10-digit number is a valid phone number somewhere (Denmark,
Poland, India and Mexico have no trunk prefix; docs/facts.md "PII validators and lookalikes"), so validity
alone would scrub every order number. A national-format number therefore also needs a sign that it is a phone
(docs/facts.md "PII recall" has the rates):
- a word announcing a phone in its sentence, before or after it ("Tel.", "Handy", "call me", "my number",
  "Emergency contact:", "ist meine Handynummer", "soita", a signature's "T"/"M" label): then any 7 to 15 digits,
  valid today or not (a new range, a typo, a test number is still someone's number as written); the words are
  also matched with the text's accents folded;
- or a possessive from a closed class ("my", "meu", "mans", "yangu") and at most three words before a number
  valid in a configured region: someone's own number ("El meu mòbil és el 612345678", in any language);
- or the shape people write phones in, and valid in a configured region: a parenthesised area code,
  415-555-0132, pairs (06 12 34 56 78), space-separated groups of 2-4 (914 36 537), the trunk prefix 0 with a
  separator (0171 2345678), or exactly the groups of the number's own national format (84 9600-9523, Brazil;
  604-140-780, Poland). A bare 0456789123 is as often a zero-padded reference, and 796 509 330 as often an
  amount: those need the word.
A reference label right before the number ("order", "Ref.", "ticket #", "Meeting ID") or a currency or unit
around it rules it out (context.py). A number written internationally (+49 ..., 0049 ...) needs none of that:
the + already says what it is.
"""

import re
import unicodedata

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher

from tasks.sampling.pii.context import MARK

# How many digits a phone has: at least 7 (a local number) and at most 15, E.164's most, its country code included
MIN_DIGITS, MAX_DIGITS = 7, 15
DEFAULT_REGIONS = ("US", "CA", "GB", "IE", "DE", "AT", "CH", "FR", "BE", "NL", "LU", "ES", "PT", "IT", "PL", "CZ",
                   "SE", "NO", "DK", "FI", "BR", "MX", "AR", "CO", "CL", "IN", "JP", "KR", "CN", "SG", "AU", "NZ",
                   "ZA", "TR", "IL", "AE")
_NANP = re.compile(r"(?:1[-. ])?(?:\(\d{3}\)\s?|\d{3}[-. ])\d{3}[-. ]\d{4}")
_AREA_IN_PARENS = re.compile(r"\(\d{2,5}\)")
_PAIRS = re.compile(r"\d{2,4}(?:[ .-]\d{2}){3,}")  # 06 12 34 56 78, 91 41 77 76, 0171 23 45 67
_TRUNK = re.compile(r"\(?0[1-9][\d()]*[ ./-]")  # 0171 2345678, 08-170 669 07; not a zero-padded 0456789123
# Three or more groups of 2-4 digits split by spaces (914 36 537, 22 842 56 06): how phones are written in much of
# Europe, and not how amounts (groups of three: _THOUSANDS) or references (one run, or hyphens) usually are.
_SPACED = re.compile(r"\d{2,4}(?: \d{2,4}){2,}")
_THOUSANDS = re.compile(r"\d{1,3}(?:([ .,'\u202f\u00a0])\d{3})(?:\1\d{3})*")  # 1 234 567, 12.345.678: an amount's look
# A version: dotted, three or more parts, one of them a single digit (10.0.19045.3693, Chrome 120.0.6099.130), or
# exactly three with a first part of one or two digits (24.38.179); dotted phones have neither (793.236.3387,
# 032.699.19.22, 06.12.34.56.78), or are North American (1.800.555.0199).
_VERSION = re.compile(r"(?=.*(?<![\d])\d(?![\d]))\d+(?:\.\d+){2,}|\d{1,2}\.\d+\.\d+")
# Words that announce a phone number in the sentence around it (before or after), in the prompts' languages.
# Not bare "call", "text", "number": "the API call for order 4815162342" would make any 10-digit order number a
# phone (it is valid in India or Mexico); those count only right before the number (_ADJACENT).
_WORDS = re.compile(
    r"(?<!\w)(?:"
    r"\w*phone\w*|tel|tels|telephone|mob|mobile|cell|cellular|fax|landline|hotline|helpline|voicemail|whatsapp|"
    r"signal|telegram|viber|sms|text (?:me|us|him|her)|texted|texting|call(?:ed|ing)? (?:me|us|him|her|you|back|from)|"
    r"callback|call-back|missed call|ring(?:ing)? (?:me|us|him|her)|dial(?:l?ed)?|reach|reachable|"
    r"contact(?:ed|ing)?|(?:my|our|his|her|their|your|new|old|best|direct|home|work|private|contact|"
    r"\w+['’]s(?: \w+)?) number|number to (?:call|ring|text|dial)|reached|txt|msisdn|"
    r"caller|ph\.? ?(?:no|nr|#)|cal+ (?:me|us)|"
    r"telefo\w*|handy\w*|mobil\w*|rufnummer|festnetz\w*|rückruf\w*|ruf (?:mich|uns)|anruf\w*|angerufen|erreich\w*|"
    r"durchwahl|(?:meine|neue|unter der) nummer|(?<!\d )(?<!\d)gsm|"  # not paper's "80 gsm"

    r"tél|téléphone|portable|fixe|appel(?!s(?!\w))\w*|rappel\w*|joindre|joignable|contacter|contactez|texto|"
    r"(?:mon|mon nouveau|notre|ton|votre|son) numéro|"
    r"teléfono|telemóvel|telemovel|móvil|movil|celular|fijo|llam\w*|llám\w*|contáct\w*|contactar\w*|"
    r"(?:mi|nuestro|meu|nosso) número|cellulare|fisso|chiam\w*|recapito|contattar\w*|contattami|"
    r"(?:il mio|nostro) numero|telefoon\w*|mobiel\w*|bel|bellen|belt|gebeld|terugbellen|bereikbaar|mijn nummer|"
    r"ligue|ligar|liga|ligou|contato|contacto|komórk\w*|zadzwo\w*|dzwoni\w*|kontakt\w*|"
    # "ring", not as a noun: a ring size or road, "ring numbers on the harnesses" (blind 23's)
    r"ring(?! (?:sizes?|roads?|binders?|gauges?)(?!\w)| (?:numbers?|tags?) (?:on|of|for)(?!\w))|"
    r"ringa|ringe|ringer|ringde|ringt|tlf|mitt nummer|mit nummer|puh|puhelin\w*|soita\w*|soitt\w*|numeroni|"
    # More everyday ways of saying "phone me", in the same languages and a few more (Czech, Turkish, Danish); not
    # bare words with other common readings (Portuguese "CEP" is a postcode, chat "whats" is "what's"):
    r"get hold of|get in touch|give (?:me|us) a (?:call|ring|buzz)|drop (?:me|us) a text|message me|msg me|"
    r"(?:zu|zurück|durch)rufen|ruft? (?:mich|uns) an|melden sie sich|"
    r"márcame|llamada|wasap|guasap|zapzap|(?:manda|mande|mandar|envia|envie) (?:uma )?mensagem|ligação|fone|"
    r"telefonami|squill\w*|bereik\w*|bel me|app me|appen|gsm-nummer|nå (?:meg|mig)|sms:a|smsa|kännyk\w*|"
    r"tekstiviest\w*|volejte|zavolejte|zavolat|arayın|arayabilirsiniz|numaram|cep telefonu\w*|"
    r"caller id|richiam\w*|nieuwe? nummer|(?:mon|mi|my|mein) num|tavoit\w*|sunați|sunati|sună|numărul meu|"
    r"telefonul\w*|kinito|tilefono|"
    # A signature's line names and the South Slavic, Slovak, Hungarian and Turkish ways of saying "call me"
    # (not bare Croatian "broj" or Turkish "numara": both also name an order's number)
    r"(?:direct|phone|mobile|office|private|work|home) line|direct dial|"
    r"nazov\w*|nazvat\w*|nazvati|pozovi\w*|poklič\w*|na broj|broj (?:telefona|mobitela|mobilnog)|mobitel\w*|"
    r"telefón\w*|zavolajte|zavolať|volajte|volať|hívj\w*|hívjon|hívhat\w*|felhív\w*|ulaş\w*|numaramdan|numarasından|"
    # Catalan "truqueu-me", Slovak/Czech "ozvite sa", Croatian "javite mi se", Estonian "helistage", Portuguese
    # "me dá um toque", German "(durch)klingeln" and "neue Nr."
    r"truc(?!k)\w*|truqu\w*|ozvi\w*|javi\w* (?:mi|nam) se|helista\w*|(?:dá|dar|dê|dá-me) um toque|\w*klingel\w*|"
    r"(?:meine|neue|handy) ?nr|"
    # Icelandic "sími", Latvian "tālrunis", Estonian "mobiil", Swahili "simu" (read in blind 6's misses); Maltese
    # "mowbajl", "ċempel", Irish "fón", "glaoigh", Welsh "ffôn", Vietnamese "điện thoại", Slovak "zavolá", "buzz me"
    # (blind 7's); the text is also read with its accents folded (mòbil, móbil, telèfon)
    r"sím\w*|tālru\w*|mobiil\w*|simu|mowbajl|ċempl\w*|cempl\w*|fón|foin|ffôn|ffon\w*|glaoigh|điện thoại|dien thoai|"
    r"zavol\w*|liguem|buzz (?:me|us)|"
    # Lithuanian "paskambinti", Portuguese "me chama", German formal "rufen Sie mich ... an" (blind 8's)
    r"\w*skambin\w*|me chama|me liga|rufen (?:sie|s['’]?) (?:mich|uns)|"
    # a phone emoji; "når mig", "a call(back)", Romanian "suna", Maori "waea", Somali "taleefan" (blind 9's)
    r"☎️?|📞|📱|📲|når (?:meg|mig|oss)|a (?:phone )?call(?:back)?|suna|waea|taleefan\w*|"
    r"call(?:ed|ing)?(?: [^\W\d_]+){1,3} back|"
    # a correction names the number it corrects: "wrong number, the right one is ..." (blind 10's)
    r"wrong (?:phone )?number|falsche? nummer|fel nummer|feil nummer|sbagliato (?:il )?numero|número equivocado|"
    r"mauvais numéro|verkeerde? nummer|(?:right|correct|new|updated|current) (?:phone |mobile )?number|"
    r"número (?:bueno|correcto|nuevo)|numero (?:giusto|corretto|nuovo)|richtige nummer|neue nummer|bon numéro|"
    r"rätt nummer|riktig nummer|juiste nummer|fange mig|"
    # "phone" and "mobile" in scripts written with spaces: Devanagari, Bengali, Arabic, Persian, Urdu, Cyrillic,
    # Greek, Hebrew, Amharic (blind 12's); a closed class, a word or two per language
    r"फोन|फ़ोन|मोबाइल|ফোন|মোবাইল|هاتف\w*|جوال\w*|موبایل|تلفن\w*|فون|телефон\w*|мобильн\w*|мобилн\w*|"
    r"звони\w*|позвони\w*|τηλέφων\w*|κινητ\w*|טלפון|נייד|ስልክ\w*|"
    # Belarusian "phone", Amharic "call me", Sinhala "telephone" and "please call", Somali "call me", Galician "call
    # me" (blind 22's)
    r"тэлефан\w*|ደውሉ\w*|දුරකථන\w*|කතා කරන්න|(?:iga|ii|na) soo wac\w*|chámame|chamádeme|"
    # another number of the same person: "alternative number 515888718"; texts and calls that go to it
    r"(?:alternative|alternate|backup|spare) (?:phone |mobile |contact )?number|"
    # Hebrew "reach me", Hungarian "can be reached", "call" (blind 15's)
    r"להשיג|ניתן להשיג|érnek el|elérhető|elér\w*|hívható|"
    r"(?:texts|calls|sms(?:es)?) (?:on|to|at)|"
    # a number moved between carriers; "you can get me on"; Bulgarian "call", Italian "reachable", Yoruba "call
    # me" (blind 16's)
    r"number to (?:port|keep)|ported number|обад\w*|"
    r"raggiungibil\w*|pè mí|"
    # Vietnamese "call", Danish and Norwegian "can be reached", Irish "call", Hausa "phone" (blind 12's)
    r"gọi|goi cho|træffes|treffes|glao|waya\w*|"
    # "call me" where the earlier lists had only "phone": Arabic, Persian "contact", Urdu and Hindi "call", Hebrew,
    # Tamil, Swahili, Zulu, Spanish "dial", Hinglish "call karo"; who holds a site's keys (blind 13's)
    r"اتصل\w*|تماس|کال|कॉल|תתקשר\w*|התקשר\w*|להתקשר|அழை\w*|\w*pigi\w*|piga simu|\w*shayel\w*|"
    r"marcan|marcar\w*|marcame|márcanos|(?:call|phone|fone) kar\w*|keyholders?|key holders?|next of kin|"
    # "phone" and "call" in Malayalam, Telugu, Punjabi, Gujarati, Kannada, Tamil; Serbian "позовите", Greek
    # "καλέστε", Spanish "háblenme", "textéame", Swiss German "alüte" (blind 14's)
    r"\w*ഫോൺ\w*|വിളിക്ക\w*|ఫోన్\w*|కాల్\w*|ਫ਼ੋਨ\w*|ਫੋਨ\w*|ફોન\w*|ಫೋನ್\w*|ಕರೆ\w*|போன்\w*|தொலைபேசி\w*|"
    r"позов\w*|καλέστε|καλεστε|τηλεφωνήστε|h[áa]bl(?:en|a)me|text[ée]a\w*|a+lü+t\w*|"
    # a relative's number with the apostrophe dropped, "my mums number for the trip is" (not plurals: "my friends
    # number of visits"); a key joining whose line it is to "tel" or "fax", as E2B's <reportertel> does (blind 21's)
    r"(?:mum|mom|mam|dad|wife|husband|gran|nan|grandma|grandpa)s(?: \w+)? number(?! of)|"
    r"(?:reporter|sender|receiver|recipient|contact|home|work|office|owner|emergency|primary|alt|patient)"
    r"(?:tel|fax)(?:no|nr|num|number)?|"
    # an airline record's contact element (CTCM: the passenger's mobile) (blind 23's); Indonesian and Javanese
    # "telephone" and a handphone's number (blind 22's "Telpon aku neng ...", seen again this round)
    r"ctc[mhb]|telepon\w*|telpon\w*|telp|nomor hp|no\.? hp|"
    # a QR code's or a link's SMS scheme ("SMSTO:84 9600-9523:..."); "call" in Georgian, Azerbaijani, Kazakh, Uzbek,
    # Igbo and Scottish Gaelic, Kazakh "get in touch" (blind 29's)
    r"smsto|mmsto|\w*დარეკ\w*|\w*დამირეკ\w*|zəng (?:ed|et|vur)\w*|қоңырау шал\w*|хабарлас\w*|"
    r"qo['ʻ’‘]?ng['ʻ’‘]?iroq\w*|kp[ọo][ọo] (?:m|anyị|anyi)|cuir f[òo]n|"
    # "call me" in Guarani and Cebuano, "call" in Kyrgyz (blind 30's)
    r"ehen[óo]i ch[ée]ve|tawgi (?:ko|mi|kami)|чалыңыз|чалып кой\w*"
    r")(?!\w)")
# A mobile-money wallet, which a phone number keys, right before the number or with a word that sends to it:
# "Nagad → 503 533 886", "DANA kirim ke ...", "Bizum a 612 345 678" (blind 29's; telebirr, MoMo, EcoCash, blind 28's);
# a messenger a phone number signs up to, the same way ("WeChat: ...", "Zalo 0612..."). Not anywhere in the clause:
# "GCash Bills Pay Meralco 4155550132", "Zalo OA 0612345678 order", a school fee or a transaction id paid through one
# (a review's). Not a business's wallet: an M-Pesa paybill or till, a merchant's, an agent's, a shop's
# (_BUSINESS_WALLET, in the clause; a till by its number's name: Swedish "Swisha till 070-..." sends to a phone). DANA and OVO in capitals
# only ("dana", "ovo" are words); not Wave, Click, Boost: everyday words.
_WALLETS = re.compile(
    r"(?i)(?<!\w)(?:m-?pesa|mobile money|momo|airtel money|orange money|tigo (?:pesa|money)|vodafone cash|ecocash|"
    r"onemoney|telebirr|hellocash|bkash|nagad|jazzcash|easypaisa|sadapay|nayapay|gcash|paymaya|truemoney|promptpay|"
    r"touch ['’]?n ['’]?go|kbzpay|wavepay|moov money|flooz|moncash|nequi|daviplata|yape|sinpe m[óo]vil|bizum|"
    r"swish(?:a|ar|at)?|vipps|mobilepay|payme|kaspi|zelle|paynow|payid|phonepe|viettelpay|viettel money|zalopay|gopay|linkaja|"
    r"shopeepay|picpay|opay|palmpay|o!\s?dengi|o!\s?деньги|wechat|weixin|kakaotalk|zalo|(?-i:DANA|OVO))"
    r"(?:[ \t]+e-?wallet)?"  # "Touch 'n Go eWallet →" (blind 30's; PicPay, OPay, O!Dengi too)
    r"(?:[ \t]*(?:→|->|=>|:|：|-|–)?[ \t]*(?:(?:send|sent|transfer(?:red)?|kirim|kirimkan|envía|enviar|envio|"
    r"chuyển|gửi|ወደ)[ \t]+)?(?:to|ke|al|a|à|au|para|pra|na|til|till|an|đến|cho|id)?)?[ \t]*[:：]?[ \t]*$")
_BUSINESS_WALLET = re.compile(r"(?i)(?<!\w)(?:pay ?bill|till (?:number|no|nr)|buy goods|merchant|business|agent|"
                              r"shop|store|company|co-op|biller|school|comercio|tienda|negocio|empresa|magasin|boutique|toko|sekolah|"
                              r"магазин|bill|bills|oa|official account)(?!\w)|商户|商家")
# Words that say "call", "text" or "contact" only right beside the number, with the preposition that joins them to
# it: alone in a clause they as often speak of an order's, an invoice's or an error's number (a review's: "הודעה מס'
# 4500123456 נשלחה לספק", "پیام خطا: 80070005", "短信验证码：84736251", "Zvanični matični broj firme: 20123456").
# Before the number: Latvian "zvaniet ... uz", Russian and Ukrainian "перезвоните ... на", Hebrew "הודעה ל-",
# Kurdish "پەیوەندیم ... لە", Vietnamese "nhắn tin cho/từ", a work, office or new SIM's number, a number for texts,
# Spanish "escribid al", an emergency number (blinds 23's and 24's)
_NEAR_BEFORE = re.compile(
    r"(?<!\w)(?:zvan(?:i|ie|iet|īt|iju|ām)(?:[ \t]+\S+){0,2}[ \t]+uz|"
    r"(?:перезвон|передзвон|зателефон)\w*(?:[ \t]+\S+){0,2}[ \t]+на|"
    r"(?:הודעה|הודעות|סמס)[ \t]+(?:\S+[ \t]+)?ל-?|پەیوەندی\w*(?:[ \t]+\S+){0,3}[ \t]+لە|"
    r"nh[ắa]n tin(?:[ \t]+\S+)?[ \t]+(?:cho|từ|tu|đến|den|tới|toi|qua|vào|vao)|"
    r"(?:work|office|mobile|cell) (?:no|nr)\.?|new sim(?: card)?|(?<!total )number for (?:messages|texts|sms|calls|whatsapp)|"
    r"escrib\w* al|escríbe\w*(?: al)?|emergency (?:contact|number|line|phone)|emergency[ \t]*:|"
    # "call" in Luganda and Shona ("Nkubira ku", "Ndifonerei pa"), Arabic ("الاتصال على"), Bulgarian ("звънете на", not
    # "звънец", a doorbell) and Maltese ("Ċempel lill-") (blinds 23's and 24's; a review's: "مركز الاتصال رقم
    # التذكرة 4500123456", a call centre's ticket, "Звънете за поръчка 4500123456", an order's)
    r"\w*(?:kubir|fonere)\w*(?:[ \t]+(?:ku|pa|kuri))?|(?:الاتصال|اتصل\w*|تتصل\w*)(?:[ \t]+\S+){0,2}[ \t]+(?:على|ب)|"
    r"звън(?!ец)\w*(?:[ \t]+\S+){0,2}[ \t]+на|[cċ]empel\w*(?:[ \t]+(?:lil|fuq|għal))?[ \t]*(?:lill-|mill-|fil-)?|"
    r"(?:发|發)(?:短信|短訊|簡訊)(?:到|给|給|至)?|"
    # Icelandic "hringið í" (ring: the verb's forms, not "hringurinn", a ring, nor "hringtorgið", a roundabout)
    # (blind 25's)
    r"(?:hringið|hringdu|hringja|hringir|hringi|hringdi)(?:[ \t]+\S+){0,2}[ \t]+í|"
    # "call me at" in Kinyarwanda ("mumpamagare kuri"), Hausa ("ku kira ni a"), formal Spanish ("márqueme al"),
    # Moroccan Arabic ("عيط ليا ف") (blind 27's; with the preposition only: Turkish "kira" is rent, Malay "kira ni"
    # is "count this", "hamagara ku biro" is "call the office", a review's)
    r"\w*[hp]amagar\w*[ \t]+kuri|kira[ \t]+(?:ni|mu)[ \t]+a|m[áa]rque(?:me|nos|le)[ \t]+al|"
    r"عيط\w*(?:[ \t]+\S+){0,2}?[ \t]+(?:ف|فـ|في|على|ل)|"
    # ... and "talk to me at" in Egyptian Arabic ("كلمني على"), "let me know at" in Spanish ("avíseme al"; not "avisen
    # al", a review's) and Indonesian ("kabari ke") (blind 28's)
    r"كلم(?:ني|ونا|يني)(?:[ \t]+\S+)?[ \t]+على|av[íi]s(?:e|a)me[ \t]+al|kabar(?:i|in)(?:[ \t]+(?:aku|saya))?[ \t]+(?:ke|di)|"
    # a form's or a signature's label right before it: the Russian, Ukrainian and Bulgarian abbreviations of "phone"
    # and "mobile" ("тел. 8903...", "Моб.: 067..."), the Arabic "the phone" ("رقم الجوال 050...", "الهاتف: 050...");
    # right before only: "опознание тел", "Моб. версия: 1 234 567", "شاشة الهاتف: رقم القطعة 661-17934", "رقم الجوال
    # مسجل على الحساب 1234567890" are bodies, a version, a part, an account (reviews')
    r"(?:тел|моб|тлф)\.?|ال(?:هاتف|جوال)\w*)"
    rf"[ \t:,\"'{MARK}]*$")
# After it: Persian "... پیام بدهید" (send a message), Oromo "... bilbilaa" (call), Hungarian "... számon érhető el"
# (can be reached on the number), a line that takes texts only ("— text dont call"), Chinese "...发短信" (send a
# text), Japanese "...でつながります" (you are put through) (blinds 23's and 24's)
_NEAR_AFTER = re.compile(
    rf"^[ \t{MARK}]*(?:پیام|(?:telefon)?számon érhető el|(?:na[ \t]+)?bilbil|[-–—,(]*[ \t]*(?:text|sms|whatsapp)"
    r"(?: only|,? (?:don['’]?t|dont|do not|not) (?:call|ring|phone))|(?:发|發|传|傳)(?:短信|短訊|簡訊)|[でに]つなが|"
    # Japanese "...に出られます" (can pick up on) (blind 25's; not "...に出る", comes out on: "20240615に出る予定")
    r"に出られ)")
# The same words in scripts written without spaces, matched inside their runs: 电话/電話, 手机/手機, 携帯, 휴대폰,
# 전화, โทร (Chinese, Japanese, Korean, Thai)
# ... "contact" in Japanese, "text message" in Korean (blind 16's)
_UNSPACED_WORDS = re.compile(r"电话|電話|手机|手機|携帯|ケータイ|휴대폰|핸드폰|전화|연락|連絡|문자|โทร|เบอร์|มือถือ|"
                             r"请打|請打|打给|打給|打俾|打畀|拨打|撥打|致电|致電|"  # "please dial", "call" (blind 13's); 연락 "contact"
                             r"ဖုန်း|微信(?!支付)|"  # Burmese "phone" (blind 22's)
                             # Korean "(someone honoured)'s number", "my number"; Japanese "call back" (blind 29's)
                             r"(?<!회원)(?<!고객)님\s?번호|(?<!회원)(?<!고객)님의\s?번호|제\s?번호|내\s?번호|折り返し(?!運転)|折返し(?!運転)")
# Roles people hold, a closed class: "Plot 22 tenant 95870956", "the parent of ... is on 0587722152" (blind 14's)
_ROLES = (r"tenant|owner|householder|homeowner|landlord|landlady|organi[sz]er|driver|parent|guardian|caretaker|"
          r"neighbou?r|bride|groom|applicant|visitor|courier|mum|mom|dad")  # not "host": a machine too
# People whose number may follow "is on" ("the member who lost his permit card is on ...", blind 16's): right before
# it, or with a "who ..." clause between ("the customer account is on 48320194" is a tariff's). Not in _ROLES: right
# before a number these words as often name a record ("Member 12345678", "Seller: 2125551234", "Claimant 077...").
_PEOPLE = (r"member|customer|client|patient|guest|caller|learner|student|pupil|widow|widower|husband|wife|son|"
           r"daughter|mother|father|brother|sister|friend|colleague|pilot|buyer|seller|artist|respondent|guard|medic|"
           r"foreman|forewoman|haulier|consignee|candidate|volunteer|nurse|carer|nanny|babysitter|cleaner|plumber|"
           r"electrician|contractor|wearer|claimant|witness|inventor|interviewer|enumerator|locum|steward|"
           r"stewardess|chaperone|"
           # relatives beyond the nearest ("the bride's uncle ... answers on", blind 23's)
           r"uncle|aunt|auntie|cousin|nephew|niece|grandson|granddaughter|grandmother|grandfather|fianc[ée]e?|partner|"
           r"reporter")
# Right before the number only: "text 0491660536", "call 020 7946 0958", "SMS an 0171 ..."
# "message"/"msg" only with "me"/"us" or a preposition: "ORDERS message 8644263533" is an EDI message's number.
# "rang" only here: in French and Dutch it is a row or a rank ("porte 12, rang 14"). A "vessel call", "port call" or
# "service call" is a visit or a job with its own number (blind 13's).
_ADJACENT = re.compile(r"(?<!\w)(?:(?:text|(?<!vessel )(?<!port )(?<!ship )(?<!service )(?<!sales )(?<!conference )call|"
                       r"dial|sms|ring|rang|whatsapp)(?: (?:me|us))?(?: (?:at|on|to|an|au|al|op|på|pod))?|"
                       r"(?:message|msg)(?: (?:me|us)(?: (?:at|on|to|an|au|al|op|på|pod))?| (?:at|on|to|an|au|al|op|på|pod))|"
                       # "call the tenant on", "ring the site manager at", "rang the parent at 11:40 on",
                       # "Policyholder rang from"; "Parent to call if ill:" (blind 13's)
                       # ... "rang the hire base from" (blind 22's; not "called the API from 20240615")
                       r"(?:call|ring|rang|rung|text|phone|phoned)(?: (?:[^\W\d_]+|\d{1,2}[:.]\d{2})){1,4} (?:on|at)|"
                       r"(?:rang|rung|phoned)(?: (?:the|a|an|our|his|her|their|my|your))(?: [^\W\d_]+){1,3} from|"
                       r"(?:rang|rung|rings|ringing|phoned|phones|phoning|calls|calling|texts|texting) from|"
                       r"to (?:call|ring|text|phone)(?: [^\W\d_]+){0,3}|"
                       # whom to notify, and how: "Consignee to be notified on", "notify the buyer at" (blind 15's)
                       r"notif(?:y|ied)(?: [^\W\d_]+){0,3} (?:on|at|via)|"
                       # one's own number: "my new no. 790 643 302", "my nr 0612..." (not a reissued invoice's "new no.")
                       r"(?:my|my new|mobile|cell) (?:no|nr)\.?|"
                       # "the parent of the six-year-old ... is on 0587722152" (a person is on a number; "the shipment
                       # is on ..." is not), "enquiry from", "questions sent to" (blind 14's)
                       rf"(?:{_ROLES}|he|she)(?: [\w'’-]+){{0,8}} is on|(?:{_PEOPLE})(?: who(?: [\w'’-]+){{1,8}})? is on|"
                       # who answers at a number: Italian, French, Portuguese, German, Arabic (blind 29's; not Spanish
                       # "responde al": also "corresponds to", a review's)
                       r"rispond(?:e|ono) al|répond(?:ent)? au|atende(?:m)? (?:no|pelo)|"
                       r"antwortet unter|(?:يرد|ترد|يجيب|تجيب) على|"
                       r"(?:he|she)['’]s on|(?:they|we|you) are on|"
                       # "confirmed she answers on", "the patient's wife picks up on": a person answers (blind 21's;
                       # not "the scheduler picks up on 20240615"); Basque "deitu" (call) right before the number
                       rf"(?:{_ROLES}|{_PEOPLE}|he|she|they|who)(?: [\w'’-]+){{0,10}} (?:answers|picks up)(?: the phone)? (?:on|at)|"
                       r"deitu|"
                       r"(?:enquiry|inquiry|enquiries|inquiries|voicemail|missed call) from|"
                       r"(?:questions|messages|texts|queries|updates|photos|pictures)(?: [^\W\d_]+){0,3} "
                       r"(?:sent|send|go|goes|going|forwarded) to|"
                       # "I'm on 07700 900123 till six", a WhatsApp or tel: link
                       r"i['’]?m on|wa\.me/|tel:|"
                       # "nobody called 0493...", "get me on", "reach us at", "give us a bell on" (blind 11's)
                       r"(?:called|dialled|dialed|texted)(?: (?:on|at))?|(?:me|us) (?:on|at)|"
                       r"a (?:bell|buzz|shout|tinkle) on|"
                       # where a reminder, an alert or a code is sent: "Boarding reminder sent to 41 8188-7633"
                       # "wants a reminder on 0680...", "a reminder by SMS to" (blind 16's)
                       r"(?:a|me a) reminder(?: by (?:sms|text))? (?:on|to|at)|reminders? by (?:sms|text) (?:on|to|at)|"
                       # "you can get me, I'm the widow, on ...": "on"/"at" right before the number, in the sentence
                       # ("get me the status of 0612345678" is no phone)
                       r"(?:get|reach|find) (?:me|us)\b[^\n.?!]{0,30}? (?:on|at)|"
                       r"(?:reminders?|alerts?|notifications?|codes?|otp)(?: [^\W\d_]+){0,3} "
                       r"(?:sent|send|go|goes|going|delivered|forwarded) to)"
                       r"[ \t:]*$")
# Weaker cues, right before the number: a person who left or gave a number, who wants to hear on one or something
# sent to one, asked to be rung on one, a call put through to one (blinds 23's and 24's). They say phone only of a
# number valid as one as written, and not of a date's digits: "Customer left 20240615 as the pickup date", "The
# client left 1 250 000 in escrow", "Order put through to 4500123456 for approval" (a review's).
_WEAK_ADJACENT = re.compile(
    # Chinese and Cantonese "打" (dial) right before the number, joined to the word before it ("先打725 353 645",
    # "就打94309176畀佢"), so outside the word boundary the other cues start at (blind 26's). Not where it ends
    # another word ("苏打", soda; "拍打", to pat: a review's), nor before a counted number (weakly_announced)
    # ... and "打返" (call back) the same way (blind 30's; not anywhere: "打返九折" is a discount, a review's); Khmer
    # "telephone (to me)" right before the number (blind 30's; not a phone shop's line, where the word is the product)
    rf"(?:(?<![苏蘇拍敲殴毆击擊单單双雙主武])打(?:返|番)?|ទូរស័ព្ទ(?:មក)?(?:លេខ)?|"
    rf"(?<!\w)(?:(?:{_ROLES}|{_PEOPLE}|he|she|they|who)(?: [\w'’-]+){{0,10}} (?:left|gave)|"
    r"(?:hear|hear back|be reached|be contacted)(?: from (?:me|us|you|him|her|them))? (?:on|at)|"
    r"(?:calls?|callers?|line|it|them|me|us|him|her)(?: [\w'’-]+){0,3} (?:rung|rang|put|patched|transferred) through to|"
    r"(?:rung|rang) through to|"
    rf"(?:{_ROLES}|{_PEOPLE}|he|she|they)(?: [\w'’-]+){{0,12}} sent to|(?:rung|phoned) (?:on|at)|"
    # an SMS's sender as a phone or a modem logs it: "Received message from 0586684140", "SMS from" (blind 26's;
    # not any "message(s) from": an error's, a queue's, a range of ids, a review's)
    r"(?:(?:received|new|incoming|inbound)(?: sms| text)? message|sms) from|"
    # Malagasy "call (at)" (blind 26's): "Antsoy amin'ny ..."
    r"antsoy(?: amin['’]ny)?|"
    # "the member whose print jammed is on ...", French "elle est au ..." (blind 24's; weak: "The patient whose
    # surgery is on 20240615", "Il est au 20240615 dans le planning", a review's)
    rf"(?:{_PEOPLE}) whose(?: [\w'’-]+){{1,8}} is on|(?:il|elle|ils|elles) (?:est|sont) (?:au|joignables? au)|"
    # French "composez le" (dial: also an order's number keyed into a voice menu), Russian and Ukrainian "my number"
    # ("мой номер заказа" names its order in between; "мой номер 20240615 в очереди"), Russian "на связи по (номеру)"
    # (on the line at), Greek "I am at" (blind 25's; weak: "composez le 20240615", "Είμαι στο 20240615 build", a
    # review's; not "answers on" in Galician, Finnish or Latvian, nor Spanish "avisen al": a second review found
    # them as often before an order's, an issue's or a contract's number)
    r"compos(?:ez|er)(?: le)?(?: (?:numéro|n°))?|(?:мій|мой|мою|моего|мого) номер|на связи по(?: (?:номеру|телефону))?|"
    # "After 7pm try 604140780", "try me on ...", "or try her at ..." (read blinds 10 and 30's; weak: "try 20240415
    # as the date" is no phone)
    r"try(?: (?:me|us|him|her|them))?(?: (?:at|on))?|"
    rf"είμαι στο))[ \t:,：{MARK}]*$")
# A reference named right after the number overrides a weak cue: "The buyer gave 4500123456 as the PO number" (a review's)
_NAMED_AFTER = re.compile(r"(?i)^[ \t]*as (?:the|a|an|his|her|their|its|our|my)\b[^.\n]{0,30}?"
                          r"\b(?:number|no|nr|ref|reference|id|code)\b")
_COMPACT_DATE = re.compile(r"(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])|"
                           r"(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])(?:19|20)\d{2}")


# A Chinese classifier or unit right after the number counts it: "打13812345678号单据" (a document's number),
# "打50000000元" (a sum), "打13800138000条数据" (rows) (a review's)
_COUNTED_AFTER = re.compile(rf"^[ \t{MARK}]*[号號元块塊件条條张張次个個批单單]")
# Russian and Ukrainian "I am on" (blind 26's: "я на 9365936877»"), only where the number ends the clause: "я на
# 9365936877 рублей оформил счёт" is a sum, "Я на 3801234567 строке" a line (a review's)
_I_AM_ON = re.compile(r"(?<!\w)(?:я|ми|мы) на[ \t]*$")
_CLAUSE_ENDS = re.compile(r"^[ \t]*(?:$|[\n.,;!?»\"”)\]…—–-])")


def weakly_announced(head: str, tail: str = "") -> bool:
    """A weak cue right before the number (_WEAK_ADJACENT) and no reference named or thing counted right after it;
    the caller asks for a number valid as a phone."""
    named = (_NAMED_AFTER.match(tail) and not _WORDS.search(tail[:60].lower())) or _COUNTED_AFTER.match(tail)
    head = head.lower()
    cued = _WEAK_ADJACENT.search(head) or (_I_AM_ON.search(head) and _CLAUSE_ENDS.match(tail))
    return bool(cued) and not named


def compact_date(value: str) -> bool:
    """Eight digits that read as a date, YYYYMMDD or DDMMYYYY ("20240615", "15062024")."""
    return bool(_COMPACT_DATE.fullmatch(value))


# A singular possessive (first, second or third person), in the prompts' languages and more: a closed class, unlike
# the words people use for what they own. Before the thing ("my", "mon", "il mio", "mój", "fy", "mans") or after it
# ("síminn minn", "namba yangu", "số của tôi"). Not "58 min" (minutes), not German "im" nor Irish "mo" (Monday).
OWNER = re.compile(r"(?i)(?<!\d )(?<!\w)(?:my|mine|his|her|your|mein|meine|meinen|meiner|meines|seine?|ihre?|mon|ma|mes|"
                   r"son|sa|ses|mi|mis|meu|minha|seu|sua|mio|mia|suo|mijn|m'n|zijn|haar|min|mitt|mina|mine|mit|hans|"
                   r"hennes|minun|hänen|mój|moja|moje|mojego|mojej|jego|jej|můj|moji|mého|benim|onun|mea|moj|"
                   r"mou|tou|tis|meva|môj|minn|mín|minu|mans|mana|mano|fy|yangu|wangu|saya|tiegħi|"
                   r"của tôi|cua toi|nire|ime|yami|wami|lami)(?!\w)")
# A possessive, then at most three words and a copula or colon, right before the number: "my daughter's number is",
# "Síminn minn er", "Namba yangu ya simu ni", "El meu mòbil és el".
_OWNED = re.compile(rf"{OWNER.pattern}(?:[ \t]+[^\W\d_][\w'’.-]*){{0,3}}[ \t]*[:=]?[ \t]*$")
# A signature line's label: "T +49 ...", "M: 0171 ...", "Tel. ...", "Puh. ..." at the start of the line.
# In any case when a colon follows ("m: 0171 ...", "tel: ..."): lower case alone is too common a letter.
_LINE_LABEL = re.compile(r"(?:^|\n)[ \t]*(?:(?:T|M|P|F|Ph|Mob|Tel|Tél|Tfn|Tlf|Fon|Puh|Cel)\.?[ \t]*:?|"
                         r"(?i:t|m|p|f|ph|mob|tel|tél|tfn|tlf|fon|puh|cel|w|o|h)\.?[ \t]*:)[ \t]*$")
_POSTCODE = re.compile(r"\d{5}-\d{3}")
_DATE = re.compile(r"(\d{1,4})[./-](\d{1,2})[./-](\d{4}|\d{2})(?: \d{1,2})?")


class Phones:
    def __init__(self, regions=DEFAULT_REGIONS, first: str = "US"):
        regions = tuple(r.upper() for r in regions)
        unknown = sorted(set(regions + (first.upper(),)) - phonenumbers.SUPPORTED_REGIONS)
        if unknown:
            raise ValueError(f"sampling.pii.phone_regions: {unknown} are not regions libphonenumber knows")
        # The configured home region first: a number valid there is read as its number.
        self.regions = (first.upper(), *[r for r in regions if r != first.upper()])
        self._cache: dict[tuple[str, object], bool] = {}

    def is_phone(self, value: str, head: str, tail: str) -> bool:
        """A digit run with `head` and `tail` the text of its clause before and after it (context.clause): a
        phone number? The caller has already set aside references ("order 0612345678") and amounts."""
        return self._judged(value, announces(head, tail))

    def is_announced_phone(self, value: str) -> bool:
        """Judged as a number some word already says is a phone's (an owner named right after it, for one)."""
        return self._judged(value, True)

    def _judged(self, value: str, announced: bool) -> bool:
        key = (value, announced)
        if key not in self._cache:  # amounts and dates repeat across rows; parsing is the slow part
            self._cache[key] = self._judge(value, announced)
        return self._cache[key]

    def _judge(self, value: str, announced: bool) -> bool:
        digits = re.sub(r"\D", "", value)
        if not MIN_DIGITS <= len(digits) <= MAX_DIGITS:
            return False
        if value.startswith("(") and ")" not in value:
            value = value[1:]  # "(0140 199530)": the bracket is the sentence's
        if _POSTCODE.fullmatch(value) and not announced:
            return False  # 03082-000, Brazil's CEP: phones there are written 4-4 or 5-4 (00434-000 is no 00 prefix)
        separated = bool(re.search(r"[ .-]", value))
        if value.startswith("+"):
            # Announced, a + number is a phone even where the plan has no such range (a typo, a new range).
            return announced or _international(value, possible_is_enough=True)
        if value.startswith("00") and (announced or separated) \
                and _international("+" + value[2:], possible_is_enough=separated):
            return True  # 00 is the international prefix, and the start of zero-padded codes (EAN 0063...)
        if _is_date(value) or (_VERSION.fullmatch(value) and not _NANP.fullmatch(value)):
            return False
        if announced:
            # Announced in its own sentence ("Emergency contact: 99751402", "phoned from 1703764764"): a phone,
            # whether or not libphonenumber knows the range; a reference label before it was checked already.
            return True
        if _THOUSANDS.fullmatch(value):
            return False  # 796 509 330 is a Polish mobile and an amount: only a phone word decides
        nanp = bool(_NANP.fullmatch(value))
        shaped = nanp or bool(_AREA_IN_PARENS.search(value) or _PAIRS.fullmatch(value) or _SPACED.fullmatch(value))
        if shaped or _TRUNK.match(value):
            if self._valid_somewhere(value):
                return True
        elif len(digits) >= 8 and len(re.findall(r"\d+", value)) >= 3 and self._grouped_like_home(value):
            return True  # not 7 digits (versions such as 12.19.178), not two groups (1234-5678 is as often a code)
        # A number unassigned today is still someone's phone when written as one: 555-013-2204 has no other reading.
        return nanp and self._possible_somewhere(value)

    def valid_bare(self, value: str) -> bool:
        """8 to 15 digits, valid in a configured region as written, neither a date nor a version."""
        if not 8 <= len(re.sub(r"\D", "", value)) <= 15 or value.startswith("+") or _is_date(value) \
                or _VERSION.fullmatch(value):
            return False
        key = (value, "valid")
        if key not in self._cache:
            self._cache[key] = self._valid_somewhere(value)
        return self._cache[key]

    def _valid_somewhere(self, value: str) -> bool:
        """Valid in a configured region as written: PhoneNumberMatcher at VALID leniency also requires the
        national prefix where that region's numbering plan does (0171 ... in Germany, not 171 ...)."""
        return any(_matches(value, region, Leniency.VALID) for region in self.regions)

    def _possible_somewhere(self, value: str) -> bool:
        return any(_matches(value, region, Leniency.POSSIBLE) for region in self.regions)

    def _grouped_like_home(self, value: str) -> bool:
        """Valid in a region that writes its numbers in these very groups: libphonenumber's national format of
        the number splits it as the text does (84 9600-9523 is Brazil's (84) 9600-9523; 604-140-780 Poland's
        604 140 780), which a reference number matches only by chance."""
        groups = [len(g) for g in re.findall(r"\d+", value)]
        for region in self.regions:
            for match in PhoneNumberMatcher(value, region, leniency=Leniency.VALID):
                if len(re.sub(r"\D", "", match.raw_string)) != len(re.sub(r"\D", "", value)):
                    break
                national = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.NATIONAL)
                if [len(g) for g in re.findall(r"\d+", national)] == groups:
                    return True
                break
        return False


# Whose it is, right after the number: "... is 062 896 92 91 - my husband's", "(my sister's)" (blind 14's)
_OWNED_AFTER = re.compile(rf"(?i)(?:x\d{{1,6}})?[ \t]*[-–—,(]?[ \t]*(?:(?:is|it['’]s|that['’]s)[ \t]+)?"
                          rf"{OWNER.pattern.removeprefix('(?i)')}[ \t]+[^\W\d_]+['’]s(?!\w)")
# A person named by their role right before the number: "Plot 22 tenant 95870956", "Spaniel's owner: ...",
# "Learner driver 0882...", "Householder (wasps) 723 373 474". A closed class of roles people hold, not of things.
_ROLE = re.compile(rf"(?i)(?<!\w)(?:{_ROLES})"
                   r"(?:[ \t]*\([^()\n]{1,20}\))?[ \t]*[:-]?[ \t]*$")  # not a log's "tenant=2692417617"


_PERSON_WORD = re.compile(rf"(?i)(?<!\w)(?:{_ROLES}|{_PEOPLE}|family|families)s?(?!\w)")


def names_a_person(words: str) -> bool:
    """A role or a person among the words ("the driver", "her wife"): the closed classes the cues above use."""
    return bool(_PERSON_WORD.search(words))


def owned_after(tail: str) -> bool:
    """A possessive right after the number says whose phone it is ("- my husband's")."""
    return bool(_OWNED_AFTER.match(tail))


def role_before(head: str) -> bool:
    """A person's role right before the number ("tenant 95870956"): with a number valid as a phone, theirs."""
    return bool(_ROLE.search(head[-40:]))


def owned(head: str) -> bool:
    """Someone's own number: a possessive and at most three words right before it ("meu whats é", "Mans tālruņa
    numurs ir"). With a number valid as a phone and no reference label before it, that is their phone."""
    return bool(_OWNED.search(head[-60:]))


# German "anrufen" split around the number: "der Fahrer ruft vorher 68367322 an", "Rufen Sie bitte 0612345678 an"
# (blind 28's): a form of "rufen" shortly before it and the particle "an" right after it. Not a number the call is
# about ("Der Kunde rief wegen 4500123456 an"), nor "an" as a preposition ("rufen Sie die 4500123456 an der Kasse
# auf") (a review's)
_ABOUT = r"wegen|bzgl|bezüglich|betreffend|zu|zum|zur|für|über|der|die|das|den|dem"  # the word right before the number
_RUF_BEFORE = re.compile(rf"(?<!\w)(?:ruf(?:e|st|t|en)|rief(?:st|en|t)?)"
                         rf"(?:(?:[ \t]+[^\W\d_]+){{0,2}}[ \t]+(?!(?:{_ABOUT})(?!\w))[^\W\d_]+)?[ \t]*$")
# ... or whole before it: "Rufen Sie die Sennerin an: 509 051 877" (blind 29's): the one to call, then the number
_RUF_AN_BEFORE = re.compile(r"(?<!\w)(?:ruf(?:e|st|t|en)|rief(?:st|en|t)?)(?:[ \t]+[^\W\d_]+){1,3}"
                            r"[ \t]+an[ \t]*[:,]?[ \t]*$")
# "bitte unter 533 536 130 melden" (blind 30's): "unter" right before the number, "melden" or "anrufen" right after
_UNTER_BEFORE = re.compile(r"(?<!\w)unter[ \t]*$")
_MELDEN_AFTER = re.compile(r"^[ \t]*(?:melden|anrufen|zurückrufen)(?!\w)")
_AN_AFTER = re.compile(r"^[ \t]*an(?!\w)(?![ \t]+(?:der|die|das|den|dem|des|alle|jede\w*)(?!\w))")


def announces(head: str, tail: str) -> bool:
    """A word in the clause (`head` before the number, `tail` after it) says the number is a phone's, as written
    or with its accents folded ("mòbil", "telèfon" for mobil, telefon)."""
    lowered, after = head.lower(), tail.lower()
    if "_" in lowered or "_" in after:  # a log's or a key's words: "evt=sms_sent to=", "call_back_requested"
        lowered, after = _split_snake(lowered), _split_snake(after)
    return bool(_WORDS.search(lowered) or _WORDS.search(after) or _ADJACENT.search(lowered)
                or _RUF_BEFORE.search(lowered) and _AN_AFTER.match(after) or _RUF_AN_BEFORE.search(lowered)
                or _UNTER_BEFORE.search(lowered) and _MELDEN_AFTER.match(after)
                or _NEAR_BEFORE.search(lowered) or _NEAR_AFTER.match(after)
                or _own_number(lowered) or _own_number(after) or _LINE_LABEL.search(head)
                or _WORDS.search(fold(lowered)) or _WORDS.search(fold(after))
                or _UNSPACED_WORDS.search(head) or _UNSPACED_WORDS.search(tail)
                or _wallet(head, tail)
                or _OCR_DIGIT.search(lowered) and _WORDS.search(_unocr(lowered))
                or _OCR_DIGIT.search(after) and _WORDS.search(_unocr(after)))


def _wallet(head: str, tail: str) -> bool:
    """A person's mobile-money wallet or messenger right before the number (_WALLETS), no business's in the clause."""
    return bool(_WALLETS.search(head[-40:])) and not (_BUSINESS_WALLET.search(head) or _BUSINESS_WALLET.search(tail))


# OCR reads o as 0 and l as 1 inside words ("Herdsman's m0bile:", "Te1efon"): read the word as written.
_OCR_DIGIT = re.compile(r"(?<=[^\W\d_])[01](?=[^\W\d_])")


def _unocr(text: str) -> str:
    return _OCR_DIGIT.sub(lambda m: "o" if m.group(0) == "0" else "l", text)


# A possessive, one word that says where or whose the line is, then "number": "my shore number", "his own number",
# "her work number" (blind 15's). A closed list: "your meter/product/confirmation number" is a record's.
_OWN_WORD_NUMBER = re.compile(r"(?<!\w)(?:my|our|his|her|their|your) (?:own|shore|work|home|office|direct|private|"
                              r"personal|daytime|evening|weekend|night|other|second|usual|current|landline|emergency|"
                              r"local|uk|us|eu|contact|reachable|best) number(?!\w| of\b)")


# Only snake_case words about calls are split: "signal_lost", "ring_buffer" are not about a phone
_SNAKE = re.compile(r"\w*_\w*")
_SNAKE_CUE = re.compile(r"sms|phone|call|mobile|msisdn|whatsapp|contact")  # "pickup_contact" (blind 29's)


def _split_snake(text: str) -> str:
    return _SNAKE.sub(lambda m: m.group(0).replace("_", " ") if _SNAKE_CUE.search(m.group(0)) else m.group(0), text)


def _own_number(lowered: str) -> bool:
    return bool(_OWN_WORD_NUMBER.search(lowered))


def fold(text: str) -> str:
    """The text without accents (NFKD, combining marks dropped; đ -> d), for words people type either way."""
    text = text.replace("đ", "d").replace("ł", "l")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _is_date(value: str) -> bool:
    """23.11.2026, 2026-11-23, 11/23/26, and with the hour after it; not 01.44.03.14.49 (month 44)."""
    m = _DATE.fullmatch(value)
    if not m:
        return False
    a, b, c = (int(x) for x in m.groups())
    if len(m.group(1)) == 4:
        return 1 <= b <= 12 and 1 <= c <= 31
    return len(m.group(1)) <= 2 and (1 <= a <= 31 and 1 <= b <= 12 or 1 <= a <= 12 and 1 <= b <= 31)


def _matches(value: str, region: str, leniency) -> bool:
    for match in PhoneNumberMatcher(value, region, leniency=leniency):
        return len(re.sub(r"\D", "", match.raw_string)) == len(re.sub(r"\D", "", value))  # the whole run, not a part
    return False


def _international(value: str, possible_is_enough: bool) -> bool:
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return False
    if phonenumbers.is_valid_number(number):
        return True
    return possible_is_enough and phonenumbers.region_code_for_country_code(number.country_code) != "ZZ" \
        and phonenumbers.is_possible_number(number)
