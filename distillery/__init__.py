"""distillery: distil an expensive teacher LLM into a cheap 4-bit student you own."""

__version__ = "0.1.0"
