package dev.idempotent.web;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;
import tools.jackson.databind.json.JsonMapper;

/** RFC 9457 problem details ({@code application/problem+json}) for the filters' own answers. */
class ProblemResponses {

    static final String CONTENT_TYPE = "application/problem+json";

    private final JsonMapper mapper;

    ProblemResponses(JsonMapper mapper) {
        this.mapper = mapper;
    }

    /** The problem document: {@code type}, {@code title}, {@code status}, {@code detail} and {@code instance}. */
    byte[] body(int status, String detail, String instance) {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "about:blank");
        problem.put("title", title(status));
        problem.put("status", status);
        problem.put("detail", detail);
        problem.put("instance", instance);
        return mapper.writeValueAsBytes(problem);
    }

    private static String title(int status) {
        HttpStatus known = HttpStatus.resolve(status);
        return known == null ? "Error " + status : known.getReasonPhrase();
    }
}
