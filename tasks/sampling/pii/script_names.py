"""Person names in scripts without capital letters: Arabic (and Persian, Urdu), Hebrew, the Indic scripts, Thai,
Georgian, Ethiopic, Chinese, Japanese and Korean.

names.py finds a name by its capitals; here nothing marks one, so a name needs evidence:
- a cue before it: one of names.py's (an English or European introduction, sign-off, field or title: "Hi, this
  is ...", "Caller: ...") or a native one ("اسمي", "שמי", "मेरा नाम", "姓名：", "私は", "저는"), or a form of address
  ("السيد", "מר", "श्री", "คุณ", joined to the name in Thai); then the word and the next (a run of up to three
  words whole; in a longer run a third word only when it is a known name);
- an honorific after it, as Chinese, Japanese and Korean write one ("王先生", "田中さん", "김민수 씨");
- its place: a chat line's speaker ("[13:02] سامي جرجس: ..."), a cell under a name column, the only words of the
  line after a sign-off line ("নমস্কার,\nঅনিন্দ্য সেন"), or one to three words among a Latin line's words
  ("Please forward this to ريم الشمري in finance");
- or, with no cue, two names in a row that the lists know (a known first name with a known first or last name,
  also after a particle or a one-letter prefix; for Chinese and Korean a known family name written together with a
  known given name), unless a street's or a hospital's word around them makes them a place.
The lists are Faker's person providers in these scripts (Arabic, Persian, Hebrew, Hindi, Marathi, Nepali, Bengali,
Gujarati, Oriya, Tamil, Sinhala, Thai, Georgian, Chinese, Japanese, Korean), which ship with the faker package, and,
for two in a row only, names-dataset's commonest names in Arabic, Hebrew, Devanagari, Bengali and Tamil script
(NAME_LIST, built by scripts/build_script_name_list.py); hand-written here are only the cue, place and particle
words and honorifics, a few per language, because no maintained library lists them (Presidio's recognizers are
English-first and need a spaCy model this machine cannot download).
"""

import gzip
import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from tasks.sampling.pii import common_words, context, faker_names

NAME_LIST_LOCALES = ("ar_AA", "ar_DZ", "ar_PS", "ar_SA", "fa_IR", "he_IL", "hi_IN", "mr_IN", "ne_NP", "bn_BD", "gu_IN",
                     "or_IN", "ta_IN", "si_LK", "th_TH", "ka_GE", "zh_CN", "zh_TW", "ja_JP", "ko_KR")
# Blocks of the spaced scripts (words between spaces), letters and marks only, with the joiners Persian and
# Sinhala write inside words.
_SPACED_BLOCKS = ((0x0590, 0x0600), (0x0600, 0x0700), (0x0750, 0x0780), (0x08A0, 0x0900), (0x0900, 0x0E00),
                  (0x0E00, 0x0E80), (0x10A0, 0x1100), (0x1200, 0x13A0), (0xFB1D, 0xFB50), (0xFB50, 0xFE00),
                  (0xFE70, 0xFF00))
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_KANA = "\u3041-\u3096\u30a1-\u30fa\u30fc"
_HANGUL = "\uac00-\ud7a3"


def _letters(blocks) -> str:
    chars = "".join(chr(c) for lo, hi in blocks for c in range(lo, hi) if unicodedata.category(chr(c))[0] in "LM")
    return re.escape(chars) + "\u200c\u200d"


_SPACED = _letters(_SPACED_BLOCKS)
_WORD = re.compile(rf"[{_SPACED}]+(?:[-\u05be][{_SPACED}]+)*")
_ANY = re.compile(rf"[{_SPACED}{_HAN}{_KANA}{_HANGUL}]")
_CJK_RUN = re.compile(rf"[{_HAN}{_KANA}]+")
_HANGUL_WORD = re.compile(rf"[{_HANGUL}]+")

# Native cues right before a name: introductions and forms of address (no colon needed) ...
_INTROS = (
    "اسمي", "إسمي", "اسمی", "السيد", "السيدة", "الآنسة", "الأستاذ", "الأستاذة", "الدكتور", "الدكتورة", "آقای",
    "خانم", "جناب", "سرکار خانم", "میرا نام", "نام من", "اسم من", "שמי", "קוראים לי", "מר", "גב'", "גברת", "ד\"ר",
    "मेरा नाम", "श्री", "श्रीमती", "सुश्री", "कुमारी", "डॉ.", "माझे नाव", "मेरो नाम", "আমার নাম", "শ্রী", "শ্রীমতী",
    "জনাব", "મારું નામ", "શ્રી", "என் பெயர்", "திரு", "திருமதி", "నా పేరు", "శ్రీ", "శ్రీమతి", "คุณ", "นาย", "นาง",
    "นางสาว", "ჩემი სახელია", "ბატონი", "ქალბატონი", "ስሜ", "አቶ", "ወይዘሮ", "ወ/ሮ", "ዶ/ር",
    "सौ.", "ለአቶ", "ለወይዘሮ",  # Marathi's Mrs. (with its dot: "सौ" is a hundred), Amharic's "to Mr.", "to Mrs."
)
# A letter's or a message's opening words of respect, and Georgian's Mr. and Mrs. as one calls them ("محترمہ نادیہ
# حسن", "आदरणीय श्री. तुषार गायकवाड,", "ბატონო ლაშა,"): cues only before a listed name (_named), since they are as
# often an adjective after a noun ("مشتری محترم، ...", a valued customer) or before one ("आदरणीय महोदय,", Dear Sir)
_RESPECTED = ("محترم", "محترمہ", "محترمه", "आदरणीय", "শ্রদ্ধেয়", "শ্রদ্ধেয়া", "মাননীয়", "মাননীয়া", "மதிப்பிற்குரிய",
              "ბატონო", "ქალბატონო")
