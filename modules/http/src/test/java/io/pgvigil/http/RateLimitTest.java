package io.pgvigil.http;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.DirectClient;
import io.helidon.webserver.testing.junit5.RoutingTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;
import io.pgvigil.config.AuthConfig;
import io.pgvigil.config.WebConfig;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** exporter-toolkit's {@code rate_limit}: one bucket for every route, checked before basic auth, 429 when empty. */
@RoutingTest
class RateLimitTest {
    private static final String HASH = new String(BCrypt.withDefaults().hash(4, "pw".toCharArray()), StandardCharsets.US_ASCII);

    private final DirectClient client;

    RateLimitTest(DirectClient client) {
        this.client = client;
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) {
        // one token an hour: the bucket does not refill while the test runs
        WebConfig web = new WebConfig(Optional.empty(), Map.of("X-Frame-Options", "deny"), Map.of("prometheus", HASH),
                                      Optional.of(new WebConfig.RateLimit(Duration.ofHours(1), 3)));
        ExporterRoutes.register(routing, ExporterRoutes.Settings.of("/metrics", new CannedScrapes(CannedScrapes.down()),
                                                                    AuthConfig::empty, "test")
                .withWebConfig(() -> web));
    }

    @Test
    void theBurstIsServedThenEveryRouteIsRefusedBeforeAuthentication() {
        String auth = "Basic " + Base64.getEncoder().encodeToString("prometheus:pw".getBytes(StandardCharsets.UTF_8));
        assertThat(Answer.send(client, "GET", "/metrics", "Authorization", auth).statusCode()).isEqualTo(200);
        assertThat(Answer.send(client, "GET", "/-/healthy").statusCode()).isEqualTo(401);
        assertThat(Answer.send(client, "GET", "/", "Authorization", auth).statusCode()).isEqualTo(200);
        for (String path : new String[] {"/metrics", "/-/healthy", "/probe?target=x"}) {
            Answer refused = Answer.send(client, "GET", path, "Authorization", auth);
            assertThat(refused.statusCode()).as(path).isEqualTo(429);
            assertThat(refused.body()).isEqualTo("Too Many Requests\n");
            assertThat(refused.headers().firstValue("X-Frame-Options")).contains("deny");
        }
        // without credentials too: the limit comes first, so an unauthenticated flood cannot make pgvigil run bcrypt
        assertThat(Answer.send(client, "GET", "/metrics").statusCode()).isEqualTo(429);
    }

    @Test
    void aBucketFillsOneTokenPerIntervalUpToTheBurstAndStartsFullAfterAChange() {
        TokenBucket bucket = new TokenBucket();
        Optional<WebConfig.RateLimit> none = Optional.of(new WebConfig.RateLimit(Duration.ofHours(1), 0));
        assertThat(bucket.allow(none)).isFalse();
        Optional<WebConfig.RateLimit> two = Optional.of(new WebConfig.RateLimit(Duration.ofHours(1), 2));
        assertThat(bucket.allow(two)).isTrue();
        assertThat(bucket.allow(two)).isTrue();
        assertThat(bucket.allow(two)).isFalse();
        assertThat(bucket.allow(Optional.empty())).isTrue();
        // another limit starts full
        assertThat(bucket.allow(Optional.of(new WebConfig.RateLimit(Duration.ofHours(2), 1)))).isTrue();
    }
}
