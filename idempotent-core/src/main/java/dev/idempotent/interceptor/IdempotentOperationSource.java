package dev.idempotent.interceptor;

import dev.idempotent.IdempotencyConfigurationException;
import dev.idempotent.Idempotent;
import dev.idempotent.OnInFlight;
import dev.idempotent.support.Durations;
import dev.idempotent.support.Fingerprints;
import dev.idempotent.support.IdempotencyDefaults;
import dev.idempotent.support.JsonResultCodec;
import dev.idempotent.support.Keys;
import dev.idempotent.support.ResultCodec;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.aop.support.AopUtils;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.MethodClassKey;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.expression.Expression;
import org.springframework.expression.ParseException;
import org.springframework.expression.spel.SpelNode;
import org.springframework.expression.spel.ast.VariableReference;
import org.springframework.expression.spel.standard.SpelExpression;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.util.ClassUtils;
import org.springframework.util.StringValueResolver;
import tools.jackson.databind.json.JsonMapper;

/**
 * Finds {@link Idempotent} on a method and turns it into an {@link IdempotentOperation}, once per method
 * and target class. Every problem (an expression that does not parse, a duration that cannot be read, a
 * return type that cannot be stored) is an {@link IdempotencyConfigurationException} naming the class,
 * method and attribute, raised at startup by {@link IdempotentMethodValidator}.
 */
public class IdempotentOperationSource {

    private static final Pattern POSITIONAL = Pattern.compile("[pa]\\d+");

    private final SpelExpressionParser parser = new SpelExpressionParser();

    private final ParameterNameDiscoverer parameterNames = new DefaultParameterNameDiscoverer();

    private final Map<MethodClassKey, Optional<IdempotentOperation>> cache = new ConcurrentHashMap<>();

    /** Which method took each default namespace, so that two methods never share one by accident. */
    private final Map<String, String> defaultNames = new ConcurrentHashMap<>();

    private final IdempotencyDefaults defaults;

    private final JsonMapper mapper;

    private final @Nullable StringValueResolver placeholders;

    /** Tells at startup which arguments cannot be fingerprinted (the mapper is the one of the fingerprints). */
    private final Fingerprints fingerprints;

    /**
     * @param placeholders resolves {@code ${...}} in durations (the application context's embedded value
     *     resolver); {@code null} for none
     */
    public IdempotentOperationSource(
            IdempotencyDefaults defaults, JsonMapper mapper, @Nullable StringValueResolver placeholders) {
        this.defaults = defaults;
        this.mapper = mapper;
        this.placeholders = placeholders;
        this.fingerprints = new Fingerprints(mapper);
    }

    /** Whether {@code method} (or the method it implements) carries {@link Idempotent}. */
    static boolean isIdempotent(Method method, @Nullable Class<?> targetClass) {
        Method specific = AopUtils.getMostSpecificMethod(method, targetClass);
        return AnnotatedElementUtils.hasAnnotation(specific, Idempotent.class)
                || (specific != method && AnnotatedElementUtils.hasAnnotation(method, Idempotent.class));
    }

    /** The operation for {@code method} on {@code targetClass}, or {@code null} if it is not idempotent. */
    @Nullable
    IdempotentOperation getOperation(Method method, @Nullable Class<?> targetClass) {
        Class<?> userClass = targetClass == null ? method.getDeclaringClass() : ClassUtils.getUserClass(targetClass);
        return cache.computeIfAbsent(
                        new MethodClassKey(method, userClass), k -> Optional.ofNullable(build(method, userClass)))
                .orElse(null);
    }

