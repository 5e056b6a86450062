"""How single values are written into a .bib: titles with their capitals protected word by word,
names as BibTeX reads them back, and the arXiv pieces of a preprint. Used by the writer for the
fields papershelf generates (verbatim fields are written as the source gave them)."""

from __future__ import annotations

import re
from functools import lru_cache

from papershelf.formats.bibtex.latex import encode, needs_encoding
from papershelf.model.entry import Entry, Person
from papershelf.model.identifiers import abs_url

# Capitalised words that are names, so no bibliography style may lower-case them. Words with a
# capital after the first letter (LoRA, ControlNet, CLIP, GANs, 3D) are protected by rule.
PROPER_NAMES = frozenset("""
    Adam Bayes Bayesian Bernoulli Boltzmann Brownian Cauchy Chinese DALL Dirichlet English
    Euclidean Euler European Fisher Fokker Fourier French Gaussian German Gibbs Google Hamiltonian
    Hessian Hilbert Hopfield Ito Itô Jacobian Japanese Kalman Kullback Lagrangian Langevin
    Laplace Laplacian Leibler Lipschitz Markov Markovian Monte Carlo Newton Nyström Planck Poisson
    Python Riemann Riemannian Schrödinger Shannon Stein Swin Taylor Transformer Transformers Turing
    Wasserstein Wiener
""".split())

_WORD = re.compile(r"[^\W_]+")


@lru_cache(maxsize=65536)
def _needs_protection(word: str) -> bool:
    return any(c.isupper() for c in word[1:]) or word in PROPER_NAMES


def _protected(m: re.Match[str]) -> str:
    word = m.group()
    return f"{{{word}}}" if _needs_protection(word) else word


def title_field(title: str, *, ascii: bool) -> str:
    """The title with the capitals that must stay braced word by word (``{LoRA}: Low-Rank…``)."""
    if not needs_encoding(title, ascii=ascii):  # nothing to encode: only the braces to add
        return _WORD.sub(_protected, title)
    out: list[str] = []
    pos = 0
    for m in _WORD.finditer(title):
        out.append(encode(title[pos:m.start()], ascii=ascii))
        word = m.group()
        enc = encode(word, ascii=ascii)
        out.append(f"{{{enc}}}" if _needs_protection(word) else enc)
        pos = m.end()
    out.append(encode(title[pos:], ascii=ascii))
    return "".join(out)


_AND = re.compile(r"\band\b", re.I)


def _brace_if(part: str, ascii: bool, always: bool = False) -> str:
    enc = encode(part, ascii=ascii)
    if always or "," in part or _AND.search(part):
        return f"{{{enc}}}"
    return enc


def name_field(person: Person, *, ascii: bool) -> str:
    """One name as BibTeX reads it back exactly: ``von Family, Jr., Given`` or ``{Corporate}``.
    (The same names recur all through a catalogue: each is rendered once per style.)"""
    return _name_field(person.family, person.given, person.prefix, person.suffix, ascii)


@lru_cache(maxsize=16384)
def _name_field(family: str, given: str, prefix: str, suffix: str, ascii: bool) -> str:
    person = Person(family, given, prefix, suffix)
    if person.family == "others" and not person.given:
        return "others"
    if person.is_corporate:
        return f"{{{encode(person.family, ascii=ascii)}}}"
    if person.family_first:  # 王小明: one braced name, so bibtex and biber print it in its own order
        return f"{{{person.name}}}"
    lowercase_word = any(w[:1].islower() for w in person.family.split())
    family = _brace_if(person.family, ascii, always=lowercase_word)
    last = f"{encode(person.prefix, ascii=ascii)} {family}" if person.prefix else family
    parts = [last]
    if person.suffix:
        parts.append(_brace_if(person.suffix, ascii))
    if person.given or person.suffix:
        parts.append(_brace_if(person.given, ascii))
    return ", ".join(parts)


def names_field(people: list[Person], *, ascii: bool) -> str:
    return " and ".join(name_field(p, ascii=ascii) for p in people)


def preprint_url(entry: Entry) -> str | None:
    return abs_url(entry.arxiv_id) if entry.arxiv_id else None


# What the biblatex export writes as the ``organization`` of an arXiv preprint (``@online``):
# biblatex prints the eprint itself, but pandoc's biblatex reader ignores eprints, and shows
# this instead (dropped again on reading).
ARXIV_ORGANIZATION = "arXiv"


def arxiv_howpublished(entry: Entry) -> str:
    """What ``plain`` prints for a preprint (it knows no eprint field); read back, it is dropped."""
    return f"arXiv preprint arXiv:{entry.arxiv_id}"
