"""Names in Cyrillic, Greek and Armenian (capitals, names.py) and in scripts without capitals (script_names.py):
each case names what must go, or what must stay."""

import gzip
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tasks.sampling.pii import Scrubber, script_names
from tasks.sampling.pii.script_names import gazetteer


@pytest.fixture(scope="module")
def scrub():
    return Scrubber(detectors=("person",), phone_context=False).scrub


@pytest.mark.parametrize("text, name", [
    # Cyrillic and Greek: capitals, native cues, a family name first
    ("Меня зовут Ярослава Гнатюк, у меня вопрос по счёту.", "Ярослава Гнатюк"),
    ("С уважением,\nТимофей Ржевский", "Тимофей Ржевский"),
    ("ФИО: Белоусова Антонина Петровна", "Белоусова Антонина Петровна"),
    ("Hi, this is Всеволод Кудрин from the Kazan office.", "Всеволод Кудрин"),
    ("Пишет г-жа Зорница Пеева относно поръчката.", "Зорница Пеева"),
    ("Με λένε Σταυρούλα Κοντογιάννη και έχω θέμα με την παραγγελία.", "Σταυρούλα Κοντογιάννη"),
    ("Πελάτης: Ευάγγελος Μπαλτάς", "Ευάγγελος Μπαλτάς"),
    # spaced scripts without capitals: a native or English cue, a form of address, a sign-off
    ("اسمي خلدون الزعبي وأريد استرجاع المبلغ", "خلدون الزعبي"),
    ("Please forward to السيد منذر الحوراني in accounts.", "منذر الحوراني"),
    ("الاسم: رغد الشمري", "رغد الشمري"),
    ("Regards,\nשמעון אלבז", "שמעון אלבז"),
    ("שמי נגה פרלמוטר ואני מחכה להחזר", "נגה פרלמוטר"),
    ("नाम: अर्पिता खंडेलवाल", "अर्पिता खंडेलवाल"),
    ("Caller: ভাস্কর দত্তগুপ্ত", "ভাস্কর দত্তগুপ্ত"),
    ("ชื่อ: วรรณิภา ศรีสุวรรณ", "วรรณิภา ศรีสุวรรณ"),
    # Chinese, Japanese, Korean: a family name with a cue or an honorific
    ("姓名：欧阳振宇", "欧阳振宇"),
    ("您好，我叫陈思彤，订单还没到。", "陈思彤"),
    ("请联系刘先生处理退款。", "刘"),
    ("已转交张经理跟进。", "张"),
    ("担当者：渡辺 精一", "渡辺 精一"),
    ("お客様の佐藤様から連絡がありました。", "佐藤"),
    ("Hi, this is 鈴木 悠真.", "鈴木 悠真"),
    ("저는 박서진입니다. 환불 문의드립니다.", "박서진"),
    ("담당자: 윤재희", "윤재희"),
    ("이수민 고객님께서 전화하셨습니다.", "이수민"),
    # a few words of another script among a Latin line's words, a chat's speaker, a table's name column, a Thai
    # form of address joined to the name, the line after a sign-off in any language, a Japanese signature line
    ("Handover from Милорад Јанковић to Весна Илић completed.", "Милорад Јанковић"),
    ("Please pass this to ميساء الحلبي in billing.", "ميساء الحلبي"),
    ("Client: 郭子豪 (VIP)", "郭子豪"),
    ("[09:12] ظافر العنزي: أرسلت الفاتورة", "ظافر العنزي"),
    ("[21:40] Ерлан Сапаров: готово", "Ерлан Сапаров"),
    ("שם,עיר\nצביקה פרנקנטל,חיפה", "צביקה פרנקנטל"),
    ("เรียน คุณสุภาวดี มั่นคง บริษัทขอแจ้งเรื่องใบแจ้งหนี้", "สุภาวดี"),
    ("নমস্কার,\nঅনিন্দ্য সেন\nহিসাব বিভাগ", "অনিন্দ্য সেন"),
    ("Best,\n松本 拓海\n経理部", "松本 拓海"),
    ("Customer: 高橋 誠 (Nagoya)", "誠"),  # a family name that ends the run of characters
    ('{"name": "ሄኖክ ተሰማ", "city": "Adama"}', "ሄኖክ ተሰማ"),  # a record's quoted name field
    ("İyi çalışmalar,\nZorblat Sales", "Zorblat Sales"),  # a team word that is a family name too
    # a person says it, or a name goes on a gift: not the text a thing bears
    ("Manager says 王小明 will call back.", "王小明"),
    ("Mug engraved with 陈思远 for the gift.", "陈思远"),
    ("The shipping label says 小林 さくら instead of me.", "さくら"),  # a parcel bears its addressee
    ("Package labelled ดวงใจ สุขสม arrived at my door.", "สุขสม"),
])
def test_a_name_in_another_script_goes(scrub, text, name):
    out = scrub(text)
    assert name not in out and "<PERSON>" in out, out


