package dev.idempotent.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.idempotent.IdempotencyConfigurationException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockServletContext;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.support.GenericWebApplicationContext;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

class IdempotencyKeyRequiredHandlersTests {

    @Test
    void findsAnnotatedMethodsAndControllers() {
        RequestMappingHandlerMapping mapping = mappingFor(Payments.class, Refunds.class);
        IdempotencyKeyRequiredHandlers handlers =
                new IdempotencyKeyRequiredHandlers(() -> List.of(mapping), List.of("post", "PATCH"));
        handlers.afterSingletonsInstantiated();

        assertThat(handlers.isKeyRequired(post("/payments"))).isTrue();
        assertThat(handlers.isKeyRequired(post("/payments/quote"))).isFalse();
        assertThat(handlers.isKeyRequired(post("/refunds/42"))).isTrue();
        assertThat(handlers.isKeyRequired(post("/unmapped"))).isFalse();
        assertThat(handlers.isKeyRequired(new MockHttpServletRequest("GET", "/payments")))
                .isFalse();
    }

    @Test
    void leavesNoAttributesOnTheRequest() {
        RequestMappingHandlerMapping mapping = mappingFor(Payments.class);
        IdempotencyKeyRequiredHandlers handlers =
                new IdempotencyKeyRequiredHandlers(() -> List.of(mapping), List.of("POST"));
        MockHttpServletRequest request = post("/payments");

        assertThat(handlers.isKeyRequired(request)).isTrue();
        assertThat(request.getAttributeNames().hasMoreElements()).isFalse();
    }

    @Test
    void annotationOnAMethodTheFilterDoesNotProtectFailsTheStartup() {
        RequestMappingHandlerMapping mapping = mappingFor(Documents.class);
        IdempotencyKeyRequiredHandlers handlers =
                new IdempotencyKeyRequiredHandlers(() -> List.of(mapping), List.of("POST", "PATCH"));

        assertThatThrownBy(handlers::afterSingletonsInstantiated)
                .isInstanceOf(IdempotencyConfigurationException.class)
                .hasMessageContaining("Documents#replace")
                .hasMessageContaining("[PUT]")
                .hasMessageContaining("idempotency.http.methods");
    }

    @Test
    void noAnnotatedHandlerMeansNoLookup() {
        RequestMappingHandlerMapping mapping = mappingFor(Unannotated.class);
        IdempotencyKeyRequiredHandlers handlers =
                new IdempotencyKeyRequiredHandlers(() -> List.of(mapping), List.of("POST"));

        assertThat(handlers.isKeyRequired(post("/plain"))).isFalse();
    }

    private static MockHttpServletRequest post(String path) {
        return new MockHttpServletRequest("POST", path);
    }

    private static RequestMappingHandlerMapping mappingFor(Class<?>... controllers) {
        GenericWebApplicationContext context = new GenericWebApplicationContext(new MockServletContext());
        for (Class<?> controller : controllers) {
            context.registerBean(controller);
        }
        context.registerBean(RequestMappingHandlerMapping.class);
        context.refresh();
        return context.getBean(RequestMappingHandlerMapping.class);
    }

    @RestController
    static class Payments {

        @IdempotencyKeyRequired
        @PostMapping("/payments")
        String charge() {
            return "charged";
        }

        @PostMapping("/payments/quote")
        String quote() {
            return "quote";
        }
    }

    @IdempotencyKeyRequired
    @RestController
    @RequestMapping("/refunds")
    static class Refunds {

        @PostMapping("/{id}")
        String refund() {
            return "refunded";
        }
    }

    @RestController
    static class Documents {

        @IdempotencyKeyRequired
        @PutMapping("/documents/{id}")
        String replace() {
            return "replaced";
        }
    }

    @RestController
    static class Unannotated {

        @PostMapping("/plain")
        String plain() {
            return "plain";
        }
    }
}
