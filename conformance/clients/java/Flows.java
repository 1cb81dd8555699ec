// The Java flows of kvconform's client phase: the official azure-security-keyvault-certificates, unmodified.
//
// conformance/clients/_java.py compiles this file once per source hash and reads its stdout, one JSON object a
// line, in the protocol of the JS script (js/flows.mjs):
//   {"type": "start", "sdk": "azure-security-keyvault-certificates 4.8.5", "runtime": "17.0.15"}
//   {"type": "sign", "csr": "<base64 DER>"}   answered on stdin with {"x5c": ["<leaf>", "<ca>"]} (base64 DER)
//   {"type": "flow", "flow": "CANCEL", "status": "pass|fail|error", "message", "step", "error", "exchange", "trail"}
//   {"type": "cleanup", "leftovers": ["certificate … (…)"]}
// Settings come from the environment (KVCONFORM_CLIENT_*); the token is never printed (Authorization is masked).
// The CA of KVCONFORM_CLIENT_CA_FILE becomes the JVM's trust store (javax.net.ssl.trustStore), as a user would.

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpHeader;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.netty.NettyAsyncHttpClientBuilder;
import com.azure.core.http.policy.ExponentialBackoffOptions;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.core.http.policy.RetryOptions;
import com.azure.core.util.ClientOptions;
import com.azure.core.util.Context;
import com.azure.core.util.polling.SyncPoller;
import com.azure.security.keyvault.certificates.CertificateClient;
import com.azure.security.keyvault.certificates.CertificateClientBuilder;
import com.azure.security.keyvault.certificates.models.CertificateOperation;
import com.azure.security.keyvault.certificates.models.CertificatePolicy;
import com.azure.security.keyvault.certificates.models.CertificateProperties;
import com.azure.security.keyvault.certificates.models.DeletedCertificate;
import com.azure.security.keyvault.certificates.models.KeyVaultCertificate;
import com.azure.security.keyvault.certificates.models.KeyVaultCertificateWithPolicy;
import com.azure.security.keyvault.certificates.models.MergeCertificateOptions;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import reactor.core.publisher.Mono;

