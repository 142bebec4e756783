"""Does the language check quarantine what it should, and keep what it should?

    .venv/bin/python benchmarks/language_quarantine.py          # ~20 s on 2 cores

Two sets, written here for this benchmark (not the demo generator's sentences), on a route that serves
English only ({"*": ["en"]}):
- short English travel and shipping requests crowded with foreign place names, dates and numbers
  ("need 3 seats Tromsø to Zürich on 24 Jul"): 30 templates x a list of 180 world cities, many with
  diacritics or several words (Frankfurt am Main, Rio de Janeiro, 's-Hertogenbosch). Target: at most 0.5%
  quarantined;
- texts of 8+ words in German, French, Dutch, Portuguese, Spanish and Italian (templates with varied
  slots, cities included), plus Arabic, Russian and Chinese. Target: at least 95% quarantined, per language.
Seeded. The last stdout line is one JSON document, with the first wrong calls of each set.

    .venv/bin/python benchmarks/language_quarantine.py --set blind2 --figures-only   # a held-out set, unread

`--set blind|blind2`: fixed texts written by helpers without sight of the detector or this file (benchmarks/
language_blind.py, read since its first figures; language_blind2.py, unread): short English requests crowded with
foreign names, dishes and codes, and messages in 20 languages each; same targets. `--figures-only` prints no text.
"""

import argparse
import json
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import language_blind  # noqa: E402
import language_blind2  # noqa: E402

from distillery.text.language import LanguageCheck  # noqa: E402

HELD_OUT = {"blind": language_blind, "blind2": language_blind2}

CITIES = """Tromsø, Zürich, Kraków, Łódź, São Paulo, Reykjavík, Besançon, Málaga, Göteborg, Jyväskylä, İstanbul, Brașov,
Český Krumlov, Dún Laoghaire, Køge, Ålesund, Saint-Étienne, Aix-en-Provence, Frankfurt am Main, Rio de Janeiro,
Ciudad de México, Den Haag, 's-Hertogenbosch, A Coruña, Donostia, Lübeck, Düsseldorf, München, Genève, Neuchâtel,
Bolzano, Firenze, Venezia, Napoli, Torino, Sevilla, Córdoba, León, Bogotá, Medellín, Asunción, Curaçao, Nuuk, Tórshavn,
Gdańsk, Wrocław, Poznań, Brno, Plzeň, Győr, Pécs, Timișoara, Iași, Cluj-Napoca, Ljubljana, Zagreb, Niš, Thessaloníki,
Hà Nội, Đà Nẵng, Huế, Kyōto, Ōsaka, Sapporo, Busan, Chiang Mai, Kraljevo, Šiauliai, Tartu, Pärnu, Daugavpils, Liepāja,
Oulu, Tampere, Västerås, Örebro, Malmö, Aarhus, Odense, Ærøskøbing, Bergen, Stavanger, Trondheim, Bodø, Hamar,
Lillehammer, Esbjerg, Helsingør, Umeå, Luleå, Kiruna, Rovaniemi, Savonlinna, Turku, Porvoo, Les Sables-d'Olonne,
Saint-Malo, Clermont-Ferrand, Montréal, Québec, Trois-Rivières, Sherbrooke, Saguenay, Rimouski, Gaspé,
Bad Homburg vor der Höhe, Garmisch-Partenkirchen, Castrop-Rauxel, Mönchengladbach, Würzburg, Regensburg, Göttingen,
Santiago de Compostela, San Sebastián, Las Palmas de Gran Canaria, Santa Cruz de Tenerife, Jerez de la Frontera,
Vila Nova de Gaia, Castelo Branco, Póvoa de Varzim, Figueira da Foz, Foz do Iguaçu, Belo Horizonte, Florianópolis,
Cagliari, Reggio di Calabria, Sant'Agata de' Goti, Castellammare di Stabia, Porto Cervo, Val d'Isère, Chamonix-Mont-Blanc,
Bois-le-Duc, Knokke-Heist, Oostende, Leuven, Liège, Namur, Charleroi, Maastricht, Zwolle, Leeuwarden, Groningen,
Nijmegen, Hoek van Holland, Bergen op Zoom, Alphen aan den Rijn, Kuala Lumpur, Petaling Jaya, Johor Bahru, Ho Chi Minh,
Phnom Penh, Vientiane, Ulaanbaatar, Almaty, Bishkek, Tbilisi, Yerevan, Baku, Marrakech, Casablanca, Fès, Tétouan, Sfax,
Sousse, Dakar, Ouagadougou, Yaoundé, Lomé, Cotonou, Antananarivo, Port Louis, Saint-Denis, Nouméa, Papeete, Valparaíso,
Viña del Mar, Concepción, Mar del Plata, San Carlos de Bariloche, Ushuaia, Cusco, Arequipa, Trujillo, Cuenca, Guayaquil,
Cartagena de Indias, San José, Panamá, Tegucigalpa, Managua, Mérida, Oaxaca de Juárez, Querétaro, Guanajuato,
Tlaquepaque, Москва, Санкт-Петербург, 東京, Αθήνα"""
WORLD = [c.strip() for c in CITIES.replace("\n", " ").split(",")]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Monday", "Friday", "Sunday"]
FIRST = ["Anna", "Jürgen", "Søren", "Zoë", "François", "Małgorzata", "Íñigo", "Björn", "Ngozi", "Hiroshi"]
LAST = ["Müller", "Østergaard", "Nowak", "García", "Dubois", "Nakamura", "van Dijk", "O'Brien", "Kowalczyk", "Silva"]

