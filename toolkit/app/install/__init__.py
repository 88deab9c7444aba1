"""Installing the toolkit where its users are: the offline bundle (`xxgk bundle`), the xlwings
setting that points Excel's buttons at the installed Python (`xxgk excel-config`), and the check
that an installation works (`xxgk selftest`)."""
