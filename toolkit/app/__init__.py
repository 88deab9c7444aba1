"""Services: one function per job a user asks for, calling the core and the adapters.

Checking a file (`checking`), reading a county's submissions (`submissions`), distributing workbooks
(`distribute`), importing and exporting published reports (`publishing`), the built-in sample data
(`samples`, `demo`), the pandas API (`frames`) and installing on the users' PCs (`install`).  They
import the core and the adapters, never `ui`.
"""
