"""Data Homeroom hands back to the SIS (docs/design.md §9: `homeroom export ...`)."""
