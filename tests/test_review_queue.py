"""Queue helpers: safe highlighting of plugin spans, cursors."""

from __future__ import annotations

import pytest

from discuss.review.queue import QueueFilterError, decode_cursor, highlight


def test_spans_are_marked_and_everything_escaped():
    text = "a <b>bad</b> & worse"
    assert str(highlight(text, [[3, 6]])) == "a &lt;<mark>b&gt;b</mark>ad&lt;/b&gt; &amp; worse"
    assert str(highlight(text, [])) == "a &lt;b&gt;bad&lt;/b&gt; &amp; worse"


def test_overlapping_spans_merge_and_bad_ones_are_ignored():
    text = "one two three"
    spans = [[4, 7], [5, 13], [0, 0], [9, 2], ["x", 3], [True, 2], [-5, 3], [11, 99], "nonsense", [1]]
    assert str(highlight(text, spans)) == "<mark>one</mark> <mark>two three</mark>"


def test_a_span_cannot_split_an_entity_or_inject_markup():
    text = 'x"<script>'
    out = str(highlight(text, [[1, 2], [2, 3]]))
    assert out == "x<mark>&#34;&lt;</mark>script&gt;"
    assert "<script" not in out


@pytest.mark.parametrize("cursor", ["", "!!!", "bm90LWpzb24", "WyIyMDI2LTAxLTAxIiwgInRlbiJd"])
def test_foreign_cursors_are_refused(cursor):
    with pytest.raises(QueueFilterError):
        decode_cursor(cursor)