# Greetings in these scripts' languages: the words after one, up to a comma, "!" or the line's end, are whom it greets
# (_addressed); names.py's greetings ("Hi رانيا,") are cues already
_SALUTATIONS = ("السلام عليكم", "السلام علیکم", "مرحبا", "مرحباً", "أهلا", "أهلاً", "اهلا", "هلا", "سلام", "درود", "آداب",
                "היי", "הי", "שלום", "नमस्ते", "नमस्कार", "हाय", "हैलो", "হ্যালো", "হাই", "নমস্কার", "வணக்கம்", "ஹாய்", "నమస్కారం", "నమస్తే", "హాయ్",
                "გამარჯობა", "სალამი", "ሰላም", "ጤና ይስጥልኝ")
# Words of respect and kinship after a name: "علی صاحب", "نسرین جان", "ইমতিয়াজ বাবু", "हरप्रीत दीदी", "మాధవి గారు",
# "செந்தில் அவர்கள்", "रोहित भाई", "ثمینہ آپی"; a listed name must come before one (_named): "मैडम जी", "हेलो जी",
# "ओके भाई", "एयरटेल भाई" are no one. Never the name themselves ("भैया जी": भैया is a first name in Faker's list too).
_HONORIFICS_AFTER = frozenset(("صاحب", "صاحبہ", "جان", "باجی", "بھائی", "خانم", "दीदी", "भैया", "साहब", "ताई",
                               "বাবু", "মহাশয়", "গারু", "గారు", "அவர்கள்", "அவர்களே", "அவர்களுக்கு", "जी", "भाई",
                               "दिदी", "दाइ", "दाजु", "बहन", "मैडम", "आपी", "آپی", "جی", "بہن", "آقا", "میڈم", "ভাই",
                               "আপা", "দিদি", "দাদা", "ম্যাডাম", "மேடம்", "சார்", "அண்ணா", "அக்கா", "గారూ", "మేడమ్",
                               "అక్కా", "అన్నా"))
# ... and name fields and sign-offs, which need a colon, or a comma or line break after them ("Name: ...",
# "Regards,\n..."): as bare words they are sentence words ("نام" is also "name" in a product's name).
_FIELDS = (
    "الاسم", "الإسم", "اسم العميل", "اسم المستخدم", "العميل", "المرسل", "المستلم", "مع تحياتي", "مع خالص التحيات",
    "تحياتي", "نام", "نام و نام خانوادگی", "با احترام", "مشتری", "שם", "שם מלא", "שם הלקוח", "לקוח", "לקוחה",
    "בברכה", "בכבוד רב", "השולח", "הנמען", "नाम", "ग्राहक", "भवदीय", "নাম", "গ্রাহক", "નામ", "பெயர்", "పేరు", "ชื่อ",
    "ลูกค้า", "ขอแสดงความนับถือ", "სახელი", "პატივისცემით", "ስም", "שם פרטי", "שם משפחה", "नाव", "والسلام",
    "ধন্যবাদান্তে", "ধন্যবাদ", "நன்றி", "ధన్యవాదాలు", "ชื่อ-นามสกุล", "ชื่อ นามสกุล",
)
# The people fields of forms, tickets and shipping labels: a parcel's recipient and sender, a contact person, whoever
# answers for it, an applicant, an employee, a patient, an owner. They hold a team, a firm, a branch or "not set" as
# often ("المسؤول: الدعم الفني", "שולח: דואר ישראל", "ผู้รับผิดชอบ: ไม่ระบุ"), so a name there must be one the lists
# know (_named), unlike after _FIELDS' name and sign-off words.
_PEOPLE_FIELDS = (
    "المستفيد", "المسؤول", "الشخص المسؤول", "جهة الاتصال", "الشخص المسؤول عن التواصل", "المالك", "مقدم الطلب",
    "الموظف", "الموظفة", "المريض", "المريضة", "اسم المريض", "المرسل إليه", "گیرنده", "تحویل گیرنده", "فرستنده",
    "مسئول", "مسئول پیگیری", "شخص رابط", "متقاضی", "کارمند", "بیمار", "مالک", "وصول کنندہ", "بھیجنے والا",
    "رابطہ شخص", "ذمہ دار", "درخواست گزار", "ملازم", "مریض", "گاہک", "נמען", "שולח", "איש קשר", "אשת קשר", "אחראי",
    "אחראית", "מגיש הבקשה", "עובד", "עובדת", "מטופל", "מטופלת", "בעלים", "प्राप्तकर्ता", "प्रेषक", "संपर्क व्यक्ति",
    "जिम्मेदार", "ज़िम्मेदार", "आवेदक", "कर्मचारी", "मरीज़", "मरीज", "रोगी", "मालिक", "खाताधारक", "प्रापक",
    "सम्पर्क व्यक्ति", "निवेदक", "बिरामी", "जिम्मेवार", "अर्जदार", "रुग्ण", "संपर्क व्यक्ती", "প্রাপক", "প্রেরক",
    "যোগাযোগের ব্যক্তি", "যোগাযোগ ব্যক্তি", "দায়িত্বপ্রাপ্ত", "আবেদনকারী", "কর্মচারী", "রোগী", "মালিক",
    "பெறுநர்", "அனுப்புநர்", "தொடர்பு நபர்", "பொறுப்பாளர்", "விண்ணப்பதாரர்", "ஊழியர்", "நோயாளி", "உரிமையாளர்",
    "வாடிக்கையாளர்", "స్వీకర్త", "పంపినవారు", "సంప్రదింపు వ్యక్తి", "బాధ్యులు", "దరఖాస్తుదారు", "ఉద్యోగి", "రోగి",
    "యజమాని", "కస్టమర్", "ผู้รับ", "ผู้ส่ง", "ผู้ติดต่อ", "ผู้ประสานงาน", "ผู้รับผิดชอบ", "ผู้ยื่นคำร้อง", "พนักงาน",
    "ผู้ป่วย", "เจ้าของ", "მიმღები", "გამგზავნი", "საკონტაქტო პირი", "პასუხისმგებელი პირი", "განმცხადებელი",
    "თანამშრომელი", "პაციენტი", "მფლობელი", "კლიენტი", "ተቀባይ", "ላኪ", "የሚያገናኙት ሰው", "ተጠሪ", "አመልካች",
    "ሰራተኛ", "ታካሚ", "ባለቤት", "ደንበኛ",
)
# Chinese, Japanese and Korean: cues before a name (written without a space before it), the weak ones (a pronoun,
# a customer) only when the name ends the run of characters, and honorifics after one.
_CJK_STRONG = ("我叫", "姓名", "联系人", "聯絡人", "聯繫人", "收件人", "寄件人", "负责人", "負責人", "经办人", "經辦人",
               "申请人", "申請人", "氏名", "名前", "お名前", "担当者", "お客様名", "申請者", "送信者")
