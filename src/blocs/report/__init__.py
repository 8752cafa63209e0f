"""Reports: text views of a case and of its results (the briefing comes later)."""
