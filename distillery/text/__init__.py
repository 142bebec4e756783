"""Text utilities shared by stages: normalization and prompt ids, near-duplicate detection, language id."""
