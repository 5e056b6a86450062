"""The deterministic .bib generator every benchmark here uses (one generator, so the numbers of
bench_bibtex.py, bench_lossless.py and bench_peers.py are about the same files).

    python bench/bibgen.py 10000 > big.bib

What a thesis writer's file has: mixed entry types (article, inproceedings, arXiv preprints as
@misc, book, incollection, phdthesis, techreport), 1–12 authors with accented names in LaTeX
(``M{\\"u}ller``) and in UTF-8 (``Jégou``), particles (``van der Berg``), a Jr. part, some names
written "First Last", braced acronyms (``{LoRA}``), math and TeX macros in titles, ~150-word
abstracts, arXiv fields (eprint/archiveprefix/primaryclass), @string macros, years 1990–2026.

Checkable: the surname ``RARE_SURNAME`` is an author of exactly the entries ``planted(n)`` (1 %
of them: entries whose index is 37 mod 100) and appears nowhere else; every entry has its own
citation key, title (no two share a word sequence), DOI and arXiv id.
"""

from __future__ import annotations

import random
import sys
import unicodedata

RARE_SURNAME = "Quagliariello"

FAMILIES = [
    "Ho", "Müller", "Jégou", "O'Neil", "Zhang", "Smith", "Bäck", "Nguyen", "Kowalski", "Sánchez",
    "Wang", "Li", "Chen", "Kim", "Tanaka", "Rossi", "Dvořák", "Łukasiewicz", "Øvergaard", "Çelik",
    "Schmidt", "Garcia", "Ivanov", "Dubois", "Silva", "Novak", "Park", "Weber", "Ferrari", "Yamada",
    # accents written in LaTeX
    r"M{\"u}ller", r"Erd\H{o}s", r"Nguy{\~{\^{e}}}n", r"Schr{\"o}dinger", r"J{\'e}gou",
    r"Ca{\~n}ete", r"G{\"o}del", r"Dvo{\v{r}}{\'a}k", r"{\L}ukasiewicz", r"Fran{\c{c}}ois",
]
# "von Last, First" in BibTeX: the particle is written lower-case before the last name.
PARTICLES = ["van der", "de la", "von", "van", "de", "del", "di", "le"]
PARTICLE_FAMILIES = ["Berg", "Fuente", "Neumann", "Gogh", "Campo", "Maria", "Rossi", "Roux"]
GIVEN = ["Jonathan", "Anna-Lena", "Hervé", "Li", "Maria", "Thomas", "Lev", "Ng", "Åsa", "Zoë",
         r"Fran{\c{c}}oise", r"Ren{\'e}", "J. R. R.", "Yuki", "Sven", "Chiara", "Olusegun"]
TITLE_WORDS = (
    "diffusion model models latent score matching denoising transformer attention adapter "
    "low-rank adaptation distillation consistency flow sampling guidance image video text graph "
    "contrastive representation learning stochastic variational inference bayesian neural "
    "operator kernel convergence robust efficient scalable sparse mixture experts retrieval "
    "reinforcement policy reward alignment preference calibration uncertainty causal discovery "
    "generative adversarial autoregressive masked token pretraining self-supervised federated "
    "privacy watermark segmentation detection tracking molecule protein folding weather climate "
    "ocean galaxy quantum circuits compiler verification theorem proving planning control").split()
ACRONYMS = ["{LoRA}", "{GANs}", "{BERT}", "{NeRF}", "{CLIP}", "{VAE}", "{SDE}", "{ODE}", "{MCMC}",
            "{ImageNet}", "{GPU}", "{COVID-19}"]
MATH = [r"$O(n \log n)$", r"$\sqrt{n}$", r"$L^2$", r"$\mathcal{O}(1)$", r"$\epsilon$",
        r"$k$-Means", r"$\alpha$-Divergences", r"$\ell_1$"]
MACROS = [r"{\TeX}", r"\LaTeX{}", r"\emph{Really}", r"\textit{in situ}", r"Sch{\"o}dinger",
          r"{\'E}tude", r"\& More", r"Na\"{\i}ve"]
