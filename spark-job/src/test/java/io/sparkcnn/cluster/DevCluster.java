package io.sparkcnn.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkcnn.TestData;
import io.sparkcnn.train.TrainJob;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A development cluster started by {@code submit-scripts/dev-cluster.sh} for one test class, in its own directory
 * under {@code spark-job/target}, with MNIST copied into its HDFS under {@code /data/mnist}; and the commands the
 * tests run against it, each a separate process whose JVMs keep their temporary files in the cluster's directory.
 * {@link #close} ends every daemon and checks that no process, listening port or file in {@code /tmp} is left.
 */
final class DevCluster implements AutoCloseable {
    private static final java.nio.file.Path TMP = java.nio.file.Path.of("/tmp");

    /** The cluster's directory: its logs, work, data and temporary files. */
    final java.nio.file.Path dir;
    /** What {@code dev-cluster.sh start} printed: SPARK_HOME, SPARK_MASTER_URL, HDFS_URL, the daemons' pids... */
    final Map<String, String> env;
    /** The cluster's HDFS, {@link #hdfsUrl}. */
    final FileSystem hdfs;
    final String hdfsUrl;
    private final Set<String> tmpBefore;
    private final List<String> urls;

    private DevCluster(java.nio.file.Path dir, Map<String, String> env, Set<String> tmpBefore) throws IOException {
        this.dir = dir;
        this.env = env;
        this.tmpBefore = tmpBefore;
        this.hdfsUrl = env.get("HDFS_URL");
        this.hdfs = FileSystem.newInstance(URI.create(hdfsUrl), new Configuration());
        this.urls = env.entrySet().stream().filter(e -> e.getKey().matches("SPARK_MASTER_URL|SPARK_MASTER_UI|YARN_RM_UI|HDFS_URL"))
                .map(Map.Entry::getValue).filter(url -> url.contains("://")).toList();
    }

    /** Starts a cluster with {@code dev-cluster.sh start OPTIONS --hdfs} and puts MNIST into its HDFS. */
    static DevCluster start(String... options) throws Exception {
        Set<String> tmpBefore = tmpEntries();
        java.nio.file.Path dir = Files.createTempDirectory(TestData.projectRoot().resolve("spark-job/target"), "dev-cluster-");
        Files.createDirectories(dir.resolve("tmp"));
        List<String> cmd = new ArrayList<>(List.of(script("dev-cluster.sh"), "start", "--dir", dir.toString()));
        cmd.addAll(List.of(options));
        cmd.add("--hdfs");
        Run start = run(dir, cmd, Map.of(), 5);
        assertEquals(0, start.code(), start.out());
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : start.out().split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0 && line.substring(0, eq).matches("[A-Z_]+")) {
                env.put(line.substring(0, eq), line.substring(eq + 1).replace("\"", ""));
            }
        }
        DevCluster cluster = new DevCluster(dir, env, tmpBefore);
        for (String file : List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                "t10k-labels-idx1-ubyte")) {
            cluster.hdfs.copyFromLocalFile(new Path(TestData.mnistDir().resolve(file).toUri()), new Path("/data/mnist/" + file));
        }
        return cluster;
    }

    /**
     * Stops the cluster and checks that every daemon and its children ended, no port of the cluster still listens,
     * and no temporary file of its processes is left in {@code /tmp}; deletes the cluster's directory.
     */
    @Override
    public void close() throws Exception {
        hdfs.close();
        Run stop = run(dir, List.of(script("dev-cluster.sh"), "stop", "--dir", dir.toString()), Map.of(), 2);
        assertEquals(0, stop.code(), "every daemon and its children ended:\n" + stop.out());
        try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
            List<String> left = all.map(p -> p.info().commandLine().orElse(""))
                    .filter(c -> c.contains(dir.toString())).toList();
            assertEquals(List.of(), left, "processes of the cluster still running");
        }
        for (String url : urls) {
            int port = URI.create(url).getPort();
            assertFalse(listening(port), "port " + port + " (" + url + ") still open");
        }
        deleteTree(dir);
        assertFalse(Files.exists(dir));
        Set<String> tmpLeft = new HashSet<>(tmpEntries());
        tmpLeft.removeAll(tmpBefore);
        // What Spark, Hadoop, Netty, JavaCPP and DL4J create when java.io.tmpdir or the local dirs are not
        // redirected (other programs on a developer's machine may create other files meanwhile).
        tmpLeft.removeIf(name -> !name.matches("(spark|blockmgr|hadoop|jetty|Jetty|netty|libnetty|liblz4|snappy|"
                + "javacpp|nd4j|dl4j|spark-cnn|dev-cluster|tmp\\.).*"));
        assertEquals(Set.of(), tmpLeft, "temporary files left in /tmp by the cluster's processes");
    }

    /**
     * The job's options (after {@code --}) for a small run of {@code seed-cnn} on 4,000 MNIST images from the cluster's
     * HDFS, tested on 1,000, with its output at {@code output} in HDFS; the same in every cluster test, so that
     * accuracies can be compared.
     */
    List<String> job(int epochs, String output, String... more) {
        List<String> args = new ArrayList<>(List.of("--", "train"));
        args.addAll(trainOptions(epochs));
        args.addAll(List.of("-o", hdfsUrl + output));
        args.addAll(List.of(more));
        return args;
    }

    /** {@link #job}'s training options alone: no command, no output. */
    List<String> trainOptions(int epochs) {
        return List.of("--preset", "seed-cnn", "--epochs", Integer.toString(epochs),
                "--set", "data.dir=" + hdfsUrl + "/data/mnist", "--set", "data.train-limit=4000",
                "--set", "data.test-limit=1000", "--set", "train.batch-size-per-worker=32",
                "--set", "train.averaging-frequency=5");
    }

    /** The cluster's {@code submit.sh} command line: the given options, then the job's. */
    List<String> submit(List<String> options, List<String> job) {
        List<String> cmd = new ArrayList<>(List.of(script("submit.sh"), "--master", env.get("SPARK_MASTER_URL"),
                "--executors", "2", "--executor-cores", "1", "--executor-memory", "1g", "--driver-memory", "1g",
                "--spark-home", env.get("SPARK_HOME")));
        cmd.addAll(options);
        cmd.addAll(job);
        return cmd;
    }

    /** The evaluation a run wrote beside its model at {@code output} (a path in the cluster's HDFS). */
    JsonNode evaluation(String output) throws IOException {
        return json(output + "/" + TrainJob.EVALUATION_FILE);
    }

    /** A JSON file in the cluster's HDFS. */
    JsonNode json(String path) throws IOException {
        try (InputStream in = hdfs.open(new Path(path))) {
            return new ObjectMapper().readTree(in);
        }
    }

    /** Runs a command against the cluster (its environment, e.g. HADOOP_CONF_DIR, set) for up to {@code minutes}. */
    Run run(List<String> cmd, int minutes) throws Exception {
        return run(dir, cmd, environment(), minutes);
    }

    /** Starts a command against the cluster; standard output and error merged. */
    Process start(List<String> cmd) throws IOException {
        return start(dir, cmd, environment());
    }

    private Map<String, String> environment() {
        Map<String, String> environment = new LinkedHashMap<>();
        for (String key : List.of("HADOOP_CONF_DIR", "SPARK_HOME")) {
            if (env.containsKey(key)) {
                environment.put(key, env.get(key));
            }
        }
        return environment;
    }

    static String script(String name) {
        return TestData.projectRoot().resolve("submit-scripts").resolve(name).toString();
    }

    /** A process with the cluster's temporary directory for every JVM it starts; stdout and stderr merged. */
    private static Process start(java.nio.file.Path dir, List<String> cmd, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=" + dir.resolve("tmp"));
        pb.environment().put("SPARK_LOCAL_DIRS", dir.resolve("tmp").toString());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().put("TMPDIR", dir.resolve("tmp").toString());
        pb.environment().putAll(env);
        return pb.start();
    }

    private static Run run(java.nio.file.Path dir, List<String> cmd, Map<String, String> env, int minutes) throws Exception {
        Process p = start(dir, cmd, env);
        Output out = Output.of(p);
        if (!p.waitFor(minutes, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("timed out after " + minutes + " min: " + cmd + "\n" + out.text());
        }
        return new Run(p.exitValue(), out.await());
    }

    /** What a process printed, read while it runs. */
    static final class Output {
        private final StringBuilder text = new StringBuilder();
        private final CompletableFuture<Void> reader;

        private Output(InputStream in) {
            reader = CompletableFuture.runAsync(() -> copy(in));
        }

        static Output of(Process p) {
            return new Output(p.getInputStream());
        }

        String text() {
            synchronized (text) {
                return text.toString();
            }
        }

        /** All of it, once the process has closed its output. */
        String await() throws Exception {
            reader.get(1, TimeUnit.MINUTES);
            return text();
        }

        private void copy(InputStream in) {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = lines.readLine()) != null; ) {
                    synchronized (text) {
                        text.append(line).append('\n');
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** A finished command: its exit code and what it printed. */
    record Run(int code, String out) {
    }

    static JsonNode get(String url) throws IOException, InterruptedException {
        return new ObjectMapper().readTree(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofString()).body());
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
            for (java.nio.file.Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