# ... and a parcel's or a form's people fields, with their colon only ("收货人信息已更新", "申込者全員に ...")
_CJK_FIELDS = ("收货人", "收貨人", "受取人", "申込者", "依頼者", "患者姓名")
_CJK_WEAK = ("我是", "客户", "客戶", "顾客", "顧客", "患者", "担当", "私は", "宛先")
_CJK_AFTER = ("先生", "女士", "小姐", "さん", "様", "さま", "くん", "ちゃん", "と申します")
# Job titles right after the family name only ("王经理", not "项目经理": a project's manager)
_CJK_TITLES = ("老师", "老師", "经理", "經理", "同学", "同學", "医生", "醫生", "总", "總")
_HANGUL_BEFORE = ("저는", "제 이름은", "이름은", "이름", "성명", "고객명", "담당자", "작성자", "신청인", "보낸 사람", "받는 사람",
                  "고객", "환자")
# ... and a form's people fields, with their colon only ("받는 분 주소가 ...", "수령인 서명이 필요합니다" are sentences)
_HANGUL_FIELDS = ("받는 분", "수령인", "수취인", "보내는 분", "발신인", "신청자", "환자명", "예약자", "주문자")
_HANGUL_AFTER = ("씨", "님", "고객님", "선생님", "교수님", "과장님", "과장", "대리", "부장님", "부장", "팀장님", "팀장",
                 "사장님", "원장님", "기사님", "드림", "올림")
# Endings that end a name's word but say nothing about it ("박서진입니다" after "저는"; "한국어입니다" is no one)
_HANGUL_ENDINGS = ("입니다", "이에요", "예요", "이고", "이며")


def _alternation(words) -> str:
    return "(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + ")"


_NATIVE_CUE = re.compile(rf"(?:(?<![{_SPACED}]){_alternation(_INTROS)}[ \t]*[.:：,،፡፦]?[ \t]*|"
                         rf"(?<![{_SPACED}])(?P<respected>{_alternation(_RESPECTED)})[ \t]+|"
                         rf"(?<![{_SPACED}]){_alternation(_FIELDS)}[ \t]*(?:[:：፡፦]|(?P<line>[,،]?[ \t]*\n))[ \t\n]*|"
                         rf"(?<![{_SPACED}])(?P<people>{_alternation(_PEOPLE_FIELDS)})[ \t]*[:：፡፦][ \t]*)$")
_CJK_CUE = re.compile(rf"{_alternation(_CJK_STRONG)}[\"' \t]*[:：]?[\"' \t]*$|{_alternation(_CJK_FIELDS)}[ \t]*[:：][ \t]*$|"
                      rf"(?P<weak>{_alternation(_CJK_WEAK)})[\"' \t]*[:：]?[\"' \t]*$")
_HANGUL_CUE = re.compile(rf"{_alternation(_HANGUL_BEFORE)}[ \t]*[:：]?[ \t]*$|{_alternation(_HANGUL_FIELDS)}[ \t]*[:：][ \t]*$")
# Words that make a run a firm, a team or a thing, not a person ("العميل: شركة الأمل", "בברכה,\nצוות התמיכה",
# "ชื่อ: บริษัท ปตท จำกัด"): company, team, department, bank, service, product
_ORGANISATION = frozenset((
    "شركة", "فريق", "قسم", "إدارة", "ادارة", "مؤسسة", "بنك", "مصرف", "خدمة", "منتج", "مجموعة", "شرکت", "تیم", "واحد",
    "بخش", "گروه", "بانک", "حضرت", "ٹیم", "חברת", "חברה", "צוות", "מחלקת", "מחלקה", "בנק", "שירות", "קבוצת", "विभाग", "टीम",
    "कंपनी", "बैंक", "सेवा", "समूह", "বিভাগ", "টিম", "কোম্পানি", "ব্যাংক", "পরিষেবা", "பிரிவு", "குழு", "நிறுவனம்",
    "வங்கி", "విభాగం", "బృందం", "సంస్థ", "బ్యాంకు", "บริษัท", "ธนาคาร", "ฝ่าย", "ทีม", "แผนก", "สำนักงาน", "სამსახური",
    "ბანკი", "კომპანია", "გუნდი", "განყოფილება", "ክፍል", "ቡድን", "ድርጅት", "ባንክ",
    # a warehouse, a branch, an office, a centre, a shop, main or central: what a parcel's recipient field holds
    # when no person receives it ("گیرنده: انبار مرکزی", "प्राप्तकर्ता: मुख्य गोदाम", "ተቀባይ፦ የአዲስ አበባ ቅርንጫፍ")
    "مستودع", "فرع", "مكتب", "مخزن", "مركز", "الرئيسي", "انبار", "شعبه", "دفتر", "مرکز", "مرکزی", "فروشگاه", "گودام",
    "برانچ", "מחסן", "סניף", "משרד", "מרכז", "गोदाम", "शाखा", "कार्यालय", "मुख्य", "केंद्र", "केन्द्र", "भंडार",
    "গুদাম", "শাখা", "অফিস", "কার্যালয়", "কেন্দ্র", "கிடங்கு", "கிளை", "அலுவலகம்", "மையம்", "గోదాం", "గిడ్డంగి",
    "శాఖ", "కార్యాలయం", "కేంద్రం", "คลังสินค้า", "สาขา", "ศูนย์", "ร้าน", "საწყობი", "ფილიალი", "ოფისი", "ცენტრი",
    "መጋዘን", "ቅርንጫፍ", "ቢሮ", "ማዕከል", "መደብር",
    # the post, a parcel's sender as often as a person ("שולח: דואר ישראל", "प्रेषक: भारतीय डाक")
    "بريد", "البريد", "پست", "ڈاک", "דואר", "डाक", "ডাক", "தபால்", "తపాలా", "ไปรษณีย์", "ფოსტა", "ፖስታ"))
