"""The HTTP side: controllers by area, form parsing, rendering (page or fragment), guards, errors."""
