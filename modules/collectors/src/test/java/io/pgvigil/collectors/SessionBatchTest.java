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
        PgServer pg = PgServer.shared(PgServer.majors().getLast());
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
        PgServer pg = PgServer.shared(PgServer.majors().getLast());
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
}
