from app.rules.ssn import digests_match, normalise_ssn, ssn_digest


def test_dashes_and_spaces_do_not_matter():
    assert normalise_ssn("900-12-3456") == normalise_ssn("900 12 3456") == normalise_ssn("900123456") == "900123456"


def test_anything_but_nine_digits_is_refused():
    assert normalise_ssn("90012345") is None
    assert normalise_ssn("9001234567") is None
    assert normalise_ssn("900-12-345x") is None
    assert normalise_ssn("٩٠٠١٢٣٤٥٦") is None  # other scripts' digits: not what an SSN card shows


def test_a_full_width_keyboard_is_read_as_ascii():
    """A phone keyboard in full-width mode (a retester's find: full-width dates were taken, the SSN refused)."""
    assert normalise_ssn("９００-１２-３４５６") == "900123456"


def test_last_four_mode():
    assert normalise_ssn("3456", digits=4) == "3456"
    assert normalise_ssn("123456", digits=4) is None


def test_the_digest_is_keyed_by_the_pepper():
    assert ssn_digest("pepper-a", "900123456") != ssn_digest("pepper-b", "900123456")
    import hashlib

    assert ssn_digest("pepper-a", "900123456") != hashlib.sha256(b"900123456").hexdigest()


def test_digests_compare_and_missing_never_matches():
    d = ssn_digest("p", "900123456")
    assert digests_match(d, ssn_digest("p", "900123456"))
    assert not digests_match(d, ssn_digest("p", "900123457"))
    assert not digests_match(None, None)
    assert not digests_match(d, None)
