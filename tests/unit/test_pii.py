"""PII scrubbing on hand-written texts: what must go, and what must stay (invoice numbers, dates, companies)."""

import pytest

from tasks.sampling.pii import Scrubber


@pytest.mark.parametrize("text, kind", [
    ("reach me at maria.gonzalez@globex.example please", "email"),
    ("call +1 415-555-0132 today", "phone"),
    ("or (212) 555-0187 after 5", "phone"),
    ("UK office +44 20 7946 0958", "phone"),
    ("card 4539 1488 0343 6467 was charged", "card"),
    ("card 4539148803436467 was charged", "card"),
    ("refund to DE89 3704 0044 0532 0130 00 thanks", "iban"),
    ("refund to GB82WEST12345698765432", "iban"),
    ("My name is Zorblat Quux and I manage the account", "person"),
    ("Thanks, Kenji Okafor", "person"),
    ("Please ask Maria Gonzalez from finance", "person"),
    ("Best regards, Priya", "person"),
    ("my router says 192.168.1.20 is blocked", "ip"),
    ("login from 203.0.113.77, not me", "ip"),
    ("the VPN gave me 2001:db8:85a3::8a2e:370:7334 today", "ip"),
    ("it listens on ::1 only", "ip"),
])
def test_scrubs_each_kind(text, kind):
    s = Scrubber()
    out = s.scrub(text)
    assert f"<{kind.upper()}>" in out
    assert s.hits[kind] == 1 and sum(s.hits.values()) == 1, (out, s.hits)


@pytest.mark.parametrize("text", [
    "Invoice INV-20931 dated 2026-10-06, total $1,234.50",
    "Receipt - Blue Bottle Cafe, 09/11/2026, ref 26-0947, TOTAL C$199.95",
    "Dear Acme Cloud, our May invoice shows EUR 412.80 for the Team plan",
    "The API returns 503 for every request in US-East since 9am",
    "Order #4815162342 shipped by DHL to Rotterdam",
    "Card ending 4111 was declined",  # four digits are not a card number
    "Upgraded the agent to 1.2.3 and then 10.4.12-beta, still failing",  # versions: three parts, not an address
    "The outage ran from 10:30:00 to 11:45:10 UTC on 2026.11.23",  # times and dotted dates
    "Quote 1.234.567,89 EUR for 999.1.1.1 units",  # not a valid address: an octet above 255
])
def test_leaves_business_text_alone(text):
    s = Scrubber()
    assert s.scrub(text) == text, s.hits


def test_only_configured_detectors_run():
    s = Scrubber(detectors=("email",))
    assert s.scrub("maria@globex.example, +1 415-555-0132, Maria Gonzalez") == "<EMAIL>, +1 415-555-0132, Maria Gonzalez"
