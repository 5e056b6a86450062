"""Keys as people type them: did-you-mean after a typo, a unique prefix, aliases; for every
command that takes a KEY, through the one resolution in storage.catalogue.resolve."""

import json

import pytest

TYPO = "ho2020denosing"
ONE_LINE = "error: no entry 'ho2020denosing' (did you mean ho2020denoising?)\n"


@pytest.mark.parametrize("args", [
    ("show", TYPO),
    ("show", TYPO, "--json"),
    ("tag", TYPO, "mine"),
    ("untag", TYPO, "diffusion"),
    ("note", TYPO, "text"),
    ("remove", TYPO, "--yes"),
    ("rekey", TYPO, "ddpm"),
    ("open", TYPO, "--print"),
    ("set", TYPO, "title=x"),
    ("cite", TYPO),
    ("export", "bibtex", TYPO),
    ("autotag", TYPO),
])
def test_a_typo_in_a_key_names_the_closest_key_in_one_line(run, bundled, args):
    result = run(*args)
    assert result.exit_code == 3, (args, result.stderr)
    assert result.stderr == ONE_LINE, args
    assert result.stdout == ""


def test_nothing_close_keeps_the_hint(run, bundled):
    result = run("show", "qqqqqqqq")
    assert result.exit_code == 3
    assert result.stderr.startswith("error: no entry 'qqqqqqqq'\nhint: ")


def test_a_typo_in_the_first_letters_is_found_too(run, bundled):
    result = run("show", "h02020denoising")
    assert "did you mean ho2020denoising?" in result.stderr


def test_a_unique_prefix_resolves_for_show_and_for_changes(run, bundled):
    shown = json.loads(run("show", "ho2020", "--json").stdout)
    assert shown["citekey"] == "ho2020denoising"
    assert run("tag", "hu2022l", "mine").exit_code == 0
    assert "mine" in json.loads(run("show", "hu2022lora", "--json").stdout)["tags"]


def test_a_prefix_shorter_than_four_characters_does_not_resolve(run, bundled):
    assert run("show", "ho2").exit_code == 3


def test_an_ambiguous_prefix_lists_candidates_and_changes_nothing(run, catalogue):
    from papershelf.model.entry import Entry, Person

    catalogue.add([Entry(title="Denoising again", authors=[Person("Ho", "J.")], year=2020)])
    result = run("tag", "ho2020", "mine")
    assert result.exit_code == 3
    assert result.stderr.splitlines()[0] == (
        "error: 'ho2020' is the start of several keys: ho2020denoising, ho2020denoisinga")
    assert "mine" not in catalogue.get("ho2020denoising").tags
    # the full key still names exactly one entry, though it is a prefix of another
    assert json.loads(run("show", "ho2020denoising", "--json").stdout)["citekey"] == "ho2020denoising"


def test_aliases_of_merged_away_keys_keep_resolving_and_prefix_too(run, catalogue):
    entry = catalogue.get("ho2020denoising")
    catalogue.cat.add_alias(entry.id, "ddpm2020paper")
    assert json.loads(run("show", "ddpm2020paper", "--json").stdout)["citekey"] == "ho2020denoising"
    assert json.loads(run("show", "ddpm2020", "--json").stdout)["citekey"] == "ho2020denoising"
    assert "did you mean ddpm2020paper?" in run("show", "ddpm2020papr").stderr


def test_an_aux_file_matches_keys_exactly_never_by_prefix(run, bundled, tmp_path):
    aux = tmp_path / "thesis.aux"
    aux.write_text("\\citation{ho2020,hu2022lora}\n")
    out = tmp_path / "refs.bib"
    result = run("export", "bibtex", "--aux", str(aux), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert "@inproceedings{ho2020denoising" not in out.read_text()
    assert "ho2020" in result.stderr  # reported as missing


def test_a_miss_is_index_lookups_only_at_scale(tmp_path):
    """Resolving a prefix or a typo in a 20,000-entry catalogue: no statement scans entries or
    aliases (each is a SEARCH on an index), and it takes milliseconds."""
    import time

    from papershelf.errors import NotFoundError
    from papershelf.storage.catalogue import Catalogue

    cat, _ = Catalogue.open(tmp_path / "big.db", create=True)
    with cat.transaction():
        cat.conn.executemany(
            "INSERT INTO entries(citekey, title, added, updated) VALUES (?, 't', 'x', 'x')",
            [(f"author{i:05d}{w}",) for i in range(10_000) for w in ("denoising", "survey")])
    statements: list[str] = []
    cat.conn.set_trace_callback(statements.append)
    start = time.perf_counter()
    assert cat.keys_of([cat.resolve("author01234denois")])  # a unique prefix
    with pytest.raises(NotFoundError) as miss:
        cat.resolve("author01234denosing")
    elapsed = time.perf_counter() - start
    cat.conn.set_trace_callback(None)
    assert "did you mean author01234denoising?" in miss.value.message
    plans = []
    for sql in statements:
        if sql.lstrip().upper().startswith("SELECT") and ("entries" in sql or "aliases" in sql):
            plans += [row[3] for row in cat.conn.execute("EXPLAIN QUERY PLAN " + sql)]
    assert plans and not [p for p in plans if p.startswith("SCAN") and ("entries" in p or "aliases" in p)], plans
    assert elapsed < 0.5
    cat.close()
