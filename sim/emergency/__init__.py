"""Peacetime/emergency switching (平战结合): incidents (and, to come, modes and plans)."""
