"""Case files: schema, loading with line-numbered errors, built-in cases, the `Scenario`."""

from blocs.scenario.load import CaseError, Problem, builtin_cases, load_case, load_text
from blocs.scenario.scenario import Scenario

__all__ = ["CaseError", "Problem", "Scenario", "builtin_cases", "load_case", "load_text"]