ENGLISH = ["need {n} seats {a} to {b} on {d} {mon}", "book hotel in {a} for {n} nights from {d} {mon}",
           "is the {a} office open on {day}?", "flight {a} - {b} delayed, what now", "can you ship to {a}?",
           "change my pickup from {a} to {b}", "taxi from {a} airport to {b} centre at {h}:{mm}",
           "{n} adults {a}-{b} return {d}/{m}", "weather in {a} tomorrow?", "cheapest train {a} {b} {day}",
           "add {a} and {b} to my trip", "my parcel is stuck in {a}", "price for {a} to {b}?",
           "pick me up at {a} station", "refund for the {a} trip please", "{a} or {b}: which is closer to {c}?",
           "meeting in {a} moved to {b}", "any rooms left in {a} on the {d}th?", "train from {a} to {b} cancelled",
           "need an invoice for my stay in {a}", "where is my order to {a}", "{first} {last}, {a} to {b}, {d} {mon}",
           "ticket for {first} {last} from {a}", "{a} → {b} {d}.{m}. {n} pax", "delivery to {a} failed twice",
           "late checkout in {a} possible?", "seat upgrade {a}-{b} flight {code}{n}{n}", "{a}, {b}, {c}: 3 stops, {n} bags",
           "our {a} warehouse is out of stock", "visa needed for {a}?"]
