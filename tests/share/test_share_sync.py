"""A shared library in git, end to end: clones of one bare remote in tmp_path, real git, each
with its own catalogue; after every round of syncs every catalogue holds the union."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from papershelf.cli import app
from papershelf.formats.share_text import CONFLICT, Shared, render
from papershelf.services.library import open_library

runner = CliRunner()

BIB_A = """
@article{ho2020denoising,
  title = {Denoising Diffusion Probabilistic Models},
  author = {Ho, Jonathan and Jain, Ajay and Abbeel, Pieter},
  journal = {Advances in Neural Information Processing Systems},
  year = {2020},
  volume = {33},
}
@inproceedings{vaswani2017attention,
  title = {Attention Is All You Need},
  author = {Vaswani, Ashish and Shazeer, Noam},
  booktitle = {NeurIPS},
  year = 2017,
  month = dec,
}
"""
BIB_B = """
@book{knuth1984texbook,
  title = {The {\\TeX}book},
  author = {Knuth, Donald E.},
  publisher = {Addison-Wesley},
  year = {1984},
}
@article{shannon1948,
  title = {A Mathematical Theory of Communication},
  author = {Shannon, Claude E.},
  journal = {Bell System Technical Journal},
  year = {1948},
  doi = {10.1002/j.1538-7305.1948.tb01338.x},
}
"""


@pytest.fixture(autouse=True)
def git_identity(monkeypatch, tmp_path):
    cfg = tmp_path / "gitconfig"
    cfg.write_text("[init]\n\tdefaultBranch = main\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(cfg))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for var, value in (("GIT_AUTHOR_NAME", "Test"), ("GIT_AUTHOR_EMAIL", "t@example.org"),
                       ("GIT_COMMITTER_NAME", "Test"), ("GIT_COMMITTER_EMAIL", "t@example.org")):
        monkeypatch.setenv(var, value)


def git(*args: str, cwd: Path | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=check, timeout=60)


class Clone:
    def __init__(self, root: Path, name: str, remote: Path):
        self.name, self.dir, self.db = name, root / name, root / f"{name}.db"
        git("clone", "-q", str(remote), str(self.dir))
        self.ok("init", "--empty")

    def run(self, *args: str, input: str | None = None):
        return runner.invoke(app, ["--db", str(self.db), *args], input=input)

    def ok(self, *args: str, input: str | None = None) -> str:
        result = self.run(*args, input=input)
        assert result.exit_code == 0, (args, result.output, result.exception)
        return result.output

    def bib(self, text: str) -> None:
        path = self.dir.parent / f"{self.name}-import.bib"
        path.write_text(text)
        self.ok("import", "bibtex", str(path))

    def sync(self) -> str:
        return self.ok("share", "sync")

    def catalogue(self) -> dict[str, str]:
        """Key -> everything shared of the entry (fields as written, tags, notes, aliases)."""
        lib, _ = open_library(self.db)
        try:
            return {e.citekey: render(Shared("0" * 12, e, [])) for e in lib.entries()}
        finally:
            lib.close()

    def entry(self, key: str):
        lib, _ = open_library(self.db)
        try:
            return lib.get(key)
        finally:
            lib.close()


@pytest.fixture
def clones(tmp_path):
    remote = tmp_path / "remote.git"
    git("init", "-q", "--bare", str(remote))
    made = [Clone(tmp_path, n, remote) for n in ("a", "b", "c")]
    made[0].ok("share", "init", str(made[0].dir))
    made[0].sync()
    for c in made[1:]:
        git("pull", "-q", cwd=c.dir)
        c.ok("share", "init", str(c.dir))
        c.sync()
    return made


def pushed_then_pulled(a: Clone, b: Clone) -> str:
    """A syncs (its changes pushed), then B (merging them with its own): B's report."""
    a.sync()
    return b.sync()


