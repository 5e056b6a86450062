#!/bin/sh
# Regenerate the shell completion scripts from the installed papershelf (tests/test_completions.py
# fails when these files differ from what the app prints).
set -e
cd "$(dirname "$0")"
_PAPERSHELF_COMPLETE=source_bash papershelf > papershelf.bash
_PAPERSHELF_COMPLETE=source_zsh papershelf > _papershelf
_PAPERSHELF_COMPLETE=source_fish papershelf > papershelf.fish
# what is answered before Typer loads: the table a TAB reads (src/papershelf/cli/_completion_table.py)
# and the text of `papershelf --help` (src/papershelf/cli/_help_text.py)
python -m papershelf.cli._quick
