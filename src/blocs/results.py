"""The balance sheet of a case: every model's tables in one object, as JSON or files.

`analyse` runs leverage, reach, encirclement and the forecasts on a scenario; `Balance` holds
the tables (pandas DataFrames) and turns them into the JSON contract of ``blocs run --json``
(docs/json-output.md) or into CSV and Parquet files (``--out DIR``).
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from blocs import __version__
from blocs.bargaining.forecast import forecast
from blocs.geography.reach import encirclement, focus_memberships, reach_all
from blocs.influence.indicators import indicators
from blocs.influence.leverage import bloc_totals, effective_number, leverage, power_totals
from blocs.scenario.scenario import Scenario

JSON_SCHEMA_VERSION = 1
TABLES = ("indicators", "leverage", "powers", "blocs", "reach", "encirclement", "forecasts")


@dataclass(frozen=True)
class Balance:
    """Results of `analyse`: one DataFrame per table plus the two summary numbers."""

    case: str
    name: str
    focus: str
    year: int
    indicators: pd.DataFrame
    leverage: pd.DataFrame
    powers: pd.DataFrame
    blocs: pd.DataFrame
    effective_pillars: float
    effective_blocs: float
    reach: pd.DataFrame
    encirclement: pd.DataFrame
    forecasts: pd.DataFrame
    #: The focus's places in the blocs' organisations (never counted as bloc territory).
    focus_memberships: list[dict[str, str]] = field(default_factory=list)
    #: The yearly path over the case's period (`with_years`): rows year, table, name, value
    #: (docs/dynamics.md, "Outputs"); None for a one-year balance sheet.
    years: pd.DataFrame | None = None
    #: How the yearly path was run: start, end, model, seed.
    dynamics: dict[str, Any] | None = None

    def with_years(self, simulation: Any) -> Balance:
        """This balance sheet with the yearly path of a one-run `blocs.dynamics.Simulation`."""
        from dataclasses import replace

        meta = {"start": int(simulation.years[0]), "end": int(simulation.years[-1]),
                "model": simulation.model, "seed": simulation.seed}
        return replace(self, years=simulation.rows(0), dynamics=meta)

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract (docs/json-output.md): plain lists and numbers."""
        return {
            "schema": JSON_SCHEMA_VERSION,
            "blocs_version": __version__,
            "case": self.case,
            "name": self.name,
            "focus": self.focus,
            "year": self.year,
            "leverage": _records(self.leverage),
            "indicators": _records(self.indicators),
            "powers": _records(self.powers),
            "blocs": _records(self.blocs),
            "effective_pillars": _number(self.effective_pillars),
            "effective_blocs": _number(self.effective_blocs),
            "reach": _records(self.reach),
            "encirclement": _records(self.encirclement),
            "forecasts": _records(self.forecasts),
            "focus_memberships": list(self.focus_memberships),
        } | ({} if self.years is None else {
            "dynamics": dict(self.dynamics or {}), "years": _records(self.years)})

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def write(self, out: str | Path) -> list[Path]:
        """Write every table as CSV and Parquet, and ``balance.json``, into folder ``out``.

        Files are first written to a scratch folder beside ``out`` and then moved into place
        one by one (an atomic rename each), so a failure leaves earlier files whole.
        """
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        with tempfile.TemporaryDirectory(dir=out, prefix=".blocs-") as tmp:
            staged: list[tuple[Path, Path]] = []
            for name in TABLES:
                frame = getattr(self, name)
                csv_path = Path(tmp) / f"{name}.csv"
                _flat(frame, for_csv=True).to_csv(csv_path, index=False)
                pq_path = Path(tmp) / f"{name}.parquet"
                _flat(frame, for_csv=False).to_parquet(pq_path, index=False)
                staged += [(csv_path, out / csv_path.name), (pq_path, out / pq_path.name)]
            if self.years is not None:
                for name, frame in _year_tables(self.years).items():
                    csv_path = Path(tmp) / f"{name}.csv"
                    frame.to_csv(csv_path)
                    staged.append((csv_path, out / csv_path.name))
                pq_path = Path(tmp) / "years.parquet"
                self.years.to_parquet(pq_path, index=False)
                staged.append((pq_path, out / pq_path.name))
            js = Path(tmp) / "balance.json"
            js.write_text(self.to_json(), encoding="utf-8")
            staged.append((js, out / js.name))
            for src, dst in staged:
                os.replace(src, dst)
                written.append(dst)
        return written


def analyse(scenario: Scenario, year: int | None = None, model: str | None = None) -> Balance:
    """Run leverage, bloc totals, reach, encirclement and the issue forecasts (with ``model``;
    default: the frozen default forecaster, as everywhere in blocs).

    >>> from blocs.scenario import load_case
    >>> balance = analyse(load_case("serbia-2024"))
    >>> balance.powers.iloc[0]["power"]
    'EU'
    """
    year = scenario.year if year is None else year
    ind = indicators(scenario, year=year)
    lev = leverage(scenario, year=year, table=ind)
    powers = power_totals(lev)
    blocs = bloc_totals(scenario, lev, year)
    return Balance(
        case=scenario.case_id,
        name=scenario.name,
        focus=scenario.focus,
        year=year,
        indicators=ind,
        leverage=lev,
        powers=powers,
        blocs=blocs,
        effective_pillars=effective_number(powers["value"]) if len(powers) else math.nan,
        effective_blocs=effective_number(blocs["value"]) if len(blocs) else math.nan,
        reach=reach_all(scenario, year=year),
        encirclement=encirclement(scenario, year=year),
        focus_memberships=focus_memberships(scenario, year),
        forecasts=forecast(scenario, model=model, year=year),
    )


def _year_tables(rows: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The yearly rows as ``years.csv`` (long: year, table, name, value) and one wide table
    per kind, ``years_<table>.csv`` (a row per year, a column per name)."""
    out = {"years": rows.set_index("year")}
    for table, part in rows.groupby("table", sort=False):
        out[f"years_{table}"] = part.pivot(index="year", columns="name", values="value")[
            list(dict.fromkeys(part["name"]))]
    return out


def _number(x: float) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def plain(value: Any) -> Any:
    """JSON-ready: NaN as None, NumPy scalars as Python numbers, through lists and dicts."""
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if hasattr(value, "item"):  # numpy scalars
        return plain(value.item())
    return value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: plain(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def _flat(frame: pd.DataFrame, for_csv: bool) -> pd.DataFrame:
    """Lists of codes become ';'-joined text in CSV (kept as lists in Parquet); nested
    records (presence) become JSON text in both."""
    out = frame.copy()
    for col in out.columns:
        sample = next((v for v in out[col] if isinstance(v, list)), None)
        if sample is None:
            continue
        nested = any(isinstance(x, dict) for v in out[col] if isinstance(v, list) for x in v)
        if nested:
            out[col] = [json.dumps(plain(v), ensure_ascii=False) for v in out[col]]
        elif for_csv:
            out[col] = [";".join(map(str, v)) if isinstance(v, list) else "" for v in out[col]]
    return out