@pytest.fixture
def seeded(clones):
    """The clones, the first with BIB_A's two entries, synced everywhere."""
    clones[0].bib(BIB_A)
    settle(clones)
    return clones


def settle(clones: list[Clone]) -> None:
    """Sync every clone twice round: then all have all."""
    for _ in range(2):
        for c in clones:
            c.sync()
    first = clones[0].catalogue()
    for c in clones[1:]:
        assert c.catalogue() == first, c.name


def test_concurrent_adds_reach_every_clone(clones):
    a, b, c = clones
    a.bib(BIB_A)
    b.bib(BIB_B)
    settle(clones)
    cat = c.catalogue()
    assert sorted(cat) == ["ho2020denoising", "knuth1984texbook", "shannon1948", "vaswani2017attention"]
    knuth = c.entry("knuth1984texbook")
    assert knuth.source_fields["title"] == "The {\\TeX}book"  # as written
    assert c.entry("vaswani2017attention").source_raw.get("month") == "dec"
    files = sorted(p.name for p in (a.dir / "entries").rglob("*.entry"))
    assert len(files) == 4 and all(len(f) == len("0" * 28 + ".entry") for f in files)


def test_edits_of_different_fields_merge_and_same_field_keeps_both(seeded):
    clones = seeded
    a, b, c = clones
    a.ok("set", "ho2020denoising", "volume=34")
    b.ok("set", "ho2020denoising", "pages=6840--6851")
    a.ok("set", "vaswani2017attention", "title={Attention Is All You Need (A)}")
    b.ok("set", "vaswani2017attention", "title={Attention Is All You Need (B)}")
    out = pushed_then_pulled(a, b)
    assert "both values kept" in out and "papershelf edit vaswani2017attention" in out
    settle(clones)
    ho = c.entry("ho2020denoising")
    assert ho.source_fields["volume"] == "34" and ho.source_fields["pages"] == "6840--6851"
    va = c.entry("vaswani2017attention")
    values = {va.source_fields["title"], va.extra[f"{CONFLICT}title"]}
    assert values == {"{Attention Is All You Need (A)}", "{Attention Is All You Need (B)}"}  # none lost
    shown = c.ok("show", "vaswani2017attention")
    assert f"{CONFLICT}title" in shown
    status = c.ok("share", "status", "--offline")
    assert "both values kept: vaswani2017attention" in status
    # resolved in one clone: gone everywhere
    c.ok("set", "vaswani2017attention", f"{CONFLICT}title=")
    settle(clones)
    assert f"{CONFLICT}title" not in a.entry("vaswani2017attention").extra


def test_tags_notes_removes_and_rekeys_follow(clones):
    a, b, c = clones
    a.bib(BIB_A + BIB_B)
    settle(clones)
    a.ok("tag", "ho2020denoising", "diffusion")
    b.ok("tag", "ho2020denoising", "generative")
    a.ok("note", "ho2020denoising", "read section 3")
    b.ok("note", "ho2020denoising", "compare with DDIM")
    c.ok("remove", "--yes", "shannon1948")
    b.ok("rekey", "knuth1984texbook", "knuth1984")
    settle(clones)
    for clone in clones:
        ho = clone.entry("ho2020denoising")
        assert {"diffusion", "generative"} <= set(ho.tags)
        assert "read section 3" in (ho.notes or "") and "compare with DDIM" in (ho.notes or "")
        cat = clone.catalogue()
        assert "shannon1948" not in cat and "knuth1984" in cat and "knuth1984texbook" not in cat
    assert "shannon1948" in a.ok("trash")  # removed to the trash, not lost


def test_one_key_two_works_is_renamed_and_reported(clones):
    a, b, _ = clones
    a.bib("@article{smith2020, title={Graphs}, author={Smith, A.}, year={2020}, journal={J. Graphs}}")
    b.bib("@article{smith2020, title={Fluids}, author={Smith, B.}, year={2020}, journal={J. Fluids}}")
    out = pushed_then_pulled(a, b)
    assert "one key, two works" in out and "papershelf rekey" in out
    settle(clones)
    titles = sorted(e.splitlines()[3] for e in a.catalogue().values())
    assert titles == ['title = "Fluids"', 'title = "Graphs"']


