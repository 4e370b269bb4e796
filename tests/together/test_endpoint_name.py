"""Endpoint names: Together's limits (letters, digits, dashes, at most 50) and one name per tuned model."""

from ftui.core.backends.together_deploy import endpoint_name

BASE = "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference"


def test_two_tuned_models_of_one_base_get_different_names():
    first = endpoint_name(f"team/{BASE.split('/')[1]}-sandbox-ftui-0a1b2c3d")
    second = endpoint_name(f"team/{BASE.split('/')[1]}-sandbox-ftui-9f8e7d6c")
    assert first != second
    assert first.endswith("0a1b2c3d-ftui") and second.endswith("9f8e7d6c-ftui")


def test_names_keep_to_together_limits():
    for model in (BASE, "x" * 120, "a/B_c.d", "///"):
        name = endpoint_name(model)
        assert len(name) <= 50, name
        assert all(c.isalnum() or c == "-" for c in name) and name == name.lower()
    assert endpoint_name("Qwen/Qwen2.5-7B") == "qwen2-5-7b-ftui"
