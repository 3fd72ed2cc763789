"""Rows appended to `Columns` come back as columns of exactly the numbers appended, across
chunk boundaries, typed where every value of a chunk fits the field's type."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.metrics.recorder import Columns

FIELDS = ("id", "code", "time")
TYPES = ("i8", "i1", "f8")

rows = st.lists(
    st.tuples(
        st.integers(0, 2**50),
        st.one_of(st.integers(-128, 127), st.just(1000), st.just(math.nan)),
        st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-5, 5)),
    ),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(rows=rows, chunk=st.integers(1, 7))
def test_columns_hold_exactly_the_rows_appended(rows: list[tuple], chunk: int) -> None:
    columns = Columns(FIELDS, TYPES, chunk=chunk)
    for row in rows:
        columns.append(row)
    assert len(columns) == len(rows)
    for j, name in enumerate(FIELDS):
        expected = np.array([float(row[j]) for row in rows])
        got = columns.column(name)
        np.testing.assert_array_equal(got.astype(float), expected)


def test_a_chunk_keeps_the_field_type_only_where_every_value_fits() -> None:
    columns = Columns(FIELDS, TYPES, chunk=2)
    for row in [(1, 3, 0.5), (2, 4, 1.5), (3, 1000, 2.5), (4, 5, 3.5)]:
        columns.append(row)
    columns.flush()
    codes = columns.parts[1]
    assert [part.dtype for part in codes] == [np.dtype("i1"), np.dtype("f8")]
    assert columns.column("code").tolist() == [3, 4, 1000, 5]


@settings(max_examples=200, deadline=None)
@given(rows=rows, chunk=st.integers(1, 7), data=st.data())
def test_a_field_placed_at_rows_equals_the_column_reordered(
    rows: list[tuple], chunk: int, data: st.DataObject
) -> None:
    columns = Columns(FIELDS, TYPES, chunk=chunk)
    for row in rows:
        columns.append(row)
    order = np.array(data.draw(st.permutations(range(len(rows)))), dtype=np.intp)
    where = np.empty(len(rows), np.intp)
    where[order] = np.arange(len(rows))  # value i goes to row where[i]
    for name, dtype in (("id", np.int64), ("time", float)):
        out = np.empty(len(rows), dtype)
        columns.place(name, out, where)
        np.testing.assert_array_equal(out, columns.column(name)[order].astype(dtype))


def test_a_released_field_is_placed_once() -> None:
    columns = Columns(FIELDS, TYPES, chunk=2)
    for row in [(1, 3, 0.5), (2, 4, 1.5), (3, 5, 2.5)]:
        columns.append(row)
    out = np.zeros(5, np.int32)
    columns.place("code", out, np.array([4, 0, 2]), release=True)
    assert out.tolist() == [4, 0, 5, 0, 3]
    with pytest.raises(RuntimeError, match="released"):
        columns.place("code", out, np.array([4, 0, 2]))