# Places named after a person: a street, road, square, airport, hospital, university or mosque word before the
# name ("شارع الملك فهد", "خیابان ولیعصر", "רחוב בן יהודה"; a royal or religious title may stand between:
# "مستشفى الملك خالد الجامعي") or after it ("महात्मा गांधी मार्ग", "রবীন্দ্র সরণি", "مال روڈ")
_PLACE_BEFORE = frozenset((
    "شارع", "طريق", "ميدان", "ساحة", "حي", "جسر", "مطار", "مستشفى", "جامعة", "مسجد", "جامع", "مدرسة", "مركز", "قاعة",
    "فندق", "برج", "ملعب", "مدينة", "بلدية", "محافظة", "ولاية", "خیابان", "بلوار", "میدان", "کوچه", "بزرگراه",
    "اتوبان", "فرودگاه", "بیمارستان", "دانشگاه", "مدرسه", "پل", "سڑک", "شاہراہ", "ہسپتال", "یونیورسٹی", "רחוב",
    "שדרות", "כיכר", "אוניברסיטת", "मार्ग", "अस्पताल", "विश्वविद्यालय", "सड़क", "चौक", "হাসপাতাল", "বিশ্ববিদ্যালয়",
    "সড়ক"))
_PLACE_AFTER = frozenset((
    "مارگ", "روڈ", "روډ", "چوک", "کالونی", "ٹاؤن", "مارکیٹ", "मार्ग", "रोड", "चौक", "नगर", "कॉलोनी",
    "সরণি", "রোড", "সড়ক", "এভিনিউ", "চত্বর", "নগর", "சாலை", "நகர்", "రోడ్డు", "నగర్", "స్ట్రీట్"))
_PLACE_TITLES = frozenset(("الملك", "الملكة", "الأمير", "الأميرة", "الشيخ", "الإمام", "السلطان", "الشهيد", "امام",
                           "شهید", "علامہ", "قائد", "महात्मा", "शहीद", "নেতাজি", "শহীদ"))
# One-letter words Hebrew and Arabic write joined to the next: and, the, in, as, to, from, that ("למשה דהן"); a
# listed first name after one, with a listed name after it, is a name (_listed_take), unless the whole is an
# everyday word ("لدينا" is no one: we have; "שבת שלום", a good Sabbath)
_PREFIXES = frozenset("והבכלמשولبف")
# Arabic and Persian joiners inside a name: "عبد الله", "أبو بكر", "بن", "آل"
_PARTICLES = {"بن", "بنت", "ابن", "أبو", "ابو", "آل", "عبد", "ال", "بنی", "بن‌"}
# Korean family names of two syllables
_KOREAN_DOUBLE = {"남궁", "독고", "황보", "제갈", "선우", "사공", "서문", "동방", "망절"}
# Chinese family names of two characters
_CHINESE_DOUBLE = {"欧阳", "歐陽", "司马", "司馬", "诸葛", "諸葛", "上官", "慕容", "令狐", "皇甫", "尉迟", "尉遲", "长孙",
                   "長孫", "宇文", "司徒", "东方", "東方", "夏侯", "公孙", "公孫", "轩辕", "軒轅", "端木", "澹台"}


@lru_cache(maxsize=1)
def gazetteer() -> tuple[frozenset[str], frozenset[str]]:
    """(first names, family names) in scripts without capitals, from Faker's person providers: the names one word
    is enough evidence for, after a greeting or alone in a Latin line (names-dataset's, below, need a second name)."""
    found: dict[str, set[str]] = {"first": set(), "last": set()}
    for kind, name in faker_names.entries(NAME_LIST_LOCALES):
        # a compound first name's parts are no names ("عبد الملك": "the king"); a family name's last word is
        # ("آل صفوان"); romaji and other Latin entries are names.py's
        if _ANY.match(name) and (kind == "last" or len(name.split()) == 1):
            word = name.split()[-1]
            if len(word) > 1 or _is_cjk(word):
                found[kind].add(word)
    return frozenset(found["first"]), frozenset(found["last"])


class PairLists(NamedTuple):
    """The names two in a row are a person by (_listed_take): Faker's (gazetteer) and names-dataset's (NAME_LIST)
    that are no everyday word of any language (common_words.is_everyday): the dataset's accounts called themselves
    "من" ("from"), "على" ("on") and "আমি" ("I") as well."""
    first: frozenset[str]
    last: frozenset[str]


# The spaced scripts of wordfreq's languages (ar, fa, ur; he; hi; bn; ta): only there can the dataset's everyday
# words be told from its names, so NAME_LIST holds these alone (in Georgian and Ethiopic its accounts are "ჩვენი",
# "our", and "ሰላም", "peace", too).
WORDFREQ_SCRIPTS = frozenset(("ARABIC", "HEBREW", "DEVANAGARI", "BENGALI", "TAMIL"))


@lru_cache(maxsize=1)
def pair_lists() -> PairLists:
    listed = name_list()
    return PairLists(*(faker | {n for n in listed[kind] if not common_words.is_everyday(n)}
                       for kind, faker in zip(("first", "last"), gazetteer(), strict=True)))


# names-dataset's first and family names in WORDFREQ_SCRIPTS, ranked among the 1,000 most borne in some country
# (scripts/build_script_name_list.py builds it and says where they come from)
NAME_LIST = Path(__file__).with_name("script_name_list.json.gz")


@lru_cache(maxsize=1)
def name_list() -> dict[str, list[str]]:
    """{"first": [...], "last": [...]}: NAME_LIST's names."""
    with gzip.open(NAME_LIST, "rt", encoding="utf-8") as f:
        data = json.load(f)
    return {"first": data["first"], "last": data["last"]}


