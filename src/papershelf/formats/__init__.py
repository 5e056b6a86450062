"""Reading and writing other formats: BibTeX/biblatex, Markdown reading lists, CSL-JSON.

Pure functions over ``Entry`` objects: no catalogue, no terminal. ``services.export`` selects
the entries and writes the files; ``services.import_*`` bring read entries in.
"""
