"""``papershelf mcp`` through the SDK's own client over stdio: the installed console script is
spawned, initialised, its tools listed and called, as an MCP host would."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import pytest

from conftest import installed_script

pytestmark = pytest.mark.e2e

TOOLS = {"search", "get", "resolve", "export", "check", "add", "tag", "note"}
BIB = "@article{lovelace1843notes, title = {Notes on the Analytical Engine}, author = {Lovelace, Ada}, year = {1843}}"


def _env() -> dict[str, str]:
    """The test's own dirs and replay servers: the stdio client passes only HOME, PATH… itself."""
    return {k: v for k, v in os.environ.items() if k.startswith(("PAPERSHELF_", "XDG_"))}


def session(db: Path, *args: str, script: Callable[[Any], Awaitable[Any]]) -> Any:
    """Run ``script(client)`` against ``papershelf --db DB mcp ARGS`` and return what it returns."""
    from mcp import Client, StdioServerParameters

    params = StdioServerParameters(command=installed_script(), args=["--db", str(db), "mcp", *args], env=_env())
    out: list[Any] = []

    async def main() -> None:
        async with Client(params) as client:
            out.append(await script(client))

    anyio.run(main)
    return out[0]


def call(db: Path, tool: str, arguments: dict, *args: str) -> tuple[bool, str]:
    async def script(client):
        result = await client.call_tool(tool, arguments)
        return result.is_error, result.content[0].text

    return session(db, *args, script=script)


