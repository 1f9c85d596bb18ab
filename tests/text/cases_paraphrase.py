"""Harness case of ParaphraseLookup: hand-written paraphrases of the harness texts."""

from tests.harness import Case
from tfaug.text.paraphrase import ParaphraseLookup

# Covers every non-blank harness text (tests.harness.TEXT_SAMPLES) with 3
# paraphrases, so different seeds give different outputs.
PARAPHRASES = {
    "The movie was not good, but the acting is great.": [
        "The film was not good, but the acting is excellent.",
        "The movie wasn't good, though the performances are great.",
        "The film was not well, but the acting is great.",
    ],
    "A dark, dull thriller with a parting shot that misfires.": [
        "A dark and boring thriller whose final shot misfires.",
        "A gloomy, dull thriller with a closing shot that misses.",
        "A darkness, dull thriller with a separating shot that misfires.",
    ],
    "I never liked the ending. The music is beautiful! Would watch again?": [
        "I never liked the end. The music is lovely! Would I watch it again?",
        "I never enjoyed the ending. The score is beautiful! Watch again?",
        "The ending never pleased me. Beautiful music! Would watch again?",
    ],
    "Café society: an ÉLÉGANT and funny film about people.": [
        "Café society: an elegant, funny movie about people.",
        "Café society: an ÉLÉGANT and amusing film about persons.",
        "Coffee society: an elegant and funny film about the people.",
    ],
}


def make():
    return ParaphraseLookup(PARAPHRASES, seed=3)


CASES = [Case("ParaphraseLookup", make, modality="text")]
