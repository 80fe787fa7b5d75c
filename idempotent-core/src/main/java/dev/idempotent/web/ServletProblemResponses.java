package dev.idempotent.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import tools.jackson.databind.json.JsonMapper;

/** Writes {@link ProblemResponses problem details} to a servlet response. */
final class ServletProblemResponses extends ProblemResponses {

    ServletProblemResponses(JsonMapper mapper) {
        super(mapper);
    }

    /** Sends {@code status} with {@code detail}; {@code instance} is the request's path. */
    void send(HttpServletRequest request, HttpServletResponse response, int status, String detail) throws IOException {
        byte[] body = body(status, detail, request.getRequestURI());
        response.setStatus(status);
        response.setContentType(CONTENT_TYPE);
        CapturingResponseWrapper.writeBody(response, body);
    }
}
