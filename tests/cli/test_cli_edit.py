"""tag, untag, tags, note, remove, rekey: what changes, what stays."""

import json


def show(run, key):
    result = run("show", key, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_tag_and_untag(run, bundled):
    assert run("tag", "ho2020denoising", "Must Read", "classic").exit_code == 0
    assert {"must-read", "classic"} <= set(show(run, "ho2020denoising")["tags"])
    result = run("untag", "ho2020denoising", "classic", "nonexistent")
    assert result.exit_code == 0
    assert "removed classic" in result.stderr
    assert "classic" not in show(run, "ho2020denoising")["tags"]


def test_tags_lists_counts(run, bundled):
    run("tag", "ho2020denoising", "mine")
    run("tag", "hu2022lora", "mine")
    rows = json.loads(run("tags", "--json").stdout)
    assert {"tag": "mine", "count": 2, "by_rule": 0} in rows


def test_bad_tag_is_a_usage_error(run, bundled):
    result = run("tag", "ho2020denoising", "a,b")
    assert result.exit_code == 2
    assert "not a usable tag" in result.stderr


def test_note_appends_and_replaces(run, bundled):
    run("note", "hu2022lora", "first thought")
    run("note", "hu2022lora", "second thought")
    assert show(run, "hu2022lora")["notes"] == "first thought\nsecond thought"
    run("note", "hu2022lora", "only this", "--replace")
    assert show(run, "hu2022lora")["notes"] == "only this"


def test_note_keeps_existing_chinese_notes(run, bundled):
    before = show(run, "fan2025survey")["notes"]
    run("note", "fan2025survey", "讀完")
    assert show(run, "fan2025survey")["notes"] == before + "\n讀完"


def test_note_edit_uses_editor(run, bundled, tmp_path, monkeypatch):
    script = tmp_path / "ed.sh"
    script.write_text('#!/bin/sh\nprintf "edited in the editor\\n" > "$1"\n')
    script.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(script))
    assert run("note", "hu2022lora", "--edit").exit_code == 0
    assert show(run, "hu2022lora")["notes"] == "edited in the editor"


def test_note_needs_text_or_edit(run, bundled):
    result = run("note", "hu2022lora")
    assert result.exit_code == 2


def test_remove_asks_and_yes_skips(run, bundled):
    result = run("remove", "hu2022lora", input="n\n")
    assert result.exit_code != 0
    assert show(run, "hu2022lora")["citekey"] == "hu2022lora"
    assert run("remove", "hu2022lora", "--yes").exit_code == 0
    assert run("show", "hu2022lora").exit_code == 3


def test_remove_is_all_or_nothing(run, bundled):
    result = run("remove", "hu2022lora", "no-such-key", "--yes")
    assert result.exit_code == 3
    assert show(run, "hu2022lora")["citekey"] == "hu2022lora"


def test_rekey_renames_and_refuses_keys_in_use(run, bundled):
    assert run("rekey", "ho2020denoising", "ddpm").exit_code == 0
    assert show(run, "ddpm")["arxiv_id"] == "2006.11239"
    assert run("show", "ho2020denoising").exit_code == 3
    clash = run("rekey", "ddpm", "hu2022lora")
    assert clash.exit_code == 1
    assert "already in use" in clash.stderr
    assert show(run, "ddpm")["title"] == "Denoising Diffusion Probabilistic Models"


def test_rekey_refuses_unusable_keys(run, bundled):
    result = run("rekey", "ho2020denoising", "has space")
    assert result.exit_code == 1
    assert "not a usable citation key" in result.stderr


def test_keys_stay_when_titles_change(catalogue):
    """A key, once given, never changes behind the user's back."""
    from papershelf.model.entry import Entry

    entry = catalogue.get("ho2020denoising")
    catalogue.cat.update_metadata(entry.id, Entry(title="Completely New Title", year=2099), ["title", "year"])
    assert catalogue.get("ho2020denoising").title == "Completely New Title"


def test_key_collisions_get_suffixes(catalogue):
    from papershelf.model.entry import Entry, Person

    twin = Entry(title="Denoising again", authors=[Person("Ho", "J.")], year=2020)
    second = catalogue.add([twin]).added[0]
    third = catalogue.add([Entry(title="Denoising thrice", authors=[Person("Ho", "J.")], year=2020)]).added[0]
    assert (second.citekey, third.citekey) == ("ho2020denoisinga", "ho2020denoisingb")


def test_keys_without_an_author_come_from_the_title(catalogue):
    """Web pages and talks: the first title word stands in for the author."""
    from papershelf.model.entry import Entry

    assert catalogue.add([Entry("2022 Midjourney", type="online", year=2022)]).added[0].citekey == "midjourney2022"
    page = Entry("【導讀】www.geeksforgeeks.org/swin-transformer/", type="online")
    assert catalogue.add([page]).added[0].citekey == "geeksforgeeksswin"


# -- no-ops say so -----------------------------------------------------------------------------

def test_tagging_with_a_tag_it_has_says_nothing_changed(run, bundled):
    run("tag", "hu2022lora", "mine")
    result = run("tag", "hu2022lora", "mine")
    assert result.exit_code == 0
    assert result.stderr == "hu2022lora already has mine: nothing changed.\n"


