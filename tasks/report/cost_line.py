"""One line of the cost table: what cost.csv holds a row of and the report's tables show.

Its own module because every part of the bill (tokens per request, the student's options, the nightly
pipeline) writes lines and the assembly in costs.py reads them: kept here, none of them imports another.
"""

from dataclasses import dataclass


@dataclass
class Line:
    section: str     # per_request | daily | run
    item: str
    quantity: float
    unit: str
    usd: float
    source: str      # measured | assumed | derived
    note: str = ""
