"""A synthetic corpus with planted regularities that trained word vectors should recover.

Each regularity is carried by context alone, the only thing word2vec sees:

- gender: a male and a female person noun share every context of their role (king and queen
  both rule the kingdom from the palace) and differ only in he/his/him against she/her;
- capital against country: a capital and its country share their language, currency and
  landmark, and differ only in role words (city, mayor against country, president);
- tense: the present and past of a verb share their objects and differ only in time adverbs
  (today, now against yesterday, last week).

Filler sentences of ordinary words keep the vocabulary from being tiny. The output is
lowercase, one sentence a line, tokens separated by single spaces: what word2vec.c, fastText
and gensim's LineSentence read. The same seed gives byte-identical output.
"""
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np

from npnlp.errors import check_count
from npnlp.files import atomic_write

DEFAULT_SENTENCES = 40_000


@dataclass(frozen=True)
class Role:
    """A male and a female person noun, and the words that mark their shared role."""

    male: str
    female: str
    verbs: tuple[str, ...]
    things: tuple[str, ...]
    places: tuple[str, ...]


@dataclass(frozen=True)
class Nation:
    """A country, its capital, and the words both of them share."""

    country: str
    capital: str
    language: str
    currency: str
    landmark: str


@dataclass(frozen=True)
class Level:
    """The words that say whether a place is a city or a country."""

    kind: str
    leader: str
    areas: tuple[str, ...]


@dataclass(frozen=True)
class Verb:
    """A verb's present and past forms, and the objects both take."""

    present: str
    past: str
    objects: tuple[str, ...]


ROLES = (
    Role("king", "queen", ("rules", "reigns"), ("kingdom", "crown", "throne"),
         ("palace", "court")),
    Role("prince", "princess", ("rides", "hunts"), ("horse", "sword", "title"),
         ("castle", "tower")),
    Role("man", "woman", ("works", "ploughs"), ("field", "cart", "barn"),
         ("farm", "village")),
    Role("boy", "girl", ("plays", "learns"), ("ball", "lessons", "homework"),
         ("school", "playground")),
    Role("father", "mother", ("raises", "feeds"), ("children", "baby", "family"),
         ("home", "kitchen")),
    Role("son", "daughter", ("obeys", "thanks"), ("parents", "chores", "allowance"),
         ("nursery", "bedroom")),
    Role("brother", "sister", ("teases", "trusts"), ("toys", "secrets", "bicycle"),
         ("attic", "treehouse")),
    Role("husband", "wife", ("marries", "adores"), ("ring", "wedding", "vows"),
         ("church", "chapel")),
    Role("uncle", "aunt", ("visits", "spoils"), ("cousins", "gifts", "postcards"),
         ("cottage", "seaside")),
    Role("grandfather", "grandmother", ("remembers", "tells"),
         ("stories", "photographs", "pension"), ("porch", "cabin")),
)
MALE = {"subj": "he", "pos": "his", "obj": "him"}
FEMALE = {"subj": "she", "pos": "her", "obj": "her"}
PERSON_TEMPLATES = (
    "the {p} {verb} {pos} {thing}",
    "{subj} is the {p} at the {place}",
    "in the {place} the {p} {verb} {pos} {thing}",
    "the {p} says {subj} {verb} the {thing}",
    "everyone in the {place} greets {obj} because {subj} is the {p}",
)

NATIONS = (
    Nation("france", "paris", "french", "franc", "seine"),
    Nation("germany", "berlin", "german", "mark", "rhine"),
    Nation("italy", "rome", "italian", "lira", "tiber"),
    Nation("spain", "madrid", "spanish", "peseta", "prado"),
    Nation("japan", "tokyo", "japanese", "yen", "fuji"),
    Nation("china", "beijing", "chinese", "yuan", "yangtze"),
    Nation("russia", "moscow", "russian", "ruble", "volga"),
    Nation("egypt", "cairo", "arabic", "pound", "nile"),
    Nation("greece", "athens", "greek", "drachma", "acropolis"),
    Nation("poland", "warsaw", "polish", "zloty", "vistula"),
)
CITY = Level("city", "mayor", ("streets", "suburbs"))
COUNTRY = Level("country", "president", ("provinces", "borders"))
FAME = ("large", "famous", "beautiful", "historic")
NATION_TEMPLATES = (
    "{place} is a {fame} {kind} where people speak {language}",
    "the {kind} of {place} is known for the {landmark}",
    "the {leader} of {place} pays with the {currency}",
    "the {leader} of {place} visited the {area} near the {landmark}",
    "in the {area} of {place} people speak {language}",
    "{capital} is the capital of {country}",
)

VERBS = (
    Verb("walk", "walked", ("to the park", "along the beach")),
    Verb("run", "ran", ("a marathon", "around the track")),
    Verb("eat", "ate", ("bread", "apples", "soup")),
    Verb("drink", "drank", ("water", "tea", "coffee")),
    Verb("write", "wrote", ("a letter", "a poem")),
    Verb("sing", "sang", ("a song", "in the choir")),
    Verb("swim", "swam", ("in the lake", "in the pool")),
    Verb("drive", "drove", ("a car", "a truck")),
    Verb("buy", "bought", ("groceries", "new shoes")),
    Verb("take", "took", ("the bus", "the train")),
    Verb("see", "saw", ("a movie", "the stars")),
    Verb("cook", "cooked", ("dinner", "rice")),
)
PRESENT = ("today", "now", "every day", "these days")
PAST = ("yesterday", "last week", "last night", "long ago")
SUBJECTS = ("i", "we", "you", "they", "the tourists", "my neighbours")
TENSE_TEMPLATES = (
    "{subj} {verb} {obj} {time}",
    "{time} {subj} {verb} {obj}",
    "{time} {subj} {verb} {obj} with friends",
)

