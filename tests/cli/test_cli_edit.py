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
