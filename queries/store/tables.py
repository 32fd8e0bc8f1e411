"""The tables of the app's own store, as the latest migration leaves them (SQLAlchemy Core).

The store holds aggregates and text only, never a case-level row: each release's figures (one row per indicator,
area and breakdown category, with the exact numerator and denominator) and the leadership's narratives. Every
change of these tables is an Alembic migration under `migrations/versions`; `tests/test_store.py` checks that the
migrations build exactly these tables.
"""

from __future__ import annotations

from sqlalchemy import (Boolean, Column, DateTime, Float, ForeignKey, Index, Integer, MetaData, String, Table, Text,
                        UniqueConstraint)

metadata = MetaData()

# A quarter or year of one calendar, frozen at a moment. Releasing the same period again is a new revision; every
# revision is kept.
releases = Table(
    "releases", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("calendar", String(20), nullable=False),
    Column("period", String(20), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("released_at", DateTime(timezone=True), nullable=False),
    Column("released_by", String(200), nullable=False),
    # Released before the period ended, on purpose: its figures will change.
    Column("provisional", Boolean, nullable=False),
    Column("app_version", String(40), nullable=False),
    UniqueConstraint("calendar", "period", "revision", name="uq_releases_period_revision"),
)

# One figure of a release. `breakdown` and `category` are empty for the total; `area` is a P-code ("BD" the nation).
# Counts are whole numbers in a double, which holds them exactly.
release_figures = Table(
    "release_figures", metadata,
    Column("release_id", Integer, ForeignKey("releases.id", ondelete="CASCADE"), primary_key=True),
    Column("indicator", String(60), primary_key=True),
    Column("area", String(20), primary_key=True),
    Column("breakdown", String(30), primary_key=True),
    Column("category", String(60), primary_key=True),
    Column("numerator", Float(53)),
    Column("denominator", Float(53)),
    Column("value", Float(53)),
)

# A released quarter's counts at their finest grain (period, district, upazila, every disaggregation): one frame
# per family of counts, as JSON ("split" orientation). External audiences shown released figures only have their
# protected cells built from these, so every page they see holds the release's numbers.
release_cells = Table(
    "release_cells", metadata,
    Column("release_id", Integer, ForeignKey("releases.id", ondelete="CASCADE"), primary_key=True),
    Column("name", String(40), primary_key=True),
    Column("frame", Text, nullable=False),
)

# What leadership says about a figure. Each edit is a new row; the newest row of a key is the narrative.
narratives = Table(
    "narratives", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("indicator", String(60), nullable=False),
    Column("calendar", String(20), nullable=False),
    Column("period", String(20), nullable=False),
    # "" for the indicator as a whole, else the P-code it is about.
    Column("area", String(20), nullable=False),
    Column("language", String(5), nullable=False),
    Column("body", Text, nullable=False),
    Column("written_at", DateTime(timezone=True), nullable=False),
    Column("written_by", String(200), nullable=False),
    # A period's narratives, newest version of each key last.
    Index("ix_narratives_key", "calendar", "period", "indicator", "area", "language", "id"),
)
