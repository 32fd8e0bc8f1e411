"""Three reporting calendars at once: what an account may pick, and what a filter of another calendar becomes."""

from __future__ import annotations

import pytest

from impact_monitor.accounts import AccountsError, load_users
from queries.periods import PeriodError, parse_period
from queries.scope import FilterError, LEADERSHIP, make_filter, make_scope, reporting_period
from tests.test_accounts import HASH



def test_leadership_sees_a_period_in_the_calendar_it_names():
    for label in ("2026-Q3", "BD-FY2027-Q1", "US-FY2027", "2026"):
        assert reporting_period(parse_period(label), LEADERSHIP).label == label


@pytest.mark.parametrize("calendar, quarter, year", [("bd-fiscal", "BD-FY2027-Q1", "BD-FY2027"),
                                                     ("us-fiscal", "US-FY2026-Q4", "US-FY2026")])
def test_an_external_account_sees_quarters_named_in_its_calendar_and_only_its_years(gazetteer, calendar, quarter,
                                                                                    year):
    donor = make_scope("donor", (), gazetteer, calendar)
    assert make_filter(parse_period("2026-Q3"), "BD", "national", donor, gazetteer).period.label == quarter
    assert make_filter(parse_period(year), "BD", "division", donor, gazetteer).period.label == year
    with pytest.raises(FilterError, match="reports in the"):
        make_filter(parse_period("2026"), "BD", "national", donor, gazetteer)
    other = "US-FY2027" if calendar == "bd-fiscal" else "BD-FY2027"
    with pytest.raises(FilterError, match=f"not {other}"):
        make_filter(parse_period(other), "BD", "national", donor, gazetteer)


def test_a_scope_names_a_known_calendar_and_keeps_it_in_its_cache_key(gazetteer):
    with pytest.raises(PeriodError, match="is not a calendar"):
        make_scope("donor", (), gazetteer, "fiscal")
    keys = {make_scope("donor", (), gazetteer, calendar).cache_key for calendar in ("calendar", "us-fiscal")}
    assert len(keys) == 2


def test_the_users_file_gives_an_account_its_calendar(tmp_path):
    path = tmp_path / "users.toml"
    path.write_text(f'[users.usaid]\npassword_hash = "{HASH}"\nrole = "donor"\ncalendar = "us-fiscal"\n'
                    f'[users.boss]\npassword_hash = "{HASH}"\nrole = "leadership"\n')
    users = load_users(path)
    assert users["usaid"][1].calendar == "us-fiscal" and users["boss"][1].calendar is None
    path.write_text(f'[users.usaid]\npassword_hash = "{HASH}"\nrole = "donor"\ncalendar = "usfy"\n')
    with pytest.raises(AccountsError, match="user usaid has calendar 'usfy'; use one of calendar, bd-fiscal"):
        load_users(path)