ABSTRACT_WORDS = (
    "we propose a new method for the problem of learning from data and show that it improves "
    "over prior work on several benchmarks our approach is simple fast and scales to large "
    "settings experiments demonstrate gains in accuracy while reducing cost theory explains "
    "why the estimator converges under mild assumptions code is available results hold across "
    "tasks domains and model sizes").split() + TITLE_WORDS
JOURNALS = ["Journal of Machine Learning Research", "Neural Computation", "Nature",
            "Physical Review Letters", "IEEE Transactions on Pattern Analysis and Machine Intelligence",
            "Annals of Statistics", "Communications of the {ACM}"]
STRINGS = {"neurips": "Advances in Neural Information Processing Systems",
           "icml": "International Conference on Machine Learning",
           "iclr": "International Conference on Learning Representations"}
PUBLISHERS = ["Springer", "MIT Press", "Cambridge University Press", "O'Reilly", "Addison-Wesley"]
CLASSES = ["cs.LG", "cs.CV", "cs.CL", "stat.ML", "math.OC", "quant-ph", "astro-ph.GA"]
TYPES = ["article", "inproceedings", "misc", "article", "inproceedings", "misc", "book",
         "incollection", "phdthesis", "techreport"]
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def is_planted(i: int) -> bool:
    """Whether entry ``i`` has ``RARE_SURNAME`` among its authors (1 % of the entries)."""
    return i % 100 == 37


def planted(n: int) -> int:
    """How many of ``n`` generated entries carry ``RARE_SURNAME``."""
    return sum(1 for i in range(n) if is_planted(i))


def _ascii(text: str) -> str:
    """Lower-case ASCII letters of a (LaTeX or UTF-8) name, for citation keys."""
    plain = unicodedata.normalize("NFKD", text.replace("\\L", "L").replace("Ł", "L").replace("Ø", "O"))
    return "".join(c for c in plain.lower() if "a" <= c <= "z")


def _person(rnd: random.Random) -> tuple[str, str]:
    """One author as written in the file, and its last name for the key."""
    given = rnd.choice(GIVEN)
    roll = rnd.random()
    if roll < 0.12:
        last = rnd.choice(PARTICLE_FAMILIES)
        particle = rnd.choice(PARTICLES)
        return (f"{particle} {last}, {given}" if rnd.random() < 0.5 else f"{given} {particle} {last}"), last
    if roll < 0.15:
        last = rnd.choice(["King", "Davis", "Gates", "Brown"])
        return f"{last}, Jr., {given}", last
    last = rnd.choice(FAMILIES)
    return (f"{last}, {given}" if roll < 0.8 else f"{given} {{{last}}}" if "\\" in last else f"{given} {last}"), last


def _authors(rnd: random.Random, i: int) -> tuple[str, str]:
    people = [_person(rnd) for _ in range(rnd.choice([1, 1, 2, 2, 3, 3, 4, 5, 6, 8, 10, 12]))]
    if is_planted(i):
        people.insert(rnd.randrange(len(people) + 1), (f"{RARE_SURNAME}, Beatrice", RARE_SURNAME))
    return " and ".join(p for p, _ in people), people[0][1]


def _title(rnd: random.Random, i: int, seen: set[tuple[str, ...]]) -> tuple[str, str]:
    while True:
        words = tuple(rnd.choice(TITLE_WORDS) for _ in range(rnd.randint(4, 11)))
        if words not in seen:
            seen.add(words)
            break
    parts = [words[0].capitalize(), *words[1:]]
    if i % 7 == 0:
        parts.insert(0, rnd.choice(ACRONYMS) + ":")
    if i % 5 == 0:
        parts += ["in", rnd.choice(MATH)]
    if i % 6 == 0:
        parts += ["with", rnd.choice(MACROS)]
    if i % 4 == 0:
        parts += ["for", rnd.choice(ACRONYMS)]
    return " ".join(parts), words[0].replace("-", "")


