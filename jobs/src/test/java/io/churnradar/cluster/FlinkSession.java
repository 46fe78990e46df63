package io.churnradar.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.churnradar.testing.Deadline;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A standalone Flink session cluster as flink-dist's scripts start it, without flink-dist: one JobManager
 * ({@code StandaloneSessionClusterEntrypoint}) and TaskManagers ({@code TaskManagerRunner}), each its own JVM
 * with the memory flags {@code BashJavaUtils} computes (as jobmanager.sh and taskmanager.sh do) and the
 * {@code --add-opens} Flink needs on Java 17, on a classpath resolved by Maven (jobs/cluster/runtime-pom.xml).
 * Its configuration is the production flink-conf/config.yaml with local ports, folders and sizes. Jobs are
 * submitted as the shaded job jar through the REST API.
 */
final class FlinkSession implements AutoCloseable {
    /** What flink-dist's config.yaml sets as env.java.opts.all for Java 17: Flink reflects into these packages. */
    static final List<String> JAVA17_OPENS = List.of(
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
            "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED",
            "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED",
            "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");
    private static final String RESULT_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";
    private static final ObjectMapper JSON = new ObjectMapper();

    final Path dir;
    final Path confDir;
    final Path checkpointDir;
    final Path savepointDir;
    final int slotsPerTaskManager;
    private final String classpath;
    private final int restPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private List<String> tmJvmParams;
    private List<String> tmDynamic;
    private ChildJvm jobManager;
    private final Map<String, ChildJvm> taskManagers = new LinkedHashMap<>();
    private int nextTaskManager = 1;

    FlinkSession(Path dir, String classpath, Path productionConfig, int slotsPerTaskManager, Duration checkpointInterval)
            throws IOException {
        this.dir = dir;
        this.classpath = classpath;
        this.slotsPerTaskManager = slotsPerTaskManager;
        this.confDir = dir.resolve("conf");
        this.checkpointDir = dir.resolve("checkpoints");
        this.savepointDir = dir.resolve("savepoints");
        this.restPort = freePort();
        Files.createDirectories(confDir);
        Files.createDirectories(dir.resolve("tmp"));
        writeConfig(productionConfig, checkpointInterval);
        Files.writeString(confDir.resolve("log4j.properties"), String.join("\n",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.file.ref = File",
                "appender.file.type = File",
                "appender.file.name = File",
                "appender.file.fileName = ${sys:log.file}",
                "appender.file.layout.type = PatternLayout",
                "appender.file.layout.pattern = %d{HH:mm:ss.SSS} %-5p %c{1} - %m%n",
                "logger.pekko.name = org.apache.pekko",
                "logger.pekko.level = WARN",
                "logger.kafka.name = org.apache.kafka",
                "logger.kafka.level = WARN", ""));
    }

    /** The production configuration, with what a suite on one shared machine must change. */
    private void writeConfig(Path productionConfig, Duration checkpointInterval) throws IOException {
        YAMLMapper yaml = new YAMLMapper();
        @SuppressWarnings("unchecked")
        Map<String, Object> c = yaml.readValue(productionConfig.toFile(), LinkedHashMap.class);
        // Several JVMs and other builds share this machine: no fixed ports, nothing bound beyond localhost.
        c.keySet().removeIf(k -> k.startsWith("metrics.reporter."));
        c.put("jobmanager.rpc.address", "localhost");
        c.put("jobmanager.rpc.port", freePort());
        c.put("jobmanager.bind-host", "localhost");
        c.put("taskmanager.bind-host", "localhost");
        c.put("taskmanager.host", "localhost");
        c.put("rest.address", "localhost");
        c.put("rest.bind-address", "localhost");
        c.put("rest.port", restPort);
        // Small processes: six builds share two cores.
        c.put("jobmanager.memory.process.size", "768m");
        c.put("taskmanager.memory.process.size", "1g");
        c.put("taskmanager.memory.managed.size", "128m");
        c.put("taskmanager.memory.network.min", "32m");
        c.put("taskmanager.memory.network.max", "32m");
        c.put("taskmanager.numberOfTaskSlots", slotsPerTaskManager);
        // Both TaskManagers get subtasks, so that killing one always hits the job.
        c.put("cluster.evenly-spread-out-slots", true);
        c.put("execution.checkpointing.dir", checkpointDir.toUri().toString());
        c.put("execution.checkpointing.savepoint-dir", savepointDir.toUri().toString());
        // Checkpoints often, so that a run of a few thousand events spans many of them.
        c.put("execution.checkpointing.interval", checkpointInterval.toMillis() + "ms");
        c.put("execution.checkpointing.min-pause", "200ms");
        // A killed TaskManager is noticed within seconds (its RPCs fail at once), a slow one under load is not
        // declared dead.
        c.put("heartbeat.interval", 2000);
        c.put("heartbeat.timeout", 30000);
        // The production backoff grows to 2 minutes; 10 s keeps an outage scenario short.
        c.put("restart-strategy.exponential-delay.max-backoff", "10s");
        c.put("io.tmp.dirs", dir.resolve("tmp").toString());
        c.put("web.upload.dir", dir.resolve("upload").toString());
        yaml.writeValue(confDir.resolve("config.yaml").toFile(), c);
    }

