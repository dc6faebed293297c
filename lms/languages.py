"""The one home of the platform's languages (the programme's partner countries and English).

- :data:`LANGUAGES`: every language a person may prefer, each named in its own language.
- :data:`UI_LANGUAGES`: those the UI is translated into completely (``LMS_LANGUAGES`` may offer
  fewer; README, "Languages", says how to add one).
- :data:`TRANSLATION_LANGUAGES`: those content may be translated into (all but English).
"""

LANGUAGES = {
    "en": "English",
    "de": "Deutsch",
    "it": "Italiano",
    "sl": "Slovenščina",
    "hr": "Hrvatski",
    "cs": "Čeština",
    "sk": "Slovenčina",
    "pl": "Polski",
    "hu": "Magyar",
}

#: A language joins this list only with a complete catalogue (tests/test_i18n.py checks it).
UI_LANGUAGES = {
    code: LANGUAGES[code] for code in ("en", "it", "de", "sl", "hr", "cs", "sk", "pl", "hu")
}

TRANSLATION_LANGUAGES = ("it", *(code for code in LANGUAGES if code not in ("en", "it")))