def is_listable(word: str) -> bool:
    """`word` is one word of WORDFREQ_SCRIPTS, of two letters or more: what NAME_LIST may hold."""
    return len(word) > 1 and bool(_WORD.fullmatch(word)) \
        and unicodedata.name(word[0], "").split(" ")[0] in WORDFREQ_SCRIPTS


def _is_cjk(word: str) -> bool:
    return bool(re.fullmatch(rf"[{_HAN}{_KANA}{_HANGUL}]+", word))


def has_script(text: str) -> bool:
    """Any letter of these scripts: the cheap test before looking."""
    return bool(_ANY.search(text))


def spans(text: str, cue_at: dict[int, str]) -> list[tuple[int, int]]:
    """Name spans in these scripts; `cue_at`: names.cues(text), where an English or European cue ends."""
    first, last = gazetteer()
    return sorted(_spaced(text, cue_at, first, last) + _hangul(text, cue_at, first, last)
                  + _cjk(text, cue_at, first, last))


_PLACEHOLDER = re.compile(r"<[A-Z_]+>")
_LETTER = re.compile(r"[^\W\d_]")


def is_latin(letter: str) -> bool:
    """A letter of the Latin blocks (Basic Latin to Latin Extended-B)."""
    return letter < "\u0250"


# Not a name: words quoted or talked about as words ('What does "السلام عليكم" mean?', "Translate 谢谢你", "reply in
# 한국어"), or the value of a label naming a thing ("Status: تم التسليم", "Item name: زيت الزيتون")
_QUOTED = re.compile(r"[\"'”’»」』)]")
_POSSESSIVE = re.compile(r"['’]s\b")  # "بابک ذوالفقاری's account": an English possessive, no closing quote
_TALK_ABOUT_WORDS = re.compile(r"(?i)\b(?:translat\w*|mean|means|meaning|word|words|phrase|spell\w*|language|"
                               r"in (?:arabic|hebrew|hindi|chinese|japanese|korean|thai|persian|urdu|russian|greek|"
                               r"georgian))\b")  # (not "called", "said": "<name> called twice" is a person's doing)
# ... but a record's name field is quoted ('{"name": "فائزہ یوسف"')
# ... or the text a thing bears, one word or run ("The label says 高品质", "Box marked 易碎品", "the screen shows
# 张家界"); not a family and a given name apart ("The shipping label says 小林 さくら", "Package labelled ดวงใจ สุขสม":
# a parcel bears its addressee). A person's name is engraved, printed or embroidered on a gift as often: those
# verbs stay out.
_THING_SAYS = re.compile(r"(?i)\b(?:(?:label|sign|signage|box|carton|sticker|tag|package|packaging|packet|bottle|jar|bag|"
                         r"stamp|seal|plate|poster|cover|lid|banner|placard|menu|screen|display|error|button|heading|"
                         r"header)s?[ \t]+(?:says|said|reads|read|shows|showed|displays|displayed)|marked|labell?ed|"
                         r"stamped|titled|branded)(?:[ \t]+(?:as|with))?[ \t]*:?[ \t]*$")
_PERSON_KEY = re.compile(r"(?i)[\"'](?:name|full_?name|customer|client|contact|person|employee|patient|user)[\"'][ \t]*:"
                         r"[ \t]*[\"']$")
_NOT_A_PERSON_LABEL = re.compile(r"(?i)(?<![\w-])(?:status|state|item|product|sku|article|title|subject|category|city|"
                                 r"town|address|street|company|firm|brand|store|shop|branch|warehouse|location|place|"
                                 r"type|model|description|note|message|comment|error|reason|tag|department|dept|"
                                 r"team|service|plan|course|menu|dish|book)(?:[ _-]?name)?[ \t]*:[ \t]*$")


def in_latin_line(text: str, start: int, end: int) -> bool:
    """The words at start:end sit among Latin words on their line (the nearest letter before them and after them is
    Latin, or the line ends there; and see below): a few words of another script inside a Latin sentence are a name
    more often than not ("Please forward this to ريم الشمري in finance", "Customer: 陈思远 / VIP"); places and firms
    are written in Latin letters in such lines. An earlier detector's placeholder ("<NATIONAL_ID>") is no word."""
    # (within 200 characters either side: a long line's every word would read it all again)
    line_start = max(text.rfind("\n", max(0, start - 200), start) + 1, start - 200)
    line_end = text.find("\n", end, end + 200)
    before = _PLACEHOLDER.sub("", text[line_start:start])
    after = _PLACEHOLDER.sub("", text[end:min(len(text), end + 200) if line_end < 0 else line_end])
    if _QUOTED.match(after) and not _POSSESSIVE.match(after) and not _PERSON_KEY.search(before) \
            or _TALK_ABOUT_WORDS.search(before + " " + after) or _NOT_A_PERSON_LABEL.search(before) or _THING_SAYS.search(before) and " " not in text[start:end]:
        return False
    last_before = _LETTER.findall(before)[-1:]
    first_after = _LETTER.search(after)
    sides = [is_latin(c) for c in (*last_before, *([first_after.group(0)] if first_after else []))]
    # ... and the line is written in Latin letters for two fifths or more ("Handover from Милорад Јанковић to Весна
    # Илић completed."), so a native sentence around a Latin word ("[WARN] Модуль Монобанк API повернув ...") is not
    letters = _LETTER.findall(before + text[start:end] + after)
    return bool(sides) and all(sides) and sum(map(is_latin, letters)) >= 0.4 * len(letters)


def _cued(text: str, start: int, cue_at: dict[int, str]) -> bool:
    return _english_cue(text, start, cue_at) or bool(_NATIVE_CUE.search(text, max(0, start - 40), start))


_AFTER_PLACEHOLDER = re.compile(_PLACEHOLDER.pattern + r"[ \t]*$")