@pytest.mark.parametrize("text", [
    # capitalised words that are no one, and sentence words that only look like cues
    "Москва, склад №3: отгрузка задержана до понедельника.",
    "Сбербанк Онлайн не принимает карту, ошибка 502.",
    "Клиент: ООО Ромашка, договор 17/2026.",
    "Αθήνα Κεντρικό Κατάστημα: η παραγγελία στάλθηκε.",
    "وصلت الشحنة من الرياض إلى جدة يوم الأحد",
    "نام محصول: کرم مرطوب کننده",
    "אני רוצה לבטל את ההזמנה של המדפסת",
    "मैं अपना ऑर्डर रद्द करना चाहता हूं",
    "客户高度满意，导致销量上升。",
    "这个价格太高了。",
    "品質が高いです。",
    "김치 냉장고 배송이 늦어요.",
    "고객센터 운영시간은 9시부터입니다.",
    # a place or firm in two Chinese characters in a Latin line; a native sentence around a Latin word; a sign-off
    # before a department; the Chinese closing's two characters; Thai "quality"; a team after "Regards,"
    "Shipped from 黄山 to Berlin today.",
    "[WARN] Модуль Монобанк API повернув помилку авторизації.",
    "[ERROR] სერვერთან Mtkvari-01 კავშირი ვერ დამყარდა.",
    "با احترام،\nواحد امور مشتریان، همراه اول",
    "Με εκτίμηση,\nΤμήμα Πωλήσεων",
    "此致\n敬礼\n中国建设银行客户服务中心",
    "คุณภาพ สินค้าดีมาก ส่งเร็ว",
    "Regards,\nThe Accounts Payable Team",
    # a family name before a first name is a Russian form; in Latin letters a place ("West Samuel" from Faker's cities)
    "SKU 5412612 is out of stock in the West Samuel warehouse.",
    # a review's: words quoted or talked about, a label naming no person, places and firms in a Latin line, a team or
    # a firm after a native cue, Korean endings, a product column, job titles and units after a family character,
    # Thai words built on a form of address, a placeholder read as a field, an alert's line, a pronoun before a firm
    'What does "السلام عليكم" mean?',
    "Translate 谢谢你 to English.",
    "Status: تم التسليم",
    "Item name: زيت الزيتون",
    "Meeting in Санкт Петербург",
    "Our partner Яндекс Маркет",
    "تحياتي،\nفريق الدعم",
    "العميل: شركة الأمل للتجارة",
    "ชื่อ: บริษัท ปตท จำกัด",
    "이것은 한국어입니다.",
    "sku,name,price\nA17,زيت زيتون,12",
    "请联系项目经理",
    "气温为华氏100度",
    "คุณลักษณะ สินค้าดีมาก",
    "<PERSON> وصل اليوم",
    "تنبيه!\nتم الشحن",
    "Це Нова Пошта.",
    # the text a thing bears
    "The label says 高品质 on the box.",
    "Box marked 易碎品, handle with care.",
    "The screen shows 张家界 as the destination.",
    "Sticker reads: 金属板",
])
def test_words_in_another_script_that_name_no_one_stay(scrub, text):
    assert scrub(text) == text


@pytest.mark.parametrize("text, name", [
    # two names in a row with no cue, which only names-dataset's list knows (Faker's lists hold neither word)
    ("راجع الطلب عبدالرحيم القحطاني أمس.", "عبدالرحيم القحطاني"),
    ("وصلت رسالة من سلطان العنزي بخصوص الفاتورة.", "سلطان العنزي"),
    ("سجّل الشكوى مجتبی رضایی دیروز.", "مجتبی رضایی"),
    ("التقيت محمد الشهري أمس", "محمد الشهري"),  # the commonest first name before a rare family name
    # a first name, a particle and a listed name
    ("أرسلت هند بنت عبدالله الملف.", "هند بنت عبدالله"),
    ("اتصل يوسف أبو زيد مرتين.", "يوسف أبو زيد"),
    ("إلى خالد بن سعيد الغامدي.", "خالد بن سعيد الغامدي"),  # and a family name after
    ("كلمني مصطفى عبد العزيز امبارح", "مصطفى عبد العزيز"),  # "عبد" and the article: a name, however everyday
    ("وصل طلب سلطان آل ثاني اليوم", "سلطان آل ثاني"),
    # a listed name after a one-letter prefix, "to" and "and": the prefix stays
    ("נא להעביר את המסמכים לרותם ביטון מחר.", "רותם ביטון"),
    ("اتصلت هند ووليد الحربي أمس", "وليد الحربي"),
    ("تم التحويل لخالد بن سعيد الغامدي.", "خالد بن سعيد الغامدي"),
    ("שלחנו את החשבונית ולרותם ביטון", "רותם ביטון"),  # "and to"
])
def test_two_names_the_dataset_lists_go_without_a_cue(scrub, text, name):
    assert scrub(text) == text.replace(name, "<PERSON>")


