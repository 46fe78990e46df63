package io.churnradar.report;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real browser for the report's tests: Debian's chromium, headless, offline (no network services, a
 * fresh profile), dumping the DOM after the page's scripts ran. .ci/run installs it; in CI (CI set) a
 * missing browser fails the test with what to do, elsewhere it skips the test saying so.
 */
public final class HeadlessChromium {
    private final String executable;

    private HeadlessChromium(String executable) {
        this.executable = executable;
    }

    /** The browser named by CHROMIUM, else chromium (or chromium-browser) on the PATH. */
    public static HeadlessChromium require() {
        String named = System.getenv("CHROMIUM");
        if (named != null && !named.isBlank()) return new HeadlessChromium(named);
        for (String name : List.of("chromium", "chromium-browser")) {
            for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) return new HeadlessChromium(Path.of(dir, name).toString());
            }
        }
        String message = "No chromium on the PATH (nor CHROMIUM set): the report test needs a real browser."
                + " Install Debian's chromium (apt-get install chromium; .ci/run does so as root).";
        if (System.getenv("CI") != null) fail(message);
        Assumptions.abort(message);
        return null;
    }

    /** The DOM of {@code page} once its scripts have run (virtual time: timers fire without waiting). */
    public String dumpDom(Path page, Path scratch) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(scratch, "chromium-profile-");
        Path dom = scratch.resolve("dom.html");
        Path log = scratch.resolve("chromium.log");
        List<String> command = new ArrayList<>(List.of(executable, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--virtual-time-budget=10000", "--dump-dom", page.toUri().toString()));
        Process p = new ProcessBuilder(command).redirectOutput(dom.toFile()).redirectError(log.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            fail("chromium did not finish within 120 s; its log:\n" + Files.readString(log));
        }
        String out = Files.readString(dom, StandardCharsets.UTF_8);
        if (p.exitValue() != 0 || out.isBlank()) {
            fail("chromium exited with " + p.exitValue() + " and a DOM of " + out.length() + " characters; its log:\n" + Files.readString(log));
        }
        return out;
    }
}
