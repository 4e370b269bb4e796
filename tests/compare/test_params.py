"""Request parameters typed by a person."""

import pytest

from ftui.core.compare.params import Params, parse_params
from ftui.core.errors import CoreError


def test_parse_all_fields_into_a_request():
    p = parse_params(temperature="0.2", top_p="0.9", n="3", stop="END|\\n\\n",
                     max_completion_tokens="64", seed="7")
    req = p.request("m", [{"role": "user", "content": "hi"}])
    assert (req.temperature, req.top_p, req.n, req.max_completion_tokens, req.seed) == (0.2, 0.9, 3, 64, 7)
    assert req.stop == ["END", "\n\n"]
    assert Params.from_dict(p.to_dict()) == p


def test_blank_means_the_api_default():
    p = parse_params()
    req = p.request("m", [])
    assert req.temperature is None and req.n is None and req.stop is None


@pytest.mark.parametrize("field,value,words", [
    ("temperature", "3", "between 0 and 2"),
    ("top_p", "abc", "not a number"),
    ("n", "1.5", "whole number"),
    ("max_completion_tokens", "0", "at least 1"),
    ("stop", "a|b|c|d|e", "at most 4"),
])
def test_bad_values_name_the_field(field, value, words):
    with pytest.raises(CoreError) as info:
        parse_params(**{field: value})
    assert field in str(info.value) and words in str(info.value)