def test_one_work_two_keys_is_reported_with_merge(clones):
    a, b, _ = clones
    a.bib("@misc{ho2020, title={Denoising Diffusion}, author={Ho, J.}, year={2020}, eprint={2006.11239}, "
          "archiveprefix={arXiv}}")
    b.bib("@misc{ddpm, title={Denoising Diffusion Models}, author={Ho, Jonathan}, year={2020}, "
          "eprint={2006.11239}, archiveprefix={arXiv}}")
    out = pushed_then_pulled(a, b)
    assert "papershelf merge" in out
    settle(clones)
    assert sorted(a.catalogue()) == ["ddpm", "ho2020"]


def test_teammate_clone_gets_the_catalogue(clones, tmp_path):
    a = clones[0]
    a.bib(BIB_A)
    a.sync()
    d = Clone(tmp_path, "d", tmp_path / "remote.git")
    d.ok("share", "init", str(d.dir))
    assert d.catalogue() == a.catalogue()


def test_without_the_driver_plain_git_merges_other_entries_and_reports_a_text_conflict(seeded, tmp_path):
    clones = seeded
    a, b, _ = clones
    plain = tmp_path / "plain"  # a teammate without papershelf: git alone, no driver
    git("clone", "-q", str(tmp_path / "remote.git"), str(plain))
    files = {p.read_text().split('key = "')[1].split('"')[0]: p for p in (plain / "entries").rglob("*.entry")}
    ho = files["ho2020denoising"]
    ho.write_text(ho.read_text().replace('bib.volume = "33"', 'bib.volume = "35"'))
    git("commit", "-qam", "volume by hand", cwd=plain)
    a.ok("set", "vaswani2017attention", "pages=5998--6008")  # another entry: merges without a driver
    a.sync()
    assert git("pull", "-q", "--no-rebase", "--no-edit", cwd=plain, check=False).returncode == 0
    git("push", "-q", cwd=plain)
    settle(clones)
    assert b.entry("ho2020denoising").source_fields["volume"] == "35"
    assert b.entry("vaswani2017attention").source_fields["pages"] == "5998--6008"
    # the same line both ways, merged where no driver runs: markers committed
    ho = next(p for p in (plain / "entries").rglob("*.entry") if 'key = "ho2020denoising"' in p.read_text())
    a.ok("set", "ho2020denoising", "volume=36")
    a.sync()
    ho.write_text(ho.read_text().replace('bib.volume = "35"', 'bib.volume = "37"'))
    git("commit", "-qam", "volume again", cwd=plain)
    git("pull", "-q", "--no-rebase", "--no-edit", cwd=plain, check=False)
    assert "<<<<<<<" in ho.read_text()
    git("commit", "-qam", "merged with markers", cwd=plain)
    git("push", "-q", cwd=plain)
    assert "in conflict: entries/" in b.ok("share", "status")
    result = a.run("share", "sync")
    assert result.exit_code == 6
    err = result.output
    assert "conflict markers" in err and "keep both values" in err
    assert a.entry("ho2020denoising").source_fields["volume"] == "36"  # nothing overwritten


def test_removed_here_changed_there_is_kept(seeded):
    clones = seeded
    a, b, _ = clones
    a.ok("remove", "--yes", "vaswani2017attention")
    b.ok("tag", "vaswani2017attention", "keep")
    out = pushed_then_pulled(a, b)
    assert "removed here, changed there" in out
    settle(clones)
    assert "keep" in a.entry("vaswani2017attention").tags


