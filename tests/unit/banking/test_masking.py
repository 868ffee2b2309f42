from hotline.banking.masking import mask_account, mask_name, mask_pan


def test_pan_shows_first_six_and_last_four_at_most() -> None:
    assert mask_pan("6228480012341234") == "622848******1234"
    assert mask_pan("6228 4800 1234 5671 234") == "622848*********1234"


def test_pan_last_four_only() -> None:
    assert mask_pan("6228480012341234", last4_only=True) == "****1234"


def test_short_number_is_never_shown_in_full() -> None:
    assert mask_pan("123456789012") == "****9012"
    assert mask_pan("1234") == "****"


def test_account_number_last_four() -> None:
    assert mask_account("11000000000012345") == "****2345"
    assert mask_account("123") == "****"


def test_names() -> None:
    assert mask_name("张三") == "张*"
    assert mask_name("张三丰") == "张**"
    assert mask_name("Wang Li") == "W*** Li"
    assert mask_name("Mary Ann Smith") == "M*** A** Smith"
    assert mask_name("李") == "*"
    assert mask_name("  ") == ""
