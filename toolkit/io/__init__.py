"""Adapters: reading and writing the media the core's objects live in.

Files taken in within limits (`intake`, `inputs`) and written atomically (`files`); workbooks
(`workbook`: our own .xlsx reader and writers, the templates, the summary), published reports
(`published`: text, HTML, Word and PDF in; Word and HTML out), VBA projects (`vba`), the roster file,
the long table and the feedback documents.  They import the core, never `app` or `ui`.
"""