def test_bad_folders_are_one_line_errors(tmp_path):
    db = tmp_path / "x.db"
    runner.invoke(app, ["--db", str(db), "init", "--empty"])
    plain = tmp_path / "plain"
    plain.mkdir()
    result = runner.invoke(app, ["--db", str(db), "share", "init", str(plain)])
    assert result.exit_code == 2 and "is not a git repository" in result.output
    result = runner.invoke(app, ["--db", str(db), "share", "sync"])
    assert result.exit_code != 0 and "not shared yet" in result.output
    git("init", "-q", str(plain))
    assert runner.invoke(app, ["--db", str(db), "share", "init", str(plain)]).exit_code == 0
    result = runner.invoke(app, ["--db", str(db), "share", "sync"])
    assert result.exit_code == 1 and "has no remote" in result.output
    assert "Traceback" not in result.output


PDF = Path(__file__).resolve().parents[1] / "data" / "pdf" / "crazyones-pdfa.pdf"


def test_with_files_copies_pdfs_and_attaches_them_in_other_clones(tmp_path):
    remote = tmp_path / "remote.git"
    git("init", "-q", "--bare", str(remote))
    a, b = Clone(tmp_path, "a", remote), Clone(tmp_path, "b", remote)
    a.ok("share", "init", str(a.dir), "--with-files")
    a.bib(BIB_A)
    a.ok("attach", "ho2020denoising", str(PDF))
    a.sync()
    assert len(list((a.dir / "files").glob("*.pdf"))) == 1
    git("pull", "-q", cwd=b.dir)
    b.ok("share", "init", str(b.dir))
    lib, _ = open_library(b.db)
    try:
        got = lib.files_of("ho2020denoising")
    finally:
        lib.close()
    assert [f.sha256 for f in got] and lib.file_path(got[0]).read_bytes() == PDF.read_bytes()


def test_without_files_only_names_and_hashes_travel(clones):
    a, b, _ = clones
    a.bib(BIB_A)
    a.ok("attach", "ho2020denoising", str(PDF))
    settle(clones)
    assert not (a.dir / "files").exists()
    text = next(p.read_text() for p in (b.dir / "entries").rglob("*.entry") if "ho2020denoising" in p.read_text())
    assert '"name": "crazyones-pdfa.pdf"' in text and '"sha256": "' in text


def test_a_reused_row_id_gets_a_new_share_id(seeded):
    clones = seeded
    a, b, _ = clones
    a.ok("remove", "--yes", "vaswani2017attention")  # the highest row id: SQLite gives it again
    a.bib(BIB_B)
    settle(clones)
    assert sorted(b.catalogue()) == ["ho2020denoising", "knuth1984texbook", "shannon1948"]
    assert len(list((b.dir / "entries").rglob("*.entry"))) == 3


def test_one_record_shared_from_two_clones_becomes_one_file(clones):
    a, b, c = clones
    a.bib(BIB_A)
    b.bib(BIB_A)
    a.ok("tag", "ho2020denoising", "from-a")
    b.ok("tag", "ho2020denoising", "from-b")
    out = pushed_then_pulled(a, b)
    assert "one record, two entry files" in out
    settle(clones)
    assert len(list((c.dir / "entries").rglob("*.entry"))) == 2
    assert {"from-a", "from-b"} <= set(c.entry("ho2020denoising").tags)
    assert {"from-a", "from-b"} <= set(a.entry("ho2020denoising").tags)


def test_pull_rebase_when_the_repository_says_so(clones):
    a, b, _ = clones
    git("config", "pull.rebase", "true", cwd=b.dir)
    a.bib(BIB_A)
    b.bib(BIB_B)
    a.sync()
    b.sync()
    settle(clones)
    assert len(b.catalogue()) == 4
    assert git("log", "--merges", "--oneline", cwd=b.dir).stdout == ""  # rebased, never merged