@pytest.mark.parametrize("text", [
    # the dataset's names that are everyday words of some language are no names ("Happy Nowruz", "Happy Eid", King
    # Fahd Road, Queen Alia International Airport, "the weather is fine", "a clear fading of colour")
    "نوروز مبارك من كل الفريق",
    "عيد مبارك وكل عام وأنتم بخير",
    "المعرض على طريق الملك فهد مفتوح اليوم.",
    "مطار الملكة علياء الدولي مزدحم اليوم.",
    "الجو جميل جدا هذا الصباح",
    "يظهر بهتان لون واضح بعد الغسيل",
    # scripts whose words wordfreq cannot check: the list holds none of them ("our new office", "peace and love")
    "ჩვენი ახალი ოფისი ხვალ გაიხსნება",
    "ሰላም እና ፍቅር ለሁሉም ሰራተኞች",
    # a prefix before a listed name, where the whole is an everyday word ("we have hope", "good Sabbath", "by God's
    # grace")
    "لدينا أمل أن يصل الطلب غدا",
    "שבת שלום וחג שמח לכולם",
    "بفضل الله نجحنا هذا العام",
    # where the dataset's list has a part, an everyday word is no second name ("blessed be God": "الله" is the last
    # word of Faker's "عبد الله")
    "تبارك الله في جهودكم",
])
def test_the_dataset_s_everyday_words_name_no_one(scrub, text):
    assert scrub(text) == text


@pytest.mark.parametrize("text", [
    "افتتحنا فرعا في شارع سلطان العنزي",
    "مستشفى الأمير سلطان العنزي يطلب أجهزة",  # a title between the place and the name
    "দোকানটি ফারহানা ইসলাম সরণি তে",  # the street's word after the name
    "הסניף עבר לרחוב בן יהודה 34",  # the street's word after a prefix ("to")
    "العنوان: الرياض، سلطان العنزي، مبنى 4",  # an address's line
])
def test_a_place_named_after_a_person_stays(scrub, text):
    assert scrub(text) == text


def test_the_dataset_list_is_the_one_its_script_builds():
    """The committed list is the build script's output for the wheel it names (rank and hash), and holds one-word
    names in the spaced scripts only."""
    build = Path(__file__).resolve().parents[2] / "scripts" / "build_script_name_list.py"
    source = build.read_text()
    with gzip.open(script_names.NAME_LIST, "rt", encoding="utf-8") as f:
        data = json.load(f)
    assert data["wheel_sha256"] in source and re.search(rf"RANK_MAX = {data['rank_max']}\b", source)
    assert len(data["first"]) > 2_000 and len(data["last"]) > 2_000
    assert all(script_names.is_listable(n) for n in data["first"] + data["last"])
    pairs = script_names.pair_lists()
    assert "من" in data["last"] and "من" not in pairs.first | pairs.last  # listed, but an everyday word ("from")


def test_the_build_script_refuses_a_wheel_of_another_hash(tmp_path):
    """Its pickles run code when loaded: a wheel whose SHA-256 is not the one named is never opened."""
    wheel = tmp_path / "names_dataset-3.3.1-py3-none-any.whl"
    wheel.write_bytes(b"not the wheel")
    build = Path(__file__).resolve().parents[2] / "scripts" / "build_script_name_list.py"
    done = subprocess.run([sys.executable, str(build), str(wheel)], capture_output=True, text=True, check=False)
    assert done.returncode != 0 and "SHA-256" in done.stderr and "expected" in done.stderr


def test_the_lists_come_from_faker_for_every_script():
    first, last = gazetteer()
    assert {"شريف", "נגה", "विशाल", "영진"} & first and {"김", "王", "佐藤", "כהן"} & last


