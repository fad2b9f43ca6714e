package io.pgvigil.collectors;

import io.pgvigil.connect.ServerVersion;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VersionedSqlTest {
    private static ServerVersion v(int major) {
        return new ServerVersion(major * 10000 + 1);
    }

    @Test
    void picksTheNewestVariantThatApplies() {
        VersionedSql sql = VersionedSql.of(VersionedSql.since(14, "B"), VersionedSql.since(10, "A"), VersionedSql.since(17, "C"));
        assertThat(sql.forVersion(v(13))).contains("A");
        assertThat(sql.forVersion(v(14))).contains("B");
        assertThat(sql.forVersion(v(16))).contains("B");
        assertThat(sql.forVersion(v(18))).contains("C");
    }

    @Test
    void nothingBeforeTheFirstVariant() {
        assertThat(VersionedSql.of(VersionedSql.since(16, "X")).forVersion(v(15))).isEmpty();
    }

    @Test
    void twoVariantsForOneMajorAreAMistake() {
        assertThatThrownBy(() -> VersionedSql.of(VersionedSql.since(14, "A"), VersionedSql.since(14, "B")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void serverVersionRendersLikeUpstream() {
        assertThat(new ServerVersion(170005).semver()).isEqualTo("17.5.0");
        assertThat(new ServerVersion(130023).major()).isEqualTo(13);
        assertThatThrownBy(() -> new ServerVersion(90624)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void majorsAreAHalfOpenRange() {
        assertThat(Majors.ALL.contains(v(10))).isTrue();
        assertThat(Majors.since(14).contains(v(13))).isFalse();
        assertThat(Majors.since(14).contains(v(14))).isTrue();
        assertThat(Majors.until(17).contains(v(16))).isTrue();
        assertThat(Majors.until(17).contains(v(17))).isFalse();
        assertThat(new Majors(14, 17).contains(v(18))).isFalse();
        assertThatThrownBy(() -> new Majors(17, 17)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aColumnIsDeclaredOnlyOnTheMajorsItExistsOn() {
        List<Column> columns = List.of(Column.counter("always_total", "a"), Column.counter("old_total", "o").until(17),
                                       Column.gauge("new", "n").since(14), Column.gauge("window", "w").since(14).until(17));
        assertThat(declared(columns, 13)).containsExactly("p_always_total", "p_old_total");
        assertThat(declared(columns, 16)).containsExactly("p_always_total", "p_old_total", "p_new", "p_window");
        assertThat(declared(columns, 17)).containsExactly("p_always_total", "p_new");
    }

    private static List<String> declared(List<Column> columns, int major) {
        return Columns.declare(new MetricSink(), "p_", columns, v(major)).families().stream().map(Family::name).toList();
    }
}