def test_an_entry_file_edited_by_hand_is_read(seeded):
    clones = seeded
    a, b, _ = clones
    path = next(p for p in (a.dir / "entries").rglob("*.entry") if 'key = "ho2020denoising"' in p.read_text())
    path.write_text(path.read_text() + 'tag = "by-hand"\n')
    a.sync()
    settle(clones)
    assert "by-hand" in b.entry("ho2020denoising").tags


def test_status_json_and_merge_driver_directly(clones, tmp_path):
    a, b, _ = clones
    a.bib(BIB_A)
    a.ok("tag", "ho2020denoising", "x")
    import json

    data = json.loads(a.ok("share", "status", "--offline", "--json"))
    assert data["unsynced"] == 2 and data["in_conflict"] == [] and data["ahead"] == 0
    a.sync()
    data = json.loads(b.ok("share", "status", "--json"))
    assert data["behind"] == 1
    text = next(p for p in (a.dir / "entries").rglob("*.entry")).read_text()
    base, ours, theirs = (tmp_path / f"{n}.version" for n in ("o", "a", "b"))
    base.write_text(text)
    ours.write_text(text + 'tag = "ours"\n')
    theirs.write_text(text + 'tag = "theirs"\n')
    result = runner.invoke(app, ["share", "merge-driver", str(base), str(ours), str(theirs), "x.entry"])
    assert result.exit_code == 0
    assert 'tag = "ours"' in ours.read_text() and 'tag = "theirs"' in ours.read_text()
    theirs.write_text("<<<<<<< HEAD\n")
    result = runner.invoke(app, ["share", "merge-driver", str(base), str(ours), str(theirs), "x.entry"])
    assert result.exit_code != 0 and "conflict markers" in result.output


def test_a_linked_folder_in_the_share_is_refused(clones, tmp_path):
    a = clones[0]
    a.bib(BIB_A)
    a.sync()
    path = next(p for p in (a.dir / "entries").rglob("*.entry") if 'key = "ho2020denoising"' in p.read_text())
    outside = tmp_path / "outside"
    path.parent.rename(outside)
    path.parent.symlink_to(outside)
    a.ok("tag", "ho2020denoising", "x")
    result = a.run("share", "sync")
    assert result.exit_code == 2 and "symbolic link" in result.output
    assert 'tag = "x"' not in (outside / path.name).read_text()


def test_edit_resolves_a_field_kept_both_ways(seeded, monkeypatch):
    clones = seeded
    a, b, _ = clones
    a.ok("set", "ho2020denoising", "volume=40")
    b.ok("set", "ho2020denoising", "volume=41")
    settle(clones)
    ho = a.entry("ho2020denoising")
    assert {ho.source_fields["volume"], ho.extra[f"{CONFLICT}volume"]} == {"40", "41"}
    # the editor: keep 41, drop the conflict field
    monkeypatch.setenv("VISUAL", f"sed -i -e '/{CONFLICT}volume/d' -e 's/volume = {{40}}/volume = {{41}}/'")
    a.ok("edit", "ho2020denoising")
    settle(clones)
    for clone in clones:
        ho = clone.entry("ho2020denoising")
        assert ho.source_fields["volume"] == "41" and f"{CONFLICT}volume" not in ho.extra


def test_init_again_changes_nothing_and_concurrent_rekeys_keep_both_keys(seeded):
    clones = seeded
    a, b, _ = clones
    head = git("rev-parse", "HEAD", cwd=a.dir).stdout
    assert "nothing to commit" in a.ok("share", "init", str(a.dir))
    assert git("rev-parse", "HEAD", cwd=a.dir).stdout == head
    a.ok("rekey", "ho2020denoising", "ho2020a")
    b.ok("rekey", "ho2020denoising", "ho2020b")
    settle(clones)
    ho = a.entry("ho2020a") if "ho2020a" in a.catalogue() else a.entry("ho2020b")
    assert {ho.citekey, *ho.aliases} == {"ho2020a", "ho2020b"}  # one key, the other cites it too
