import Foundation
import PostgresNIO
import RunStore

/// The schema, one migration a version, recorded in the database itself (`fashion_schema`), as
/// the SQLite store's are: a database made by an older version is brought up to date when it is
/// opened, under an advisory lock so that workers starting together do not race.
enum PostgresMigrations {
    static let versions: [(name: String, statements: [String])] = [
        (
            "v1",
            [
                """
                CREATE TABLE run (
                    id BIGSERIAL PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, study TEXT, seed BIGINT,
                    started_at TIMESTAMPTZ NOT NULL, ended_at TIMESTAMPTZ, status TEXT NOT NULL,
                    code_version TEXT NOT NULL, threads BIGINT NOT NULL, configuration TEXT NOT NULL,
                    final_metrics TEXT, worker TEXT, token TEXT UNIQUE)
                """,
                "CREATE INDEX run_running ON run (status) WHERE status = 'running'",
                """
                CREATE TABLE epoch (
                    run_id BIGINT NOT NULL REFERENCES run (id) ON DELETE CASCADE, epoch BIGINT NOT NULL,
                    learning_rate DOUBLE PRECISION NOT NULL, seconds DOUBLE PRECISION NOT NULL,
                    PRIMARY KEY (run_id, epoch))
                """,
                """
                CREATE TABLE epoch_metric (
                    run_id BIGINT NOT NULL, epoch BIGINT NOT NULL, name TEXT NOT NULL,
                    value DOUBLE PRECISION NOT NULL, PRIMARY KEY (run_id, epoch, name),
                    FOREIGN KEY (run_id, epoch) REFERENCES epoch (run_id, epoch) ON DELETE CASCADE)
                """,
                """
                CREATE TABLE artifact (
                    run_id BIGINT NOT NULL REFERENCES run (id) ON DELETE CASCADE, position BIGINT NOT NULL,
                    kind TEXT NOT NULL, path TEXT NOT NULL, PRIMARY KEY (run_id, position))
                """,
                """
                CREATE TABLE tuning_study (
                    id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL UNIQUE, space TEXT NOT NULL, settings TEXT NOT NULL,
                    created_at TIMESTAMPTZ NOT NULL, final_worker TEXT, final_status TEXT, final_metrics TEXT)
                """,
                """
                CREATE TABLE trial (
                    id BIGSERIAL PRIMARY KEY,
                    study_id BIGINT NOT NULL REFERENCES tuning_study (id) ON DELETE CASCADE,
                    number BIGINT NOT NULL, status TEXT NOT NULL, parameters TEXT NOT NULL, value DOUBLE PRECISION,
                    worker TEXT NOT NULL, started_at TIMESTAMPTZ NOT NULL, ended_at TIMESTAMPTZ,
                    heartbeat_at TIMESTAMPTZ NOT NULL, requeued_from BIGINT REFERENCES trial (id),
                    epochs BIGINT NOT NULL, seconds DOUBLE PRECISION, claim_token TEXT UNIQUE,
                    UNIQUE (study_id, number),
                    CHECK (status IN ('running', 'complete', 'pruned', 'failed', 'interrupted')))
                """,
                // An interrupted trial is taken over once at most.
                "CREATE UNIQUE INDEX trial_requeued_once ON trial (requeued_from) WHERE requeued_from IS NOT NULL",
                "CREATE INDEX trial_running ON trial (study_id) WHERE status = 'running'",
                """
                CREATE TABLE trial_step (
                    trial_id BIGINT NOT NULL REFERENCES trial (id) ON DELETE CASCADE, step BIGINT NOT NULL,
                    value DOUBLE PRECISION NOT NULL, PRIMARY KEY (trial_id, step))
                """,
            ]
        )
    ]

    /// Applies every migration the database lacks; a database of a newer version is refused.
    static func migrate(_ store: PostgresRunStore) throws(RunStoreError) {
        try store.transaction { session in
            // One lock for the whole database: the key is arbitrary but fixed ("fashion" in ASCII).
            try session.query("SELECT pg_advisory_xact_lock(111546413299311)")
            try session.query(
                """
                CREATE TABLE IF NOT EXISTS fashion_schema (
                    version TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp())
                """)
            let applied = Set(
                try session.query("SELECT version FROM fashion_schema").map { try $0.decode(String.self) })
            let known = Set(versions.map(\.name))
            if let unknown = applied.subtracting(known).sorted().first {
                throw RunStoreError(
                    location: store.location,
                    reason: "the store has schema version '\(unknown)', which this version of fashion does not know; "
                        + "use a newer fashion")
            }
            for version in versions where !applied.contains(version.name) {
                for statement in version.statements { try session.query(PostgresQuery(unsafeSQL: statement)) }
                try session.query("INSERT INTO fashion_schema (version) VALUES (\(version.name))")
            }
        }
    }
}
