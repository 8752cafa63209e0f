"""Leverage from ties: bandwidth and dependence by domain, soft and hard, bloc aggregates."""
