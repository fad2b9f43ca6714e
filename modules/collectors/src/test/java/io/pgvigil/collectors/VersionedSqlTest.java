package io.pgvigil.collectors;

import io.pgvigil.connect.ServerVersion;
import org.junit.jupiter.api.Test;

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
}
