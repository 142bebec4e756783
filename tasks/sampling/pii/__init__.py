"""PII scrubbing: typed placeholders for what identifies a person or opens an account, before anything is
stored in a run folder or sent to a teacher.

Each detector is a cheap regex for candidates plus a maintained validator where one exists, so invoice
numbers, dates and SKUs are not mistaken for phones, cards or ids:
- email; ip (IPv4/IPv6 that `ipaddress` parses; a version string like 1.2.3 is left alone);
- phone: libphonenumber over a list of regions (phones.py), + numbers of any country;
- card (Luhn), iban (ISO 7064), national_id: python-stdnum's validators (national_ids.py);
- secret and credential: vendor API keys, bearer tokens, JWTs, random tokens, user:password@ and ?token= in
  URLs (credentials.py);
- person: cues in seven languages and Faker's name lists, plus Presidio or spaCy when installed (names.py,
  ner.py); in scripts without capitals, cues, honorifics, the lines and columns around a name, and two listed
  names in a row (Faker's and names-dataset's lists, script_names.py).
"""

from tasks.sampling.pii.names import gazetteer
from tasks.sampling.pii.national_ids import DEFAULT_SCHEMES, SCHEMES
from tasks.sampling.pii.phones import DEFAULT_REGIONS
from tasks.sampling.pii.scrubber import KINDS, ORDER, PLACEHOLDER, Scrubber

__all__ = ["DEFAULT_REGIONS", "DEFAULT_SCHEMES", "KINDS", "ORDER", "PLACEHOLDER", "SCHEMES", "Scrubber", "gazetteer"]
