package io.pgvigil.collectors;

import io.pgvigil.connect.ServerVersion;
import io.pgvigil.testkit.PgServer;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Collector queries fetched in one round trip: the statements of a batch run in one implicit transaction, so
 * {@code now()} is the same in all of them, while queries run one by one each get their own.
 */
class SessionBatchTest {
    private static final String A = "SELECT now()::text AS t, 'a' AS which";
    private static final String B = "SELECT now()::text AS t, 'b' AS which";

    /** The shared server of the newest major; these tests connect as its superuser only. */
    private static PgServer newest() {
        return PgServer.shared(PgServer.majors().getLast());
    }

    private static Session session(Connection c) {
        return new Session(c, new ServerVersion(170000), "127.0.0.1:5432", CollectorOptions.defaults());
    }

    private static List<String> run(Session session, String... sqls) throws SQLException {
        List<String> out = new ArrayList<>();
        for (String sql : sqls) {
            session.query(sql, row -> out.add(row.text("which") + "@" + row.text("t")));
        }
        return out;
    }

    private static String time(String result) {
        return result.substring(result.indexOf('@') + 1);
    }

    @Test
    void fetchedQueriesShareOneTransactionAndUnfetchedOnesRunAlone() throws Exception {
        PgServer pg = newest();
        try (Connection c = pg.connectAsSuperuser("postgres")) {
            Session batched = session(c);
            batched.prefetch(List.of(A, B));
            List<String> fetched = run(batched, A, B);
            batched.release();
            assertThat(fetched).hasSize(2);
            assertThat(time(fetched.get(0))).isEqualTo(time(fetched.get(1)));

            List<String> alone = run(session(c), A, B);
            assertThat(alone).hasSize(2);
            assertThat(time(alone.get(0))).isNotEqualTo(time(alone.get(1)));
        }
    }

    @Test
    void aFailingBatchLeavesEveryQueryToRunItself() throws Exception {
        PgServer pg = newest();
        try (Connection c = pg.connectAsSuperuser("postgres")) {
            Session batched = session(c);
            batched.prefetch(List.of(A, "SELECT 1 / 0 AS boom", B));
            List<String> results = run(batched, A, B);
            batched.release();
            assertThat(results).extracting(r -> r.substring(0, 1)).containsExactly("a", "b");
            assertThat(time(results.get(0))).isNotEqualTo(time(results.get(1)));
            assertThat(c.isClosed()).isFalse();
        }
    }

    @Test
    void aRecordingSessionNotesQueriesAndNeverReachesTheServer() throws Exception {
        Session recorder = session(null).recording();
        List<String> rows = run(recorder, A, B);
        assertThat(rows).isEmpty();
        assertThat(recorder.recorded()).containsExactly(A, B);
        org.assertj.core.api.Assertions.assertThatThrownBy(recorder::connection).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aStatementForALaterMajorRunsNothingAndFailsNothing() throws Exception {
        PgServer pg = newest();
        int major = pg.majorVersion();
        // Would fail if it ran: the session must not send it to a server older than the variant.
        VersionedSql later = VersionedSql.of(VersionedSql.since(major + 1, "SELECT 1 / 0 AS boom"));
        try (Connection c = pg.connectAsSuperuser("postgres")) {
            Session session = new Session(c, new ServerVersion(major * 10000), "127.0.0.1:5432", CollectorOptions.defaults());
            List<String> rows = new ArrayList<>();
            session.query(later, row -> rows.add(row.text("boom")));
            session.query(later, List.of(List.of("x")), row -> rows.add(row.text("boom")));
            assertThat(rows).isEmpty();
            session.query(VersionedSql.of(VersionedSql.since(major, "SELECT 'now' AS which")), row -> rows.add(row.text("which")));
            session.query(VersionedSql.always("SELECT array_length(?::text[], 1)::text AS n, ?::text AS s"),
                          List.of(List.of("a", "b", "c"), "plain"), row -> rows.add(row.text("n") + row.text("s")));
            assertThat(rows).containsExactly("now", "3plain");
        }
        Session recorder = session(null).recording();
        recorder.query(VersionedSql.of(VersionedSql.since(18, "SELECT 18")), row -> { });
        recorder.query(VersionedSql.always("SELECT ?::text"), List.of("bound"), row -> { });
        recorder.query(VersionedSql.of(VersionedSql.since(13, "SELECT 13")), row -> { });
        // session(...) is PostgreSQL 17: the 18 variant does not apply, and a query with bind values is never batched.
        assertThat(recorder.recorded()).containsExactly("SELECT 13");
    }
}
