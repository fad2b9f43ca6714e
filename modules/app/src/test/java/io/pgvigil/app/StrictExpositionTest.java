package io.pgvigil.app;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The strict reader used on the image's /metrics must itself reject what promtool rejects. */
class StrictExpositionTest {
    private static final String GOOD = """
            # HELP a_total A counter.
            # TYPE a_total counter
            a_total{code="200"} 3
            a_total{code="500"} 0
            # TYPE h histogram
            h_bucket{le="1"} 1
            h_bucket{le="+Inf"} 2
            h_sum 3.5
            h_count 2
            # TYPE s summary
            s_sum{gc="x y"} 0.25
            s_count{gc="x y"} 4
            # TYPE g gauge
            g{v="a\\"b\\\\c\\nd"} NaN
            """;

    @Test
    void acceptsAWellFormedText() {
        var families = StrictExposition.parse(GOOD);
        assertThat(families).containsOnlyKeys("a_total", "h", "s", "g");
        assertThat(families.get("g").samples().getFirst().labels()).containsEntry("v", "a\"b\\c\nd");
        assertThat(families.get("a_total").help()).isEqualTo("A counter.");
    }

    @Test
    void rejectsEveryKindOfMistake() {
        String[] bad = {
                "x 1\n",                                                   // no TYPE
                "# TYPE x gauge\nx{a=\"1\"} 1\nx{a=\"1\"} 2\n",            // duplicate series
                "# TYPE x gauge\ny 1\n",                                   // foreign sample
                "# TYPE x gauge\nx 1\n# TYPE y gauge\ny 1\n# TYPE x gauge\nx{b=\"\"} 1\n", // split family
                "# TYPE x gauge\nx 0x10\n",                                // value
                "# TYPE x gauge\nx Infinity\n",                            // value
                "# TYPE x gauge\nx{1a=\"v\"} 1\n",                         // label name
                "# TYPE x gauge\nx{a=\"\\t\"} 1\n",                        // escape
                "# TYPE x gauge\nx{a=\"1\",a=\"2\"} 1\n",                  // label twice
                "# TYPE 1x gauge\n1x 1\n",                                 // metric name
                "# TYPE x gauge\nx 1",                                     // no final newline
                "# TYPE x counter\nx -1\n",                                // negative counter
                "# TYPE x histogram\nx_bucket{le=\"1\"} 2\nx_bucket{le=\"+Inf\"} 1\nx_sum 1\nx_count 1\n", // not cumulative
                "# TYPE x histogram\nx_bucket{le=\"1\"} 1\nx_sum 1\nx_count 1\n", // no +Inf
                "# TYPE x gauge\n# random comment\nx 1\n",                  // stray comment
                "# TYPE x gauge\n",                                         // empty family
        };
        for (String text : bad) {
            assertThatThrownBy(() -> StrictExposition.parse(text)).as(text).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
