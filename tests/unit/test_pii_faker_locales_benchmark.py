"""benchmarks/pii_faker_locales.py: a name is written as its locale writes it, a value left in part counts as
leaked, and the same seed gives the same figures."""

from faker import Faker

from tests.conftest import load_benchmark


def _faker(locale: str) -> Faker:
    fake = Faker(locale)
    fake.seed_instance(5)
    return fake


def test_a_name_is_written_in_its_locale_s_order():
    bench = load_benchmark("pii_faker_locales")
    family_names = set(_faker("zh_CN").provider("faker.providers.person").last_names)
    chinese = [bench.full_name(_faker("zh_CN")) for _ in range(20)]
    # family name first, no space, no title (not "秀英 王", which no Chinese text writes)
    assert all(" " not in n and (n[0] in family_names or n[:2] in family_names) for n in chinese), chinese
    japanese = bench.full_name(_faker("ja_JP"))
    assert japanese.split(" ")[0] in set(_faker("ja_JP").provider("faker.providers.person").last_names), japanese
    english = [bench.full_name(_faker("en_US")) for _ in range(20)]
    assert all(len(n.split()) == 2 and "." not in n for n in english), english


def test_a_value_left_in_part_is_leaked():
    leaked = load_benchmark("pii_faker_locales").leaked
    assert leaked("+44 20 7946 0123", "call <PHONE> 0123")
    assert not leaked("+44 20 7946 0123", "call <PHONE>")
    assert leaked("王秀英", "Hi, this is 王秀英.")  # no piece of three: the whole name


def test_names_in_their_own_order_are_caught_and_the_seed_repeats():
    bench = load_benchmark("pii_faker_locales")
    locales = ["zh_CN", "ko_KR", "ja_JP", "ru_RU", "uk_UA", "th_TH"]  # (the last two draw ids from the global random)
    first, again = bench.measure(5, locales), bench.measure(5, locales)
    persons = first["caught"]["person"]
    for locale in locales:
        assert sum(persons[locale]) >= 0.9 * len(persons[locale]), (locale, sum(persons[locale]))
    assert {k: dict(v) for k, v in first["caught"].items()} == {k: dict(v) for k, v in again["caught"].items()}