def _english_cue(text: str, start: int, cue_at: dict[int, str]) -> bool:
    """names.py's cue ends here, and it is no earlier detector's placeholder ("<PERSON> وصل اليوم": "PERSON" reads
    as a role field there), nor a line ending in "!" (names.py's sign-off, "Szép napot!\n..."; in these scripts an
    alert and its news as often: "تنبيه!\nتم الشحن")."""
    kind = cue_at.get(start)
    return kind not in (None, "saint", "salutation") and not _AFTER_PLACEHOLDER.search(text, max(0, start - 20), start) \
        and not (kind == "closing" and text[max(0, start - 200):start].rstrip().endswith("!"))


# A chat line's speaker: "[13:02] سامي جرجس: ..." (a time in brackets opens the line; a colon follows the name)
_STAMP = re.compile(r"(?:^|\n)[ \t]*\[\d{1,2}:\d{2}(?::\d{2})?\][ \t]*$")


def speaker(text: str, start: int, end: int) -> bool:
    return text[end:end + 1] in (":", "：") and bool(_STAMP.search(text, max(0, start - 16), start))


# A table's column of names, headed in these scripts or in English ("نام,شهر,وضعیت", "client,city,status"); not a
# bare English "name" (a product table has one: "sku,name,price")
_NAME_COLUMN = re.compile(r"(?i)(?:(?:full|first|last|customer|client|contact|person) ?name|client|customer|contact|"
                          r"person|employee|patient|"
                          r"الاسم|اسم|نام|نام و نام خانوادگی|שם|שם מלא|नाम|नाव|নাম|பெயர்|పేరు|ชื่อ|ชื่อ-นามสกุล|"
                          r"სახელი|ስም|姓名|名前|氏名|客户|客戶|联系人|이름|성명|고객명)")


def _column(text: str, start: int) -> bool:
    return context.header_names(text, start, _NAME_COLUMN)


# Thai writes a form of address joined to the name ("คุณณัฐวุฒิ สุขเจริญ", "นายวิชัย บุญมา"); not the words built on
# them ("คุณภาพ", quality; "คุณลักษณะ", a feature; "นายหน้า", a broker; "นายก", a prime minister; "นางฟ้า", an angel)
_THAI_ADDRESS = re.compile("(?:นางสาว|นาย|นาง|คุณ)(?!ภาพ|ค่า|สมบัติ|ประโยชน์|ลักษณะ|วุฒิ|ธรรม|หน้า|ฟ้า|จ้าง|ก|ทะเบียน)"
                           "(?=[\u0e01-\u0e2e])")


def _spaced(text, cue_at, first, last) -> list[tuple[int, int]]:
    """Arabic, Hebrew, Indic, Thai, Georgian and Ethiopic words: a cued word and the next, a short run of them
    inside a Latin text, a chat's speaker, or two known names."""
    words = list(_WORD.finditer(text))
    out, i = [], 0
    while i < len(words):
        w = words[i]
        name = w.group(0)
        follow = _following(text, words, i)
        run = [w, *follow]
        whole = i == 0 or not _joined(text, words[i - 1], w)  # the run starts here ...
        whole = whole and (len(follow) < 3 or not (i + 4 < len(words) and _joined(text, follow[-1], words[i + 4])))
        begin = w.start()
        if (thai := _THAI_ADDRESS.match(name)) and len(name) - thai.end() >= 2 and follow:
            begin = w.start() + thai.end()  # the name after the form of address, and the family name after it
            take = 2
        elif name in _PARTICLES or name in _INTROS or name in _FIELDS or name in _RESPECTED or name in _SALUTATIONS:
            i += 1
            continue
        elif cue := _NATIVE_CUE.search(text, max(0, begin - 40), begin):
            if cue.group("line") and not (whole and len(run) <= 3 and _line_ends(text, run[-1].end())):
                i += 1  # a sign-off's next line is the writer's name only when it holds nothing else
                continue
            if cue.group("respected") and not _named([x.group(0) for x in run[:2]], first, last):
                i += 1  # "आदरणीय महोदय," is "Dear Sir,"; "محترم کسٹمر،", "Dear Customer,": a name must follow
                continue
            take = _cued_take(run, first, last, whole)
            if cue.group("people") and not _named([x.group(0) for x in run[:take] if x.group(0) not in _PARTICLES],
                                                  first, last):
                i += 1  # "المسؤول: الدعم الفني" (technical support), "שולח: דואר ישראל" (the post): a team or a firm
                continue
        elif _english_cue(text, begin, cue_at) or _column(text, begin):
            take = _cued_take(run, first, last, whole)
        elif addressed := _addressed(text, words, i, run, first, last):
            begin, take = addressed
        elif whole and len(run) <= 3 and (in_latin_line(text, begin, run[-1].end()) or speaker(text, begin, run[-1].end())
                                          or _after_closing(text, begin) and _line_ends(text, run[-1].end())) \
                and (len(run) >= 2 or name in first or name in last):
            take = len(run)
        elif take := _listed_take([x.group(0) for x in run]):
            pass
        elif (cut := _prefix_cut(name)) and (take := _listed_take([name[cut:], *(x.group(0) for x in follow)])):
            begin += cut  # the name after its prefix ("למשה דהן", to Moshe Dahan; "وليلى الدوسري", and Layla ...)
        else:
            i += 1
            continue
        if any(x.group(0) in _ORGANISATION for x in run[:take]) or _names_a_place(text, words, i, i + take):
            i += take
            continue
        out.append((begin, run[take - 1].end()))
        i += take
    return out


# (anywhere: a greeting's word before a listed name and a comma greets it, as in "قالت أهلا ليلى،")
_GREETED = re.compile(rf"{_alternation(_SALUTATIONS)}[ \t]*[,،!]?[ \t]*$")
_ADDRESSEE_END = re.compile(r"[ \t]*(?:[,،!:;؟?]|\r?\n|$)")