    void start(int taskManagers) throws Exception {
        Path logDir = dir.resolve("log");
        // Both computations at once: each is a JVM start, seconds on a busy machine.
        var tmParams = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return resourceParams("GET_TM_RESOURCE_PARAMS");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        List<String> jm = resourceParams("GET_JM_RESOURCE_PARAMS");
        List<String> jvm = new ArrayList<>(JAVA17_OPENS);
        jvm.addAll(split(jm.get(0)));
        jvm.addAll(logFlags(logDir.resolve("jobmanager.log")));
        List<String> args = new ArrayList<>(List.of("--configDir", confDir.toString(), "--executionMode", "cluster"));
        args.addAll(split(jm.get(1)));
        jobManager = ChildJvm.start("jobmanager", logDir, jvm, classpath,
                "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint", args);
        List<String> tm = tmParams.get();
        tmJvmParams = split(tm.get(0));
        tmDynamic = split(tm.get(1));
        for (int i = 0; i < taskManagers; i++) startTaskManager();
        // Generous: on a loaded 2-core machine three JVMs starting at once took over three minutes to register.
        awaitTaskManagers(taskManagers, Duration.ofMinutes(6));
    }

    /** Starts one more TaskManager; returns its resource id. */
    String startTaskManager() throws IOException {
        String id = "tm-" + nextTaskManager++;
        Path logDir = dir.resolve("log");
        List<String> jvm = new ArrayList<>(JAVA17_OPENS);
        jvm.addAll(tmJvmParams);
        jvm.addAll(logFlags(logDir.resolve(id + ".log")));
        List<String> args = new ArrayList<>(List.of("--configDir", confDir.toString(), "-D", "taskmanager.resource-id=" + id));
        args.addAll(tmDynamic);
        taskManagers.put(id, ChildJvm.start(id, logDir, jvm, classpath, "org.apache.flink.runtime.taskexecutor.TaskManagerRunner", args));
        return id;
    }

    /** kill -9 of a TaskManager that runs subtasks of the job; returns its resource id. */
    String killBusyTaskManager() throws Exception {
        for (JsonNode t : get("/taskmanagers").path("taskmanagers")) {
            String id = t.path("id").asText();
            ChildJvm p = taskManagers.get(id);
            if (p != null && p.alive() && t.path("freeSlots").asInt() < t.path("slotsNumber").asInt()) {
                p.kill9();
                return id;
            }
        }
        throw new IllegalStateException("no TaskManager of ours runs a subtask: " + get("/taskmanagers"));
    }

    void awaitTaskManagers(int count, Duration timeout) throws Exception {
        Deadline.in(timeout).pollUntil(count + " TaskManagers registered", () -> {
            try {
                return get("/taskmanagers").path("taskmanagers").size() >= count;
            } catch (IOException e) {
                return false; // the JobManager's REST endpoint is not up yet
            }
        });
    }

    private List<String> resourceParams(String command) throws Exception {
        String out = ChildJvm.run("bash-java-utils-" + command, dir.resolve("log"), List.of(), classpath,
                "org.apache.flink.runtime.util.bash.BashJavaUtils", List.of(command, "--configDir", confDir.toString()));
        List<String> lines = out.lines().filter(l -> l.startsWith(RESULT_PREFIX)).map(l -> l.substring(RESULT_PREFIX.length())).toList();
        if (lines.size() < 2) throw new IllegalStateException("BashJavaUtils " + command + " said: " + out);
        return lines.subList(lines.size() - 2, lines.size());
    }

    private List<String> logFlags(Path file) {
        String conf = confDir.resolve("log4j.properties").toUri().toString();
        return List.of("-Dlog.file=" + file, "-Dlog4j.configuration=" + conf, "-Dlog4j.configurationFile=" + conf);
    }

