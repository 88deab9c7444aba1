"""The faces: the command line's help, wording and console output (`cli_text`, `console`, `terminal`,
`interrupt`) and the workbook buttons (`buttons`, run through toolkit.excel).  They gather input, call
the services and render; no rule or label is decided here.
"""
