"""`impact-monitor`: everything that is not the web UI.

Reads the same settings (environment variables) as the app, so an export
gives exactly the numbers the dashboard shows for the same filter.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import date
from pathlib import Path

from .exports import FORMATS, tables_file, to_bytes
from .settings import Settings, SettingsError

# The page controls `impact-monitor tables` takes, besides the period and the area (named here so that --help
# imports no Dash): the district map's and the quarterly page's.
MEASURES = ("count", "rate")
PERIOD_HELP = "a quarter (2026-Q3, BD-FY2027-Q1, US-FY2027-Q1) or a year (2026, BD-FY2027, US-FY2027)"
QUARTER_COUNTS = (4, 8)


def _settings() -> Settings:
    return Settings.from_env()


def _services(settings: Settings, role: str | None = None):
    """The services; with the app's store attached for an audience shown released figures only (its figures are
    read from the releases there)."""
    from .services import attach_store, prepare_services

    services = prepare_services(settings)
    if role in settings.released_only_roles:
        attach_store(services)
    return services


def _write(payload: bytes, out: str | None) -> None:
    if out:
        Path(out).write_bytes(payload)
    else:
        sys.stdout.buffer.write(payload)
        sys.stdout.flush()


def _scope(args, services):
    from queries.scope import make_scope

    return make_scope(args.role, [code for code in (args.scope or "").split(",") if code], services.gazetteer,
                      args.calendar or services.settings.default_calendar.id)


def command_indicators(args) -> int:
    from queries.periods import parse_period
    from queries.scope import make_filter

    settings = _settings()
    services = _services(settings, args.role)
    scope = _scope(args, services)
    area = args.area or ("BD" if scope.role != "government" else scope.areas[0])
    filter_ = make_filter(parse_period(args.period, settings.fiscal_year_start), area, args.by, scope,
                          services.gazetteer)
    codes = tuple(args.indicator) if args.indicator else None
    rows = services.engine.compute(filter_, codes, disaggregate=args.disaggregate,
                                   suppress_below=settings.suppress_below)
    _write(to_bytes(rows, args.format, "indicators", args.bom), args.out)
    return 0


def command_tables(args) -> int:
    from dashboard.i18n import speaking
    from dashboard.table_view import context_of, every_source
    from queries.periods import parse_period
    from queries.scope import FilterError, default_area, level_of, make_filter

    pages = list(dict.fromkeys(source.page for source in every_source()))
    if args.page not in pages:
        raise ValueError(f"no page {args.page!r} has tables: use one of {', '.join(pages)}")
    sources = [source for source in every_source() if source.page == args.page]
    params = _page_params(args, sources)
    settings = _settings()
    services = _services(settings, args.role)
    scope = _scope(args, services)
    area = args.area or default_area(scope)
    chosen = make_filter(parse_period(args.period, settings.fiscal_year_start), area,
                         level_of(area, services.gazetteer), scope, services.gazetteer)
    params.update(period=chosen.period.label, area=chosen.area)
    tables = []
    with speaking("en"):
        for source in sources:
            try:
                tables.append(source.build(services, chosen, params))
            except FilterError as refused:  # the page shows this message in the table's place
                print(f"impact-monitor: {source.table_id}: {refused}", file=sys.stderr)
        payload = tables_file(tables, args.format, context_of(services, scope, chosen), args.bom)
    _write(payload, args.out)
    return 0


def command_iptt(args) -> int:
    """The Donor report's table, as its Excel download writes it."""
    from dashboard.builders.iptt import build_iptt_table
    from dashboard.i18n import speaking
    from dashboard.table_view import context_of
    from queries.periods import calendar_named, year_of
    from queries.scope import default_area, level_of, make_filter

    from .services import attach_store

    settings = _settings()
    services = _services(settings)
    attach_store(services)  # its narratives fill the deviation narrative; without it the column stays empty
    scope = _scope(args, services)
    year = year_of(calendar_named(args.calendar), args.year)
    area = args.area or default_area(scope)
    chosen = make_filter(year, area, level_of(area, services.gazetteer), scope, services.gazetteer)
    with speaking(args.language):
        table = build_iptt_table(services, chosen, {})
        payload = tables_file([table], "xlsx", context_of(services, scope, chosen))
    _write(payload, args.out)
    return 0


