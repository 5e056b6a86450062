"""How a person's name reads (``Person.name``): CJK names family first without a space."""

from __future__ import annotations

import pytest

from papershelf.model.entry import Entry, Person


@pytest.mark.parametrize(("person", "shown"), [
    (Person("王", "小明"), "王小明"),
    (Person("欧阳", "修"), "欧阳修"),
    (Person("山田", "太郎"), "山田太郎"),
    (Person("김", "철수"), "김철수"),
    (Person("王"), "王"),
    (Person("Ho", "Jonathan"), "Jonathan Ho"),
    (Person("Campo", "Matias", "del"), "Matias del Campo"),
    (Person("King", "Martin Luther", suffix="Jr."), "Martin Luther King, Jr."),
    (Person("Wang", "Xiaoming"), "Xiaoming Wang"),  # a romanised name keeps the given name first
    (Person("Wang", "小明"), "小明 Wang"),  # mixed scripts: nothing to assume
])
def test_names_read_as_their_language_writes_them(person, shown):
    assert person.name == shown


def test_a_parsed_bibtex_cjk_name_shows_family_first_and_in_json():
    person = Person.parse("王, 小明")
    assert (person.family, person.given, person.name) == ("王", "小明", "王小明")
    entry = Entry(title="擴散模型", authors=[person])
    assert entry.to_dict()["authors"] == ["王小明"]
    assert entry.to_dict()["author_parts"] == [{"family": "王", "given": "小明"}]
