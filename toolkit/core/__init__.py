"""The core: what the report is and what is true of it, with no file format in sight.

The formats (`formats`: the TOML registry of labels, cell ids, rules and finding codes), the report
(`model`, `values`, `layout`), the rules (`rules`, `text_checks`), and what the county does with many
reports (`consolidation`, `review`, `rollup`, `compare`, `against`, `year_over_year`, `feedback`).
Nothing here imports xlwings, openpyxl, python-docx or another layer of the toolkit
(tests/test_layers.py).
"""
