package io.pgvigil.exposition;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class TextFormatTest {
    private static String write(MetricSnapshots s) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TextFormat.write(s, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void countersKeepTheirUpstreamNames() throws IOException {
        MetricSnapshots s = new MetricSnapshots(
                CounterSnapshot.builder().name("pg_stat_database_xact_commit").help("Number of transactions")
                        .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                                           .labels(Labels.of("datname", "app", "datid", "5")).value(42).build()).build(),
                CounterSnapshot.builder().name("pg_exporter_scrapes_total").help("Total")
                        .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(3).build()).build());
        assertThat(write(s)).isEqualTo("""
                # HELP pg_exporter_scrapes_total Total
                # TYPE pg_exporter_scrapes_total counter
                pg_exporter_scrapes_total 3
                # HELP pg_stat_database_xact_commit Number of transactions
                # TYPE pg_stat_database_xact_commit counter
                pg_stat_database_xact_commit{datid="5",datname="app"} 42
                """);
    }

    @Test
    void escapesHelpAndLabelValuesAndFormatsSpecialValues() throws IOException {
        MetricSnapshots s = new MetricSnapshots(
                GaugeSnapshot.builder().name("g").help("a \\ b\nc \"q\"")
                        .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                                           .labels(Labels.of("l", "x\"y\\z\nw")).value(0.25).build())
                        .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                                           .labels(Labels.of("l", "nan")).value(Double.NaN).build())
                        .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                                           .labels(Labels.of("l", "inf")).value(Double.NEGATIVE_INFINITY).build()).build(),
                UnknownSnapshot.builder().name("pg_static").help("Version string as reported by postgres")
                        .dataPoint(UnknownSnapshot.UnknownDataPointSnapshot.builder()
                                           .labels(Labels.of("version", "PostgreSQL 17.5")).value(1).build()).build());
        String text = write(s);
        assertThat(text).contains("# HELP g a \\\\ b\\nc \"q\"\n", "# TYPE g gauge\n",
                                  "g{l=\"x\\\"y\\\\z\\nw\"} 0.25\n", "g{l=\"nan\"} NaN\n", "g{l=\"inf\"} -Inf\n",
                                  "# TYPE pg_static untyped\n", "pg_static{version=\"PostgreSQL 17.5\"} 1\n");
    }

    @Test
    void emptyFamiliesAreLeftOut() throws IOException {
        MetricSnapshots s = new MetricSnapshots(GaugeSnapshot.builder().name("empty").help("h").build());
        assertThat(write(s)).isEmpty();
    }

    @Test
    void valueFormatting() {
        assertThat(GoFloat.format(1)).isEqualTo("1");
        assertThat(GoFloat.format(-1)).isEqualTo("-1");
        assertThat(GoFloat.format(1.5)).isEqualTo("1.5");
        assertThat(GoFloat.format(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
        assertThat(GoFloat.format(0)).isEqualTo("0");
        assertThat(GoFloat.format(524288)).isEqualTo("524288");
        assertThat(GoFloat.format(4194304)).isEqualTo("4.194304e+06");
        assertThat(GoFloat.format(5e6)).isEqualTo("5e+06");
        assertThat(GoFloat.format(1.795788133231E9)).isEqualTo("1.795788133231e+09");
        assertThat(GoFloat.format(0.0001)).isEqualTo("0.0001");
        assertThat(GoFloat.format(1.5e-5)).isEqualTo("1.5e-05");
        assertThat(GoFloat.format(-0.003473)).isEqualTo("-0.003473");
        assertThat(GoFloat.format(1e20)).isEqualTo("1e+20");
        assertThat(GoFloat.format(0.1 + 0.2)).isEqualTo("0.30000000000000004");
    }

    /** The page writes small integers without GoFloat.format; both paths must agree on every value. */
    @Test
    void valuesInThePageMatchFormatValue() throws IOException {
        double[] values = {0, -0.0, 1, 7, 9, 10, 99, 100, 12345, 99999, 100000, 999999, 999999.5, 1e6, 1e6 + 1, -5, -999999,
                           0.5, 123456.789, 4194304, 9007199254740993.0, Double.MIN_VALUE, Double.MAX_VALUE, Double.NaN};
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name("v").help("h");
        for (int i = 0; i < values.length; i++) {
            b.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(Labels.of("i", String.valueOf(i))).value(values[i]).build());
        }
        String text = write(new MetricSnapshots(b.build()));
        for (int i = 0; i < values.length; i++) {
            assertThat(text).contains("v{i=\"" + i + "\"} " + GoFloat.format(values[i]) + "\n");
        }
        assertThat(text).contains("v{i=\"1\"} -0\n", "v{i=\"11\"} 999999\n", "v{i=\"12\"} 999999.5\n", "v{i=\"13\"} 1e+06\n");
    }

    /** Label values and help are UTF-8, as the JDK encodes them, including 2-, 3- and 4-byte characters. */
    @Test
    void encodesUtf8LikeTheJdk() throws IOException {
        String value = "caf\u00e9 \u65e5\u672c \uD83D\uDE00 end";
        MetricSnapshots s = new MetricSnapshots(GaugeSnapshot.builder().name("u").help("h\u00e9lp \u2713")
                .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(Labels.of("datname", value)).value(1).build()).build());
        byte[] bytes = TextFormat.render(s).toByteArray();
        assertThat(bytes).isEqualTo(("# HELP u h\u00e9lp \u2713\n# TYPE u gauge\nu{datname=\"" + value + "\"} 1\n")
                                            .getBytes(StandardCharsets.UTF_8));
    }

    /** A page larger than the initial buffer grows without losing bytes. */
    @Test
    void largePagesGrow() throws IOException {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name("big").help("h");
        String long1 = "x".repeat(5000) + "\"\\";
        for (int i = 0; i < 200; i++) {
            b.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(Labels.of("l", long1 + i)).value(i).build());
        }
        String text = write(new MetricSnapshots(b.build()));
        assertThat(text.lines().filter(l -> l.startsWith("big{")).count()).isEqualTo(200);
        assertThat(text).contains("big{l=\"" + "x".repeat(5000) + "\\\"\\\\199\"} 199\n");
    }

    /** Snapshots written again (shared between scrapes) come from the render cache: the text must not change. */
    @Test
    void aSnapshotWrittenAgainIsWrittenTheSame() throws IOException {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name("shared").help("h \\ x");
        StringBuilder expected = new StringBuilder("# HELP shared h \\\\ x\n# TYPE shared gauge\n");
        for (int i = 0; i < 40; i++) { // large enough to be cached
            b.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(Labels.of("datname", "d\"b" + i)).value(i + 0.5).build());
        }
        // the client model sorts data points by labels
        java.util.stream.IntStream.range(0, 40).mapToObj(i -> "shared{datname=\"d\\\"b" + i + "\"} " + (i + 0.5) + "\n").sorted()
                .forEach(expected::append);
        GaugeSnapshot shared = b.build();
        String first = write(new MetricSnapshots(shared));
        assertThat(first).isEqualTo(expected.toString());
        for (int i = 0; i < 3; i++) {
            GaugeSnapshot own = GaugeSnapshot.builder().name("z_own").help("o")
                    .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(i).build()).build();
            assertThat(write(new MetricSnapshots(shared, own))).isEqualTo(first + "# HELP z_own o\n# TYPE z_own gauge\nz_own " + i + "\n");
        }
    }

    private static String gunzip(byte[] gz) throws IOException {
        try (java.util.zip.GZIPInputStream in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(gz))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static byte[] gzip(MetricSnapshots s) {
        return TextFormat.render(s).gzipped();
    }

    private static GaugeSnapshot big(String name, int points) {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help("help of " + name);
        for (int i = 0; i < points; i++) {
            b.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                                .labels(Labels.of("datname", "database_" + i, "state", "idle \u00e9")).value(i * 1.5).build());
        }
        return b.build();
    }

    /**
     * The gzip page is spliced from pieces compressed apart (cached snapshots once, the rest per page): whatever
     * the order and sizes of the pieces, it must decompress to exactly the plain page, as one gzip member.
     */
    @Test
    void gzipPagesDecompressToThePlainPageWithCachedPiecesAnywhere() throws IOException {
        GaugeSnapshot a = big("a_first", 2000);   // large: more than one deflate buffer
        GaugeSnapshot m = big("m_middle", 40);
        GaugeSnapshot z = big("z_last", 300);
        for (int round = 0; round < 3; round++) { // the first fills the cache (text and compressed), the others reuse it
            GaugeSnapshot own = big("k_own_" + round, 5); // small: never cached
            GaugeSnapshot own2 = big("y_own_" + round, 500);  // large, but new every page
            MetricSnapshots s = new MetricSnapshots(a, own, m, own2, z);
            String plain = write(s);
            byte[] gz = gzip(s);
            assertThat(gunzip(gz)).isEqualTo(plain);
            assertThat(gz.length).isLessThan(plain.length() / 4);
        }
        // Only cached pieces, and only live text.
        assertThat(gunzip(gzip(new MetricSnapshots(a, z)))).isEqualTo(write(new MetricSnapshots(a, z)));
        MetricSnapshots small = new MetricSnapshots(big("s", 3));
        assertThat(gunzip(gzip(small))).isEqualTo(write(small));
        assertThat(gunzip(gzip(new MetricSnapshots()))).isEmpty();
    }

    /**
     * A cached snapshot's text is referred to, not copied into every page: with 500 databases that text is megabytes
     * and copying it (into a buffer grown by doubling) was most of what a probe allocated. Plain, streamed and
     * gzip forms are still the whole page.
     */
    @Test
    void cachedTextIsReferredToNotCopiedIntoThePage() throws IOException {
        GaugeSnapshot shared = big("a_shared", 2000);
        GaugeSnapshot tail = big("z_shared", 100);
        GaugeSnapshot own = big("m_own", 3);
        Page page = TextFormat.render(new MetricSnapshots(shared, own, tail));
        int cachedText = RenderCache.rendered(shared).text().length + RenderCache.rendered(tail).text().length;
        assertThat(page.ownSize()).isLessThan(1024);
        assertThat(page.size()).isEqualTo(page.ownSize() + cachedText);
        byte[] plain = page.toByteArray();
        assertThat(plain).hasSize(page.size());
        ByteArrayOutputStream streamed = new ByteArrayOutputStream();
        page.writeTo(streamed);
        assertThat(streamed.toByteArray()).isEqualTo(plain);
        String text = new String(plain, StandardCharsets.UTF_8);
        assertThat(text).startsWith("# HELP a_shared ").contains("\n# HELP m_own ").contains("\n# HELP z_shared ");
        assertThat(gunzip(page.gzipped())).isEqualTo(text);
    }
}
