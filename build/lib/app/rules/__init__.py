"""Pure decisions: no I/O, no imports from Litestar or Piccolo. Each has exhaustive unit tests."""
