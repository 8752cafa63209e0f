"""Case files: schema, loading with line-numbered errors, built-in cases, the `Scenario`."""

from blocs.scenario.load import builtin_cases, load_case, load_text
from blocs.scenario.messages import CaseError, ErrorLine
from blocs.scenario.scenario import Scenario

__all__ = ["CaseError", "ErrorLine", "Scenario", "builtin_cases", "load_case", "load_text"]
