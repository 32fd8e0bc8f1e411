"""Alembic's environment for the app's store: always run from `queries.store.migrate` with a connection."""

from alembic import context

from queries.store.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
