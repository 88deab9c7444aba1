"""Published reports in and out.

- `text`: any published file (plain text, HTML, .docx, text-based PDF) as a sequence of lines;
- `labels`, `importer`: a published report read into a `Report`, with a finding for whatever could not
  be read with certainty (pure: no file-format library);
- `export`: a `Report` as the report to publish (.docx or .html bytes);
- `commands`: one file each for `xxgk import` and `xxgk export` (read, convert, write, check).
"""
