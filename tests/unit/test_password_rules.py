import pytest

from app.rules.passwords import MAX_LENGTH, PasswordPolicy, character_classes, is_common, password_errors

DEFAULT = PasswordPolicy(minimum_length=6, strong=False, district_name="Springfield Public Schools")
STRONG = PasswordPolicy(minimum_length=6, strong=True, district_name="Springfield Public Schools")


def errors_for(password, verify=None, *, username="parent1", policy=DEFAULT):
    return [(e.field, e.message) for e in password_errors(password, password if verify is None else verify,
                                                          username=username, policy=policy)]


def test_a_six_character_uncommon_password_meets_the_district_default():
    assert errors_for("kq7wzv") == []


def test_spaces_and_any_unicode_are_allowed():
    assert errors_for("correct horse battery") == []
    assert errors_for("contraseña segura ñandú") == []


def test_shorter_than_the_district_minimum_is_refused():
    assert errors_for("kq7wz")[0][0] == "password"


def test_the_district_can_raise_the_minimum():
    policy = PasswordPolicy(minimum_length=12, district_name="X")
    assert errors_for("kq7wzvplm", policy=policy)[0][1] == "Password must be at least %(min)d characters long"


def test_longer_than_the_maximum_is_refused():
    assert errors_for("x" * (MAX_LENGTH + 1))[0][1] == "Password must be at most %(max)d characters long"


def test_verify_password_must_match():
    assert errors_for("kq7wzv", "kq7wzx") == [
        ("verify_password", "The two passwords are not the same. Type the same password in both boxes")]


def test_an_empty_verify_password_is_asked_for():
    assert errors_for("kq7wzv", "") == [("verify_password", "Enter the password again in Verify Password")]


@pytest.mark.parametrize("password", ["password", "123456", "qwerty123", "Football", "letmein"])
def test_common_and_breached_passwords_are_refused_with_the_reason(password):
    (field, message), *_ = errors_for(password)
    assert field == "password" and "too common" in message


def test_a_password_containing_the_username_is_refused():
    assert errors_for("xxparent1yy")[0][1] == "Password must not contain your username"


def test_a_password_containing_the_district_name_is_refused():
    assert errors_for("Springfield2024!")[0][1] == "Password must not contain the district's name"


@pytest.mark.parametrize("password,classes", [("abcdef", 1), ("abcDEF", 2), ("abcD3F", 3), ("aB3$", 4), ("ÉCOLE", 1)])
def test_character_classes_are_counted(password, classes):
    assert character_classes(password) == classes


def test_strong_password_needs_three_of_four_kinds():
    assert "three of these four" in errors_for("kqzwvplm", policy=STRONG)[0][1]
    assert errors_for("kqzw7Vpl", policy=STRONG) == []
    assert errors_for("kqzw7vp$", policy=STRONG) == []


def test_strong_password_off_accepts_one_kind():
    assert errors_for("kqzwvplm") == []


def test_the_rules_are_described_before_any_error():
    rules = [r for r, _ in STRONG.describe()]
    assert len(rules) == 3 and "three of these four" in rules[1]
    assert len(DEFAULT.describe()) == 2


def test_blocklist_is_case_insensitive():
    assert is_common("PassWord")
