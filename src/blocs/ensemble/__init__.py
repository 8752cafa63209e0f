"""Ensembles: uncertain inputs sampled, many futures run at once, stored and summarised
(docs/ensembles.md)."""
