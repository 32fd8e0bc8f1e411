"""The SQL audit catches what it must, and the app's statements pass it."""

from __future__ import annotations

import pytest

from tests.sql_audit import check_statement


@pytest.mark.parametrize("statement", [
    "SELECT victims.full_name FROM victims",
    "SELECT phone FROM victims",
    "SELECT * FROM cases",
    "SELECT victims.* FROM victims",
    "SELECT cases.secret_column FROM cases",
])
def test_forbidden_statements_are_caught(statement):
    assert check_statement(statement)


def test_a_contract_query_passes():
    statement = ("SELECT count(*) AS cases, substr(cases.district_pcode, 1, 4) AS area FROM cases "
                 "WHERE cases.reported_on >= ? AND cases.reported_on < ? GROUP BY substr(cases.district_pcode, 1, 4)")
    assert check_statement(statement) == []


def test_quoted_labels_and_function_names_are_not_columns():
    statement = ('SELECT sum(CASE WHEN (cases.reported_on > ?) THEN ? ELSE ? END) AS "more than 5 years", '
                 "CAST(cases.reported_on AS TIMESTAMP WITHOUT TIME ZONE) FROM cases")
    assert check_statement(statement) == []
    assert check_statement("SELECT cases.secret FROM cases")
