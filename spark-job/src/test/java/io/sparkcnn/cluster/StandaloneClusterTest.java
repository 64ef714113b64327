package io.sparkcnn.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkcnn.TestData;
import io.sparkcnn.store.ModelStore;
import io.sparkcnn.train.TrainJob;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cluster tier: a Spark standalone master with 2 workers of 1 core each and an HDFS (NameNode and DataNode),
 * every one a separate JVM on 127.0.0.1, started by {@code submit-scripts/dev-cluster.sh}; the job is submitted
 * with {@code submit-scripts/submit.sh} and its shaded jar, exactly as a user would, reads a MNIST subset from
 * {@code hdfs://} and writes its model there. Everything is stopped and deleted at the end, and the test checks
 * that no process, port or temporary directory is left.
 */
@Tag("cluster")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneClusterTest {
    private static final Logger LOG = LoggerFactory.getLogger(StandaloneClusterTest.class);
    private static final java.nio.file.Path TMP = java.nio.file.Path.of("/tmp");

    private static java.nio.file.Path dir;
    private static Map<String, String> cluster;
    private static FileSystem hdfs;
    private static String hdfsUrl;
    private static Set<String> tmpBefore;
    private static double undisturbedAccuracy = Double.NaN;

    @BeforeAll
    static void startCluster() throws Exception {
        tmpBefore = tmpEntries();
        java.nio.file.Path target = TestData.projectRoot().resolve("spark-job/target");
        dir = Files.createTempDirectory(target, "dev-cluster-");
        Files.createDirectories(dir.resolve("tmp"));
        Run start = run(List.of(script("dev-cluster.sh"), "start", "--dir", dir.toString(), "--workers", "2",
                "--worker-cores", "1", "--worker-memory", "2g", "--hdfs"), 5);
        assertEquals(0, start.code(), start.out());
        cluster = new LinkedHashMap<>();
        for (String line : start.out().split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0 && line.substring(0, eq).matches("[A-Z_]+")) {
                cluster.put(line.substring(0, eq), line.substring(eq + 1).replace("\"", ""));
            }
        }
        hdfsUrl = cluster.get("HDFS_URL");
        hdfs = FileSystem.newInstance(URI.create(hdfsUrl), new Configuration());
        for (String file : List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                "t10k-labels-idx1-ubyte")) {
            hdfs.copyFromLocalFile(new Path(TestData.mnistDir().resolve(file).toUri()), new Path("/data/mnist/" + file));
        }
        LOG.info("Cluster up: {}", cluster);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (hdfs != null) {
            hdfs.close();
        }
        if (cluster == null) {
            return;
        }
        Run stop = run(List.of(script("dev-cluster.sh"), "stop", "--dir", dir.toString()), 2);
        assertEquals(0, stop.code(), "every daemon and its children ended:\n" + stop.out());
        try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
            List<String> left = all.map(p -> p.info().commandLine().orElse(""))
                    .filter(c -> c.contains(dir.toString())).toList();
            assertEquals(List.of(), left, "processes of the cluster still running");
        }
        for (String url : List.of(cluster.get("SPARK_MASTER_URL"), cluster.get("SPARK_MASTER_UI"), hdfsUrl)) {
            URI uri = URI.create(url);
            assertFalse(listening(uri.getPort()), "port " + uri.getPort() + " (" + url + ") still open");
        }
        deleteTree(dir);
        assertFalse(Files.exists(dir));
        Set<String> tmpLeft = new HashSet<>(tmpEntries());
        tmpLeft.removeAll(tmpBefore);
        // What Spark, Hadoop, Netty, JavaCPP and DL4J create when java.io.tmpdir or the local dirs are not
        // redirected (other programs on a developer's machine may create other files meanwhile).
        tmpLeft.removeIf(name -> !name.matches("(spark|blockmgr|hadoop|jetty|Jetty|netty|libnetty|liblz4|snappy|"
                + "javacpp|nd4j|dl4j|spark-cnn|dev-cluster).*"));
        assertEquals(Set.of(), tmpLeft, "temporary files left in /tmp by the cluster's processes");
    }

    /** The job's options for a small run, the same in every test so accuracies can be compared. */
    private static List<String> job(String output, String... more) {
        return job(2, output, more);
    }

    private static List<String> job(int epochs, String output, String... more) {
        List<String> args = new ArrayList<>(List.of("--", "train", "--preset", "seed-cnn", "--epochs", Integer.toString(epochs),
                "--set", "data.dir=" + hdfsUrl + "/data/mnist", "--set", "data.train-limit=4000",
                "--set", "data.test-limit=1000", "--set", "train.batch-size-per-worker=32",
                "--set", "train.averaging-frequency=5", "-o", hdfsUrl + output));
        args.addAll(List.of(more));
        return args;
    }

    private static List<String> submit(String deployMode, List<String> confs, List<String> job) {
        List<String> cmd = new ArrayList<>(List.of(script("submit.sh"), "--master", cluster.get("SPARK_MASTER_URL"),
                "--master-ui", cluster.get("SPARK_MASTER_UI"), "--deploy-mode", deployMode, "--executors", "2",
                "--executor-cores", "1", "--executor-memory", "1g", "--driver-memory", "1g",
                "--spark-home", cluster.get("SPARK_HOME")));
        for (String conf : confs) {
            cmd.addAll(List.of("--conf", conf));
        }
        cmd.addAll(job);
        return cmd;
    }

    private static JsonNode evaluation(String output) throws IOException {
        try (InputStream in = hdfs.open(new Path(output, TrainJob.EVALUATION_FILE))) {
            return new ObjectMapper().readTree(in);
        }
    }

    @Test
    @Order(1)
    void clientModeTrainsFromHdfsAndSavesToHdfs() throws Exception {
        Run run = run(submit("client", List.of(), job("/out/client")), 6);
        assertEquals(0, run.code(), run.out());
        assertTrue(run.out().contains("Parameter averaging on " + cluster.get("SPARK_MASTER_URL") + ": 2 workers"), run.out());
        assertTrue(hdfs.exists(new Path("/out/client/" + ModelStore.MODEL_FILE)));
        undisturbedAccuracy = evaluation("/out/client").get("accuracy").asDouble();
        LOG.info("Client mode: test accuracy {} on 1000 images", undisturbedAccuracy);
        assertTrue(undisturbedAccuracy >= 0.85, "accuracy " + undisturbedAccuracy);
    }

    /** Also the job's {@code --config} given after {@code --}, as {@code run-local.sh} takes it: the job gets it once. */
    @Test
    @Order(2)
    void clusterModeRunsTheDriverOnAWorkerAndReportsItsFinalState() throws Exception {
        String config = TestData.projectRoot().resolve("conf/job.conf").toString();
        Run run = run(submit("cluster", List.of(), job(1, "/out/cluster", "--config", config)), 6);
        assertEquals(0, run.code(), run.out());
        assertTrue(run.out().matches("(?s).*driver driver-\\S+ ended FINISHED.*"), run.out());
        assertTrue(hdfs.exists(new Path("/out/cluster/" + ModelStore.MODEL_FILE)));
        double accuracy = evaluation("/out/cluster").get("accuracy").asDouble();
        LOG.info("Cluster mode: test accuracy {} on 1000 images", accuracy);
        assertTrue(accuracy >= 0.85, "accuracy " + accuracy);
    }

    @Test
    @Order(3)
    void aClusterModeDriverThatFailsIsReportedAsFailed() throws Exception {
        Run run = run(submit("cluster", List.of(), job(1, "/out/failed", "--set", "data.dir=" + hdfsUrl + "/data/missing")), 3);
        assertEquals(1, run.code(), "spark-submit itself exits 0 here; the script must not:\n" + run.out());
        assertTrue(run.out().matches("(?s).*driver driver-\\S+ ended FAILED.*"), run.out());
        assertFalse(hdfs.exists(new Path("/out/failed")), "nothing written");
    }

    /** The job's options for the pre-flight check alone, for the network and batch of {@link #job}. */
    private static List<String> preflight() {
        return List.of("--", "preflight", "--preset", "seed-cnn", "--set", "train.batch-size-per-worker=32");
    }

    @Test
    @Order(4)
    void preflightWarnsWhenOpenMpThreadsOversubscribeTheExecutorsCores() throws Exception {
        Run run = run(submit("client", List.of("spark.executorEnv.OMP_NUM_THREADS=4"), preflight()), 3);
        assertEquals(0, run.code(), "a warning does not stop the job:\n" + run.out());
        assertTrue(run.out().contains("OMP_NUM_THREADS=4") && run.out().contains("oversubscribed")
                && run.out().contains("set natives.omp-threads=1"), run.out());
    }

    @Test
    @Order(5)
    void preflightStopsAJobWhoseExecutorsWouldConvolveWithoutOneDnn() throws Exception {
        Run run = run(submit("client", List.of("spark.executor.extraJavaOptions=-Dorg.eclipse.deeplearning4j.helpers.disable=true"),
                preflight()), 3);
        assertEquals(6, run.code(), run.out());
        assertTrue(run.out().contains("the convolution layers would run without the oneDNN helper"), run.out());
    }

    @Test
    @Order(6)
    void preflightStopsAJobWhoseOffHeapLimitIsBelowTheModelsNeed() throws Exception {
        Run run = run(submit("client", List.of("spark.executor.extraJavaOptions=-Dorg.bytedeco.javacpp.maxphysicalbytes=1400m"),
                preflight()), 3);
        assertEquals(6, run.code(), run.out());
        assertTrue(run.out().contains("JavaCPP's maxphysicalbytes") && run.out().contains("out-of-memory"), run.out());
    }

    /**
     * What the kill test adds to the cluster's own executor logging ({@code conf/log4j2.properties} of the cluster's
     * {@code SPARK_HOME}: INFO to standard error, which the worker copies into the executor's {@code stderr} file):
     * the lines of Spark's {@code Executor} (among them "Running task … (TID n)" and "Finished task … (TID n)"),
     * written by the executor JVM itself to {@code tasks.log} in its working directory (its folder in the worker's
     * work directory), flushed to the file before each logging call returns.
     */
    private static final String TASKS_LOG = """
            appender.tasks.type = File
            appender.tasks.name = tasks
            appender.tasks.fileName = tasks.log
            appender.tasks.immediateFlush = true
            appender.tasks.layout.type = PatternLayout
            appender.tasks.layout.pattern = %d{HH:mm:ss.SSS} %-5level %msg%n
            logger.executor.name = org.apache.spark.executor.Executor
            logger.executor.level = info
            logger.executor.appenderRef.tasks.ref = tasks
            """;

    @Test
    @Order(9)
    void killingAWorkerMidTrainingLosesNoWork() throws Exception {
        java.nio.file.Path events = Files.createDirectories(dir.resolve("events"));
        java.nio.file.Path logging = Files.writeString(dir.resolve("executor-log4j2.properties"), Files.readString(
                java.nio.file.Path.of(cluster.get("SPARK_HOME"), "conf", "log4j2.properties")) + TASKS_LOG);
        int uiPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            uiPort = s.getLocalPort();
        }
        Process job = start(submit("client", List.of("spark.eventLog.enabled=true", "spark.eventLog.dir=" + events.toUri(),
                "spark.ui.enabled=true", "spark.ui.port=" + uiPort,
                "spark.executor.defaultJavaOptions=-Dlog4j2.configurationFile=" + logging), job("/out/killed")));
        StringBuilder out = new StringBuilder();
        CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> copy(job.getInputStream(), out));

        Killed killed = killAWorkerRunningATask(uiPort, job);
        assertTrue(job.waitFor(6, TimeUnit.MINUTES), "the job ended");
        reader.get(1, TimeUnit.MINUTES);
        assertEquals(0, job.exitValue(), out.toString());

        List<JsonNode> taskEnds = new ArrayList<>();
        try (Stream<java.nio.file.Path> logs = Files.list(events)) {
            for (java.nio.file.Path log : logs.toList()) {
                for (String line : Files.readAllLines(log)) {
                    JsonNode event = new ObjectMapper().readTree(line);
                    if (event.get("Event").asText().equals("SparkListenerTaskEnd")) {
                        taskEnds.add(event);
                    }
                }
            }
        }
        List<JsonNode> lost = taskEnds.stream()
                .filter(e -> !e.at("/Task End Reason/Reason").asText().equals("Success")).toList();
        assertFalse(lost.isEmpty(), "tasks failed when the worker died");
        assertTrue(lost.stream().anyMatch(e -> e.at("/Task Info/Task ID").asLong() == killed.taskId()),
                "the task running when the worker was killed failed: " + killed);
        for (JsonNode failure : lost) {
            assertEquals(killed.executor(), failure.at("/Task Info/Executor ID").asText(),
                    "only the killed executor's tasks failed");
            boolean reRun = taskEnds.stream().anyMatch(e -> e.at("/Task End Reason/Reason").asText().equals("Success")
                    && e.get("Stage ID").asInt() == failure.get("Stage ID").asInt()
                    && e.at("/Task Info/Index").asInt() == failure.at("/Task Info/Index").asInt()
                    && !e.at("/Task Info/Executor ID").asText().equals(killed.executor()));
            assertTrue(reRun, "Spark re-ran the lost task " + failure.at("/Task Info"));
        }
        double accuracy = evaluation("/out/killed").get("accuracy").asDouble();
        LOG.info("Worker killed: {} tasks lost and re-run; test accuracy {} against {} undisturbed", lost.size(),
                accuracy, undisturbedAccuracy);
        assertEquals(undisturbedAccuracy, accuracy, 0.01, "within 1 percentage point of the undisturbed run");
    }

    /** What {@link #killAWorkerRunningATask} killed: an executor, and the training task it was running. */
    private record Killed(String executor, long taskId) {
    }

    /** An executor's "Running task 0.0 in stage 7.0 (TID 12)": the stage and the task id. */
    private static final Pattern TASK_STARTED = Pattern.compile("Running task \\S+ in stage (\\d+)\\.\\d+ \\(TID (\\d+)\\)");
    /** Any executor line about a task: its id. */
    private static final Pattern TASK_LINE = Pattern.compile("\\(TID (\\d+)\\)");
    /** The description of an averaging round's job and stage (see {@code ProgressReporter.describeRound}). */
    private static final Pattern ROUND = Pattern.compile("epoch \\d+/\\d+, round \\d+/\\d+ .*");

    /**
     * Kills a worker with SIGKILL, with the executor it started, while that executor runs a task of an averaging
     * round; returns the executor's id and the task's. The kill cannot race with the task's end, because it is
     * decided on the executor's own record, read after the executor has been stopped, not on the driver's view:
     * <ol>
     * <li>The executor writes its task lines to {@code tasks.log} ({@link #TASKS_LOG}). Spark's executor logs
     * "Finished task … (TID n)" before it hands task n's result and FINISHED status to the driver
     * ({@code Executor.TaskRunner.run}), and the appender has written the line to the file when the logging call
     * returns. So while that line is absent, nothing of task n's result has been sent to the driver.</li>
     * <li>A candidate is a task whose "Running task … (TID n)" line is in {@code tasks.log} with no later line for
     * TID n, in a stage whose description, read from the driver's REST API, is an averaging round ("epoch E/N,
     * round R/M …").</li>
     * <li>The worker's process group (the worker and its executor) is stopped with SIGSTOP, and the test waits until
     * {@code /proc} shows every thread of those processes stopped (kill(1) may return before they are): from then
     * on the executor can neither log nor send anything.</li>
     * <li>{@code tasks.log} is read again. If TID n still has no line but "Running", the executor had not begun to
     * send its result when it stopped; it is never resumed but killed, so the driver can never receive a result for
     * task n: it holds the task as running until it loses the executor, then fails it ({@code ExecutorLostFailure})
     * and runs it again on the other executor. If a line came meanwhile, the group is resumed (SIGCONT) and the
     * search goes on.</li>
     * </ol>
     * Neither how long a task or a round lasts nor how far the driver's REST API lags behind can make the kill miss
     * the task: timing only decides how many tries it takes. The test checks the consequence in the event log: task
     * n failed.
     */
    private static Killed killAWorkerRunningATask(int uiPort, Process job) throws Exception {
        String api = "http://127.0.0.1:" + uiPort + "/api/v1/applications";
        Map<Long, Boolean> roundStages = new HashMap<>();
        int tries = 0;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
        while (System.nanoTime() < deadline && job.isAlive()) {
            String app;
            try {
                app = get(api).get(0).get("id").asText();
            } catch (IOException | NullPointerException e) {
                Thread.sleep(200);  // the driver's UI is not up yet
                continue;
            }
            for (String pid : cluster.get("WORKER_PIDS").split(" ")) {
                java.nio.file.Path appDir = dir.resolve("work").resolve(workerName(pid)).resolve(app);
                if (!Files.isDirectory(appDir)) {
                    continue;
                }
                List<java.nio.file.Path> executorDirs;
                try (Stream<java.nio.file.Path> all = Files.list(appDir)) {
                    executorDirs = all.toList();
                }
                for (java.nio.file.Path executorDir : executorDirs) {
                    java.nio.file.Path tasks = executorDir.resolve("tasks.log");
                    long[] candidate = runningTask(tasks);
                    if (candidate == null || !Boolean.TRUE.equals(roundStages.computeIfAbsent(candidate[0],
                            stage -> isRound(api + "/" + app + "/stages/" + stage + "?details=false")))) {
                        continue;
                    }
                    String id = executorDir.getFileName().toString();
                    signal("STOP", pid);
                    tries++;
                    if (awaitStopped(pid) && stillRunning(tasks, candidate[1])) {
                        LOG.info("Killing {} (process group {}): its executor {} is stopped in task TID {} of stage {}, "
                                + "whose result it has not sent (stop {} of the search; the group was resumed after each earlier one)",
                                workerName(pid), pid, id, candidate[1], candidate[0], tries);
                        signal("KILL", pid);
                        return new Killed(id, candidate[1]);
                    }
                    signal("CONT", pid);
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no executor was seen running a task of an averaging round");
    }

    /**
     * The stage and the id of the last task in an executor's {@code tasks.log} that started and has no line since
     * (neither "Finished" nor a failure), or null.
     */
    private static long[] runningTask(java.nio.file.Path tasks) throws IOException {
        if (!Files.exists(tasks)) {
            return null;
        }
        long[] running = null;
        for (String line : Files.readAllLines(tasks)) {
            Matcher started = TASK_STARTED.matcher(line);
            Matcher any = TASK_LINE.matcher(line);
            if (started.find()) {
                running = new long[] {Long.parseLong(started.group(1)), Long.parseLong(started.group(2))};
            } else if (running != null && any.find() && Long.parseLong(any.group(1)) == running[1]) {
                running = null;
            }
        }
        return running;
    }

    /** Whether task {@code tid} has no line in {@code tasks.log} but its "Running task" line. */
    private static boolean stillRunning(java.nio.file.Path tasks, long tid) throws IOException {
        for (String line : Files.readAllLines(tasks)) {
            Matcher any = TASK_LINE.matcher(line);
            if (any.find() && Long.parseLong(any.group(1)) == tid && !TASK_STARTED.matcher(line).find()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether the driver's REST API describes the stage at {@code url} as an averaging round; null while it does not
     * know the stage yet.
     */
    private static Boolean isRound(String url) {
        try {
            JsonNode attempts = get(url);
            if (!attempts.isArray() || attempts.isEmpty()) {
                return null;
            }
            return ROUND.matcher(attempts.get(0).path("description").asText()).matches();
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * Waits up to 30 s until every thread of process {@code pid} and of its descendants is stopped (state T in
     * {@code /proc/PID/task/TID/stat}, or ended); false if one is still not.
     */
    private static boolean awaitStopped(String pid) throws Exception {
        ProcessHandle root = ProcessHandle.of(Long.parseLong(pid)).orElseThrow();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (allStopped(root)) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    private static boolean allStopped(ProcessHandle root) throws IOException {
        List<ProcessHandle> processes = new ArrayList<>(List.of(root));
        try (Stream<ProcessHandle> descendants = root.descendants()) {
            processes.addAll(descendants.toList());
        }
        for (ProcessHandle p : processes) {
            List<java.nio.file.Path> threads;
            try (Stream<java.nio.file.Path> all = Files.list(java.nio.file.Path.of("/proc", Long.toString(p.pid()), "task"))) {
                threads = all.toList();
            } catch (NoSuchFileException e) {
                continue;  // the process has ended
            }
            for (java.nio.file.Path thread : threads) {
                String stat;
                try {
                    stat = Files.readString(thread.resolve("stat"));
                } catch (NoSuchFileException e) {
                    continue;  // the thread has ended
                }
                // "tid (comm) state …": comm may hold spaces and parentheses; the state follows the last ')'
                char state = stat.charAt(stat.lastIndexOf(')') + 2);
                if ("TtZX".indexOf(state) < 0) {
                    return false;
                }
            }
        }
        return true;
    }

    private static JsonNode get(String url) throws IOException, InterruptedException {
        return new ObjectMapper().readTree(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    /** Sends a signal to a worker's whole process group (the worker and the executors it started). */
    private static void signal(String name, String pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, "--", "-" + pid).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill -" + name + " -" + pid);
    }

    /** worker-N, from the order of {@code WORKER_PIDS}. */
    private static String workerName(String pid) {
        return "worker-" + (List.of(cluster.get("WORKER_PIDS").split(" ")).indexOf(pid) + 1);
    }

    private static String script(String name) {
        return TestData.projectRoot().resolve("submit-scripts").resolve(name).toString();
    }

    /** A process with the cluster's temporary directory for every JVM it starts; stdout and stderr merged. */
    private static Process start(List<String> cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=" + dir.resolve("tmp"));
        pb.environment().put("SPARK_LOCAL_DIRS", dir.resolve("tmp").toString());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        return pb.start();
    }

    private static Run run(List<String> cmd, int minutes) throws Exception {
        Process p = start(cmd);
        StringBuilder out = new StringBuilder();
        CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> copy(p.getInputStream(), out));
        if (!p.waitFor(minutes, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("timed out after " + minutes + " min: " + cmd + "\n" + out);
        }
        reader.get(1, TimeUnit.MINUTES);
        return new Run(p.exitValue(), out.toString());
    }

    private static void copy(InputStream in, StringBuilder out) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                synchronized (out) {
                    out.append(line).append('\n');
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private record Run(int code, String out) {
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Set<String> tmpEntries() throws IOException {
        try (Stream<java.nio.file.Path> entries = Files.list(TMP)) {
            return new HashSet<>(entries.map(p -> p.getFileName().toString()).toList());
        }
    }

    private static void deleteTree(java.nio.file.Path root) throws IOException {
        try (Stream<java.nio.file.Path> all = Files.walk(root)) {
            for (java.nio.file.Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