    private @Nullable IdempotentOperation build(Method method, Class<?> targetClass) {
        Method specific = AopUtils.getMostSpecificMethod(method, targetClass);
        Idempotent annotation = AnnotatedElementUtils.findMergedAnnotation(specific, Idempotent.class);
        if (annotation == null) {
            annotation = AnnotatedElementUtils.findMergedAnnotation(method, Idempotent.class);
        }
        if (annotation == null) {
            return null;
        }
        String description = describe(targetClass, specific);
        if (!Modifier.isPublic(specific.getModifiers())) {
            throw new IdempotencyConfigurationException(
                    "@Idempotent on " + description + " has no effect: the method is"
                            + " not public, and Spring AOP proxies only intercept public methods; make it public");
        }
        String name = annotation.name().isBlank()
                ? defaultName(targetClass, specific, description)
                : annotation.name().trim();
        String keySource = annotation.key().trim();
        Expression key = parse(keySource, "key", description, specific);
        String fingerprintSource = annotation.fingerprint().trim();
        Expression fingerprint = parse(fingerprintSource, "fingerprint", description, specific);
        Duration ttl = duration(annotation.ttl(), defaults.ttl(), "ttl", description);
        Duration lease = duration(annotation.lease(), defaults.lease(), "lease", description);
        Duration waitTimeout = duration(annotation.waitTimeout(), defaults.waitTimeout(), "waitTimeout", description);
        ListenerKind listener = ListenerKind.of(specific);
        OnInFlight onInFlight = annotation.onInFlight();
        if (listener != ListenerKind.NONE) {
            if (onInFlight == OnInFlight.SKIP) {
                throw new IdempotencyConfigurationException("@Idempotent(onInFlight = SKIP) on " + description
                        + ", a " + listener.annotation() + " method, would acknowledge a duplicate delivery while the"
                        + " first one is still running, and the message would be lost if that run fails; remove"
                        + " onInFlight: on a listener a duplicate in flight waits up to waitTimeout for the first run,"
                        + " then goes back to the broker");
            }
            // a listener's duplicate in flight is never acknowledged: it waits for the first run (a replay once
            // that completes, a run of its own if that fails), and after waitTimeout goes back to the broker
            onInFlight = OnInFlight.WAIT;
            if (ListenerKind.isBatch(specific)) {
                throw new IdempotencyConfigurationException("@Idempotent on " + description + ", a batch "
                        + listener.annotation() + " method, would make the whole batch one operation under one key,"
                        + " but the broker redelivers the messages of a batch in other batches (after a failure, a"
                        + " rebalance, a restart): a key would meet other messages (key reuse, not retried) and a"
                        + " message could be acknowledged without being processed. Deduplicate per message: put"
                        + " @Idempotent on a method of another bean that the listener calls once per message, or"
                        + " make it a record listener");
            }
        }
        if (fingerprint == null) {
            checkFingerprintable(specific, description);
        }
        if (annotation.onInFlight() == OnInFlight.SKIP
                && specific.getReturnType().isPrimitive()
                && specific.getReturnType() != void.class) {
            throw new IdempotencyConfigurationException("@Idempotent(onInFlight = SKIP) on " + description
                    + " cannot skip: a skipped call returns null, which a " + specific.getReturnType()
                    + " cannot hold; return void, a boxed type or Optional, or use REJECT or WAIT");
        }
        ReactiveKind reactive = ReactiveKind.of(specific.getReturnType());
        if (reactive != ReactiveKind.NONE && listener != ListenerKind.NONE) {
            throw new IdempotencyConfigurationException("@Idempotent on " + description + ", a " + listener.annotation()
                    + " method, returns a " + specific.getReturnType().getSimpleName() + ": listener containers do not"
                    + " subscribe to it, so it would never run; return the result itself (or void)");
        }
        ResultCodec codec = JsonResultCodec.forType(
                mapper,
                reactive.storedType(specific, targetClass, description),
                annotation.storeExceptions(),
                description);
        if (listener != ListenerKind.NONE) {
            codec = new ListenerResultCodec(codec, listener);
        }
        String namespace = Keys.namespace(name, annotation.version().trim());
        return new IdempotentOperation(
                specific,
                description,
                name,
                namespace,
                keySource,
                key,
                fingerprintSource,
                fingerprint,
                ttl,
                lease,
                onInFlight,
                waitTimeout,
                codec,
                annotation.store().trim(),
                listener,
                reactive);
    }

    /**
     * Without a fingerprint expression every argument is fingerprinted: one whose declared type cannot be
     * (written as {@code {}}, or refused by Jackson) is refused here, once, rather than on every call, where
     * {@code {}} would make different calls look the same.
     */
    private void checkFingerprintable(Method method, String description) {
        java.lang.reflect.Type[] types = method.getGenericParameterTypes();
        String[] names = parameterNames.getParameterNames(method);
        for (int i = 0; i < types.length; i++) {
            String why = fingerprints.whyNotFingerprintable(types[i]);
            if (why != null) {
                String name = names != null ? names[i] : "p" + i;
                throw new IdempotencyConfigurationException("@Idempotent on " + description + " cannot fingerprint"
                        + " its argument #" + name + " (a " + method.getParameterTypes()[i].getName() + "): " + why
                        + ". Give @Idempotent a fingerprint expression naming what the call asks for (for example"
                        + " fingerprint = \"#" + name + ".id\"), or give the type getters or @JsonProperty fields");
            }
        }
    }