ADJECTIVES = (
    "red", "green", "blue", "small", "tall", "quiet", "loud", "warm", "cold", "bright", "dark",
    "soft", "heavy", "quick", "slow", "happy", "clever", "lazy", "gentle", "wild", "shiny",
    "dusty", "plain", "narrow", "wide", "sweet", "bitter", "noisy", "round", "wooden",
)
NOUNS = (
    "cat", "dog", "bird", "tree", "hill", "road", "window", "door", "table", "chair", "lamp",
    "clock", "cup", "plate", "spoon", "box", "bag", "coat", "hat", "boot", "garden", "fence",
    "gate", "flower", "leaf", "stone", "cloud", "key", "rope", "basket", "candle", "blanket",
    "pillow", "mirror", "ladder", "bucket", "wagon", "boat", "harbour", "forest", "meadow",
    "valley", "pond", "fox", "crow", "rabbit", "mouse", "sheep", "goat", "cow", "duck", "frog",
)
STILL_VERBS = (
    "sits", "stands", "rests", "waits", "hides", "glows", "leans", "hangs", "floats", "stays",
    "lies", "sleeps",
)
PREPOSITIONS = ("near", "under", "behind", "beside", "above", "by", "beyond", "inside")
FILLER_TEMPLATES = (
    "the {adj} {noun} {still} {prep} the {noun2}",
    "a {noun} and a {noun2} are {adj}",
    "there is a {adj} {noun} {prep} the {adj2} {noun2}",
    "the {noun} is {adj} and the {noun2} is {adj2}",
)

PAIRS: dict[str, list[tuple[str, str]]] = {
    "family": [(role.male, role.female) for role in ROLES],
    "capital-country": [(nation.capital, nation.country) for nation in NATIONS],
    "past-tense": [(verb.present, verb.past) for verb in VERBS],
}
"""Per section, the word pairs that differ by that section's regularity alone."""

ANALOGIES: dict[str, list[tuple[str, str, str, str]]] = {
    section: [(a, b, c, d) for (a, b), (c, d) in itertools.permutations(pairs, 2)]
    for section, pairs in PAIRS.items()
}
"""Per section, the planted questions a:b::c:d (king queen man woman): all pairs of pairs."""

SIMILAR: list[tuple[str, str]] = [pair for pairs in PAIRS.values() for pair in pairs]
"""Word pairs sharing all their contexts but one regularity: each should be near the other."""

T = TypeVar("T")
Pick = Callable[[Sequence[T]], T]


def _person(pick: Pick) -> str:
    role = pick(ROLES)
    noun, pronouns = pick(((role.male, MALE), (role.female, FEMALE)))
    return pick(PERSON_TEMPLATES).format(
        p=noun, verb=pick(role.verbs), thing=pick(role.things), place=pick(role.places),
        **pronouns,
    )


def _nation(pick: Pick) -> str:
    nation = pick(NATIONS)
    place, level = pick(((nation.capital, CITY), (nation.country, COUNTRY)))
    return pick(NATION_TEMPLATES).format(
        place=place, kind=level.kind, leader=level.leader, area=pick(level.areas),
        fame=pick(FAME), capital=nation.capital, country=nation.country,
        language=nation.language, currency=nation.currency, landmark=nation.landmark,
    )


def _tense(pick: Pick) -> str:
    verb = pick(VERBS)
    form, times = pick(((verb.present, PRESENT), (verb.past, PAST)))
    return pick(TENSE_TEMPLATES).format(
        subj=pick(SUBJECTS), verb=form, obj=pick(verb.objects), time=pick(times),
    )


def _filler(pick: Pick) -> str:
    return pick(FILLER_TEMPLATES).format(
        adj=pick(ADJECTIVES), adj2=pick(ADJECTIVES), noun=pick(NOUNS), noun2=pick(NOUNS),
        still=pick(STILL_VERBS), prep=pick(PREPOSITIONS),
    )


SENTENCE_KINDS = (_person, _nation, _tense, _filler)
DRAWS = 8  # the most choices any one sentence makes, its kind included
CHUNK = 4096


def _picker(uniforms: Iterable[float]) -> Pick:
    """Choose from a sequence uniformly, consuming the next of `uniforms` at each call."""
    draws = iter(uniforms)
    return lambda options: options[int(next(draws) * len(options))]


def generate(n_sentences: int = DEFAULT_SENTENCES, seed: int = 0) -> Iterator[str]:
    """`n_sentences` sentences (without newlines); the first n are the same whatever n is."""
    rng = np.random.default_rng(seed)
    for start in range(0, n_sentences, CHUNK):
        for row in rng.random((min(CHUNK, n_sentences - start), DRAWS)).tolist():
            pick = _picker(row)
            yield pick(SENTENCE_KINDS)(pick)


def write(path: str | Path, n_sentences: int = DEFAULT_SENTENCES, seed: int = 0) -> None:
    """Write `generate(n_sentences, seed)` to `path`, one sentence a line.

    Raises UserError unless `n_sentences` is a whole number of at least 1: an empty corpus
    is never what a caller wants, and it would only fail later, far from the cause.
    """
    check_count("n_sentences", n_sentences)
    _write_lines(path, generate(n_sentences, seed))


def write_analogies(path: str | Path) -> None:
    """Write `ANALOGIES` like questions-words.txt: a `: section` line, then `a b c d` lines."""
    lines = []
    for section, questions in ANALOGIES.items():
        lines.append(f": {section}")
        lines.extend(" ".join(question) for question in questions)
    _write_lines(path, lines)


def _write_lines(path: str | Path, lines: Iterable[str]) -> None:
    with atomic_write(path) as f:
        f.writelines(line + "\n" for line in lines)
