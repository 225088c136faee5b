"""Data Homeroom hands back to the SIS (DESIGN §9: `homeroom export ...`)."""