FOREIGN = {
    "de": ["Ich möchte meine Buchung von {a} nach {b} am {d}. {mon_de} leider stornieren.",
           "Können Sie mir bitte sagen, wann mein Paket in {a} ankommt?",
           "Die Rechnung für unseren Aufenthalt in {a} ist leider doppelt abgebucht worden.",
           "Wir brauchen für nächste Woche noch zwei Zimmer in {a}, geht das?",
           "Seit dem letzten Update funktioniert der Export bei uns in {a} nicht mehr.",
           "Mein Zug von {a} nach {b} wurde gestrichen, wie bekomme ich mein Geld zurück?",
           "Bitte schicken Sie die Unterlagen an unser Büro in {a}, nicht nach {b}.",
           "Ist es möglich, die Lieferung nach {a} um eine Woche zu verschieben?"],
    "fr": ["Je voudrais annuler ma réservation de {a} à {b} pour le {d} {mon_fr}.",
           "Pouvez-vous me dire quand mon colis arrivera à {a} s'il vous plaît ?",
           "La facture de notre séjour à {a} a été prélevée deux fois sur notre compte.",
           "Nous avons besoin de deux chambres supplémentaires à {a} la semaine prochaine.",
           "Depuis la dernière mise à jour, l'export ne fonctionne plus dans notre bureau de {a}.",
           "Mon train entre {a} et {b} a été annulé, comment obtenir un remboursement ?",
           "Merci d'envoyer les documents à notre agence de {a} et pas à celle de {b}.",
           "Est-il possible de reporter la livraison à {a} d'une semaine ?"],
    "es": ["Quisiera cancelar mi reserva de {a} a {b} para el {d} de {mon_es}.",
           "¿Pueden decirme cuándo llegará mi paquete a {a}, por favor?",
           "La factura de nuestra estancia en {a} se ha cobrado dos veces en la cuenta.",
           "Necesitamos dos habitaciones más en {a} para la semana que viene.",
           "Desde la última actualización la exportación ya no funciona en nuestra oficina de {a}.",
           "Mi tren de {a} a {b} fue cancelado, ¿cómo puedo pedir el reembolso?",
           "Por favor envíen los documentos a nuestra oficina de {a} y no a la de {b}.",
           "¿Es posible aplazar una semana la entrega en {a}?"],
    "it": ["Vorrei annullare la mia prenotazione da {a} a {b} per il {d} {mon_it}.",
           "Potete dirmi quando arriverà il mio pacco a {a}, per favore?",
           "La fattura del nostro soggiorno a {a} è stata addebitata due volte sul conto.",
           "Abbiamo bisogno di altre due camere a {a} per la prossima settimana.",
           "Dall'ultimo aggiornamento l'esportazione non funziona più nel nostro ufficio di {a}.",
           "Il mio treno da {a} a {b} è stato cancellato, come posso avere il rimborso?",
           "Vi prego di inviare i documenti al nostro ufficio di {a} e non a quello di {b}.",
           "È possibile rimandare di una settimana la consegna a {a}?"],
    "nl": ["Ik wil graag mijn boeking van {a} naar {b} op {d} {mon_nl} annuleren.",
           "Kunt u mij vertellen wanneer mijn pakket in {a} aankomt?",
           "De factuur voor ons verblijf in {a} is twee keer van onze rekening afgeschreven.",
           "We hebben volgende week nog twee kamers nodig in {a}, kan dat?",
           "Sinds de laatste update werkt de export bij ons kantoor in {a} niet meer.",
           "Mijn trein van {a} naar {b} is geschrapt, hoe krijg ik mijn geld terug?",
           "Stuur de documenten alstublieft naar ons kantoor in {a} en niet naar {b}.",
           "Is het mogelijk om de levering naar {a} een week uit te stellen?"],
    "pt": ["Gostaria de cancelar a minha reserva de {a} para {b} no dia {d} de {mon_pt}.",
           "Podem me dizer quando o meu pacote vai chegar em {a}, por favor?",
           "A fatura da nossa estadia em {a} foi cobrada duas vezes na nossa conta.",
           "Precisamos de mais dois quartos em {a} para a próxima semana.",
           "Desde a última atualização a exportação não funciona mais no nosso escritório de {a}.",
           "O meu comboio de {a} para {b} foi cancelado, como posso pedir o reembolso?",
           "Por favor enviem os documentos para o nosso escritório de {a} e não para {b}.",
           "É possível adiar a entrega em {a} por uma semana?"],
    "ru": ["Я хотел бы отменить бронирование из {a} в {b} на {d} число.",
           "Подскажите, пожалуйста, когда моя посылка прибудет в {a}?",
           "Счёт за наше проживание в {a} списали с карты два раза.",
           "Нам нужны ещё две комнаты в {a} на следующей неделе, это возможно?",
           "После последнего обновления экспорт в нашем офисе в {a} больше не работает.",
           "Мой поезд из {a} в {b} отменили, как мне вернуть деньги?"],
    "ar": ["أود إلغاء حجزي من {a} إلى {b} في اليوم {d} من فضلكم.",
           "هل يمكنكم إخباري متى ستصل شحنتي إلى {a} من فضلكم؟",
           "تم خصم فاتورة إقامتنا في {a} مرتين من حسابنا البنكي.",
           "نحتاج إلى غرفتين إضافيتين في {a} الأسبوع القادم، هل هذا ممكن؟",
           "منذ التحديث الأخير لم يعد التصدير يعمل في مكتبنا في {a}.",
           "تم إلغاء قطاري من {a} إلى {b}، كيف أسترد أموالي؟"],
    "zh": ["我想取消从{a}到{b}的预订，日期是{d}号，谢谢。",
           "请问我的包裹什么时候能送到{a}？我已经等了很久了。",
           "我们在{a}住宿的账单被重复扣款了两次，请尽快处理。",
           "我们下周在{a}还需要两个房间，请问可以安排吗？",
           "自从上次更新以后，我们{a}办公室的导出功能就不能用了。",
           "我从{a}到{b}的火车被取消了，请问怎么退款？"],
}
MONTHS_IN = {"mon_de": ["Januar", "März", "Juli", "Oktober"], "mon_fr": ["janvier", "mars", "juillet", "octobre"],
             "mon_es": ["enero", "marzo", "julio", "octubre"], "mon_it": ["gennaio", "marzo", "luglio", "ottobre"],
             "mon_nl": ["januari", "maart", "juli", "oktober"], "mon_pt": ["janeiro", "março", "julho", "outubro"]}


