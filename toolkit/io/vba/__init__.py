"""A small, pure-Python writer of VBA projects (MS-OVBA) in their compound-file container (MS-CFB):
`compression` (MS-OVBA §2.4.1), `cfb` (the container), `project` (the streams of a project built
from module sources, as Office compiles them on first open)."""
