"""Scripted calls through the shipped main hotline flow, one per banking function."""

from __future__ import annotations

import pytest

from hotline.ivr import (
    AuthenticationFailed,
    AuthenticationSucceeded,
    BankRequest,
    Collect,
    Enqueue,
    HangUp,
    LockedOut,
    OfferCallback,
    StartVoicemail,
    SurveyAnswered,
    Wait,
)
from hotline.ivr.library import shipped_flow
from tests.unit.ivr.scripted import ACCOUNT, CARD, CREDIT_CARD, PIN, SAVINGS, Bank, Caller

FLOW = shipped_flow("bank-hotline")


def english() -> Caller:
    return Caller(FLOW).call(business_hours="true", holiday="false").keys("2")


def test_balance_in_english_then_survey_and_goodbye() -> None:
    c = english().keys("1", CARD + "#", PIN)
    assert "Your balance is 5000 CNY." in c.said
    assert c.state is not None and c.state.node == "anything_else"
    c.keys("9", "5")
    assert c.of(SurveyAnswered) == [SurveyAnswered(node="survey", score=5, reason="")]
    assert c.prompts[-1] == "goodbye" and isinstance(c.outputs[-2], HangUp)
    assert c.ended.outcome == "completed" and c.ended.node == "goodbye"
    assert c.ended.seconds == pytest.approx(3 * (len(c.inputs) - 1))


def test_mandarin_is_the_default_language_after_silence() -> None:
    c = Caller(FLOW).call().silence(2).keys("1", CARD + "#", PIN)
    assert "您的账户余额为5000CNY。" in c.said


def test_last_transactions_are_read_one_by_one() -> None:
    c = english().keys("2", CARD, PIN)
    assert c.bank.requests[-1].arguments["count"] == "5"
    items = [t for t in c.said if t.endswith("yuan.") and ", POS, " in t]
    assert items == [f"3月{d}日, POS, {10 * d} yuan." for d in range(1, 6)]


def test_transfer_reads_back_and_moves_money_only_after_confirmation() -> None:
    c = english().keys("3", ACCOUNT + "#", PIN, SAVINGS + "#", "300#")
    assert (
        c.said[-1]
        == f"You are transferring 300 yuan to account {SAVINGS}. Press 1 to confirm, 2 to cancel."
    )
    assert c.bank.balances == {ACCOUNT: 5000, SAVINGS: 200}
    c.keys("1")
    assert c.bank.balances == {ACCOUNT: 4700, SAVINGS: 500}
    transfer = c.bank.requests[-1]
    assert transfer.operation == "transfer"
    assert dict(transfer.arguments) == {
        "customer_id": "C1", "from_account": ACCOUNT, "to_account": SAVINGS, "amount": "300",
    }  # fmt: skip
    assert "Done. Reference T1; your balance is now 4700 yuan." in c.said


def test_transfer_cancelled_with_2_moves_nothing() -> None:
    c = english().keys("3", ACCOUNT, PIN, SAVINGS, "300", "2")
    assert c.prompts[-2:] == ["transfer_cancelled", "anything_else"]
    assert [r.operation for r in c.bank.requests] == ["verify_pin"]


@pytest.mark.parametrize(
    ("to", "amount", "prompt"),
    [(SAVINGS, "9000", "no_funds"), ("9999000011112", "10", "not_own_account")],
)
def test_transfer_refusals_have_their_own_prompt(to: str, amount: str, prompt: str) -> None:
    c = english().keys("3", ACCOUNT, PIN, to, amount, "1")
    assert c.prompts[-2:] == [prompt, "anything_else"]
    assert c.state is not None and c.state.variables["bank_error"] != ""


def test_transfer_over_the_limit() -> None:
    c = Caller(FLOW, Bank(limit=100, balances={ACCOUNT: 10**6, SAVINGS: 0})).call().keys("1")
    c.keys("3", ACCOUNT, PIN, SAVINGS, "101", "1")
    assert c.prompts[-2:] == ["over_limit", "anything_else"]


def test_lost_card_is_frozen_at_once() -> None:
    c = english().keys("4", CARD, PIN)
    assert c.bank.frozen
    assert c.bank.requests[-1].operation == "freeze_card"
    assert c.bank.requests[-1].arguments["card"] == CARD
    assert "Your card is now frozen. Reference F1." in c.said
    # A second report in the same call is told the card is already frozen.
    c.keys("1", "4")
    assert c.prompts[-2:] == ["card_already_frozen", "anything_else"]


def test_credit_card_repayment() -> None:
    c = english().keys("5", CARD, PIN, CREDIT_CARD, "1200#")
    # The read-back never says the card number (it would be a full PAN on the line).
    assert c.said[-1].startswith("You are repaying 1200 yuan to the credit card you entered.")
    assert CREDIT_CARD not in c.said[-1]
    c.keys("1")
    assert c.bank.outstanding == 1800 and c.bank.balances[ACCOUNT] == 3800
    assert "Repayment done. 1800 yuan remains outstanding." in c.said


def test_authenticated_once_for_several_functions() -> None:
    c = english().keys("1", CARD, PIN, "1", "2")
    assert [r.operation for r in c.bank.requests] == ["verify_pin", "balance", "transactions"]


