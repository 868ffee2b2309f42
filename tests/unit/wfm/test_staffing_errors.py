"""Bad input and impossible targets: typed errors that name the item and the reason."""

from __future__ import annotations

import pytest

from hotline.wfm.errors import ImpossibleTargetError, QueueInputError, TargetError, WfmError
from hotline.wfm.staffing import staff
from hotline.wfm.staffing_targets import StaffingTargets

SL80 = StaffingTargets(service_level=0.8, threshold_s=20)


def run(calls: list[float | None], **kw: object) -> None:
    args: dict[str, object] = {"aht_s": 240, "interval_s": 1800, "targets": SL80}
    args.update(kw)
    staff(calls, **args)  # type: ignore[arg-type]


def test_negative_volume_names_the_interval() -> None:
    with pytest.raises(QueueInputError, match=r"^interval 2: calls must be zero or more \(got -3"):
        run([10, 20, -3, 40])


def test_missing_volume_names_the_interval() -> None:
    with pytest.raises(QueueInputError, match=r"^interval 1: calls is missing or not finite"):
        run([10, None, 30])


def test_non_positive_aht_names_the_interval() -> None:
    with pytest.raises(QueueInputError, match=r"^interval 1: aht_s must be more than 0 \(got 0"):
        run([10, 20, 30], aht_s=[240, 0, 240])
    with pytest.raises(QueueInputError, match=r"^aht_s must be more than 0 \(got -5"):
        run([10], aht_s=-5)


def test_shrinkage_of_100_percent_is_refused() -> None:
    with pytest.raises(QueueInputError, match=r"^shrinkage must be below 1 \(100 %\) \(got 1\)"):
        run([10], shrinkage=1.0)


def test_service_level_100_percent_in_0_s_is_impossible() -> None:
    t = StaffingTargets(service_level=1.0, threshold_s=0)
    with pytest.raises(ImpossibleTargetError) as err:
        run([10], targets=t)
    assert str(err.value) == (
        "target service level 100 % within 0 s: unreachable with any finite number of agents: "
        "some calls always wait (P(wait) > 0), so some wait longer than 0 s"
    )
    assert err.value.target == "service level 100 % within 0 s"


def test_asa_of_zero_is_impossible() -> None:
    with pytest.raises(ImpossibleTargetError, match=r"^target ASA 0 s: unreachable"):
        run([10], targets=StaffingTargets(max_asa_s=0))


def test_abandon_zero_with_finite_patience_is_impossible() -> None:
    with pytest.raises(
        ImpossibleTargetError,
        match=r"^target abandon 0 %: unreachable with a finite mean patience \(120 s\)",
    ):
        run([10], targets=StaffingTargets(max_abandon=0.0), patience_s=120)


def test_abandon_target_needs_a_patience() -> None:
    with pytest.raises(TargetError, match=r"^target abandon: needs a mean patience \(Erlang A\)"):
        run([10], targets=StaffingTargets(max_abandon=0.05))


def test_occupancy_zero_is_impossible() -> None:
    with pytest.raises(ImpossibleTargetError, match=r"^target occupancy 0 %: unreachable"):
        run([10], targets=StaffingTargets(max_occupancy=0.0))


def test_out_of_range_and_missing_targets() -> None:
    with pytest.raises(TargetError, match=r"^target service level: must be between 0 and 1 \("):
        StaffingTargets(service_level=80)
    with pytest.raises(TargetError, match=r"^target ASA: must be at least 0 s \(got -1\)"):
        StaffingTargets(max_asa_s=-1)
    with pytest.raises(TargetError, match=r"^target none: give at least one of service level"):
        StaffingTargets()


def test_impossible_target_on_an_empty_day_needs_no_agents() -> None:
    # Nothing to answer, so nothing is impossible: zero-call intervals need zero agents.
    plan = staff([0, 0], aht_s=240, interval_s=1800,
                 targets=StaffingTargets(service_level=1.0, threshold_s=0))
    assert plan.raw_agents.tolist() == [0, 0]


def test_every_error_is_a_wfm_error() -> None:
    for cls in (QueueInputError, TargetError, ImpossibleTargetError):
        assert issubclass(cls, WfmError)
