"""A thin column-wise model builder over HiGHS, shared by the weekly and intraday schedulers.

Columns are added with their coefficients as ``{row: value}``; rows are declared with bounds.
Solving is computation, not I/O, so it lives in the pure package; HiGHS reports its own run
time, so no clock is read here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np

INF = float(highspy.kHighsInf)


@dataclass(frozen=True, kw_only=True, slots=True)
class MipOutcome:
    """What HiGHS found: values (``None`` if no feasible point), objective, bounds, timings."""

    values: tuple[float, ...] | None
    status: str
    objective: float
    dual_bound: float
    mip_gap: float
    lp_bound: float
    seconds: float


class ColumnModel:
    """Collects a MIP column by column; call :meth:`solve` once."""

    def __init__(self) -> None:
        self._cost: list[float] = []
        self._lower: list[float] = []
        self._upper: list[float] = []
        self._integer: list[bool] = []
        self._starts: list[int] = [0]
        self._index: list[int] = []
        self._value: list[float] = []
        self._row_lower: list[float] = []
        self._row_upper: list[float] = []

    @property
    def num_cols(self) -> int:
        return len(self._cost)

    @property
    def num_rows(self) -> int:
        return len(self._row_lower)

    def add_row(self, lower: float, upper: float) -> int:
        """Declare a row ``lower <= a·x <= upper``; returns its index."""
        self._row_lower.append(lower)
        self._row_upper.append(upper)
        return len(self._row_lower) - 1

    def add_col(
        self,
        cost: float,
        coefficients: Mapping[int, float],
        *,
        lower: float = 0.0,
        upper: float = INF,
        integer: bool = False,
    ) -> int:
        """Add a column; returns its index."""
        self._cost.append(cost)
        self._lower.append(lower)
        self._upper.append(upper)
        self._integer.append(integer)
        for row in sorted(coefficients):
            value = coefficients[row]
            if value != 0.0:
                self._index.append(row)
                self._value.append(value)
        self._starts.append(len(self._index))
        return len(self._cost) - 1

    def _lp(self) -> highspy.HighsLp:
        lp = highspy.HighsLp()
        lp.num_col_ = self.num_cols
        lp.num_row_ = self.num_rows
        lp.col_cost_ = np.array(self._cost, dtype=np.float64)
        lp.col_lower_ = np.array(self._lower, dtype=np.float64)
        lp.col_upper_ = np.array(self._upper, dtype=np.float64)
        lp.row_lower_ = np.array(self._row_lower, dtype=np.float64)
        lp.row_upper_ = np.array(self._row_upper, dtype=np.float64)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = np.array(self._starts, dtype=np.int32)
        lp.a_matrix_.index_ = np.array(self._index, dtype=np.int32)
        lp.a_matrix_.value_ = np.array(self._value, dtype=np.float64)
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
            for i in self._integer
        ]
        return lp

    def solve(
        self, *, time_limit_s: float, mip_rel_gap: float, relaxation_first: bool = True
    ) -> MipOutcome:
        """Solve the LP relaxation (for its bound), then the MIP to ``mip_rel_gap``.

        One thread and a fixed seed, so the same model gives the same answer. The two solves use
        separate HiGHS instances: a MIP run on an instance that already ran the relaxation
        overran its time limit (HiGHS 1.16).
        """
        lp = self._lp()
        lp_bound = -INF
        seconds = 0.0
        if relaxation_first:
            relaxed = _highs(lp, time_limit_s)
            relaxed.setOptionValue("solve_relaxation", True)
            relaxed.run()
            seconds += float(relaxed.getRunTime())
            if relaxed.getModelStatus() == highspy.HighsModelStatus.kOptimal:
                lp_bound = float(relaxed.getInfo().objective_function_value)
        h = _highs(lp, max(1.0, time_limit_s - seconds))
        # Stop as soon as the incumbent is within ``mip_rel_gap`` of the LP bound; HiGHS's own
        # gap (to its tighter dual bound) is only asked to reach a tenth of that, so whichever
        # proof comes first ends the search.
        h.setOptionValue("mip_rel_gap", float(mip_rel_gap) / (10 if relaxation_first else 1))
        if relaxation_first and lp_bound > -INF:
            h.cbMipInterrupt.subscribe(_stop_near(lp_bound, mip_rel_gap))
        h.run()
        seconds += float(h.getRunTime())
        info = h.getInfo()
        status = h.modelStatusToString(h.getModelStatus())
        if h.getModelStatus() == highspy.HighsModelStatus.kInterrupt:
            status = f"Within {mip_rel_gap:.2%} of LP bound"
        feasible = info.primal_solution_status == 2  # kSolutionStatusFeasible
        values = tuple(float(v) for v in h.getSolution().col_value) if feasible else None
        return MipOutcome(
            values=values,
            status=status,
            objective=float(info.objective_function_value) if feasible else INF,
            dual_bound=float(info.mip_dual_bound),
            mip_gap=float(info.mip_gap),
            lp_bound=lp_bound,
            seconds=seconds,
        )


def _highs(lp: highspy.HighsLp, time_limit_s: float) -> highspy.Highs:
    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("time_limit", float(time_limit_s))
    h.passModel(lp)
    return h


def _stop_near(bound: float, rel_gap: float) -> Callable[[Any], None]:
    def check(event: Any) -> None:
        incumbent = float(event.data_out.mip_primal_bound)
        if incumbent < INF and incumbent - bound <= rel_gap * max(abs(incumbent), 1e-9):
            event.interrupt()

    return check
