"""Word diff of two answers and answer similarity."""

from ftui.core.compare.diff import similarity, tokenize, word_diff


def test_tokens_join_back_to_the_text():
    text = "Hello,  world!\nSecond line  "
    assert "".join(tokenize(text)) == text


def test_diff_marks_only_the_changed_words():
    segs = word_diff("the cat sat on the mat", "the dog sat on the mat")
    changed = [s for s in segs if s.op != "equal"]
    assert len(changed) == 1
    assert changed[0].op == "replace"
    assert changed[0].left.strip() == "cat" and changed[0].right.strip() == "dog"
    assert "".join(s.left for s in segs) == "the cat sat on the mat"
    assert "".join(s.right for s in segs) == "the dog sat on the mat"


def test_insert_and_delete():
    segs = word_diff("a b c", "a c d")
    ops = [s.op for s in segs]
    assert "delete" in ops and "insert" in ops


def test_whitespace_changes_are_not_differences():
    segs = word_diff("one two", "one   two")
    assert all(s.op == "equal" for s in segs)


def test_similarity():
    assert similarity("a b c", "a b c") == 1.0
    assert similarity("a b c", "x y z") == 0.0
    assert 0 < similarity("Paris is the capital", "The capital is Paris") < 1
    assert similarity("", "") == 1.0
