"""Detection for prompts written in German, French, Spanish, Italian, Dutch and Polish (issue 27).

The English recognizers run on every text, whatever its language; what is here only adds
to them, and only on a text identified as one of SUPPORTED (`detect.language_of`): a short or
ambiguous text, or one in another language, keeps exactly the English behaviour.

- `detect`: the language of a text (py3langid, restricted to European languages, plus a stop-word check).
- `cues`: per-language data (birth-date, phone and address cues, ID labels, EU place names).
- `health`: per-language health vocabulary (diagnoses, medications, procedures, care words).
- `recognizers`: DATE_OF_BIRTH, PHONE_NUMBER, LOCATION, health context, EU_CONTEXT and spaced national IDs.
- `gate`: drops English-model false positives ("Telefon" as NRP, "Mahnung" as a place) on these texts only.
"""

SUPPORTED = ("de", "fr", "es", "it", "nl", "pl")
