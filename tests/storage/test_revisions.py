"""Revisions (every write bumps one; a read-modify-write compares it) and aliases (a merged-away
key keeps citing its entry)."""

from __future__ import annotations

import pytest

from papershelf.errors import CiteKeyError, ConflictError
from papershelf.model.entry import Entry


def test_every_kind_of_write_bumps_the_revision(catalogue):
    cat = catalogue.cat
    entry_id = cat.resolve("ho2020denoising")
    seen = [cat.revision(entry_id)]
    cat.tag("ho2020denoising", ["zebra"])
    seen.append(cat.revision(entry_id))
    cat.untag("ho2020denoising", ["zebra"])
    seen.append(cat.revision(entry_id))
    cat.set_notes("ho2020denoising", "more")
    seen.append(cat.revision(entry_id))
    cat.update_metadata(entry_id, Entry("New"), ["title"])
    seen.append(cat.revision(entry_id))
    cat.rekey("ho2020denoising", "ddpm")
    seen.append(cat.revision(entry_id))
    assert seen == sorted(set(seen)) and len(seen) == 6


def test_a_stale_revision_is_a_conflict(catalogue):
    cat = catalogue.cat
    entry_id = cat.resolve("ho2020denoising")
    read_at = cat.revision(entry_id)
    cat.set_notes("ho2020denoising", "written by another process")
    with pytest.raises(ConflictError), cat.transaction():
        cat.expect_revision(entry_id, read_at)
    cat.expect_revision(entry_id, cat.revision(entry_id))  # the current one passes


def test_an_alias_cites_its_entry_and_cannot_be_taken(catalogue):
    cat = catalogue.cat
    entry_id = cat.resolve("ho2020denoising")
    cat.add_alias(entry_id, "Ho2020Old")
    assert catalogue.get("ho2020old").citekey == "ho2020denoising"
    assert "ho2020old" in cat.taken_keys()
    assert catalogue.get("ho2020denoising").aliases == ["Ho2020Old"]
    assert "Ho2020Old" in cat.citekeys("Ho2020")
    with pytest.raises(CiteKeyError):
        cat.rekey("hu2022lora", "ho2020old")
    with pytest.raises(CiteKeyError):
        cat.add_alias(cat.resolve("hu2022lora"), "HO2020OLD")
