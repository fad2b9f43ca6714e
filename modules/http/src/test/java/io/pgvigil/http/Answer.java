package io.pgvigil.http;

import io.helidon.http.ClientResponseHeaders;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webclient.http1.Http1ClientRequest;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webserver.testing.junit5.DirectClient;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * An answer through Helidon's {@link DirectClient} (the routing, no socket), read whole: status, body as UTF-8 text
 * (empty without an entity), raw body bytes and headers.
 */
record Answer(int statusCode, String body, byte[] bytes, Headers headers) {

    /** The answer's headers, looked up by name as the JDK client does. */
    record Headers(ClientResponseHeaders raw) {
        Optional<String> firstValue(String name) {
            return raw.first(HeaderNames.create(name));
        }
    }

    /**
     * @param pathAndQuery the path, and a query whose names and values are percent-encoded
     * @param headers      names and values, alternating
     */
    static Answer send(DirectClient client, String method, String pathAndQuery, String... headers) {
        int q = pathAndQuery.indexOf('?');
        Http1ClientRequest req = client.method(Method.create(method)).path(q < 0 ? pathAndQuery : pathAndQuery.substring(0, q));
        if (q >= 0) {
            for (String pair : pathAndQuery.substring(q + 1).split("&")) {
                int eq = pair.indexOf('=');
                req.queryParam(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                               URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        for (int i = 0; i < headers.length; i += 2) {
            req.header(HeaderNames.create(headers[i]), headers[i + 1]);
        }
        try (HttpClientResponse res = req.request()) {
            byte[] bytes = res.entity().hasEntity() ? res.as(byte[].class) : new byte[0];
            return new Answer(res.status().code(), new String(bytes, StandardCharsets.UTF_8), bytes,
                              new Headers(res.headers()));
        }
    }
}
