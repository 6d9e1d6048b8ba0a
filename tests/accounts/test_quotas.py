from __future__ import annotations

from clippy.accounts.plans import get_plan
from clippy.accounts.quotas import clips_allowed, recording_allowed

FREE, PRO, BUSINESS = get_plan("free"), get_plan("pro"), get_plan("business")


def test_free_plan_records_one_hour_per_day() -> None:
    ok = recording_allowed(FREE, used_seconds_today=3590, adding_seconds=10)
    assert ok.allowed and ok.remaining_seconds == 10 and ok.message == ""
    full = recording_allowed(FREE, used_seconds_today=3600, adding_seconds=10)
    assert not full.allowed
    assert full.remaining_seconds == 0
    assert full.message == (
        "Your free plan records 1 h per day; today's hour is used up."
        " It resets at 00:00 UTC, or upgrade to Pro for 4 h."
    )


def test_measured_overshoot_below_half_a_second_is_tolerated() -> None:
    assert recording_allowed(FREE, 3590, 10.4).allowed
    assert not recording_allowed(FREE, 3590, 10.6).allowed


def test_partial_allowance_says_how_much_is_left() -> None:
    d = recording_allowed(FREE, 3595, 10)
    assert not d.allowed and d.remaining_seconds == 5
    assert "only 5 s are left today, less than this 10 s segment" in d.message


def test_pro_plan_records_four_hours_and_points_to_business() -> None:
    assert recording_allowed(PRO, 4 * 3600 - 10, 10).allowed
    d = recording_allowed(PRO, 4 * 3600, 10)
    assert not d.allowed
    assert "Your pro plan records 4 h per day; today's 4 hours are used up" in d.message
    assert d.message.endswith("or upgrade to Business for unlimited recording.")


def test_business_plan_records_without_limit() -> None:
    d = recording_allowed(BUSINESS, used_seconds_today=24 * 3600, adding_seconds=3600)
    assert d.allowed and d.remaining_seconds is None


def test_free_plan_makes_three_clips_per_day() -> None:
    assert clips_allowed(FREE, 0) == 3
    assert clips_allowed(FREE, 2) == 1
    assert clips_allowed(FREE, 3) == 0
    assert clips_allowed(FREE, 7) == 0


def test_paid_plans_make_unlimited_clips() -> None:
    assert clips_allowed(PRO, 500) is None
    assert clips_allowed(BUSINESS, 500) is None