# The page controls with an option of the same name.
_CONTROL_OPTIONS = ("indicator", "measure", "district", "quarters")


def _page_params(args, sources) -> dict:
    """The page's own controls: the values the page starts with, and those given on the command line. A control
    given to a page that has no such control is refused."""
    controls = {name: value for source in sources for name, value in source.controls.items()}
    given = {name: getattr(args, name) for name in _CONTROL_OPTIONS if getattr(args, name) is not None}
    foreign = sorted(set(given) - set(controls))
    if foreign:
        raise ValueError(f"the {args.page} page has no control {', '.join('--' + name for name in foreign)}"
                         + (f": it takes {', '.join('--' + name for name in controls)}" if controls else ""))
    return {**controls, **given}


def command_prevalence(args) -> int:
    from queries.prevalence import prevalence_export

    services = _services(_settings())
    rows = prevalence_export(services.databases, _scope(args, services), services.gazetteer)
    _write(to_bytes(rows, args.format, "prevalence", args.bom), args.out)
    return 0


def command_migrate(args) -> int:
    from sqlalchemy.engine import make_url

    from queries.store import migrate

    settings = _settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    before, after = migrate(settings.store_url)
    where = make_url(settings.store_url).render_as_string(hide_password=True)
    print(f"the app's store at {where}: " + (f"schema revision {after}, already up to date" if before == after
                                              else f"schema revision {before or 'none'} -> {after}"))
    return 0


def command_release(args) -> int:
    from importlib.metadata import version

    from dashboard.security import AUDIT, audit_event
    from queries.periods import parse_period
    from queries.releases import release_period

    from .logs import configure_logging
    from .services import attach_store

    settings = _settings()
    configure_logging(settings.log_level)
    services = _services(settings)
    attach_store(services)
    if services.store is None:
        raise SettingsError(f"IMPACT_APP_DB: {services.store_problem}")
    period = parse_period(args.period, settings.fiscal_year_start)
    release = release_period(services.store, services.engine, services.gazetteer, period,
                             services.databases.today(), args.released_by, version("impact-monitor"),
                             provisional=args.provisional)
    audit_event(AUDIT, "release", release.released_by, calendar=release.calendar, period=release.period,
                revision=release.revision, provisional=release.provisional, via="command line")
    print(f"released {release.period} ({release.calendar}) as revision {release.revision}"
          + (", provisional" if release.provisional else "") + f", at {release.released_at.isoformat()}")
    return 0


def command_check(args) -> int:
    from queries.contract_check import run_check

    services = _services(_settings())
    findings = run_check(services.databases, services.gazetteer, date.today(), services.settings.query_threads)
    for finding in findings:
        print(f"{finding.severity.upper():7} {finding.database}: {finding.message}")
    errors = [f for f in findings if f.severity == "error"]
    print(f"{len(findings)} finding(s), {len(errors)} error(s): "
          + ("the data contract is broken" if errors else "the data contract holds"))
    return 1 if errors else 0


def command_quality(args) -> int:
    from queries.contract_check import by_district_of
    from queries.quality import check_grouping, quality_counts

    services = _services(_settings())
    scope = _scope(args, services)
    check_grouping(args.by, scope)
    databases = services.databases
    today = databases.today()
    cells = (services.current.cells(scope, today, databases.start_of_today(), services.settings.suppress_below)
             if scope.suppressed else None)
    rows = quality_counts(by_district_of(services.current.quality_frame(today)), scope, services.gazetteer, args.by,
                          cells)
    _write(to_bytes(rows, args.format, "quality", args.bom), args.out)
    return 0


