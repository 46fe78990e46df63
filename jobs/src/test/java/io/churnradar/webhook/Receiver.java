package io.churnradar.webhook;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on loopback that stands for webhook receivers: it records every request
 * (path, headers, body) and answers as each path's script says, by how often it has seen the
 * request's Idempotency-Key there: at once, after a gate opens, or never (a hang, until close).
 */
final class Receiver implements AutoCloseable {
    /** What arrived; {@code nth} counts the requests with this Idempotency-Key on this path, from 1. */
    record Request(String path, Map<String, String> headers, byte[] body, int nth, int answeredWith) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String key() {
            return header("Idempotency-Key");
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** An answer: a status with headers and body, given when {@code gate} opens (null: at once). */
    record Reply(int status, Map<String, String> headers, String body, CountDownLatch gate) {
        static Reply status(int status) {
            return new Reply(status, Map.of(), "", null);
        }

        static Reply ok() {
            return status(200);
        }

        /** A server that takes its time: no answer until the receiver closes. */
        static Reply hang() {
            return new Reply(0, Map.of(), "", null);
        }

        Reply withBody(String text) {
            return new Reply(status, headers, text, gate);
        }

        Reply withHeader(String name, String value) {
            Map<String, String> h = new TreeMap<>(headers);
            h.put(name, value);
            return new Reply(status, h, body, gate);
        }

        Reply after(CountDownLatch gate) {
            return new Reply(status, headers, body, gate);
        }
    }

    interface Script {
        Reply reply(String idempotencyKey, int nth);
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Script> scripts = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
    private final CountDownLatch closing = new CountDownLatch(1);

    Receiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The URL of a path on this server, e.g. "/slack/T000/B000/secret-part". */
    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    Receiver script(String path, Script script) {
        scripts.put(path, script);
        return this;
    }

    List<Request> requests() {
        return new ArrayList<>(requests);
    }

    List<Request> requests(String path) {
        return requests.stream().filter(r -> r.path().equals(path)).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            Map<String, String> headers = new TreeMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
            byte[] body = exchange.getRequestBody().readAllBytes();
            String key = headers.getOrDefault("idempotency-key", "");
            int nth = seen.computeIfAbsent(path + " " + key, k -> new AtomicInteger()).incrementAndGet();
            Reply reply = scripts.getOrDefault(path, (k, n) -> Reply.ok()).reply(key, nth);
            requests.add(new Request(path, headers, body, nth, reply.status()));
            if (reply.status() == 0) {
                closing.await(2, TimeUnit.MINUTES); // hangs until the receiver closes
                return;
            }
            if (reply.gate() != null && !reply.gate().await(2, TimeUnit.MINUTES)) {
                throw new IllegalStateException("gate of the reply to " + key + " never opened");
            }
            reply.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            byte[] out = reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(reply.status(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                try (OutputStream os = exchange.getResponseBody()) {
                    os.write(out);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException clientGone) {
            // A client that timed out has closed the connection: nothing to answer.
        }
    }

    /** A port on loopback where nothing listens. */
    static int closedPort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
