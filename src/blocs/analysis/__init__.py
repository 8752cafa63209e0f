"""Analysis of results: backtests against real outcomes (later: sensitivity, discovery)."""
