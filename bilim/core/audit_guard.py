"""Database-level guard of the audit log: triggers that refuse UPDATE, DELETE and TRUNCATE.

Installed by migration 0002. ``remove`` exists for one purpose: the test suite's transactional
tests empty every table after each test (Django's flush), which the guard rightly refuses."""

SQLITE = {
    "install": [
        """CREATE TRIGGER IF NOT EXISTS core_auditlog_no_update BEFORE UPDATE ON core_auditlog
           BEGIN SELECT RAISE(ABORT, 'core_auditlog is append-only'); END""",
        """CREATE TRIGGER IF NOT EXISTS core_auditlog_no_delete BEFORE DELETE ON core_auditlog
           BEGIN SELECT RAISE(ABORT, 'core_auditlog is append-only'); END""",
    ],
    "remove": ["DROP TRIGGER IF EXISTS core_auditlog_no_update", "DROP TRIGGER IF EXISTS core_auditlog_no_delete"],
}

POSTGRESQL = {
    "install": [
        """CREATE OR REPLACE FUNCTION core_auditlog_append_only() RETURNS trigger AS $$
           BEGIN RAISE EXCEPTION 'core_auditlog is append-only'; END; $$ LANGUAGE plpgsql""",
        """CREATE OR REPLACE TRIGGER core_auditlog_no_change BEFORE UPDATE OR DELETE ON core_auditlog
           FOR EACH ROW EXECUTE FUNCTION core_auditlog_append_only()""",
        """CREATE OR REPLACE TRIGGER core_auditlog_no_truncate BEFORE TRUNCATE ON core_auditlog
           FOR EACH STATEMENT EXECUTE FUNCTION core_auditlog_append_only()""",
    ],
    "remove": [
        "DROP TRIGGER IF EXISTS core_auditlog_no_change ON core_auditlog",
        "DROP TRIGGER IF EXISTS core_auditlog_no_truncate ON core_auditlog",
    ],
}

STATEMENTS = {"sqlite": SQLITE, "postgresql": POSTGRESQL}


def _run(connection, which: str) -> None:
    statements = STATEMENTS.get(connection.vendor, {}).get(which, [])
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def install(connection) -> None:
    _run(connection, "install")


def remove(connection) -> None:
    _run(connection, "remove")