@pytest.mark.parametrize("text, name", [
    # an English possessive after a name in another script is no closing quote
    ("ریحانه توکلی's refund is still pending.", "ریحانه توکلی"),
    ("Ярослав Мельников's ticket was closed twice.", "Ярослав Мельников"),
    ("Ждан Мутић's laptop is ready for pickup.", "Ждан Мутић"),  # a family name's ending, no list
    ("노하준's parcel went back to the depot.", "노하준"),
    # the people fields of forms and shipping labels (recipient, contact person, whoever answers for it) with a name
    # the lists know
    ("گیرنده: مریم احمدی\nشهر: شیراز", "مریم احمدی"),
    ("प्राप्तकर्ता: सुनीता शर्मा", "सुनीता शर्मा"),
    ("איש קשר: רחל כהן", "רחל כהן"),
    ("Получател: Стоян Маринов", "Стоян Маринов"),
    ("Адресат: Илияна Добрева", "Илияна Добрева"),  # a family name's ending, and no common noun first
    ("Получател: Румяна Добрева", "Румяна Добрева"),  # the dictionary's "румяна" is an adjective first, not a noun
    ("받는 분: 고태윤", "고태윤"),
    ("收货人：欧阳娜娜 (VIP)", "欧阳娜娜"),  # the given name's two characters, the same one twice
    ("Υπεύθυνη επικοινωνίας: Ελένη Δημάκη, λογιστήριο", "Ελένη Δημάκη"),
    ("الشخص المسؤول: هند بنت خالد العتيبي", "هند بنت خالد العتيبي"),  # a family name after the father's
    # a mail's header, and whom one thanks, in Cyrillic: a family name's ending decides
    ("To: Зорница Пенева\nSubject: Оферта", "Зорница Пенева"),
    ("Благодарим на Стоян Маринов за помощта.", "Стоян Маринов"),
    ("Спасибо Велимиру Тончеву за помощь с сервером!", "Велимиру Тончеву"),
    # a listed name before a word of respect or kinship
    ("रोहित भाई, रिपोर्ट भेज दी?", "रोहित"),
    ("सुनीता दीदी, बिल भेज दिया?", "सुनीता"),
])
def test_a_name_in_a_field_a_header_or_called_by_goes(scrub, text, name):
    assert scrub(text) == text.replace(name, "<PERSON>")


@pytest.mark.parametrize("text", [
    "'سلام' is the word they wrote on the box.",  # a quote, not a possessive
    # a people field that holds a warehouse, a branch, a team, a firm or "not set"
    "گیرنده: انبار مرکزی شیراز",
    "प्राप्तकर्ता: मुख्य गोदाम, जयपुर",
    "ተቀባይ፦ የባህር ዳር ቅርንጫፍ",
    "المسؤول: الدعم الفني",
    "ผู้รับผิดชอบ: ไม่ระบุ",
    "שולח: דואר ישראל",
    "Получател: ООО Ромашка",
    "Адресат: Министерство Финансов",
    "Υπεύθυνος Τμήματος Πωλήσεων\nΑθήνα",  # a job's title: an everyday word the lists lack
    # a Korean or Chinese people field without its colon is a sentence's word
    "받는 분 주소가 정확한지 확인해 주세요.",
    "收货人信息已更新",
    # a header or thanks to a department, a council, a theatre or a firm
    "To: Отдел Кадров\nCc: Служба поддержки",
    "Спасибо Совету Директоров за доверие.",
    "Спасибо Театру Вахтангова за чудесный вечер",
    "Добрый день, Уважаемые Руководители Филиалов!",  # an adjective, "dear", first
    "Спасибо Главному Врачу Больницы Пирогова",  # an adjective, "chief", first
    "Спасибо Сбербанку за быстрый ответ",
    # a word of respect after a role, a greeting or another word of respect, or after an unlisted word
    "डॉक्टर साहब, दवा कब लेनी है?",
    "हाँ जी, ठीक है",
    "मैडम जी, मेरा ऑर्डर कहाँ है?",
    "भैया जी, पार्सल गेट पर छोड़ देना।",
    "एयरटेल भाई, नेटवर्क ठीक करो!",
])
def test_fields_headers_and_words_of_respect_that_name_no_one_stay(scrub, text):
    assert scrub(text) == text


def test_a_family_name_after_a_father_s_is_no_everyday_word():
    # "محمد بن راشد" and then "الجديد" (new): the article's word is no family name when it is everyday
    text = "العميل: محمد بن راشد الجديد يريد استرجاع المبلغ"
    assert Scrubber(detectors=("person",), phone_context=False).scrub(text) == \
        "العميل: <PERSON> الجديد يريد استرجاع المبلغ"
