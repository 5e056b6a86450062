"""Author and editor lists split at ``and`` exactly as BibTeX (bibtexparser) splits them, also
where papershelf takes its quicker path (no braces or backslashes in the list)."""

from __future__ import annotations

import random

from bibtexparser.middlewares.names import split_multiple_persons_names

from papershelf.formats.bibtex.mapping import _person, names
from papershelf.formats.bibtex.values import balanced


def test_names_split_like_bibtex():
    assert [p.family for p in names("Knuth, Donald and Leslie Lamport AND  Jones\n and others")] == \
        ["Knuth", "Lamport", "Jones", "others"]
    assert [p.family for p in names("{Simon and Schuster} and Doe, J.")] == ["Simon and Schuster", "Doe"]
    assert names("  ") == []


def test_an_accent_command_right_after_and_stays_in_the_name():
    # bibtexparser's split_multiple_persons_names gives "{C}elik" and "Etienne" here; bibtex
    # (plain.bst) prints "Çelik" and "Étienne"
    people = names("Dupont, Jean and \\c{C}elik, Anna AND \\'Etienne Roux and {\\L}ukasiewicz, Jan")
    assert [(p.family, p.given) for p in people] == [
        ("Dupont", "Jean"), ("Çelik", "Anna"), ("Roux", "Étienne"), ("Łukasiewicz", "Jan")]
    assert [p.family for p in names("\\'Etienne Roux and Doe, J.")] == ["Roux", "Doe"]


def test_names_split_like_bibtexparser_on_odd_lists():
    # values bibtex can read (braces nest), without backslashes (bibtexparser skips the
    # character after one, see above)
    rng = random.Random(7)
    pieces = ["a", "n", "d", "A", "N", "D", " ", "x", ",", ".", "and", " and ", "AND", "~", "é", "\t",
              "\n", "{", "}", "{x and y}"]
    compared = 0
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 16)))
        if not balanced(text):
            continue
        compared += 1
        want = [_person(n)[0] for n in split_multiple_persons_names(" ".join(text.split()))]
        assert [p.family for p in names(text)] == want, repr(text)
    assert compared > 2000
