"""Reading and writing other formats: BibTeX/biblatex, Markdown reading lists, CSL-JSON.

Pure functions over ``Entry`` objects: no catalogue, no terminal. The commands in
``papershelf.cli.export`` select the entries and write the files.
"""