def command_disclosure_audit(args) -> int:
    from queries.periods import parse_period
    from queries.scope import reporting_period

    from .disclosure_audit import run_audit

    settings = _settings()
    services = _services(settings, args.role)
    scope = _scope(args, services)
    if not scope.suppressed:
        raise ValueError("leadership sees exact counts: audit a donor or government account")
    period = reporting_period(parse_period(args.period, settings.fiscal_year_start), scope)
    report = run_audit(services, scope, period, settings.suppress_below, exact=args.intervals)
    for result, what in ((report.periods, f"the year of {args.period} and its quarters"), (report.today, "today's tables")):
        print(f"{what}: {result.cells:,} cells, {result.relations:,} relations, {len(result.intervals):,} hidden "
              f"counts under {settings.suppress_below} audited in {result.components:,} groups")
    for interval in report.disclosed:
        known = (f"between {interval.low} and {interval.high:g}" if interval.low is not None
                 else f"at most {interval.high:g}")
        print(f"DISCLOSED {interval.label}: {known} (it is {interval.value})")
    for finding in report.findings:
        print(f"FINDING   {finding}")
    print(f"{report.numbers:,} numbers read from the pages and exports in {report.seconds:.1f} s: "
          f"{len(report.disclosed)} disclosed cell(s), {len(report.findings)} finding(s)")
    return 1 if report.disclosed or report.findings else 0


def command_demo_data(args) -> int:
    from .demo_data import generate_demo

    settings = _settings()
    summary = generate_demo(Path(args.out), args.cases, args.seed, geo_cache_dir=settings.data_dir / "geo")
    print(f"wrote {summary.cases_path}, {summary.referrals_path} and {summary.targets_path} "
          f"in {summary.seconds:.1f} s: " + ", ".join(f"{t} {n:,}" for t, n in summary.row_counts.items()))
    return 0