def entry(rnd: random.Random, i: int, seen_titles: set[tuple[str, ...]], keys: set[str]) -> tuple[str, str]:
    """The text of entry ``i`` and its citation key."""
    authors, first_last = _authors(rnd, i)
    title, first_word = _title(rnd, i, seen_titles)
    typ = TYPES[(i + i // 100) % len(TYPES)]  # the planted entries are of every type
    year = rnd.randint(2015, 2026) if typ == "misc" else rnd.randint(1990, 2026)
    key = f"{_ascii(first_last)}{year}{first_word}"
    suffix = 0
    while key + ("" if not suffix else _letters(suffix)) in keys:
        suffix += 1
    key += _letters(suffix) if suffix else ""
    keys.add(key)
    fields = [("author", f"{{{authors}}}"), ("title", f"{{{title}}}")]
    if typ == "article":
        fields += [("journal", f"{{{rnd.choice(JOURNALS)}}}"), ("volume", f"{{{rnd.randint(1, 60)}}}"),
                   ("number", f"{{{rnd.randint(1, 12)}}}"),
                   ("pages", f"{{{rnd.randint(1, 500)}--{rnd.randint(501, 900)}}}")]
    elif typ == "inproceedings":
        fields += [("booktitle", rnd.choice(list(STRINGS))),
                   ("pages", f"{{{rnd.randint(1, 9000)}--{rnd.randint(9001, 9999)}}}")]
    elif typ == "incollection":
        fields += [("booktitle", f"{{Handbook of {rnd.choice(TITLE_WORDS).capitalize()}}}"),
                   ("editor", f"{{{_person(rnd)[0]}}}"), ("publisher", f"{{{rnd.choice(PUBLISHERS)}}}")]
    elif typ == "book":
        fields += [("publisher", f"{{{rnd.choice(PUBLISHERS)}}}"), ("edition", "{2nd}")]
    elif typ == "phdthesis":
        fields += [("school", r"{Universit{\'e} de Montr{\'e}al}")]
    elif typ == "techreport":
        fields += [("institution", "{Institute of Technology}"), ("number", f"{{TR-{i}}}")]
    fields += [("year", f"{{{year}}}"), ("month", rnd.choice(MONTHS))]
    if typ in ("article", "inproceedings", "book", "incollection") or i % 3 == 0:
        fields.append(("doi", f"{{10.{5000 + i % 4000}/bench.{year}.{i:06d}}}"))
    if typ == "misc" or (typ in ("article", "inproceedings") and i % 4 == 1):
        arxiv_year = max(year, 2015)  # five-digit numbers: every index below 100,000 fits
        fields += [("eprint", f"{{{arxiv_year % 100:02d}{rnd.randint(1, 12):02d}.{i:05d}}}"),
                   ("archiveprefix", "{arXiv}"), ("primaryclass", f"{{{rnd.choice(CLASSES)}}}")]
    words = rnd.choices(ABSTRACT_WORDS, k=rnd.randint(130, 170))
    fields.append(("abstract", f"{{{' '.join(words).capitalize()}.}}"))
    body = ",\n".join(f"  {name} = {value}" for name, value in fields)
    return f"@{typ}{{{key},\n{body}\n}}\n", key


def _letters(k: int) -> str:
    out = ""
    while k:
        k, r = divmod(k - 1, 26)
        out = chr(97 + r) + out
    return out


def make_bib_with_keys(n: int, seed: int = 4) -> tuple[str, list[str]]:
    """The .bib text of ``n`` entries and their citation keys, in file order."""
    rnd = random.Random(seed)
    head = "".join(f"@string{{{name} = {{{value}}}}}\n" for name, value in STRINGS.items())
    seen_titles: set[tuple[str, ...]] = set()
    keys: set[str] = set()
    out, order = [head], []
    for i in range(n):
        text, key = entry(rnd, i, seen_titles, keys)
        out.append(text)
        order.append(key)
    return "\n".join(out), order


def make_bib(n: int, seed: int = 4) -> str:
    """The .bib text of ``n`` generated entries (deterministic for a given ``seed``)."""
    return make_bib_with_keys(n, seed)[0]


def planted_keys(keys: list[str]) -> set[str]:
    """The keys (of ``make_bib_with_keys``) of the entries that carry ``RARE_SURNAME``."""
    return {key for i, key in enumerate(keys) if is_planted(i)}


if __name__ == "__main__":
    sys.stdout.write(make_bib(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))
