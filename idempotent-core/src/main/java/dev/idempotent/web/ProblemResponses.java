package dev.idempotent.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;
import tools.jackson.databind.json.JsonMapper;

/** Writes RFC 9457 problem details ({@code application/problem+json}) for the filter's own answers. */
final class ProblemResponses {

    static final String CONTENT_TYPE = "application/problem+json";

    private final JsonMapper mapper;

    ProblemResponses(JsonMapper mapper) {
        this.mapper = mapper;
    }

    /** Sends {@code status} with {@code detail}; {@code instance} is the request's path. */
    void send(HttpServletRequest request, HttpServletResponse response, int status, String detail)
            throws IOException {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "about:blank");
        problem.put("title", title(status));
        problem.put("status", status);
        problem.put("detail", detail);
        problem.put("instance", request.getRequestURI());
        byte[] body = mapper.writeValueAsBytes(problem);
        response.setStatus(status);
        response.setContentType(CONTENT_TYPE);
        CapturingResponseWrapper.writeBody(response, body);
    }

    private static String title(int status) {
        HttpStatus known = HttpStatus.resolve(status);
        return known == null ? "Error " + status : known.getReasonPhrase();
    }
}
