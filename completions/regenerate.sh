#!/bin/sh
# Regenerate the shell completion scripts from the installed papershelf (tests/test_completions.py
# fails when these files differ from what the app prints).
set -e
cd "$(dirname "$0")"
_PAPERSHELF_COMPLETE=source_bash papershelf > papershelf.bash
_PAPERSHELF_COMPLETE=source_zsh papershelf > _papershelf
_PAPERSHELF_COMPLETE=source_fish papershelf > papershelf.fish
python -m papershelf.cli._quick  # the table a TAB reads before Typer loads (src/papershelf/cli/_completion_table.py)
