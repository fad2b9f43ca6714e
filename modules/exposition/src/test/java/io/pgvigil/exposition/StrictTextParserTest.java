package io.pgvigil.exposition;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The test parser is strict: a page the agreement test accepts cannot hide a malformed line. */
class StrictTextParserTest {
    private static final String GOOD = "# HELP g a \\\\ b\\nc\n# TYPE g gauge\ng{l=\"x\\\"y\",m=\"\"} 1e+06\ng 0.5\n";

    private static Map<String, StrictTextParser.Family> parse(String page) {
        return StrictTextParser.parse(page.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsAWellFormedPage() {
        StrictTextParser.Family g = parse(GOOD).get("g");
        assertThat(g.type()).isEqualTo("gauge");
        assertThat(g.help()).isEqualTo("a \\ b\nc");
        assertThat(g.samples()).containsExactlyInAnyOrderEntriesOf(Map.of(
                new StrictTextParser.SampleKey("g", new TreeMap<>(Map.of("l", "x\"y", "m", ""))), 1e6,
                new StrictTextParser.SampleKey("g", new TreeMap<>()), 0.5));
        assertThat(parse("")).isEmpty();
    }

    @Test
    void readsBucketBoundsAndQuantilesAsFloats() {
        var h = parse("# TYPE h histogram\nh_bucket{le=\"1\"} 0\nh_bucket{le=\"+Inf\"} 2\nh_sum 3\nh_count 2\n").get("h");
        assertThat(h.samples()).containsKey(new StrictTextParser.SampleKey("h_bucket", new TreeMap<>(Map.of("le", "1.0"))));
        var s = parse("# TYPE s summary\ns{quantile=\"0.50\"} 0\ns_sum 3\ns_count 2\n").get("s");
        assertThat(s.samples()).containsKey(new StrictTextParser.SampleKey("s", new TreeMap<>(Map.of("quantile", "0.5"))));
    }

    @Test
    void refusesWhatNoWriterMayProduce() {
        List<String> bad = List.of(
                "# TYPE g gauge\ng 1",                                   // no final newline
                "# TYPE g gauge\n\ng 1\n",                               // empty line
                "# a comment\n# TYPE g gauge\ng 1\n",                    // other comment
                "g 1\n",                                                 // sample before TYPE
                "# HELP g h\ng 1\n",                                     // HELP without TYPE
                "# HELP g h\n# TYPE f gauge\nf 1\n",                     // TYPE of another family
                "# TYPE g gauge\n",                                      // family without samples
                "# TYPE g gauge\ng 1\n# TYPE g gauge\ng 2\n",            // family twice
                "# TYPE g gauge\ng 1\ng 2\n",                            // duplicate sample
                "# TYPE g gauge\nf 1\n",                                 // sample of another family
                "# TYPE g gauge\ng_bucket{le=\"1\"} 1\n",                // bucket outside a histogram
                "# TYPE g gauge\ng 1 1700000000000\n",                   // timestamp
                "# TYPE g gauge\ng  1\n",                                // two spaces
                "# TYPE g gauge\ng Infinity\n",                          // Java's infinity
                "# TYPE g gauge\ng 0x1p3\n",                             // hexadecimal float
                "# TYPE g gauge\ng 1d\n",                                // Java's double suffix
                "# TYPE g gauge\ng{l=\"a\",} 1\n",                       // trailing comma
                "# TYPE g gauge\ng{l=\"a\",l=\"b\"} 1\n",                // label twice
                "# TYPE g gauge\ng{l=\"a\\t\"} 1\n",                     // unknown escape
                "# TYPE g gauge\ng{l=a} 1\n",                            // unquoted value
                "# TYPE g gauge\ng{1l=\"a\"} 1\n",                       // bad label name
                "# HELP g say \\\"x\\\"\n# TYPE g gauge\ng 1\n",         // \" is no escape in HELP
                "# TYPE g gauge_ish\ng 1\n",                             // unknown type
                "# TYPE h histogram\nh_bucket 1\n",                      // bucket without le
                "# TYPE h histogram\nh_sum{le=\"1\"} 1\n",               // le on _sum
                "# TYPE h histogram\nh 1\n",                             // histogram sample without suffix
                "# TYPE s summary\ns 1\n",                               // summary sample without quantile
                "# TYPE s summary\ns_bucket{le=\"1\"} 1\n");             // bucket in a summary
        for (String page : bad) {
            assertThatThrownBy(() -> parse(page)).as(page).isInstanceOf(StrictTextParser.MalformedPage.class);
        }
        byte[] notUtf8 = {'#', ' ', 'T', 'Y', 'P', 'E', ' ', 'g', ' ', 'g', 'a', 'u', 'g', 'e', '\n',
                          'g', '{', 'l', '=', '"', (byte) 0xC3, '"', '}', ' ', '1', '\n'};
        assertThatThrownBy(() -> StrictTextParser.parse(notUtf8)).isInstanceOf(StrictTextParser.MalformedPage.class);
    }
}