    private String defaultName(Class<?> targetClass, Method method, String description) {
        String name = targetClass.getSimpleName() + "." + method.getName();
        String owner = targetClass.getName() + "#" + method.getName() + Arrays.toString(method.getParameterTypes());
        String first = defaultNames.putIfAbsent(name, owner);
        if (first != null && !first.equals(owner)) {
            throw new IdempotencyConfigurationException("@Idempotent on " + description + " and on " + first
                    + " would share the default namespace '" + name + "', so equal keys would replay each other's"
                    + " results; give one of them (or both) an explicit @Idempotent(name = \"...\")");
        }
        return name;
    }

    private @Nullable Expression parse(String source, String attribute, String description, Method method) {
        if (source.isEmpty()) {
            return null;
        }
        Expression expression;
        try {
            expression = parser.parseExpression(source);
        } catch (ParseException e) {
            throw new IdempotencyConfigurationException(
                    "@Idempotent " + attribute + " expression '" + source + "' on " + description + " does not parse: "
                            + e.getMessage(),
                    e);
        }
        checkParameterNames(expression, source, attribute, description, method);
        return expression;
    }

    /**
     * Every {@code #name} of the expression must be a parameter of the method: without {@code -parameters}
     * the names are not in the class file and {@code #paymentId} would be {@code null} at run time; with
     * them, a name that is no parameter (a typo) would be {@code null} too.
     */
    private void checkParameterNames(
            Expression expression, String source, String attribute, String description, Method method) {
        if (!(expression instanceof SpelExpression spel)) {
            return;
        }
        Set<String> variables = new LinkedHashSet<>();
        collectVariables(spel.getAST(), variables);
        variables.removeIf(name -> name.equals("root")
                || name.equals("this")
                || POSITIONAL.matcher(name).matches());
        if (variables.isEmpty()) {
            return;
        }
        String[] names = parameterNames.getParameterNames(method);
        String positions = positions(method);
        if (names == null) {
            throw new IdempotencyConfigurationException("@Idempotent " + attribute + " expression '" + source + "' on "
                    + description + " names parameters ("
                    + variables.stream().map(v -> "#" + v).collect(Collectors.joining(", ")) + "), but "
                    + method.getDeclaringClass().getName()
                    + " was compiled without parameter names, so they would be null at run time. Compile with"
                    + " -parameters (maven-compiler-plugin <parameters>true</parameters>, as the Spring Boot parent"
                    + " does; Gradle: options.compilerArgs << '-parameters'), or refer to the parameters by position: "
                    + positions);
        }
        List<String> declared = Arrays.asList(names);
        for (String variable : variables) {
            if (!declared.contains(variable)) {
                throw new IdempotencyConfigurationException("@Idempotent " + attribute + " expression '" + source
                        + "' on " + description + " names #" + variable + ", which is not a parameter of the method;"
                        + " its parameters are "
                        + declared.stream().map(n -> "#" + n).collect(Collectors.joining(", ")) + " (or by position: "
                        + positions + ")");
            }
        }
    }

    private static void collectVariables(SpelNode node, Set<String> variables) {
        if (node instanceof VariableReference) {
            variables.add(node.toStringAST().substring(1));
        }
        for (int i = 0; i < node.getChildCount(); i++) {
            collectVariables(node.getChild(i), variables);
        }
    }

    private static String positions(Method method) {
        if (method.getParameterCount() == 0) {
            return "the method has no parameters";
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < method.getParameterCount(); i++) {
            text.append(i == 0 ? "" : ", ")
                    .append("#p")
                    .append(i)
                    .append(" or #a")
                    .append(i)
                    .append(" for the ")
                    .append(method.getParameterTypes()[i].getSimpleName());
        }
        return text.toString();
    }

    private Duration duration(String text, Duration fallback, String attribute, String description) {
        if (text == null || text.isBlank()) {
            return fallback;
        }
        String resolved = text;
        try {
            if (placeholders != null) {
                resolved = Objects.requireNonNullElse(placeholders.resolveStringValue(text), "");
            }
            return Durations.parse(resolved);
        } catch (IllegalArgumentException e) {
            throw new IdempotencyConfigurationException(
                    "@Idempotent " + attribute + " = \"" + text + "\" on "
                            + description + (resolved.equals(text) ? "" : " (resolved to \"" + resolved + "\")") + ": "
                            + e.getMessage(),
                    e);
        }
    }

    static String describe(Class<?> targetClass, Method method) {
        return targetClass.getSimpleName() + "." + method.getName()
                + Arrays.stream(method.getParameterTypes())
                        .map(Class::getSimpleName)
                        .collect(Collectors.joining(", ", "(", ")"));
    }
}
