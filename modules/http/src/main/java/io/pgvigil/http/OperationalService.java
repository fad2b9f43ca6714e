package io.pgvigil.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The operational endpoints, answered from the {@link Lifecycle} and never from a database: {@code /-/healthy},
 * {@code /-/ready} (503 while not ready) and {@code /-/reload} (POST or PUT only).
 */
final class OperationalService implements HttpService {
    private final Lifecycle lifecycle;

    OperationalService(Lifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/-/healthy", (req, res) -> Responses.plain(res, Status.OK_200, "Healthy.\n"))
                .head("/-/healthy", (req, res) -> res.send())
                .get("/-/ready", this::ready)
                .head("/-/ready", (req, res) -> {
                    res.status(lifecycle.ready() ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503);
                    res.send();
                })
                .post("/-/reload", this::reload)
                .put("/-/reload", this::reload)
                .any("/-/reload", (req, res) -> {
                    res.headers().set(HeaderNames.ALLOW, "POST, PUT");
                    Responses.plain(res, Status.METHOD_NOT_ALLOWED_405, "Only POST or PUT requests allowed.\n");
                });
    }

    private void ready(ServerRequest req, ServerResponse res) {
        if (lifecycle.ready()) {
            Responses.plain(res, Status.OK_200, "Ready.\n");
        } else {
            Responses.plain(res, Status.SERVICE_UNAVAILABLE_503, "Not ready.\n");
        }
    }

    private void reload(ServerRequest req, ServerResponse res) {
        Lifecycle.ReloadOutcome outcome = lifecycle.reload();
        if (outcome.successful()) {
            Responses.plain(res, Status.OK_200, outcome.message() + "\n");
        } else {
            Responses.plain(res, Status.INTERNAL_SERVER_ERROR_500, "failed to reload config: " + outcome.message() + "\n");
        }
        lifecycle.reloadAnswered();
    }
}
