"""Tests of ops/, by audience like ops/ itself (dev/, deploy/, admin/); cli and stages here."""