def test_untagging_a_tag_it_lacks_names_the_closest_one(run, bundled):
    run("tag", "hu2022lora", "fine-tuning")
    result = run("untag", "hu2022lora", "finetuning")
    assert result.stderr == "hu2022lora has no finetuning (did you mean fine-tuning?): nothing changed.\n"


def test_list_of_an_unknown_tag_suggests_close_ones(run, bundled):
    result = run("list", "--tag", "difusion")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == "No entries tagged 'difusion' (did you mean diffusion?).\n"
    assert "`papershelf tags` lists" in run("list", "--tag", "zzzzzz").stderr
    assert "together" in run("list", "--tag", "diffusion", "--year", "1900").stderr


def test_counts_are_in_the_right_number(run, bundled, tmp_path):
    out = tmp_path / "one.bib"
    result = run("export", "bibtex", "hu2022lora", "-o", str(out))
    assert "Wrote 1 entry to" in result.stderr
    assert "1 entries" not in run("autotag", "hu2022lora").stderr


# -- many entries at once: --query ----------------------------------------------------------------

def keys_tagged(run, tag):
    return sorted(e["citekey"] for e in json.loads(run("list", "--tag", tag, "--json").stdout))


def searched(run, query):
    return sorted(e["citekey"] for e in json.loads(run("search", query, "--json").stdout))


def test_tag_by_query_refuses_without_a_terminal_or_yes(run, bundled):
    result = run("tag", "--query", "diffusion", "mine")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: refusing to tag 18 entries with mine without confirmation")
    assert keys_tagged(run, "mine") == []


def test_tag_and_untag_by_query_with_yes(run, bundled):
    expected = searched(run, "diffusion year:2023")
    assert len(expected) > 1
    result = run("tag", "--query", "diffusion year:2023", "Mine", "other", "--yes")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"Tagged {len(expected)} entries with mine, other.\n"
    assert keys_tagged(run, "mine") == expected == keys_tagged(run, "other")
    again = run("tag", "--query", "diffusion year:2023", "mine", "--yes")
    assert again.stderr == f"Tagged 0 entries with mine ({len(expected)} already had it).\n"
    result = run("untag", "--query", "tag:mine", "mine", "--yes")
    assert result.stderr == f"Removed mine from {len(expected)} entries.\n"
    assert keys_tagged(run, "mine") == []


def test_a_bulk_change_asks_on_a_terminal(run, bundled, monkeypatch):
    import papershelf.cli.edit as edit_cli

    monkeypatch.setattr(edit_cli, "_interactive", lambda: True)
    no = run("tag", "--query", "author:ho", "mine", input="n\n")
    assert no.exit_code == 1 and "ho2020denoising" in no.stderr and "Tag 1 entry with mine?" in no.stderr
    assert keys_tagged(run, "mine") == []
    yes = run("tag", "--query", "author:ho", "mine", input="y\n")
    assert yes.exit_code == 0
    assert keys_tagged(run, "mine") == ["ho2020denoising"]


def test_remove_by_query_goes_to_the_trash_in_one_go(run, bundled):
    expected = searched(run, "tag:survey")
    result = run("remove", "--query", "tag:survey", "--yes")
    assert result.exit_code == 0, result.stderr
    assert searched(run, "tag:survey") == []
    trashed = sorted(t["citekey"] for t in json.loads(run("trash", "--json").stdout))
    assert trashed == expected
    assert run("restore", *expected).exit_code == 0
    assert searched(run, "tag:survey") == expected


def test_a_query_that_finds_nothing_changes_nothing_and_says_so(run, bundled):
    result = run("remove", "--query", "nosuchwordanywhere", "--yes")
    assert result.exit_code == 0
    assert result.stderr == "Nothing matches 'nosuchwordanywhere': nothing removed.\n"
    assert "no entry tagged" in run("tag", "--query", "nosuchwordanywhere", "x", "--yes").stderr


def test_bulk_arguments_are_checked_first(run, bundled):
    assert run("remove").exit_code == 2
    assert run("remove", "hu2022lora", "--query", "lora").exit_code == 2
    assert run("tag", "--query", "lora").exit_code == 2  # no tag
    assert run("tag", "hu2022lora").exit_code == 2
    assert run("tag", "--query", "  ", "x", "--yes").exit_code == 2
    bad_tag = run("tag", "--query", "lora", "a,b", "--yes")
    assert bad_tag.exit_code == 2 and "not a usable tag" in bad_tag.stderr


def test_bulk_tagging_is_one_transaction(run, bundled, monkeypatch):
    """A failure half-way leaves no entry tagged."""
    from papershelf.storage.catalogue import Catalogue

    calls = {"n": 0}
    real = Catalogue.tag

    def failing(self, ref, tags):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk on fire")
        return real(self, ref, tags)

    monkeypatch.setattr(Catalogue, "tag", failing)
    result = run("tag", "--query", "diffusion", "mine", "--yes")
    monkeypatch.setattr(Catalogue, "tag", real)
    assert result.exit_code != 0 and calls["n"] == 3
    assert keys_tagged(run, "mine") == []
