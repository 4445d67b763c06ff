"""The field readers every provider's JSON parser shares, and strict JSON decoding."""

import pytest

from custom_components.openpower.api.errors import ApiResponseError
from custom_components.openpower.api.http import HttpResponse
from custom_components.openpower.api.parse import number, optional_number


@pytest.mark.parametrize(
    "body", [b'{"kwh": NaN}', b'{"kwh": Infinity}', b"[-Infinity]"]
)
def test_json_refuses_what_is_not_json(body: bytes) -> None:
    """Python's decoder accepts NaN and Infinity; JSON has neither: a malformed answer."""
    with pytest.raises(ApiResponseError, match="not valid JSON"):
        HttpResponse(200, {}, body).json()


def test_a_huge_number_is_not_a_number() -> None:
    """`1e999` is valid JSON that decodes to infinity: the reader refuses it."""
    payload = HttpResponse(200, {}, b'{"kwh": 1e999, "cost": -1e999}').json()
    with pytest.raises(ApiResponseError, match="kwh is not a finite number"):
        number(payload, "kwh")
    with pytest.raises(ApiResponseError, match="cost is not a finite number"):
        optional_number(payload, "cost")


@pytest.mark.parametrize("value", [True, "1.5", None, [1]])
def test_number_refuses_other_types(value: object) -> None:
    """Booleans, strings and nulls are not numbers."""
    with pytest.raises(ApiResponseError):
        number({"kwh": value}, "kwh")


def test_numbers_that_are_numbers() -> None:
    """Integers and floats, and an absent optional value."""
    assert number({"kwh": 2}, "kwh") == 2.0
    assert number({"kwh": -0.5e-3}, "kwh") == -0.0005
    assert optional_number({}, "kwh") is None
    assert optional_number({"kwh": None}, "kwh") is None
