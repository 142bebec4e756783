"""Language id for prompts and answers: which texts are in a language their route does not serve."""


class LanguageCheck:
    """Language id with lingua on the user content of the routes that have a language list."""

    COMMON = ("en", "de", "fr", "es", "it", "pt", "nl")
    MARGIN = 0.5  # quarantine only when the foreign language beats the best served one by this much confidence

    def __init__(self, languages: dict[str, list[str]]):
        from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

        self.keep = {route: {c.lower() for c in codes} for route, codes in languages.items() if codes}
        codes = sorted(set(self.COMMON).union(*self.keep.values()))
        loaded = []
        for code in codes:
            try:
                loaded.append(Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())))
            except AttributeError:
                raise ValueError(f"sampling.languages: {code!r} is not an ISO 639-1 code lingua knows") from None
        # Low accuracy mode (trigrams only) is ~5x faster; the margin keeps short English texts from being
        # called French ("... our office in Lyon instead?" scored fr 0.67 / en 0.33 here).
        self.detector = LanguageDetectorBuilder.from_languages(*loaded).with_low_accuracy_mode().build()

    def served(self, route: str) -> set[str] | None:
        return self.keep.get(route, self.keep.get("*"))

    def reasons(self, routes: list[str], texts: list[str]) -> list[str | None]:
        """Per text: None when it is in a language its route serves (or unclear, or unchecked), else `language:<iso>`."""
        out: list[str | None] = [None] * len(texts)
        checked = [i for i, r in enumerate(routes) if self.served(r)]
        confidences = self.detector.compute_language_confidence_values_in_parallel([texts[i] for i in checked])
        for i, values in zip(checked, confidences):
            served = self.served(routes[i])
            top = values[0]
            code = top.language.iso_code_639_1.name.lower()
            best_served = max((v.value for v in values if v.language.iso_code_639_1.name.lower() in served), default=0.0)
            if code not in served and top.value - best_served >= self.MARGIN:
                out[i] = f"language:{code}"
        return out
