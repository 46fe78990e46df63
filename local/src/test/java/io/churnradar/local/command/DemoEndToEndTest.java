package io.churnradar.local.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code ./churn-radar demo} end to end, small: a real broker, the real job on a local Flink with RocksDB
 * and exactly-once sinks, simulated customers; alerts of several signals must come out, and nothing may
 * be left in the temp folder (surefire gives this JVM a temp folder of its own under target/).
 */
class DemoEndToEndTest {
    private static final Pattern ALERT_LINE =
            Pattern.compile("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\dZ  (RAISED|UPDATED|RESOLVED) +[A-Z]+ +([A-Z_]+) +acct-\\d+  .+$",
                    Pattern.MULTILINE);

    private static Path tmp;

    @BeforeAll
    static void ownTempFolder() throws IOException {
        tmp = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
    }

    @Test
    @Timeout(180)
    void smallDemoRaisesSeveralSignalsAndLeavesNothingBehind() throws IOException {
        Set<String> before = listing(tmp);
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        // Shown live in the test log as well, for whoever has to find out why it failed.
        PrintStream out = new PrintStream(new Tee(captured, System.out), true, StandardCharsets.UTF_8);

        // A real HTTP server standing in for a catch hook: the demo posts its commands to it.
        java.util.List<String> received = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        com.sun.net.httpserver.HttpServer hook = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        hook.createContext("/hook", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            received.add(exchange.getRequestHeaders().getFirst("Idempotency-Key") + " " + body);
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        hook.start();
        int code;
        try {
            code = Main.run(new String[] {"demo", "--accounts", "30", "--days", "12", "--speed", "172800", "--no-web-ui",
                    "--webhook", "http://127.0.0.1:" + hook.getAddress().getPort() + "/hook"}, out, System.err);
        } finally {
            hook.stop(0);
        }

        String text = captured.toString(StandardCharsets.UTF_8);
        assertThat(code).as("exit code").isZero();
        Set<String> signals = new TreeSet<>();
        Matcher m = ALERT_LINE.matcher(text);
        while (m.find()) signals.add(m.group(2));
        assertThat(signals).as("signals of the alerts printed").hasSizeGreaterThanOrEqualTo(2).contains("PAYMENT_FAILED");
        assertThat(text).contains("Summary:", "dead letters", "first alert", "commands sent");
        assertThat(text).as("commands printed beside the alerts").contains("-> SEND_DUNNING_EMAIL", "-> NOTIFY_SLACK");
        assertThat(received).as("commands posted to the webhook").isNotEmpty()
                .anySatisfy(r -> assertThat(r).contains("\"action\":\"SEND_DUNNING_EMAIL\""))
                .allSatisfy(r -> assertThat(r).matches("[0-9a-f-]{36} \\{.*\"commandId\".*"));
        assertThat(listing(tmp)).as("temp folder after the demo").isEqualTo(before);
    }

    private static Set<String> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    /** Writes to two streams. */
    private static final class Tee extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int x) throws IOException {
            a.write(x);
            b.write(x);
        }

        @Override
        public void write(byte[] buf, int off, int len) throws IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }

        @Override
        public void flush() throws IOException {
            a.flush();
            b.flush();
        }
    }
}