def _addressed(text: str, words: list[re.Match], i: int, run: list[re.Match], first, last) -> tuple[int, int] | None:
    """(where it starts, how many of `run`'s words) of a name before a word of respect ("فرشید بهرامی صاحب") or of
    whom a greeting greets, up to a comma, "!" or the line's end ("مرحبا ليلى الدوسري،", "გამარჯობა ანა,"); None when
    neither. _named decides: a listed name, alone or with a rare word."""
    if len(run) >= 2 and run[1].group(0) in _HONORIFICS_AFTER and run[0].group(0) not in _HONORIFICS_AFTER:
        before = words[i - 1] if i else None
        if before and _joined(text, before, run[0]) and not _NATIVE_CUE.search(text, max(0, before.start() - 40),
                                                                               before.start()) \
                and _named([before.group(0), run[0].group(0)], first, last):
            return before.start(), 1
        return (run[0].start(), 1) if _named([run[0].group(0)], first, last) else None
    if _GREETED.search(text, max(0, run[0].start() - 30), run[0].start()):
        for n in (1, 2):
            if n <= len(run) and _ADDRESSEE_END.match(text, run[n - 1].end()):
                return (run[0].start(), n) if _named([w.group(0) for w in run[:n]], first, last) else None
    return None


def _named(words: list[str], first, last) -> bool:
    """The words name someone: a listed name, alone or with words that are rare (common_words.is_everyday; in a
    script wordfreq lacks, such as Georgian's, any word): "فرشید بهرامی". Rare words alone are a
    firm, a town, a role or a clitic's form as often: "مرحبا نون،", "नमस्ते फ्लिपकार्ट,", "మేనేజర్ గారు",
    "مرحبا عملاءنا الكرام،" ("our dear customers")."""
    return any(w in first or w in last for w in words) and all(
        w in first or w in last or not common_words.is_everyday(w) for w in words)


# An address's label: the names on its line are streets and districts ("العنوان: مدينة نصر، عباس العقاد، عمارة 12",
# a street named after the writer, without its word)
_ADDRESS_LABEL = re.compile(r"(?:العنوان|عنوان|آدرس|نشانی|پتہ|כתובת|पता|ঠিকানা|முகவரி)[ \t]*[:：]")


def _names_a_place(text: str, words: list[re.Match], i: int, j: int) -> bool:
    """words[i:j] are a place's name: a place word (_PLACE_BEFORE) right before them, or before a title right
    before them, or one (_PLACE_AFTER) right after them; or an address's label starts their line."""
    start = words[i].start()
    if _ADDRESS_LABEL.search(text, text.rfind("\n", 0, start) + 1, start):
        return True
    before = [w.group(0) for w in words[max(0, i - 2):i]]
    place_before = bool(before) and _joined(text, words[i - 1], words[i]) and (
        _is_place_word(before[-1]) or before[-1] in _PLACE_TITLES and len(before) == 2
        and _joined(text, words[i - 2], words[i - 1]) and _is_place_word(before[0]))
    return place_before or j < len(words) and _joined(text, words[j - 1], words[j]) \
        and words[j].group(0) in _PLACE_AFTER


def _prefix_cut(word: str) -> int:
    """How many letters of `word` are one-letter prefixes before a listed first name: 1, or 2 after "and" ("ולמשה",
    "ولفهد"); 0 where it has none, or is a listed first name or an everyday word itself ("لدينا", we have)."""
    first = pair_lists().first
    if word[:1] not in _PREFIXES or word in first or common_words.is_everyday(word):
        return 0
    return 2 if word[:1] in "וو" and word[1:2] in _PREFIXES and word[2:] in first else 1


def _is_place_word(word: str) -> bool:
    """A place word, or one after a one-letter prefix ("بشارع", in ... street; "ברחוב")."""
    return word in _PLACE_BEFORE or word[:1] in _PREFIXES and word[1:] in _PLACE_BEFORE


def _listed_take(words: list[str]) -> int:
    """How many of a run's `words` two listed names in a row make, with no cue (0 when they are not): a first name
    and a first or family name, then family names, up to four words. Where names-dataset's lists (PairLists)
    have a part, the second name must be a rare word: "محمد القحطاني", not "سبحان الله" ("glory be to God", and
    "الله" is a family name's last word in Faker's Arabic lists). Or a first name, a particle and a listed name:
    "ليلى عبد الرحمن", "خالد بن سعيد"."""
    faker_first, faker_last = gazetteer()
    names = pair_lists()
    if len(words) >= 3 and words[0] in names.first and words[1] in _PARTICLES and (
            words[2] in names.first or words[2] in names.last
            # "عبد" and a word with the article is always a name ("مصطفى عبد العزيز"), "آل" and any word a family
            or words[1] == "عبد" and words[2].startswith("ال") or words[1] == "آل"):
        take = 3
    elif len(words) >= 2 and words[0] in names.first and (words[1] in names.first or words[1] in names.last) and (
            words[0] in faker_first and (words[1] in faker_first or words[1] in faker_last)
            or not common_words.is_everyday(words[1])):
        take = 2
    else:
        return 0
    while take < len(words) and take < 4 and words[take] in names.last:
        take += 1
    return take


def _cued_take(run: list[re.Match], first, last, whole: bool) -> int:
    """After a cue: a whole run of up to three words ("محمد عبدالله العتيبي,"); in a longer one, the word and the
    next (most full names are two words), then known names or a particle's word."""
    if whole and len(run) <= 3:
        return len(run)
    take = min(2, len(run))
    while take < len(run) and take < 4 and (run[take].group(0) in first or run[take].group(0) in last
                                            or run[take - 1].group(0) in _PARTICLES
                                            # the family's name with its article after a father's ("خالد بن سعيد
                                            # الغامدي")
                                            or run[take - 2].group(0) in _PARTICLES and run[take].group(0)[:2] == "ال"
                                            and (run[take].group(0) in last
                                                 or not common_words.is_everyday(run[take].group(0)))):
        take += 1
    return take


def _joined(text: str, a: re.Match, b: re.Match) -> bool:
    return text[a.end():b.start()] in (" ", "\u00a0")


def _line_starts(text: str, at: int) -> bool:
    before = text[max(0, at - 200):at].rstrip(" \t")
    return before[-1:] == "\n" or not before and at <= 200


def _line_ends(text: str, at: int) -> bool:
    after = text[at:at + 200].lstrip(" \t")
    return after[:1] in ("\n", "\r") or not after and at + 200 >= len(text)