public final class Flows {
    static final List<String> FLOWS = List.of("CREATE-SELF", "OPERATION", "CANCEL", "MANUAL", "READ", "DELETE");
    static final Map<String, String> ENV = System.getenv();
    static final String PREFIX = ENV.getOrDefault("KVCONFORM_CLIENT_PREFIX", "kvconform-java-");
    static final Duration INTERVAL = millis("KVCONFORM_CLIENT_POLL_MS", 1000);
    static final Duration TIMEOUT = millis("KVCONFORM_CLIENT_TIMEOUT_MS", 120000);
    static final BufferedReader STDIN = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));

    static CertificateClient client;
    static final List<Map<String, Object>> trail = new ArrayList<>();
    static final List<String> names = new ArrayList<>();
    static String step = "";

    // -- output: JSON lines --------------------------------------------------------------------------------------
    static synchronized void emit(Map<String, Object> message) {
        System.out.println(json(message));
        System.out.flush();
    }

    static String json(Object value) {
        if (value == null) return "null";
        if (value instanceof Number || value instanceof Boolean) return value.toString();
        if (value instanceof Map) {
            StringBuilder out = new StringBuilder("{");
            for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                if (out.length() > 1) out.append(',');
                out.append(json(String.valueOf(entry.getKey()))).append(':').append(json(entry.getValue()));
            }
            return out.append('}').toString();
        }
        if (value instanceof List) {
            StringBuilder out = new StringBuilder("[");
            for (Object item : (List<?>) value) {
                if (out.length() > 1) out.append(',');
                out.append(json(item));
            }
            return out.append(']').toString();
        }
        StringBuilder out = new StringBuilder("\"");
        for (char c : value.toString().toCharArray()) {
            if (c == '"' || c == '\\') out.append('\\').append(c);
            else if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
            else out.append(c);
        }
        return out.append('"').toString();
    }

    static Map<String, Object> map(Object... pairs) {
        Map<String, Object> result = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) result.put((String) pairs[i], pairs[i + 1]);
        return result;
    }

    static Duration millis(String name, long fallback) {
        try {
            long value = Long.parseLong(ENV.getOrDefault(name, ""));
            return Duration.ofMillis(value > 0 ? value : fallback);
        } catch (NumberFormatException e) {
            return Duration.ofMillis(fallback);
        }
    }

    // -- recording: every exchange the SDK makes, Authorization masked -------------------------------------------
    static final class Recorder implements HttpPipelinePolicy {
        private Map<String, Object> begin(HttpRequest request) {
            Map<String, Object> entry = map("method", request.getHttpMethod().toString(), "url",
                    request.getUrl().toString(), "request_headers", headers(request.getHeaders()), "request_body",
                    request.getBodyAsBinaryData() == null ? null : request.getBodyAsBinaryData().toString(),
                    "status", null, "response_headers", map(), "response_text", "", "elapsed", 0.0, "error", null);
            synchronized (trail) {
                trail.add(entry);
            }
            entry.put("started", System.nanoTime());
            return entry;
        }

        private HttpResponse end(Map<String, Object> entry, HttpResponse response) {
            HttpResponse buffered = response.buffer();
            entry.put("status", buffered.getStatusCode());
            entry.put("response_headers", headers(buffered.getHeaders()));
            entry.put("response_text", buffered.getBodyAsBinaryData().toString());
            entry.put("elapsed", (System.nanoTime() - (long) entry.remove("started")) / 1e9);
            return buffered;
        }

        private void failed(Map<String, Object> entry, Throwable error) {
            entry.put("error", error.getClass().getSimpleName() + ": " + error.getMessage());
            Object started = entry.remove("started");
            if (started != null) entry.put("elapsed", (System.nanoTime() - (long) started) / 1e9);
        }

        @Override
        public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
            Map<String, Object> entry = begin(context.getHttpRequest());
            return next.process().map(response -> end(entry, response)).doOnError(error -> failed(entry, error));
        }

        @Override
        public HttpResponse processSync(HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
            Map<String, Object> entry = begin(context.getHttpRequest());
            try {
                return end(entry, next.processSync());
            } catch (RuntimeException error) {
                failed(entry, error);
                throw error;
            }
        }

        private static Map<String, Object> headers(Iterable<HttpHeader> headers) {
            Map<String, Object> result = new LinkedHashMap<>();
            for (HttpHeader header : headers) {
                String name = header.getName().toLowerCase();
                result.put(name, name.equals("authorization") ? "***" : header.getValue());
            }
            return result;
        }
    }

    // -- trust and the client ------------------------------------------------------------------------------------
    /** The CA PEM as the JVM's trust store: a PKCS12 file made in-program (what keytool -importcert makes). */
    static void trust(String caFile) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        try (FileInputStream in = new FileInputStream(caFile)) {
            int index = 0;
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("kvconform-ca-" + index++, certificate);
            }
        }
        Path file = Files.createTempFile("kvconform-truststore", ".p12");
        file.toFile().deleteOnExit();
        char[] password = "kvconform".toCharArray();
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, password);
        }
        System.setProperty("javax.net.ssl.trustStore", file.toString());
        System.setProperty("javax.net.ssl.trustStorePassword", "kvconform");
        System.setProperty("javax.net.ssl.trustStoreType", "PKCS12");
    }

    static CertificateClient build() throws Exception {
        String token = ENV.getOrDefault("KVCONFORM_CLIENT_TOKEN", "");
        TokenCredential credential = request ->
                Mono.just(new AccessToken(token.isEmpty() ? "kvconform-no-auth" : token, OffsetDateTime.now().plusHours(1)));
        CertificateClientBuilder builder = new CertificateClientBuilder()
                .vaultUrl(ENV.get("KVCONFORM_CLIENT_VAULT"))
                .credential(credential)
                .addPolicy(new Recorder())
                .retryOptions(new RetryOptions(new ExponentialBackoffOptions().setMaxRetries(2)))
                .clientOptions(new ClientOptions().setApplicationId(ENV.getOrDefault("KVCONFORM_CLIENT_USER_AGENT", "kvconform")));
        if (!"1".equals(ENV.get("KVCONFORM_CLIENT_VERIFY_CHALLENGE"))) builder.disableChallengeResourceVerification();
        if ("1".equals(ENV.get("KVCONFORM_CLIENT_INSECURE"))) {
            var ssl = SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build();
            builder.httpClient(new NettyAsyncHttpClientBuilder(
                    reactor.netty.http.client.HttpClient.create().secure(spec -> spec.sslContext(ssl))).build());
        } else if (!ENV.getOrDefault("KVCONFORM_CLIENT_CA_FILE", "").isEmpty()) {
            trust(ENV.get("KVCONFORM_CLIENT_CA_FILE"));
        }
        return builder.buildClient();
    }

    // -- helpers -------------------------------------------------------------------------------------------------
    static final class FlowFailure extends RuntimeException {
        final String match;

        FlowFailure(String message, String match) {
            super(message);
            this.match = match;
        }
    }

    interface Flow {
        void run() throws Exception;
    }

    static void at(String description) {
        step = description;
    }

    static void expect(boolean condition, String message, String match) {
        if (!condition) throw new FlowFailure(message, match);
    }

    static String nameFor(String label) {
        String name = PREFIX + label + "-" + (names.size() + 1);
        names.add(name);
        return name;
    }

    static int statusOf(Throwable error) {
        return error instanceof HttpResponseException && ((HttpResponseException) error).getResponse() != null
                ? ((HttpResponseException) error).getResponse().getStatusCode() : 0;
    }

    static CertificatePolicy manualPolicy() {
        return new CertificatePolicy("Unknown", "CN=kvconform-client");
    }

    static SyncPoller<CertificateOperation, KeyVaultCertificateWithPolicy> createManual(String name) {
        at("beginCreateCertificate(issuer Unknown)");
        SyncPoller<CertificateOperation, KeyVaultCertificateWithPolicy> created =
                client.beginCreateCertificate(name, manualPolicy());
        expect(!created.poll().getStatus().isComplete(),
                "the create poller is done at once, although the manual operation is inProgress", "/pending");
        at("getCertificateOperation(name)");
        return client.getCertificateOperation(name).setPollInterval(INTERVAL);
    }

    static CertificateOperation operationOf(SyncPoller<CertificateOperation, KeyVaultCertificateWithPolicy> poller) {
        CertificateOperation operation = poller.poll().getValue();
        expect(operation != null, "the operation poller gave no operation", "/pending");
        return operation;
    }

    static void merge(String name, CertificateOperation operation) throws Exception {
        byte[] csr = operation.getCsr();
        expect(csr != null && csr.length > 0, "the operation carries no CSR to sign", "/pending");
        emit(map("type", "sign", "csr", Base64.getEncoder().encodeToString(csr)));
        String answer = STDIN.readLine();
        expect(answer != null && !answer.contains("\"error\""), "the operation's csr could not be signed: " + answer, "/pending");
        List<byte[]> chain = new ArrayList<>();
        Matcher items = Pattern.compile("\"([A-Za-z0-9+/=]+)\"").matcher(answer.substring(answer.indexOf('[')));
        while (items.find()) chain.add(Base64.getDecoder().decode(items.group(1)));
        at("mergeCertificate(new MergeCertificateOptions(name, [leaf, ca]))");
        KeyVaultCertificateWithPolicy merged = client.mergeCertificate(new MergeCertificateOptions(name, chain));
        expect(Arrays.equals(merged.getCer(), chain.get(0)), "the merged certificate's cer is not the leaf", "");
    }

    // Right after the delete the real service can answer a purge 409 (ObjectIsBeingDeleted), which is transient (facts
    // file): retried until the timeout.
    static void purge(String name) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            try {
                client.purgeDeletedCertificate(name);
                return;
            } catch (HttpResponseException error) {
                if (statusOf(error) != 409 || System.nanoTime() >= deadline) throw error;
            }
            try {
                Thread.sleep(INTERVAL.toMillis());
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting to purge " + name, interrupted);
            }
        }
    }

    static void expectNotFound(Flow call, String what) throws Exception {
        try {
            call.run();
        } catch (HttpResponseException error) {
            if (statusOf(error) == 404) return;
            throw error;
        }
        throw new FlowFailure(what + " is still readable; expected an HttpResponseException with status 404", "");
    }

    // -- the flows -----------------------------------------------------------------------------------------------
    static final Map<String, Flow> RUNS = Map.of(
        "CREATE-SELF", () -> {
            String name = nameFor("self");
            at("beginCreateCertificate(CertificatePolicy.getDefault()) and waitForCompletion");
            SyncPoller<CertificateOperation, KeyVaultCertificateWithPolicy> poller =
                    client.beginCreateCertificate(name, CertificatePolicy.getDefault()).setPollInterval(INTERVAL);
            var last = poller.waitForCompletion(TIMEOUT);
            expect(last.getStatus().isComplete(), "the poller did not complete within " + TIMEOUT + " (--timeout): "
                    + last.getStatus(), "/pending");
            at("getFinalResult()");
            KeyVaultCertificateWithPolicy certificate = poller.getFinalResult();
            expect(certificate != null && certificate.getCer() != null && certificate.getCer().length > 0,
                    "getFinalResult gave the certificate without its cer", "");
            at("getCertificateOperation(name)");
            CertificateOperation operation = operationOf(client.getCertificateOperation(name));
            expect("completed".equals(operation.getStatus()), "status " + operation.getStatus() + ", expected completed", "/pending");
        },
        "OPERATION", () -> {
            String name = nameFor("op");
            CertificateOperation operation = operationOf(createManual(name));
            expect("inProgress".equals(operation.getStatus()), "status " + operation.getStatus() + ", expected inProgress", "/pending");
            expect(operation.getCsr() != null && operation.getCsr().length > 0, "the operation carries no CSR", "/pending");
            at("beginCreateCertificate(name) again while inProgress");
            try {
                client.beginCreateCertificate(name, manualPolicy());
            } catch (HttpResponseException error) {
                expect(statusOf(error) == 409, describe(error) + "; expected an HttpResponseException with status 409", "");
                return;
            }
            throw new FlowFailure("the second create was accepted; expected an HttpResponseException with status 409", "");
        },
        "CANCEL", () -> {
            String name = nameFor("cancel");
            createManual(name);
            at("cancelCertificateOperation(name)");
            CertificateOperation cancelled = client.cancelCertificateOperation(name);
            expect(Boolean.TRUE.equals(cancelled.getCancellationRequested()), "cancellationRequested is not true after the cancel", "");
            at("deleteCertificateOperation(name)");
            client.deleteCertificateOperation(name);
            at("getCertificateOperation(name) after the delete");
            expectNotFound(() -> client.getCertificateOperation(name).poll(), "the deleted operation");
        },
        "MANUAL", () -> {
            String name = nameFor("merge");
            merge(name, operationOf(createManual(name)));
            at("getCertificateOperation(name) after the merge");
            var poller = client.getCertificateOperation(name);
            var response = poller.poll();
            expect(response.getValue() != null && "completed".equals(response.getValue().getStatus()),
                    "status " + (response.getValue() == null ? null : response.getValue().getStatus()) + ", expected completed", "/pending");
            expect(response.getStatus().isComplete(), "the operation poller is not done after the merge: " + response.getStatus(), "/pending");
        },
        "READ", () -> {
            String name = nameFor("read");
            CertificateOperation operation = operationOf(createManual(name));
            at("getCertificate(name) while pending");
            KeyVaultCertificate pending = client.getCertificate(name);
            expect(name.equalsIgnoreCase(pending.getName()), "the pending certificate is named " + pending.getName(), "");
            at("listPropertiesOfCertificates(includePending true)");
            boolean listed = false;
            for (CertificateProperties item : client.listPropertiesOfCertificates(true, Context.NONE)) {
                listed |= name.equalsIgnoreCase(item.getName());
            }
            expect(listed, "the pending certificate is not listed", "/certificates");
            merge(name, operation);
            at("getCertificate(name) after the merge");
            KeyVaultCertificateWithPolicy certificate = client.getCertificate(name);
            expect(certificate.getCer() != null && certificate.getCer().length > 0, "the merged certificate has no cer", "");
            at("getCertificateVersion(name, version)");
            client.getCertificateVersion(name, certificate.getProperties().getVersion());
            at("getCertificatePolicy(name)");
            CertificatePolicy policy = client.getCertificatePolicy(name);
            expect("unknown".equalsIgnoreCase(policy.getIssuerName()), "issuer " + policy.getIssuerName() + ", expected Unknown", "");
        },
        "DELETE", () -> {
            String name = nameFor("delete");
            merge(name, operationOf(createManual(name)));
            at("beginDeleteCertificate(name) and waitForCompletion");
            SyncPoller<DeletedCertificate, Void> poller = client.beginDeleteCertificate(name).setPollInterval(INTERVAL);
            var last = poller.waitForCompletion(TIMEOUT);
            DeletedCertificate deleted = last.getValue();
            expect(deleted != null && name.equalsIgnoreCase(deleted.getName()), "no deleted certificate", "");
            if (deleted.getRecoveryId() != null) {
                at("getDeletedCertificate(name)");
                client.getDeletedCertificate(name);
                at("purgeDeletedCertificate(name)");
                purge(name);
            }
            at("getCertificate(name) after the delete");
            expectNotFound(() -> client.getCertificate(name), "the deleted certificate");
        });

    static String describe(Throwable error) {
        String status = statusOf(error) != 0 ? " (status " + statusOf(error) + ")" : "";
        String message = String.valueOf(error.getMessage()).split("\n")[0];
        return error.getClass().getSimpleName() + status + ": " + message;
    }

    static boolean isUnreachable(Throwable error) {
        if (error instanceof HttpResponseException || error instanceof FlowFailure) return false;
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof java.io.IOException) return true;
        }
        return false;
    }

    static Map<String, Object> pick(String match) {
        synchronized (trail) {
            if (match != null && !match.isEmpty()) {
                for (int i = trail.size() - 1; i >= 0; i--) {
                    if (URI.create((String) trail.get(i).get("url")).getPath().contains(match)) return trail.get(i);
                }
            }
            return trail.isEmpty() ? null : trail.get(trail.size() - 1);
        }
    }

    static Map<String, Object> runFlow(String flow) {
        synchronized (trail) {
            trail.clear();
        }
        step = "start";
        int named = names.size();
        long started = System.nanoTime();
        Map<String, Object> result = map("type", "flow", "flow", flow, "status", "pass", "message", "", "step", "", "error", "");
        try {
            RUNS.get(flow).run();
        } catch (Throwable error) {
            boolean failure = error instanceof FlowFailure;
            boolean unreachable = isUnreachable(error);
            synchronized (trail) {
                if (unreachable && trail.stream().allMatch(entry -> entry.get("status") == null)) {
                    names.subList(named, names.size()).clear(); // nothing of this flow reached the target
                }
            }
            result.put("status", failure ? "fail" : unreachable ? "error" : "fail");
            result.put("error", failure ? error.getMessage() : describe(error));
            result.put("message", failure ? error.getMessage()
                    : unreachable ? "the target could not be reached: " + describe(error) : "the SDK threw " + describe(error));
            result.put("step", step);
            result.put("exchange", pick(failure ? ((FlowFailure) error).match : null));
            synchronized (trail) {
                result.put("trail", new ArrayList<>(trail));
            }
        }
        result.put("duration", (System.nanoTime() - started) / 1e9);
        emit(result);
        return result;
    }

    static void remove(String name) {
        try {
            client.deleteCertificateOperation(name);
        } catch (HttpResponseException ignored) {
            // no operation (any more)
        }
        DeletedCertificate deleted = null;
        try {
            deleted = client.beginDeleteCertificate(name).setPollInterval(INTERVAL).waitForCompletion(TIMEOUT).getValue();
        } catch (HttpResponseException error) {
            if (statusOf(error) != 404) throw error;
        }
        if (deleted == null || deleted.getRecoveryId() != null) {
            try {
                purge(name);
            } catch (HttpResponseException error) {
                if (statusOf(error) != 404) throw error;
            }
        }
    }

    public static void main(String[] args) {
        try {
            client = build();
        } catch (Exception error) {
            emit(map("type", "fatal", "error", describe(error)));
            System.exit(1);
        }
        String version = CertificateClient.class.getPackage().getImplementationVersion();
        emit(map("type", "start", "sdk", "azure-security-keyvault-certificates " + (version == null ? ENV.getOrDefault(
                "KVCONFORM_CLIENT_SDK_VERSION", "(unknown)") : version), "runtime", System.getProperty("java.version")));
        List<String> only = ENV.containsKey("KVCONFORM_CLIENT_FLOWS")
                ? Arrays.asList(ENV.get("KVCONFORM_CLIENT_FLOWS").split(",")) : FLOWS;
        String unreachable = null;
        for (String flow : FLOWS) {
            if (!only.contains(flow)) continue;
            if (unreachable != null) {
                emit(map("type", "flow", "flow", flow, "status", "error", "message", "not run: " + unreachable, "step", "", "error", ""));
                continue;
            }
            Map<String, Object> result = runFlow(flow);
            if ("error".equals(result.get("status"))) unreachable = result.get("step") + ": " + result.get("message");
        }
        List<String> leftovers = new ArrayList<>();
        for (int index = 0; index < names.size(); index++) {
            String name = names.get(index);
            try {
                remove(name);
            } catch (RuntimeException error) {
                if (isUnreachable(error)) {
                    String reason = "java client cleanup: the target could not be reached: " + describe(error);
                    for (String left : names.subList(index, names.size())) leftovers.add("certificate " + left + " (" + reason + ")");
                    break;
                }
                leftovers.add("certificate " + name + " (java client cleanup: " + describe(error) + ")");
            }
        }
        emit(map("type", "cleanup", "leftovers", leftovers));
        System.exit(0);
    }
}
