"""IP addresses (ips.py): the forms that name a host go, the numbers that only look like one stay."""

import pytest

from tasks.sampling.pii import Scrubber


@pytest.fixture(scope="module")
def scrub():
    return Scrubber(detectors=("ip",), phone_context=False).scrub


@pytest.mark.parametrize("text, expected", [
    # an IPv6 address ending in an IPv4 one: what a dual-stack server logs for an IPv4 client, NAT64's prefix
    ("GET /cart 200 from ::ffff:192.0.2.128 in 12 ms", "GET /cart 200 from <IP> in 12 ms"),
    ("client=::FFFF:10.1.2.3 port=51000", "client=<IP> port=51000"),
    ("Resolved via 64:ff9b::192.0.2.33.", "Resolved via <IP>."),
    # defanged, as a security ticket writes it
    ("Beacon to 198.51.100[.]23 every 60 s.", "Beacon to <IP> every 60 s."),
    ("Seen from 203[.]0[.]113[.]9 twice", "Seen from <IP> twice"),
    ("C2 at 10(.)20(.)30(.)40, blocked", "C2 at <IP>, blocked"),
    ("hxxp://192[dot]0[dot]2[dot]7/payload", "hxxp://<IP>/payload"),
    # zero-padded to fixed width, as some appliances log it
    ("DENY src 192.168.001.010 dst 010.000.000.005", "DENY src <IP> dst <IP>"),
    ("DENY 192.168.001.010 inbound", "DENY <IP> inbound"),  # a firewall's word alone
    # "address" in another language before a colon
    ("адрес:10.0.0.9", "адрес:<IP>"),
    ("Adresse:10.0.0.9 gesperrt", "Adresse:<IP> gesperrt"),
    ("servidor:172.16.4.20", "servidor:<IP>"),
    # a numbering word elsewhere in the sentence, or a verb done to a host: the address still goes
    ("Version 2 of the app calls 10.0.0.5 first.", "Version 2 of the app calls <IP> first."),
    ("Patch 10.0.0.5 tonight.", "Patch <IP> tonight."),
    ("Upgrade 10.0.0.5 first, then the rest.", "Upgrade <IP> first, then the rest."),
    ("Tag 10.0.0.5 as compromised.", "Tag <IP> as compromised."),
    ("Rule 10.0.0.5 allow tcp/443", "Rule <IP> allow tcp/443"),
    ("Build server 10.0.0.5 is down", "Build server <IP> is down"),
    ("Please release 10.20.1.5 from the blocklist.", "Please release <IP> from the blocklist."),
    ("Changed the A record; update to 203.0.113.10 tonight.", "Changed the A record; update to <IP> tonight."),
    ("Connection from ::ffff:203.0.113.77:54321 closed", "Connection from <IP>:54321 closed"),
])
def test_an_address_goes(scrub, text, expected):
    assert scrub(text) == expected


@pytest.mark.parametrize("text", [
    # a version's or a document part's number
    "Upgrade to version 4.2.1.0 tonight.",
    "Firmware 2.4.1.12 is rolling out to the fleet.",
    "Build 1.0.0.127 failed on the runner (see the log).",
    "See section 2.3.1.4 of the contract.",
    "Clause 4.1.2.3 applies to late delivery.",
    "Item 12.4.5.6 in the bill of quantities.",
    "Bumped package to 0.9.12.4.",
    "Version is 10.0.0.1 now.",
    "WBS 1.2.3.4 has no owner.",
    "Versión 10.2.0.1 instalada.",
    "Siehe Abschnitt 4.2.1.3.",
    "Смотрите пункт 3.1.2.4 договора.",
    # brackets around what no address is
    "Ratio 3[.]5 and 999[.]1[.]1[.]1 and 10[.]0[.]0",
    # a padding that is not fixed-width, or a part past 255; a ledger's account, with no network word before it
    "Part 001.002.003.999 and lot 1.02.03.04",
    "GL 101.000.110.000 posted to the ledger.",
])
def test_a_number_that_only_looks_like_an_address_stays(scrub, text):
    assert scrub(text) == text
