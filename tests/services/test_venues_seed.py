"""The closing measurement of issue 13 as a test: on the bundled catalogue's arXiv papers (as
preprints) with the replay data, every verified venue is found, no wrong venue is accepted, and
a second run is answered from the cache (``tests/measure_venues.py`` prints the numbers)."""

from __future__ import annotations


def test_every_verified_seed_venue_is_found_and_none_is_wrong(monkeypatch, tmp_path):
    from measure_venues import measure

    for name in ("PAPERSHELF_S2_URL", "PAPERSHELF_DBLP_URL", "PAPERSHELF_OPENALEX_URL", "PAPERSHELF_CROSSREF_URL",
                 "PAPERSHELF_DATACITE_URL", "PAPERSHELF_OPENLIBRARY_URL", "PAPERSHELF_GOOGLEBOOKS_URL",
                 "PAPERSHELF_METADATA_DELAY", "PAPERSHELF_OPENALEX_API_KEY", "PAPERSHELF_BACKUPS"):
        monkeypatch.setenv(name, "")  # restored after the test: measure() sets them
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    result = measure()
    assert result["verified"] == 16
    assert result["resolved"] == result["verified"], result["unresolved"]
    assert result["wrong"] == []
    assert result["requests_first"]["s2"] == 1  # one batch for all of them
    assert sum(result["requests_cached"].values()) == 0
