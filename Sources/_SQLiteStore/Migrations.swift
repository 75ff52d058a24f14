internal import GRDB

/// The schema, one migration a version, as GRDB's `DatabaseMigrator` records them in the
/// store itself: a store made by an older version is brought up to date when it is opened.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "run") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("kind", .text).notNull()
                t.column("name", .text).notNull()
                t.column("study", .text)
                t.column("seed", .integer)
                t.column("startedAt", .datetime).notNull()
                t.column("endedAt", .datetime)
                t.column("status", .text).notNull()
                t.column("codeVersion", .text).notNull()
                t.column("threads", .integer).notNull()
                t.column("configuration", .text).notNull()
                t.column("finalMetrics", .text)
            }
            try db.create(table: "epoch") { t in
                t.belongsTo("run", onDelete: .cascade).notNull()
                t.column("epoch", .integer).notNull()
                t.column("loss", .double).notNull()
                t.column("accuracy", .double).notNull()
                t.column("validationLoss", .double)
                t.column("validationAccuracy", .double)
                t.column("learningRate", .double).notNull()
                t.column("seconds", .double).notNull()
                t.primaryKey(["runId", "epoch"])
            }
            try db.create(table: "artifact") { t in
                t.belongsTo("run", onDelete: .cascade).notNull()
                t.column("kind", .text).notNull()
                t.column("path", .text).notNull()
            }
        }
        migrator.registerMigration("v2-tuning") { db in
            try db.create(table: "tuningStudy") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().unique()
                t.column("space", .text).notNull()
                t.column("settings", .text).notNull()
                t.column("createdAt", .datetime).notNull()
                t.column("finalWorker", .text)
                t.column("finalStatus", .text)
                t.column("finalMetrics", .text)
            }
            try db.create(table: "trial") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("study", inTable: "tuningStudy", onDelete: .cascade).notNull()
                t.column("number", .integer).notNull()
                t.column("status", .text).notNull()
                t.column("parameters", .text).notNull()
                t.column("value", .double)
                t.column("worker", .text).notNull()
                t.column("startedAt", .datetime).notNull()
                t.column("endedAt", .datetime)
                t.column("heartbeatAt", .datetime).notNull()
                t.column("requeuedFrom", .integer)
                t.column("epochs", .integer).notNull()
                t.column("seconds", .double)
                t.uniqueKey(["studyId", "number"])
            }
            try db.create(table: "trialStep") { t in
                t.belongsTo("trial", onDelete: .cascade).notNull()
                t.column("step", .integer).notNull()
                t.column("value", .double).notNull()
                t.primaryKey(["trialId", "step"])
            }
        }
        // Epoch metrics by name: the four fixed columns become rows of epochMetric, so a loss or
        // metric added later needs no new column.
        migrator.registerMigration("v3-named-metrics") { db in
            try db.rename(table: "epoch", to: "epochOld")
            // The index belongsTo made keeps its name through the rename; the new table makes it again.
            try db.drop(index: "epoch_on_runId")
            try db.create(table: "epoch") { t in
                t.belongsTo("run", onDelete: .cascade).notNull()
                t.column("epoch", .integer).notNull()
                t.column("learningRate", .double).notNull()
                t.column("seconds", .double).notNull()
                t.primaryKey(["runId", "epoch"])
            }
            try db.execute(
                sql:
                    "INSERT INTO epoch (runId, epoch, learningRate, seconds) SELECT runId, epoch, learningRate, "
                    + "seconds FROM epochOld"
            )
            try db.create(table: "epochMetric") { t in
                t.column("runId", .integer).notNull()
                t.column("epoch", .integer).notNull()
                t.column("name", .text).notNull()
                t.column("value", .double).notNull()
                t.primaryKey(["runId", "epoch", "name"])
                t.foreignKey(["runId", "epoch"], references: "epoch", columns: ["runId", "epoch"], onDelete: .cascade)
            }
            for (column, name) in [
                ("loss", "loss"), ("accuracy", "accuracy"), ("validationLoss", "val_loss"),
                ("validationAccuracy", "val_accuracy"),
            ] {
                try db.execute(
                    sql: """
                        INSERT INTO epochMetric (runId, epoch, name, value)
                        SELECT runId, epoch, '\(name)', \(column) FROM epochOld WHERE \(column) IS NOT NULL
                        """)
            }
            try db.drop(table: "epochOld")
        }
        // Who records a run, so a run whose process died can be told from one still training.
        migrator.registerMigration("v4-run-worker") { db in
            try db.alter(table: "run") { t in t.add(column: "worker", .text) }
        }
        return migrator
    }
}