    private static List<String> split(String s) {
        return Arrays.stream(s.trim().split("\\s+")).filter(x -> !x.isEmpty()).toList();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    // ----- REST API -----

    String restUrl() {
        return "http://localhost:" + restPort;
    }

    JsonNode get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(restUrl() + path)).GET());
    }

    JsonNode post(String path, Object body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(restUrl() + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    }

    private JsonNode send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) throw new IOException(r.request().method() + " " + r.uri() + ": " + r.statusCode() + " " + r.body());
        return r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body());
    }

    /** POST /jars/upload; returns the jar id. */
    String uploadJar(Path jar) throws IOException, InterruptedException {
        String boundary = "----churnradar" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\"" + jar.getFileName()
                + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.write(Files.readAllBytes(jar));
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        JsonNode r = send(HttpRequest.newBuilder(URI.create(restUrl() + "/jars/upload"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
        String file = r.path("filename").asText();
        return Path.of(file).getFileName().toString();
    }

    /** POST /jars/:id/run; returns the job id. */
    String runJar(String jarId, List<String> programArgs, int parallelism, String savepoint) throws IOException, InterruptedException {
        ObjectNode req = JSON.createObjectNode();
        req.put("entryClass", "io.churnradar.StreamingJob");
        req.putPOJO("programArgsList", programArgs);
        req.put("parallelism", parallelism);
        if (savepoint != null) {
            req.put("savepointPath", savepoint);
            req.put("allowNonRestoredState", false);
        }
        return post("/jars/" + jarId + "/run", req).path("jobid").asText();
    }

    JsonNode job(String jobId) throws IOException, InterruptedException {
        return get("/jobs/" + jobId);
    }

    /** The job is RUNNING and so is every one of its subtasks. */
    boolean allRunning(String jobId) throws IOException, InterruptedException {
        JsonNode j = job(jobId);
        if (!"RUNNING".equals(j.path("state").asText())) return false;
        for (JsonNode v : j.path("vertices")) {
            if (!"RUNNING".equals(v.path("status").asText())) return false;
        }
        return true;
    }

    JsonNode checkpoints(String jobId) throws IOException, InterruptedException {
        return get("/jobs/" + jobId + "/checkpoints");
    }

    long completedCheckpoints(String jobId) throws IOException, InterruptedException {
        return checkpoints(jobId).path("counts").path("completed").asLong();
    }

    /** Waits until {@code more} checkpoints have completed after the call. */
    void awaitCheckpoints(String jobId, int more, Duration timeout) throws Exception {
        long target = completedCheckpoints(jobId) + more;
        Deadline.in(timeout).pollUntil(more + " more completed checkpoint(s) of " + jobId, () -> completedCheckpoints(jobId) >= target);
    }

    /** Stop with a savepoint (POST /jobs/:id/stop); returns the savepoint's location once the job has ended. */
    String stopWithSavepoint(String jobId, Duration timeout) throws Exception {
        ObjectNode req = JSON.createObjectNode();
        req.put("targetDirectory", savepointDir.toUri().toString());
        req.put("drain", false);
        String trigger = post("/jobs/" + jobId + "/stop", req).path("request-id").asText();
        String[] location = new String[1];
        Deadline.in(timeout).pollUntil("savepoint of " + jobId, () -> {
            JsonNode s = get("/jobs/" + jobId + "/savepoints/" + trigger);
            if (!"COMPLETED".equals(s.path("status").path("id").asText())) return false;
            JsonNode op = s.path("operation");
            if (op.has("failure-cause")) throw new IllegalStateException("savepoint failed: " + op.path("failure-cause"));
            location[0] = op.path("location").asText();
            return true;
        });
        Deadline.in(timeout).pollUntil(jobId + " FINISHED", () -> "FINISHED".equals(job(jobId).path("state").asText()));
        return location[0];
    }

    void cancel(String jobId) {
        try {
            send(HttpRequest.newBuilder(URI.create(restUrl() + "/jobs/" + jobId + "?mode=cancel"))
                    .method("PATCH", HttpRequest.BodyPublishers.noBody()));
        } catch (Exception e) {
            // already ended or the cluster is going: nothing to cancel
        }
    }

    List<ChildJvm> processes() {
        List<ChildJvm> all = new ArrayList<>();
        if (jobManager != null) all.add(jobManager);
        all.addAll(taskManagers.values());
        return all;
    }

    @Override
    public void close() throws Exception {
        for (ChildJvm tm : taskManagers.values()) tm.stop(20);
        if (jobManager != null) jobManager.stop(20);
    }
}
