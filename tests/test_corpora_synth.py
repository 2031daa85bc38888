"""The synthetic corpus: deterministic, and its planted regularities are really in the context."""
import re
from collections import Counter

import pytest
from click.testing import CliRunner

from corpora import synth
from corpora.cli import main
from npnlp.errors import UserError

MALE_WORDS = {"he", "his", "him"}
FEMALE_WORDS = {"she", "her"}


@pytest.fixture(scope="module")
def sentences() -> list[set[str]]:
    """The default corpus, each sentence as its set of words."""
    return [set(line.split()) for line in synth.generate()]


@pytest.fixture(scope="module")
def counts() -> Counter:
    return Counter(word for line in synth.generate() for word in line.split())


def with_word(sentences: list[set[str]], word: str) -> list[set[str]]:
    return [sentence for sentence in sentences if word in sentence]


def test_same_seed_same_bytes_other_seed_differs(tmp_path):
    for name, seed in [("a", 7), ("b", 7), ("c", 8)]:
        synth.write(tmp_path / name, 1000, seed)
    assert (tmp_path / "a").read_bytes() == (tmp_path / "b").read_bytes()
    assert (tmp_path / "a").read_bytes() != (tmp_path / "c").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b", "c"]


def test_a_shorter_corpus_is_a_prefix_of_a_longer_one():
    assert list(synth.generate(5000, 3)) == list(synth.generate(9000, 3))[:5000]


def test_lines_are_lowercase_words_separated_by_single_spaces(tmp_path):
    synth.write(tmp_path / "corpus.txt", 2000)
    lines = (tmp_path / "corpus.txt").read_text(encoding="ascii").split("\n")
    assert len(lines) == 2001 and lines[-1] == ""
    assert all(re.fullmatch("[a-z]+( [a-z]+)*", line) for line in lines[:-1])


def test_default_size_suits_a_quick_start(counts):
    assert 200_000 <= sum(counts.values()) <= 350_000
    assert len(counts) >= 300


def test_every_analogy_word_is_frequent(counts):
    words = {word for pair in synth.SIMILAR for word in pair}
    assert min(counts[word] for word in words) >= 300


def test_gender_is_carried_by_pronouns_only(sentences):
    for role in synth.ROLES:
        male, female = with_word(sentences, role.male), with_word(sentences, role.female)
        assert not any(s & FEMALE_WORDS for s in male), role.male
        assert not any(s & MALE_WORDS for s in female), role.female
        assert sum(bool(s & MALE_WORDS) for s in male) > 0.9 * len(male)
        assert sum(bool(s & FEMALE_WORDS) for s in female) > 0.9 * len(female)
        assert set().union(*male) - MALE_WORDS - {role.male} == (
            set().union(*female) - FEMALE_WORDS - {role.female}
        )


def test_a_capital_and_its_country_share_their_own_words(sentences):
    for nation in synth.NATIONS:
        own = {nation.language, nation.currency, nation.landmark}
        others = {w for n in synth.NATIONS if n != nation for w in (n.language, n.currency,
                                                                   n.landmark)}
        for place in (nation.capital, nation.country):
            context = Counter(w for s in with_word(sentences, place) for w in s)
            assert min(context[word] for word in own) >= 50, place
            assert not others & set(context), place
        assert not any("country" in s for s in with_word(sentences, nation.capital))
        assert not any("city" in s for s in with_word(sentences, nation.country))


def test_tense_is_carried_by_time_words(sentences):
    present = {word for phrase in synth.PRESENT for word in phrase.split()}
    past = {word for phrase in synth.PAST for word in phrase.split()}
    for verb in synth.VERBS:
        assert all(s & present and not s & past for s in with_word(sentences, verb.present))
        assert all(s & past and not s & present for s in with_word(sentences, verb.past))


def test_no_sentence_mixes_two_regularities(sentences):
    sections = {name: {w for pair in pairs for w in pair} for name, pairs in synth.PAIRS.items()}
    for sentence in sentences:
        assert sum(bool(sentence & words) for words in sections.values()) <= 1
    filler = {*synth.ADJECTIVES, *synth.NOUNS, *synth.STILL_VERBS, *synth.PREPOSITIONS}
    assert not filler & set().union(*sections.values())


def test_analogies_are_every_ordered_pair_of_pairs():
    assert {section: len(qs) for section, qs in synth.ANALOGIES.items()} == {
        "family": 90, "capital-country": 90, "past-tense": 132,
    }
    assert ("king", "queen", "man", "woman") in synth.ANALOGIES["family"]
    assert ("paris", "france", "berlin", "germany") in synth.ANALOGIES["capital-country"]
    assert ("walk", "walked", "eat", "ate") in synth.ANALOGIES["past-tense"]


def test_analogies_file_has_the_questions_words_format(tmp_path, counts):
    synth.write_analogies(tmp_path / "questions.txt")
    parsed: dict[str, list[tuple[str, ...]]] = {}
    for line in (tmp_path / "questions.txt").read_text().splitlines():
        if line.startswith(": "):
            section = parsed.setdefault(line[2:], [])
        else:
            section.append(tuple(line.split(" ")))
    assert parsed == synth.ANALOGIES
    assert all(counts[word] for questions in parsed.values() for q in questions for word in q)


@pytest.mark.parametrize("n_sentences", [0, -3, 2.5, "10", True])
def test_write_refuses_a_count_that_is_not_a_positive_whole_number(tmp_path, n_sentences):
    with pytest.raises(UserError, match="n_sentences must be a whole number of at least 1"):
        synth.write(tmp_path / "corpus.txt", n_sentences)
    assert not list(tmp_path.iterdir())


def test_write_into_a_missing_folder_names_the_file(tmp_path):
    path = tmp_path / "missing" / "corpus.txt"
    with pytest.raises(FileNotFoundError) as error:
        synth.write(path, 10)
    assert error.value.filename == str(path)


def test_cli_writes_corpus_and_analogies(tmp_path):
    corpus, questions = tmp_path / "synth.txt", tmp_path / "questions.txt"
    args = ["synth", "-o", str(corpus), "--sentences", "300", "--seed", "5",
            "--analogies", str(questions)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert corpus.read_text().splitlines() == list(synth.generate(300, 5))
    assert questions.read_text().startswith(": family\nking queen prince princess\n")


def test_cli_rejects_a_missing_folder(tmp_path):
    result = CliRunner().invoke(main, ["synth", "-o", str(tmp_path / "no" / "synth.txt")])
    assert result.exit_code == 1
    output = tmp_path / "no" / "synth.txt"
    assert result.output == f"Error: cannot write {output}: no such folder: {output.parent}\n"