def fill(template: str, rng: random.Random) -> str:
    a, b, c = rng.sample(WORLD, 3)
    values = {"a": a, "b": b, "c": c, "n": rng.randrange(1, 9), "d": rng.randrange(1, 29), "m": rng.randrange(1, 13),
              "mon": rng.choice(MONTHS), "day": rng.choice(DAYS), "h": rng.randrange(0, 24), "mm": f"{rng.randrange(60):02d}",
              "first": rng.choice(FIRST), "last": rng.choice(LAST), "code": rng.choice(["LH", "SK", "AF", "KL", "TP"]),
              **{k: rng.choice(v) for k, v in MONTHS_IN.items()}}
    return template.format(**values)


def run(english_n: int, foreign_per_language: int, seed: int) -> dict:
    """The templates' set: English requests and foreign texts filled with world cities, names, dates and numbers."""
    rng = random.Random(seed)
    english = [fill(rng.choice(ENGLISH), rng) for _ in range(english_n)]
    foreign = [(lang, fill(rng.choice(templates), rng)) for lang, templates in FOREIGN.items()
               for _ in range(foreign_per_language)]
    return {"benchmark": "language_quarantine", "seed": seed, **score(english, foreign)}


def score(english: list[str], foreign: list[tuple[str, str]], figures_only: bool = False) -> dict:
    """English texts quarantined and foreign ones caught on a route that serves English only; figures_only leaves
    out every text (a held-out set measured without being read)."""
    check = LanguageCheck({"*": ["en"]})
    started = time.monotonic()
    en_verdicts = check.verdicts(["r"] * len(english), english)
    quarantined = [f"{t!r} -> {v.reason}" for t, v in zip(english, en_verdicts) if v.reason]
    kept_as = Counter(v.language for v in en_verdicts if not v.reason)
    fo_verdicts = check.verdicts(["r"] * len(foreign), [t for _, t in foreign])
    caught: dict[str, list[bool]] = defaultdict(list)
    missed = []
    for (lang, text), v in zip(foreign, fo_verdicts):
        caught[lang].append(v.reason is not None)
        if v.reason is None and len(missed) < 8:
            missed.append(f"[{lang}] {text!r} -> kept as {v.language}")
    per_language = {lang: round(sum(v) / len(v), 4) for lang, v in caught.items()}
    short_words = [len(t.split()) for lang, t in foreign if lang not in ("zh", "ja")]  # written without spaces
    en_rate = len(quarantined) / len(english)
    out = {"route_serves": ["en"],
           "english_short": {"n": len(english), "quarantined": len(quarantined), "rate": round(en_rate, 4),
                             "kept_as": dict(kept_as.most_common()), "examples": quarantined[:8]},
           "foreign": {"n": len(foreign), "min_words_spaced": min(short_words), "caught_per_language": per_language,
                       "caught": round(sum(sum(v) for v in caught.values()) / len(foreign), 4), "missed": missed},
           "ok": {"english_quarantined_le_0.005": en_rate <= 0.005,
                  "foreign_caught_ge_0.95_each": all(r >= 0.95 for r in per_language.values())},
           "wall_s": round(time.monotonic() - started, 1)}
    if figures_only:
        del out["english_short"]["examples"], out["foreign"]["missed"]
    return out


def run_held_out(module, figures_only: bool) -> dict:
    """A held-out set's fixed texts (benchmarks/language_blind.py): ENGLISH_SHORT and FOREIGN[lang]."""
    foreign = [(lang, text) for lang, texts in module.FOREIGN.items() for text in texts]
    return {"benchmark": "language_quarantine", "set": module.__name__,
            **score(list(module.ENGLISH_SHORT), foreign, figures_only)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--english", type=int, default=4000)
    parser.add_argument("--foreign-per-language", type=int, default=200)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--set", choices=("templates", *HELD_OUT), default="templates",
                        help="this file's templates, or the held-out texts of benchmarks/language_blind.py (read "
                             "since its first figures) or language_blind2.py (unread)")
    parser.add_argument("--figures-only", action="store_true", help="print no text of the set (for a held-out set)")
    args = parser.parse_args()
    if args.set != "templates":
        print(json.dumps(run_held_out(HELD_OUT[args.set], args.figures_only), ensure_ascii=False))
        return
    print(json.dumps(run(args.english, args.foreign_per_language, args.seed), ensure_ascii=False))


if __name__ == "__main__":
    main()
