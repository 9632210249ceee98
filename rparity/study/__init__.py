"""The study pipeline (filled in below)."""
