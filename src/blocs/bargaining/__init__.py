"""Bargaining models: stakeholders' positions, saliences and capabilities to a forecast."""
