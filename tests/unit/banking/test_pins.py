import pytest

from hotline.banking.errors import InvalidInput
from hotline.banking.pins import SANDBOX_PARAMS, PinHasher, PinRecord, require_pin


def test_hash_is_argon2id_and_verifies() -> None:
    hasher = PinHasher(params=SANDBOX_PARAMS)
    digest = hasher.hash("482913")
    assert digest.startswith("$argon2id$")
    assert "482913" not in digest
    assert hasher.verify(digest, "482913")
    assert not hasher.verify(digest, "482914")


def test_same_pin_gets_different_salts() -> None:
    hasher = PinHasher(params=SANDBOX_PARAMS)
    assert hasher.hash("111111") != hasher.hash("111111")


def test_corrupt_hash_never_verifies() -> None:
    assert not PinHasher(params=SANDBOX_PARAMS).verify("$argon2id$v=19$garbage", "111111")


def test_default_params_are_rfc_9106_low_memory() -> None:
    params = PinHasher().params
    assert (params.time_cost, params.memory_cost_kib, params.parallelism) == (3, 65_536, 4)


@pytest.mark.parametrize("bad", ["12345", "1234567", "12a456", "１２３４５６", ""])
def test_pin_format_error_does_not_echo_the_pin(bad: str) -> None:
    with pytest.raises(InvalidInput) as err:
        require_pin(bad)
    assert str(err.value) == "pin: must be exactly 6 digits"


def test_three_consecutive_failures_lock_and_success_resets() -> None:
    record = PinRecord(customer_id="A", pin_hash="h")
    once = record.after_failure().after_failure()
    assert (once.failures, once.locked) == (2, False)
    assert once.after_success().failures == 0
    locked = once.after_failure()
    assert locked.locked
    assert locked.after_success().locked, "a success does not unlock"
    assert not locked.unlocked().locked


def test_repr_hides_the_hash() -> None:
    record = PinRecord(customer_id="A", pin_hash="$argon2id$secret")
    assert "argon2" not in repr(record)