def _following(text: str, words: list[re.Match], i: int) -> list[re.Match]:
    """The words right after words[i], joined to it by single spaces, up to three."""
    out, prev = [], words[i]
    for nxt in words[i + 1:i + 4]:
        if not _joined(text, prev, nxt):
            break
        out.append(nxt)
        prev = nxt
    return out


def _hangul(text, cue_at, first, last) -> list[tuple[int, int]]:
    """Korean: a family name and a given name written as one word, cued, before an honorific, alone inside a Latin
    text or as a chat's speaker, or both known."""
    out = []
    for m in _HANGUL_WORD.finditer(text):
        word, start = m.group(0), m.start()
        family = 2 if word[:2] in _KOREAN_DOUBLE else 1 if word[:1] in last else 0
        if not family:
            continue
        given, rest = word[family:family + 2], word[family + 2:]
        if len(given) != 2 or rest and rest not in _HANGUL_AFTER and rest not in _HANGUL_ENDINGS \
                and rest[:1] not in "이가은는을를의께와과도":
            continue  # (the cheap test first: most Hangul words are no family name and two syllables)
        after = text[m.end():m.end() + 6].lstrip()
        honorific = rest in _HANGUL_AFTER or not rest and after.startswith(_HANGUL_AFTER)
        if honorific or given in first and not rest or _cued(text, start, cue_at) \
                or _HANGUL_CUE.search(text, max(0, start - 12), start) or _alone(text, start, m.end()) \
                or _column(text, start):
            out.append((start, start + family + 2))
    return out


def _cjk(text, cue_at, first, last) -> list[tuple[int, int]]:
    """Chinese and Japanese: a known family name and one or two characters (or a space and a given name),
    cued before, followed by an honorific, or alone inside a Latin text or as a chat's speaker; with no cue, a
    known family name and a known given name."""
    out = []
    for m in _CJK_RUN.finditer(text):
        run, base = m.group(0), m.start()
        end_of_name = _run_end(text, m.end())
        i = 0
        while i < len(run):
            family = _family(run, i, last)
            if not family:
                i += 1
                continue
            start = base + i
            cue = _CJK_CUE.search(text, max(0, start - 8), start)
            strong = (i == 0 and _cued(text, start, cue_at)) or bool(cue and not cue.group("weak"))
            # alone in a Latin text: three characters, or a family name, a space and a given name; a Chinese two
            # characters are a city or a firm as often ("Shipped from 黄山", "华为 router"): only a known given name
            shaped = len(run) == 3 or end_of_name > m.end()
            weak = bool(cue and cue.group("weak")) or i == 0 and (
                shaped and _alone(text, start, end_of_name) or _column(text, start)
                # a line holding only a family name, a space and a given name: a signature ("吉田 真一"); not a
                # Chinese closing's two characters ("此致\n敬礼")
                or end_of_name > m.end() and _line_starts(text, start) and _line_ends(text, end_of_name))
            end = _given_end(text, run, base, i + family, first, strong, weak)
            if end:
                out.append((start, end))
                i = end - base
                continue
            i += 1
    return out


def _alone(text: str, start: int, end: int) -> bool:
    """The word or run at start:end stands among Latin words on its line, or is a chat line's speaker."""
    return len(text[start:end].split()) <= 3 and in_latin_line(text, start, end) or speaker(text, start, end)


# A sign-off in any language: a short line ending in "," or "،" ("নমস্কার,", "Kind regards,") right before the line
# that holds the name (not "!": "تنبيه!\nتم الشحن" is an alert and its news) (names.py's _CLOSING, for words it cannot read)
_CLOSING_LINE = re.compile(r"(?:^|\n)[^\n\d:;!]{1,40}[,،][ \t]*\n[ \t]*$")


def _after_closing(text: str, start: int) -> bool:
    return bool(_CLOSING_LINE.search(text, max(0, start - 50), start))


_GIVEN_AFTER_SPACE = re.compile(rf" ([{_HAN}{_KANA}]{{1,4}})(?![{_HAN}{_KANA}])")


def _run_end(text: str, end: int) -> int:
    """A Japanese name's end past the space between its family and given names ("高橋 誠")."""
    given = _GIVEN_AFTER_SPACE.match(text, end)
    return given.end() if given else end


def _family(run: str, i: int, last) -> int:
    if run[i:i + 2] in _CHINESE_DOUBLE:
        return 2
    for n in (3, 2, 1):  # Japanese family names run to three characters (長谷川)
        if i + n <= len(run) and run[i:i + n] in last:
            return n
    return 0


def _given_end(text, run, base, at, first, strong, weak) -> int:
    """Where the given name after a family name ending at run[at] ends, or 0 when it is not a name. `strong`: a
    name cue before it ("姓名：", "Hi, this is"); `weak`: a weaker one ("我是", "客户"), which counts only when the
    name ends the run of characters."""
    rest = run[at:at + 8]  # (what a name and its honorific can span: a long run is not read again at every character)
    left = len(run) - at
    for honorific in _CJK_AFTER:  # "王先生", "王小明先生", "田中さん"
        k = rest.find(honorific)
        if 0 <= k <= 2:
            return base + at + k
    if rest.startswith(_CJK_TITLES):
        return base + at
    end_of_run = base + len(run)
    if not left and text[end_of_run:end_of_run + 1] == " ":  # "吉田 英樹": a family name, a space, a given name
        given = _GIVEN_AFTER_SPACE.match(text, end_of_run)
        if given and (strong or weak or given.group(1) in first):
            return given.end()
        return base + at if strong or weak else 0
    # the run ends with the given name after a cue: all of it ("欧阳娜娜", not "欧阳娜"), and never past the run (into
    # the join's mark before a bracket: "收件人：王芳（...）")
    if strong and 1 <= left <= 2:
        return base + at + left
    for n in (2, 1):
        if rest[:n] in first and (left == n or strong):
            return base + at + n
    if strong and left or weak and 1 <= left <= 2:
        return base + at + min(2, left)
    return 0
