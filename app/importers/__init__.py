"""Bringing the district's data in (docs/design.md §6): OneRoster 1.1/1.2 CSV, attendance and SSN files.

Every import reads and checks its files first (pure functions, no database), then applies everything in one
transaction or nothing at all. Problems are reported with file, line and column (app/importers/problems.py).
"""
