package io.pgvigil.collectors;

import org.junit.jupiter.api.Test;

import java.util.OptionalDouble;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The value conversions of custom queries, each against what Go and lib/pq give for the same input. */
class UserQueryValuesTest {
    @Test
    void labelFloatsAsGoPrintsThemWithPercentV() {
        assertThat(UserQueryValues.goFloat(1.5)).isEqualTo("1.5");
        assertThat(UserQueryValues.goFloat(-2.25)).isEqualTo("-2.25");
        assertThat(UserQueryValues.goFloat(100)).isEqualTo("100");
        assertThat(UserQueryValues.goFloat(123456)).isEqualTo("123456");
        assertThat(UserQueryValues.goFloat(123456.7)).isEqualTo("123456.7");
        assertThat(UserQueryValues.goFloat(1e6)).isEqualTo("1e+06");
        assertThat(UserQueryValues.goFloat(1234567)).isEqualTo("1.234567e+06");
        assertThat(UserQueryValues.goFloat(1e21)).isEqualTo("1e+21");
        assertThat(UserQueryValues.goFloat(0.0001)).isEqualTo("0.0001");
        assertThat(UserQueryValues.goFloat(0.00001)).isEqualTo("1e-05");
        assertThat(UserQueryValues.goFloat(-1.25e-7)).isEqualTo("-1.25e-07");
        assertThat(UserQueryValues.goFloat(0.1 + 0.2)).isEqualTo("0.30000000000000004");
        assertThat(UserQueryValues.goFloat(0)).isEqualTo("0");
        assertThat(UserQueryValues.goFloat(-0.0)).isEqualTo("-0");
        assertThat(UserQueryValues.goFloat(Double.NaN)).isEqualTo("NaN");
        assertThat(UserQueryValues.goFloat(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
        assertThat(UserQueryValues.goFloat(Double.NEGATIVE_INFINITY)).isEqualTo("-Inf");
    }

    @Test
    void textAsGoParseFloatReadsIt() {
        assertThat(UserQueryValues.parseFloat("1e3")).isEqualTo(OptionalDouble.of(1000));
        assertThat(UserQueryValues.parseFloat("-.5")).isEqualTo(OptionalDouble.of(-0.5));
        assertThat(UserQueryValues.parseFloat("+7.")).isEqualTo(OptionalDouble.of(7));
        assertThat(UserQueryValues.parseFloat("0x1p-2")).isEqualTo(OptionalDouble.of(0.25));
        assertThat(UserQueryValues.parseFloat("Inf")).isEqualTo(OptionalDouble.of(Double.POSITIVE_INFINITY));
        assertThat(UserQueryValues.parseFloat("-infinity")).isEqualTo(OptionalDouble.of(Double.NEGATIVE_INFINITY));
        assertThat(UserQueryValues.parseFloat("NaN").orElseThrow()).isNaN();
        for (String bad : new String[] {"", " 1", "1 ", "1d", "1f", "1_000", "0x10", "1e400", "abc", "+nan", "--1", "1e"}) {
            assertThat(UserQueryValues.parseFloat(bad)).as(bad).isEmpty();
        }
        assertThat(UserQueryValues.parseFloat(null)).isEmpty();
    }

    @Test
    void durationsAsGoParseDurationInWholeMilliseconds() {
        assertThat(UserQueryValues.durationMillis("1h2m3.5s")).isEqualTo(OptionalDouble.of(3_723_500));
        assertThat(UserQueryValues.durationMillis("1m30.5s")).isEqualTo(OptionalDouble.of(90_500));
        assertThat(UserQueryValues.durationMillis("1.9ms")).isEqualTo(OptionalDouble.of(1));
        assertThat(UserQueryValues.durationMillis("-1.5s")).isEqualTo(OptionalDouble.of(-1500));
        assertThat(UserQueryValues.durationMillis("2500us")).isEqualTo(OptionalDouble.of(2));
        assertThat(UserQueryValues.durationMillis("3000000ns")).isEqualTo(OptionalDouble.of(3));
        assertThat(UserQueryValues.durationMillis("4000\u00b5s")).isEqualTo(OptionalDouble.of(4));
        assertThat(UserQueryValues.durationMillis(".5s")).isEqualTo(OptionalDouble.of(500));
        assertThat(UserQueryValues.durationMillis("0")).isEqualTo(OptionalDouble.of(0));
        for (String bad : new String[] {"", "1", "-", "s", "1d", "1h 2m", "00:01:30", "1.5", ".s", "1e3s"}) {
            assertThat(UserQueryValues.durationMillis(bad)).as(bad).isEmpty();
        }
    }

    @Test
    void arraysInPostgresTextForm() {
        assertThat(UserQueryValues.arrayElements("{1,2.5,300}")).containsExactly("1", "2.5", "300");
        assertThat(UserQueryValues.arrayElements("{}")).isEmpty();
        assertThat(UserQueryValues.arrayElements(null)).isEmpty();
        assertThat(UserQueryValues.arrayElements("[0:1]={1,2}")).containsExactly("1", "2");
        assertThat(UserQueryValues.arrayElements("{\"1\", 2}")).containsExactly("1", "2");
        assertThatThrownBy(() -> UserQueryValues.arrayElements("{1,NULL}")).hasMessageContaining("NULL");
        assertThatThrownBy(() -> UserQueryValues.arrayElements("{{1},{2}}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> UserQueryValues.arrayElements("1,2")).isInstanceOf(IllegalArgumentException.class);
    }
}
