"""Reading arXiv's free-text ``journal_ref`` as a venue. Pure, data-driven.

``parse_journal_ref(text)`` returns a ``Venue`` only when the text can be read without guessing:

* a known conference by its acronym and year, alone or in the usual wrappers: ``ICLR 2022``,
  ``NeurIPS'21``, ``Accepted at CVPR 2023 (oral)``, ``Published as a conference paper at ICLR
  2021``, ``Advances in Neural Information Processing Systems 33 (NeurIPS 2020)``, optionally
  with pages (``CVPR 2022, pp. 10684-10695``) → ``inproceedings`` with the full booktitle;
* a known journal by its acronym and year (``TPAMI 2023``, ``JMLR 2021``) → ``article``;
* a journal citation with a volume and a year, in the shapes physics and mathematics use:
  ``Phys. Rev. D 76, 013009 (2007)``, ``Nature 521, 436–444 (2015)``,
  ``Astrophys.J.517:565-586,1999``, ``Eur.Phys.J. C31 (2003) 17-29``,
  ``J. Algebraic Combin. 6 (1997), no. 3, 253--257``, ``Software Testing, Verification and
  Reliability, 35(2):e1914, 2025`` → ``article`` with journal, volume, number, pages, year.

Anything else (a workshop, a conference papershelf does not know, a journal without a volume,
prose) gives ``None``: the caller keeps the text as arXiv's journal reference, written as a
``note``, and does not pretend to know the venue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# acronym (as written, any case) → (entry type, full name). Several spellings may share a name.
CONFERENCES: dict[str, str] = {
    "NeurIPS": "Advances in Neural Information Processing Systems",
    "NIPS": "Advances in Neural Information Processing Systems",
    "ICML": "International Conference on Machine Learning",
    "ICLR": "International Conference on Learning Representations",
    "CVPR": "IEEE/CVF Conference on Computer Vision and Pattern Recognition",
    "ICCV": "IEEE/CVF International Conference on Computer Vision",
    "ECCV": "European Conference on Computer Vision",
    "WACV": "IEEE/CVF Winter Conference on Applications of Computer Vision",
    "BMVC": "British Machine Vision Conference",
    "3DV": "International Conference on 3D Vision",
    "MICCAI": "International Conference on Medical Image Computing and Computer-Assisted Intervention",
    "AAAI": "AAAI Conference on Artificial Intelligence",
    "IJCAI": "International Joint Conference on Artificial Intelligence",
    "UAI": "Conference on Uncertainty in Artificial Intelligence",
    "AISTATS": "International Conference on Artificial Intelligence and Statistics",
    "COLT": "Conference on Learning Theory",
    "CoRL": "Conference on Robot Learning",
    "ICRA": "IEEE International Conference on Robotics and Automation",
    "IROS": "IEEE/RSJ International Conference on Intelligent Robots and Systems",
    "ACL": "Annual Meeting of the Association for Computational Linguistics",
    "EMNLP": "Conference on Empirical Methods in Natural Language Processing",
    "NAACL": "Conference of the North American Chapter of the Association for Computational Linguistics",
    "NAACL-HLT": "Conference of the North American Chapter of the Association for Computational Linguistics",
    "EACL": "Conference of the European Chapter of the Association for Computational Linguistics",
    "COLING": "International Conference on Computational Linguistics",
    "INTERSPEECH": "Interspeech",
    "ICASSP": "IEEE International Conference on Acoustics, Speech and Signal Processing",
    "KDD": "ACM SIGKDD Conference on Knowledge Discovery and Data Mining",
    "SIGKDD": "ACM SIGKDD Conference on Knowledge Discovery and Data Mining",
    "WWW": "The Web Conference",
    "TheWebConf": "The Web Conference",
    "SIGIR": "International ACM SIGIR Conference on Research and Development in Information Retrieval",
    "WSDM": "ACM International Conference on Web Search and Data Mining",
    "CHI": "CHI Conference on Human Factors in Computing Systems",
    "SIGGRAPH": "ACM SIGGRAPH Conference Proceedings",
    "SIGGRAPH Asia": "ACM SIGGRAPH Asia Conference Proceedings",
}
JOURNALS: dict[str, str] = {
    "TPAMI": "IEEE Transactions on Pattern Analysis and Machine Intelligence",
    "T-PAMI": "IEEE Transactions on Pattern Analysis and Machine Intelligence",
    "IEEE TPAMI": "IEEE Transactions on Pattern Analysis and Machine Intelligence",
    "JMLR": "Journal of Machine Learning Research",
    "TMLR": "Transactions on Machine Learning Research",
    "IJCV": "International Journal of Computer Vision",
    "TACL": "Transactions of the Association for Computational Linguistics",
    "TOG": "ACM Transactions on Graphics",
}
_BY_ACRONYM = {k.casefold(): ("inproceedings", v) for k, v in CONFERENCES.items()} | \
    {k.casefold(): ("article", v) for k, v in JOURNALS.items()}
_ACRONYMS = "|".join(re.escape(k) for k in sorted({*CONFERENCES, *JOURNALS}, key=len, reverse=True))


@dataclass(frozen=True)
class Venue:
    """Where a work appeared, as BibTeX needs it."""

    type: str  # article or inproceedings
    journal: str | None = None
    booktitle: str | None = None
    volume: str | None = None
    number: str | None = None
    pages: str | None = None
    year: int | None = None

    def describe(self) -> str:
        name = self.journal or self.booktitle or ""
        parts = [name, self.volume and f"vol. {self.volume}", self.number and f"no. {self.number}",
                 self.pages and f"pp. {self.pages}", self.year and str(self.year)]
        return ", ".join(str(p) for p in parts if p)


_YEAR = r"(?P<year>(?:19|20)\d{2}|['’]\d{2}|(?<=[-–])\d{2})"
_PAGES = r"(?P<pages>[A-Za-z]?\d+(?:\s*[-–—]+\s*[A-Za-z]?\d+)?)"
_LEAD = re.compile(
    r"^(?:(?:accepted|published|presented|appeared|appears|to\s+appear|camera[-\s]ready|final\s+version)"
    r"(?:\s+(?:as\s+an?\s+)?(?:conference|main\s+conference|full|long|short|oral|poster|spotlight)?\s*(?:paper|version)?)?"
    r"\s*(?:at|in|to|by|for)?\s*(?:the\s+)?|in\s+(?:the\s+)?|proc(?:eedings|\.)?\s+(?:of\s+)?(?:the\s+)?)", re.I)
_TRAIL = re.compile(
    r"(?:[\s,;.:-]*\(?(?:oral|poster|spotlight|highlight|best\s+paper[\w\s]*|main\s+(?:conference|track)|"
    r"long\s+paper|short\s+paper|camera[-\s]ready|\d+\s+pages?)\)?)+[\s.]*$", re.I)
_PAGES_TAIL = re.compile(r"[\s,;:]*(?:pp\.?|pages?|p\.)\s*" + _PAGES + r"\s*\.?\s*$", re.I)
_CONFERENCE = re.compile(
    rf"^(?:(?P<ord>\d+(?:st|nd|rd|th))\s+)?(?P<acr>{_ACRONYMS})(?:\s*[-–]?\s*|\s*){_YEAR}$"
    rf"|^{_YEAR.replace('year', 'year2')}\s+(?P<acr2>{_ACRONYMS})$", re.I)
_PAREN = re.compile(rf"\((?P<acr>{_ACRONYMS})\s*[-–]?\s*{_YEAR}\)", re.I)
_NOT_MAIN = re.compile(r"\b(?:workshops?|ws|tutorial|challenge|competition|symposium|findings|"
                       r"doctoral|student|demo|abstract|extended\s+abstract|submitted|under\s+review|"
                       r"in\s+submission|preprint)\b", re.I)

_PROCEEDINGS = re.compile(r"\b(?:proc|proceedings|conference|conf|meeting|congress|pmlr|lncs)\b", re.I)

# journal citations: <journal> <volume>[(<number>)] , <pages> (<year>)   and the other orders
_JOURNAL = r"(?P<journal>[A-Za-z][\w.&'’\s,\-]*?[A-Za-z.)])"
_VOLUME = r"(?P<volume>\d+)(?:\s*\((?P<number>\d+(?:[-–/]\d+)?)\))?"
_JOURNAL_SHAPES = [
    # Phys. Rev. D 76, 013009 (2007) / Nature 521, 436–444 (2015) / Annals of Physics 324, 523 (2009).
    re.compile(rf"^{_JOURNAL}[\s,]*{_VOLUME}\s*[,:]\s*{_PAGES}(?:\s*\(R\))?\s*,?\s*\({_YEAR}\)\.?$"),
    # Astrophys.J.517:565-586,1999 / Phys.Lett.B573:94-100,2003 / Reliability, 35(2):e1914, 2025
    re.compile(rf"^{_JOURNAL}[\s,]*{_VOLUME}\s*[,:]\s*{_PAGES}\s*,\s*{_YEAR}\.?$"),
    # Eur.Phys.J. C31 (2003) 17-29 / J. Algebraic Combin. 6 (1997), no. 3, 253--257
    re.compile(rf"^{_JOURNAL}[\s,]*(?P<volume>\d+)\s*\({_YEAR}\)\s*,?\s*(?:no\.\s*(?P<number>\d+)\s*,\s*)?"
               rf"(?:pp?\.\s*)?{_PAGES}\.?$"),
    # Nature 521 (2015) / Phys. Rev. Lett. 106 (2011)
    re.compile(rf"^{_JOURNAL}[\s,]*{_VOLUME}\s*\({_YEAR}\)\.?$"),
]


def _year(text: str | None) -> int | None:
    if not text:
        return None
    digits = text.lstrip("'’")
    return int(digits) if len(digits) == 4 else 2000 + int(digits)


def _dash(pages: str | None) -> str | None:
    return re.sub(r"\s*[-–—]+\s*", "--", pages) if pages else None


def parse_journal_ref(text: str | None) -> Venue | None:
    """The venue ``text`` names, or None when it cannot be read without guessing."""
    if not text:
        return None
    ref = " ".join(text.split()).strip(" .;,")
    if not ref or len(ref) > 200:
        return None
    return _conference(ref) or _journal(ref)


def _conference(ref: str) -> Venue | None:
    if _NOT_MAIN.search(ref):
        return None
    pages = None
    body = ref
    tail = _PAGES_TAIL.search(body)
    if tail:
        pages, body = tail.group("pages"), body[:tail.start()]
    body = _TRAIL.sub("", body)
    for _ in range(3):  # "In Proceedings of the …", "Accepted in the …"
        body = _LEAD.sub("", body, count=1).strip(" .;,:")
    m = _CONFERENCE.match(body)
    if m:
        acr, year = (m.group("acr"), m.group("year")) if m.group("acr") else (m.group("acr2"), m.group("year2"))
    else:
        found = list(_PAREN.finditer(body))
        if len(found) != 1 or found[0].end() != len(body.rstrip(" .")):
            return None  # "(NeurIPS 2020)" must end the reference: the venue it names
        acr, year = found[0].group("acr"), found[0].group("year")
    kind, name = _BY_ACRONYM[" ".join(acr.split()).casefold()]
    if kind == "article":
        return Venue("article", journal=name, pages=_dash(pages), year=_year(year))
    return Venue("inproceedings", booktitle=name, pages=_dash(pages), year=_year(year))


def _journal(ref: str) -> Venue | None:
    for shape in _JOURNAL_SHAPES:
        m = shape.match(ref)
        if m is None:
            continue
        groups = m.groupdict()
        journal = groups["journal"].strip(" ,")
        if len(journal) < 3 or not re.search(r"[A-Za-z]{2}", journal) or _NOT_MAIN.search(journal) \
                or _PROCEEDINGS.search(journal):
            return None
        year = _year(groups.get("year"))
        if year is None or not 1800 <= year <= 2100:
            return None
        return Venue("article", journal=journal, volume=groups["volume"], number=groups.get("number"),
                     pages=_dash(groups.get("pages")), year=year)
    return None
