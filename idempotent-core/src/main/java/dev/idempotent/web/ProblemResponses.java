package dev.idempotent.web;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.net.URI;
import java.net.URISyntaxException;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.json.ProblemDetailJacksonMixin;
import tools.jackson.databind.json.JsonMapper;

/** RFC 9457 problem details ({@code application/problem+json}) for the filters' own answers. */
class ProblemResponses {

    static final String CONTENT_TYPE = "application/problem+json";

    private static final URI ABOUT_BLANK = URI.create("about:blank");

    private final JsonMapper mapper;

    /**
     * @param mapper writes the bodies; Spring's mix-in is added to a copy of it, so that a {@link ProblemDetail}
     *     is written as RFC 9457 says (extra properties at the top level, no empty members), its members in the
     *     RFC's order
     */
    ProblemResponses(JsonMapper mapper) {
        this.mapper = mapper.rebuild()
                .addMixIn(ProblemDetail.class, ProblemDetailInRfcOrder.class)
                .build();
    }

    /** The problem document: {@code type}, {@code title}, {@code status}, {@code detail} and {@code instance}. */
    byte[] body(int status, String detail, String instance) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatusCode.valueOf(status), detail);
        problem.setType(ABOUT_BLANK);
        problem.setTitle(title(status));
        problem.setInstance(instance(instance));
        return mapper.writeValueAsBytes(problem);
    }

    private static String title(int status) {
        HttpStatus known = HttpStatus.resolve(status);
        return known == null ? "Error " + status : known.getReasonPhrase();
    }

    /**
     * {@code path} as a URI: as it is when it is one (a request's raw path), else with its illegal characters
     * quoted, so that a path the server let through never turns the answer into a failure.
     */
    private static URI instance(String path) {
        try {
            return new URI(path);
        } catch (URISyntaxException notRaw) {
            try {
                return new URI(null, null, path, null);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("Not a path: " + path, e);
            }
        }
    }

    @JsonPropertyOrder({"type", "title", "status", "detail", "instance"})
    private interface ProblemDetailInRfcOrder extends ProblemDetailJacksonMixin {}
}