def test_three_wrong_pins_lock_out_and_go_to_an_agent() -> None:
    c = english().keys("1", CARD, "111111", "222222")
    assert c.prompts.count("wrong_pin") == 2
    assert [e.attempt for e in c.of(AuthenticationFailed)] == [1, 2]  # type: ignore[attr-defined]
    c.keys("333333")
    assert c.of(LockedOut) == [LockedOut(node="balance_auth")]
    assert "pin_locked" in c.prompts
    (enqueue,) = c.of(Enqueue)
    assert isinstance(enqueue, Enqueue) and enqueue.workflow == "general"
    assert enqueue.attributes["intent"] == "balance"
    assert enqueue.attributes["authenticated"] == "false"
    assert c.ended.outcome == "enqueued"


def test_right_pin_on_the_third_attempt_still_gets_in() -> None:
    c = english().keys("1", CARD, "111111", "222222", PIN)
    assert c.of(AuthenticationSucceeded) == [
        AuthenticationSucceeded(node="balance_auth", attempt=3)
    ]
    assert "Your balance is 5000 CNY." in c.said


def test_a_pin_already_locked_at_the_bank_locks_out_at_once() -> None:
    c = Caller(FLOW, Bank(wrong=3)).call().keys("1", "1", CARD, PIN)
    assert c.of(LockedOut) and c.state is not None
    assert c.state.variables["auth_error"] == "locked"


def test_junk_card_numbers_and_silence_then_fail_to_an_agent() -> None:
    c = english().keys("1", "12#", "*#")
    assert c.prompts.count("not_understood") == 2
    c.silence()
    assert c.state is not None and c.state.variables["auth_error"] == "no_input"
    assert c.ended.outcome == "enqueued"
    assert [r for r in c.bank.requests] == []


def test_pin_collect_is_secret_and_exact_length() -> None:
    c = english().keys("1", CARD)
    collect = c.outputs[-1]
    assert collect == Collect(max_digits=6, min_digits=6, timeout_s=10.0, secret=True)
    c.keys("12345")  # too short: asked again, the bank never sees it
    assert c.prompts[-2:] == ["not_understood", "enter_pin"]
    assert c.bank.requests == []


def test_junk_keys_at_the_main_menu_then_an_agent_with_callback_offer() -> None:
    c = english()
    c.wait_s = 600
    c.keys("7", "#", "8")
    assert c.prompts.count("not_understood") == 2
    assert c.state is not None and c.state.wait is Wait.DIGITS
    assert c.said[-1].startswith("The wait is about 10 minutes.")
    c.keys("1")
    (callback,) = c.of(OfferCallback)
    assert callback == OfferCallback(
        workflow="general",
        number="13800138000",
        attributes=callback.attributes,
        priority=0,  # type: ignore[attr-defined]
    )
    assert c.ended.outcome == "callback" and c.prompts[-1] == "callback_booked"


def test_short_wait_goes_straight_to_the_queue() -> None:
    c = english().keys("0")
    assert not c.of(OfferCallback)
    assert c.prompts[-1] == "to_agent" and c.ended.outcome == "enqueued"


def test_withheld_number_is_not_offered_a_callback() -> None:
    c = Caller(FLOW, wait_s=900).call(number="").keys("1", "0")
    assert c.ended.outcome == "enqueued"


def test_out_of_hours_offers_voicemail() -> None:
    c = Caller(FLOW).call(business_hours="false").keys("2", "0")
    assert c.prompts[-1] == "closed"
    c.keys("1")
    (vm,) = c.of(StartVoicemail)
    assert isinstance(vm, StartVoicemail) and vm.mailbox == "general"
    assert vm.attributes["language"] == "en"
    assert c.ended.outcome == "voicemail"


def test_holiday_closed_and_silence_says_goodbye() -> None:
    c = Caller(FLOW).call(holiday="true").keys("1", "0").silence()
    assert c.prompts[-1] == "goodbye" and c.ended.outcome == "completed"


def test_vip_segment_found_at_authentication_enqueues_with_priority() -> None:
    c = Caller(FLOW, Bank(segment="vip")).call(province="BJ").keys("2", "1", CARD, PIN, "0")
    (enqueue,) = c.of(Enqueue)
    assert isinstance(enqueue, Enqueue)
    assert (enqueue.workflow, enqueue.priority) == ("vip", 10)
    assert dict(enqueue.attributes) == {
        "intent": "balance", "language": "en", "authenticated": "true", "segment": "vip",
        "province": "BJ", "customer_id": "C1",
    }  # fmt: skip


def test_low_survey_score_asks_a_reason() -> None:
    c = english().keys("1", CARD, PIN, "9", "2", "1")
    assert c.of(SurveyAnswered) == [SurveyAnswered(node="survey", score=2, reason="long_wait")]


def test_caller_hanging_up_mid_pin_is_abandoned_there() -> None:
    c = english().keys("1", CARD).hang_up()
    assert (c.ended.outcome, c.ended.node) == ("abandoned", "balance_auth")
    assert not [r for r in c.bank.requests if isinstance(r, BankRequest)]