def command_hash_password(_args) -> int:
    from .accounts import hash_password

    first = getpass.getpass("Password: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
    if sys.stdin.isatty() and getpass.getpass("Again: ") != first:
        print("the passwords differ", file=sys.stderr)
        return 2
    if len(first) < 8:
        print("use at least 8 characters", file=sys.stderr)
        return 2
    print(hash_password(first))
    return 0


def command_catalogue(args) -> int:
    from . import catalogue

    if args.check:
        problems = catalogue.problems()
        for problem in problems:
            print(problem)
        print(f"{len(problems)} problem(s) in {catalogue.CATALOGUE}", file=sys.stderr)
        return 1 if problems else 0
    added, obsolete = catalogue.update()
    print(f"{catalogue.CATALOGUE}: {added} string(s) added for translation, {obsolete} made obsolete")
    return 0


def _add_output_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("--format", default="json", choices=FORMATS)
    command.add_argument("--out", help="file to write (default: standard output)")
    command.add_argument("--bom", action="store_true",
                         help="CSV only: start with a UTF-8 byte-order mark, so Excel reads Bangla and dashes")


def _add_scope_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("--role", default="leadership", choices=("leadership", "donor", "government"),
                         help="export what an account of this role sees (default: leadership)")
    command.add_argument("--scope", help="government scope: comma-separated division/district P-codes")
    command.add_argument("--calendar", choices=("calendar", "bd-fiscal", "us-fiscal"),
                         help="the calendar a donor or government account reports in (default: IMPACT_CALENDAR); "
                              "its quarters are named in it, and a year of another calendar is refused")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="impact-monitor", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    indicators = commands.add_parser("indicators", help="export indicator rows for a period")
    indicators.add_argument("--period", required=True, help=PERIOD_HELP)
    indicators.add_argument("--by", default="national", choices=("national", "division", "district", "upazila"))
    indicators.add_argument("--area", help="BD, a division, district or upazila P-code (default: BD)")
    _add_scope_arguments(indicators)
    indicators.add_argument("--indicator", action="append", help="only this indicator code (repeatable)")
    indicators.add_argument("--disaggregate", choices=("case_type", "sex", "age_band"),
                            help="add a `group` column split by this dimension")
    _add_output_arguments(indicators)
    indicators.set_defaults(run=command_indicators)

    tables = commands.add_parser("tables", help="export the tables of a page for a period and area, as shown")
    tables.add_argument("--page", required=True,
                        help="the page as its address names it: referrals, justice, district-map, ... "
                             "(a page without tables is refused with the list)")
    tables.add_argument("--period", required=True, help=PERIOD_HELP)
    tables.add_argument("--area", help="BD, a division, district or upazila P-code (default: the role's own)")
    _add_scope_arguments(tables)
    tables.add_argument("--indicator", help="district map: the indicator code mapped (default: the page's first)")
    tables.add_argument("--measure", choices=MEASURES, help="district map: a count, or a rate per 100,000 "
                                                            "children (default: count)")
    tables.add_argument("--district", help="district map: the district P-code whose upazilas are mapped")
    tables.add_argument("--quarters", type=int, choices=QUARTER_COUNTS,
                        help="quarterly indicators: how many quarters (default: 4)")
    _add_output_arguments(tables)
    tables.set_defaults(run=command_tables)

    iptt = commands.add_parser("iptt", help="write the Indicator Performance Tracking Table of a year as a workbook")
    iptt.add_argument("--calendar", required=True, choices=("calendar", "bd-fiscal", "us-fiscal"),
                      help="the reporting calendar (a donor or government account must report in it)")
    iptt.add_argument("--year", required=True, type=int,
                      help="the year of that calendar; a fiscal year by the year it ends in (2027: BD-FY2027)")
    iptt.add_argument("--area", help="BD, a division or district P-code (default: the role's own)")
    iptt.add_argument("--role", default="leadership", choices=("leadership", "donor", "government"),
                      help="write what an account of this role sees (default: leadership)")
    iptt.add_argument("--scope", help="government scope: comma-separated division/district P-codes")
    iptt.add_argument("--language", default="en", choices=("en", "bn"), help="the workbook's language")
    iptt.add_argument("--out", required=True, help="the .xlsx file to write")
    iptt.set_defaults(run=command_iptt)

    prevalence = commands.add_parser("prevalence", help="export violence reduction against baseline")
    _add_scope_arguments(prevalence)
    _add_output_arguments(prevalence)
    prevalence.set_defaults(run=command_prevalence)

    check = commands.add_parser("check", help="check the databases against the data contract")
    check.set_defaults(run=command_check)

    quality = commands.add_parser("quality", help="export counts of records that break the contract's rules")
    quality.add_argument("--by", default="rule", choices=("rule", "district"),
                         help="totals by table and rule, or by table, rule and district")
    _add_scope_arguments(quality)
    _add_output_arguments(quality)
    quality.set_defaults(run=command_quality)

    audit = commands.add_parser("disclosure-audit", help="audit what an account can work out from everything "
                                                         "the app shows it, by linear programming")
    _add_scope_arguments(audit)
    audit.add_argument("--period", required=True, help="a period of the year to audit, with its quarters: 2026-Q3, BD-FY2027 ...")
    audit.add_argument("--intervals", action="store_true",
                       help="compute every hidden count's exact interval (slower) instead of certifying it")
    audit.set_defaults(run=command_disclosure_audit, role="donor")

    demo = commands.add_parser("demo-data", help="write synthetic demo databases at any scale")
    demo.add_argument("--out", required=True)
    demo.add_argument("--cases", type=int, default=20_000)
    demo.add_argument("--seed", type=int, default=1)
    demo.set_defaults(run=command_demo_data)

    release = commands.add_parser("release", help="freeze every indicator of a period for every area, as its next "
                                                  "revision, in the app's store")
    release.add_argument("--period", required=True, help=PERIOD_HELP)
    release.add_argument("--provisional", action="store_true",
                         help="release a period that has not ended, marked provisional")
    release.add_argument("--as", dest="released_by", default=getpass.getuser(),
                         help="who releases it, for the audit log and the release (default: this system user)")
    release.set_defaults(run=command_release)

    migration = commands.add_parser("migrate", help="create the app's own store, or bring its schema up to date "
                                                    "(back it up first)")
    migration.set_defaults(run=command_migrate)

    hashing = commands.add_parser("hash-password", help="print a salted argon2 hash for IMPACT_USERS_FILE")
    hashing.set_defaults(run=command_hash_password)

    messages = commands.add_parser("catalogue", help="bring the Bangla message catalogue up to date with the code")
    messages.add_argument("--check", action="store_true",
                          help="change nothing; list every string shown in English in the Bangla interface")
    messages.set_defaults(run=command_catalogue)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from queries.db import DatabaseConfigError
    from queries.periods import PeriodError
    from queries.scope import FilterError
    from queries.store import StoreError
    from sqlalchemy.exc import DBAPIError

    from .accounts import AccountsError

    try:
        return args.run(args)
    except (SettingsError, FilterError, PeriodError, DatabaseConfigError, AccountsError, StoreError,
            ValueError) as error:
        print(f"impact-monitor: {error}", file=sys.stderr)
        return 2
    except DBAPIError as error:
        print(f"impact-monitor: database error: {error.orig}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