def cli(db: Path, *args: str, input: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([installed_script(), "--db", str(db), *args], capture_output=True, text=True,
                          input=input, env={**os.environ}, timeout=60)


@pytest.fixture
def shelf(tmp_path) -> Path:
    db = tmp_path / "shelf.db"
    assert cli(db, "init").returncode == 0
    return db


def test_tools_are_listed_briefly_and_a_search_for_ddpm_finds_ho_et_al_first(shelf):
    async def script(client):
        listed = await client.list_tools()
        found = await client.call_tool("search", {"query": "DDPM"})
        return listed, found

    listed, found = session(shelf, script=script)
    assert {t.name for t in listed.tools} == TOOLS
    assert all(len(t.description or "") < 260 for t in listed.tools)
    assert "title" not in json.dumps([t.input_schema for t in listed.tools])  # Pydantic's titles left out
    assert not found.is_error
    rows = json.loads(found.content[0].text)
    assert rows[0]["key"] == "ho2020denoising"
    assert rows[0]["authors"] == "Ho, Jain, Abbeel" and rows[0]["year"] == 2020


def test_every_reading_tool(shelf):
    async def script(client):
        calls = [("get", {"key": "ho2020denoising"}), ("get", {"key": "2006.11239", "format": "bibtex"}),
                 ("get", {"key": "ho2020den", "format": "csl-json"}),
                 ("resolve", {"reference": "J. Ho, A. Jain, P. Abbeel. Denoising Diffusion Probabilistic Models. "
                                           "NeurIPS 2020."}),
                 ("resolve", {"reference": "Vaswani et al. Attention is all you need. 2017."}),
                 ("export", {"aux": "\\citation{hu2022lora,ho2020denoising}\n\\citation{nobody1999}\n"}),
                 ("export", {"keys": ["hu2022lora"], "style": "biblatex"}),
                 ("check", {"keys": ["ho2020denoising"]})]
        return [await client.call_tool(name, args) for name, args in calls]

    results = session(shelf, script=script)
    assert not any(r.is_error for r in results), [r.content[0].text for r in results if r.is_error]
    fields, bibtex, csl, found, not_found, aux, keys, check = (r.content[0].text for r in results)
    assert json.loads(fields)["title"] == "Denoising Diffusion Probabilistic Models"
    assert bibtex.startswith("@") and "{ho2020denoising," in bibtex
    assert json.loads(csl)[0]["id"] == "ho2020denoising"
    assert json.loads(found)["found"]["key"] == "ho2020denoising"
    assert json.loads(not_found)["found"] is None
    assert aux.index("{ho2020denoising,") < aux.index("{hu2022lora,")
    assert aux.rstrip().endswith("% not in the catalogue: nobody1999")
    assert "{hu2022lora," in keys
    assert json.loads(check) == {"checked": 1, "findings": []}


def test_read_only_refuses_every_write_and_leaves_the_file_byte_identical(shelf):
    before = hashlib.sha256(shelf.read_bytes()).hexdigest()

    async def script(client):
        calls = [("add", {"bibtex": BIB}), ("add", {"refs": ["2302.05543"], "dry_run": True}),
                 ("tag", {"keys": ["ho2020denoising"], "tags": ["x"]}),
                 ("note", {"key": "ho2020denoising", "text": "read it"}),
                 ("check", {"online": True}), ("search", {"query": "lora"})]
        return [await client.call_tool(name, args) for name, args in calls]

    *refused, online, search = session(shelf, script=script)
    for result in refused:
        assert result.is_error
        assert "read-only" in result.content[0].text and "--allow-write" in result.content[0].text
    assert online.is_error and "--allow-network" in online.content[0].text
    assert not search.is_error
    assert hashlib.sha256(shelf.read_bytes()).hexdigest() == before


def test_allow_write_adds_tags_and_notes_through_the_door(shelf):
    async def script(client):
        calls = [("add", {"bibtex": BIB, "tags": ["History"], "dry_run": True}),
                 ("search", {"query": "analytical engine"}),
                 ("add", {"bibtex": BIB, "tags": ["History"]}),
                 ("add", {"bibtex": BIB}),
                 ("tag", {"keys": ["lovelace1843notes", "ho2020denoising"], "tags": ["To Read"]}),
                 ("note", {"key": "lovelace1843notes", "text": "the first program"})]
        return [await client.call_tool(name, args) for name, args in calls]

    results = session(shelf, "--allow-write", script=script)
    assert not any(r.is_error for r in results), [r.content[0].text for r in results if r.is_error]
    dry, search, added, again, tagged, noted = (json.loads(r.content[0].text) for r in results)
    assert dry == {"dry_run": True, "items": [{"ref": "lovelace1843notes", "status": "added",
                                               "key": "lovelace1843notes", "title": "Notes on the Analytical Engine"}]}
    assert search == []  # the dry run wrote nothing
    assert added["items"][0]["status"] == "added"
    assert again["items"][0]["status"] == "exists"
    assert tagged == [{"key": "lovelace1843notes", "added": ["to-read"]}, {"key": "ho2020denoising", "added": ["to-read"]}]
    assert noted == {"key": "lovelace1843notes", "notes": len("the first program")}
    shown = json.loads(cli(shelf, "show", "lovelace1843notes", "--json").stdout)
    assert shown["tags"] == ["history", "to-read"] and shown["notes"] == "the first program"


def test_add_by_arxiv_id_and_doi_asks_the_sources(shelf, arxiv_server, metadata_server):
    from arxiv_server import synthetic_entry

    arxiv_server.set_entry("2401.00001", synthetic_entry("2401.00001"))
    refs = ["2401.00001", "10.1109/ICCV.2007.4408927", "2006.11239"]
    ok, text = call(shelf, "add", {"refs": refs, "dry_run": True}, "--allow-write")
    assert [i["status"] for i in json.loads(text)["items"]] == ["added", "exists", "added"]
    ok, text = call(shelf, "add", {"refs": refs}, "--allow-write")
    assert not ok, text
    items = json.loads(text)["items"]
    assert [(i["ref"], i["status"]) for i in items] == [
        ("arXiv:2401.00001", "added"), ("arXiv:2006.11239", "exists"), ("doi:10.1109/ICCV.2007.4408927", "added")]
    assert cli(shelf, "show", items[0]["key"]).returncode == 0
    ok, text = call(shelf, "add", {"refs": ["not-an-id"]}, "--allow-write")
    assert ok and "not an arXiv id, DOI, ISBN or DBLP key: 'not-an-id'" in text


def test_a_cli_writing_while_the_server_runs_is_seen_at_once(shelf):
    async def script(client):
        first = await client.call_tool("search", {"query": "analytical engine"})
        added = await anyio.to_thread.run_sync(lambda: cli(shelf, "add", "-", input=BIB))
        tagged = await anyio.to_thread.run_sync(lambda: cli(shelf, "tag", "ho2020denoising", "seen"))
        second = await client.call_tool("search", {"query": "analytical engine"})
        note = await client.call_tool("note", {"key": "lovelace1843notes", "text": "from the agent"})
        shown = await anyio.to_thread.run_sync(lambda: cli(shelf, "show", "lovelace1843notes", "--json"))
        return first, added, tagged, second, note, shown

    first, added, tagged, second, note, shown = session(shelf, "--allow-write", script=script)
    assert json.loads(first.content[0].text) == []
    assert added.returncode == 0 and tagged.returncode == 0, added.stderr + tagged.stderr
    assert "locked" not in added.stderr + tagged.stderr
    assert [r["key"] for r in json.loads(second.content[0].text)] == ["lovelace1843notes"]
    assert not note.is_error, note.content[0].text
    assert json.loads(shown.stdout)["notes"] == "from the agent"


def test_malformed_calls_are_tool_errors_and_the_server_goes_on(shelf):
    async def script(client):
        calls = [("search", {"query": 5}), ("search", {}), ("get", {"key": "ho2020denoising", "format": "pdf"}),
                 ("no-such-tool", {}), ("search", {"query": '"open'}), ("search", {"query": "x", "limit": 0}),
                 ("get", {"key": "nobody1999"}), ("export", {}), ("search", {"query": "lora", "limit": 1})]
        return [await client.call_tool(name, args) for name, args in calls]

    *bad, good = session(shelf, script=script)
    assert all(r.is_error for r in bad)
    texts = [r.content[0].text for r in bad]
    assert "unbalanced" in texts[4]  # the CLI's own message for the same query
    assert "no entry 'nobody1999'" in texts[6]
    assert not any("unexpected" in t or "Traceback" in t for t in texts)
    assert not good.is_error and json.loads(good.content[0].text)[0]["key"] == "hu2022lora"


def test_a_missing_catalogue_is_one_line_before_serving(tmp_path):
    result = cli(tmp_path / "missing.db", "mcp")
    assert result.returncode == 3
    assert result.stderr.startswith("error: no catalogue at") and "Traceback" not in result.stderr


def test_check_online_with_allow_network_flags_a_doi_of_another_paper(shelf, metadata_server):
    assert cli(shelf, "set", "zhang2023adding", "doi=10.1038/s42256-024-00832-8").returncode == 0
    ok, text = call(shelf, "check", {"keys": ["zhang2023adding"], "online": True}, "--allow-network")
    assert not ok, text
    findings = json.loads(text)["findings"]
    assert any(kind == "mismatch" and key == "zhang2023adding" and "different paper" in message
               for kind, key, message, _ in findings)


def test_a_read_only_server_sees_what_the_cli_writes_meanwhile(shelf):
    async def script(client):
        first = await client.call_tool("get", {"key": "lovelace1843notes"})
        added = await anyio.to_thread.run_sync(lambda: cli(shelf, "add", "-", input=BIB))
        second = await client.call_tool("get", {"key": "lovelace1843notes"})
        return first, added, second

    first, added, second = session(shelf, script=script)
    assert first.is_error and added.returncode == 0, added.stderr
    assert not second.is_error and json.loads(second.content[0].text)["year"] == 1843
