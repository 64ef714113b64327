package io.sparkcnn.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkcnn.TestData;
import io.sparkcnn.store.ModelRegistry;
import io.sparkcnn.store.ModelStore;
import io.sparkcnn.train.TrainJob;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The YARN tier: HDFS (NameNode, DataNode) and YARN (ResourceManager, NodeManager), every one a separate JVM on
 * 127.0.0.1, started by {@code dev-cluster.sh start --yarn}; the job is submitted with {@code submit.sh --master
 * yarn} (and retrained with {@code retrain.sh --master yarn}) and its shaded jar, exactly as a user would, in
 * client and in cluster mode, reads MNIST from HDFS and writes its model there. The applications' final status
 * is read from the ResourceManager with YARN's own client. Everything is stopped at the end, and the test checks
 * that no process, port or temporary file is left ({@link DevCluster#close}).
 */
@Tag("cluster")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class YarnClusterTest {
    private static final Logger LOG = LoggerFactory.getLogger(YarnClusterTest.class);
    private static final Pattern APPLICATION = Pattern.compile("application_\\d+_\\d+");
    private static final String REGISTRY = "/registry/mnist";

    private static DevCluster cluster;
    private static YarnClient yarn;
    private static double undisturbedAccuracy = Double.NaN;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = DevCluster.start("--yarn");
        Configuration conf = new YarnConfiguration();
        conf.addResource(new Path(cluster.env.get("HADOOP_CONF_DIR"), "yarn-site.xml"));
        yarn = YarnClient.createYarnClient();
        yarn.init(conf);
        yarn.start();
        LOG.info("YARN up: {}", cluster.env);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (yarn != null) {
            yarn.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private static List<String> submit(String deployMode, List<String> job, String... confs) {
        List<String> options = new ArrayList<>(List.of("--deploy-mode", deployMode));
        for (String conf : confs) {
            options.addAll(List.of("--conf", conf));
        }
        return cluster.submit(options, job);
    }

    /** The ResourceManager's report on an application: its final status and diagnostics. */
    private static ApplicationReport report(String application) throws Exception {
        return yarn.getApplicationReport(ApplicationId.fromString(application));
    }

    /** The application id in the last "application ... ended with final status" line of submit.sh. */
    private static String endedApplication(String out) {
        Matcher m = Pattern.compile("submit.sh: application (application_\\d+_\\d+) ended with final status (\\w+)").matcher(out);
        String application = null;
        while (m.find()) {
            application = m.group(1);
        }
        assertTrue(application != null, "submit.sh names the application and its final status:\n" + out);
        return application;
    }

    /** The standard error of an application's container N (1: the application master, with the cluster-mode driver). */
    private static String containerLog(String application, int container) throws IOException {
        java.nio.file.Path appLogs = cluster.dir.resolve("yarn/logs").resolve(application);
        try (Stream<java.nio.file.Path> all = Files.list(appLogs)) {
            java.nio.file.Path dir = all.filter(p -> p.getFileName().toString().endsWith(String.format("_%06d", container)))
                    .findFirst().orElseThrow(() -> new AssertionError("no container " + container + " in " + appLogs));
            return Files.readString(dir.resolve("stderr"), StandardCharsets.UTF_8);
        }
    }

    @Test
    @Order(1)
    void clientModeTrainsFromHdfsAndSavesToHdfs() throws Exception {
        DevCluster.Run run = cluster.run(submit("client", cluster.job(2, "/out/client")), 6);
        assertEquals(0, run.code(), run.out());
        assertTrue(run.out().contains("Parameter averaging on yarn: 2 workers"), run.out());
        assertTrue(cluster.hdfs.exists(new Path("/out/client/" + ModelStore.MODEL_FILE)));
        String application = cluster.json("/out/client/" + TrainJob.RUN_FILE).get("applicationId").asText();
        assertTrue(APPLICATION.matcher(application).matches(), application);
        ApplicationReport report = report(application);
        assertEquals(FinalApplicationStatus.SUCCEEDED, report.getFinalApplicationStatus(), report.getDiagnostics());
        undisturbedAccuracy = cluster.evaluation("/out/client").get("accuracy").asDouble();
        LOG.info("YARN client mode: application {} ended {}, test accuracy {} on 1000 images", application,
                report.getFinalApplicationStatus(), undisturbedAccuracy);
        assertTrue(undisturbedAccuracy >= 0.85, "accuracy " + undisturbedAccuracy);
    }

    /**
     * The driver runs in the application master; the job config it gets is {@code seed-cnn-augmented.conf}, which
     * includes {@code seed-cnn.conf}, which includes {@code job.conf}: all three are shipped, and the run's
     * recorded configuration shows what each of them set.
     */
    @Test
    @Order(2)
    void clusterModeShipsTheConfigWithItsIncludesAndReportsTheFinalStatus() throws Exception {
        String config = TestData.projectRoot().resolve("conf/seed-cnn-augmented.conf").toString();
        DevCluster.Run run = cluster.run(submit("cluster", cluster.job(1, "/out/cluster", "--config", config,
                "--set", "train.average-last-epochs=1")), 6);
        assertEquals(0, run.code(), run.out());
        String application = endedApplication(run.out());
        assertTrue(run.out().contains("application " + application + " ended with final status SUCCEEDED"), run.out());
        ApplicationReport report = report(application);
        assertEquals(FinalApplicationStatus.SUCCEEDED, report.getFinalApplicationStatus(), report.getDiagnostics());
        assertTrue(cluster.hdfs.exists(new Path("/out/cluster/" + ModelStore.MODEL_FILE)));
        JsonNode facts = cluster.json("/out/cluster/" + TrainJob.RUN_FILE);
        assertEquals(application, facts.get("applicationId").asText());
        JsonNode cfg = facts.get("config");
        assertTrue(cfg.at("/augment/enabled").asBoolean(), "seed-cnn-augmented.conf's augmentation: " + cfg.get("augment"));
        assertEquals("seed-cnn", cfg.at("/model/preset").asText(), "seed-cnn.conf's network");
        assertEquals("nesterov", cfg.at("/train/outer/method").asText(), "job.conf's outer step (the default is auto)");
        double accuracy = cluster.evaluation("/out/cluster").get("accuracy").asDouble();
        LOG.info("YARN cluster mode: application {} ended {}, test accuracy {} on 1000 images (1 epoch, augmented)",
                application, report.getFinalApplicationStatus(), accuracy);
        assertTrue(accuracy >= 0.8, "accuracy " + accuracy);
    }

    @Test
    @Order(3)
    void aClusterModeJobThatFailsExitsWithItsOwnCode() throws Exception {
        DevCluster.Run run = cluster.run(submit("cluster", cluster.job(1, "/out/failed",
                "--set", "data.dir=" + cluster.hdfsUrl + "/data/missing")), 4);
        assertEquals(3, run.code(), "bad input data, as the job exits locally:\n" + run.out());
        String application = endedApplication(run.out());
        ApplicationReport report = report(application);
        assertEquals(FinalApplicationStatus.FAILED, report.getFinalApplicationStatus());
        assertTrue(report.getDiagnostics().contains("User application exited with status 3"), report.getDiagnostics());
        assertEquals(1, report.getCurrentApplicationAttemptId().getAttemptId(), "a job's own failure is not retried");
        assertTrue(containerLog(application, 1).contains("bad input data"), "the driver's reason is in its log");
        assertFalse(cluster.hdfs.exists(new Path("/out/failed")), "nothing written");
        LOG.info("YARN cluster mode, missing data: application {} ended {} ({}), submit.sh exit code {}", application,
                report.getFinalApplicationStatus(), report.getDiagnostics().trim(), run.code());
    }

    @Test
    @Order(4)
    void killingAnExecutorsContainerMidTrainingLosesNoWork() throws Exception {
        ExecutorKiller.Setup setup = ExecutorKiller.Setup.in(cluster);
        Process job = cluster.start(submit("client", cluster.job(2, "/out/killed"), setup.confs().toArray(String[]::new)));
        DevCluster.Output out = DevCluster.Output.of(job);

        ExecutorKiller.Killed killed = ExecutorKiller.killAnExecutorRunningATask(setup.uiPort(), job, YarnClusterTest::executors);
        assertTrue(job.waitFor(6, TimeUnit.MINUTES), "the job ended");
        assertEquals(0, job.exitValue(), out.await());
        int lost = ExecutorKiller.assertLostTasksRanAgainElsewhere(setup.events(), killed);
        String application = cluster.json("/out/killed/" + TrainJob.RUN_FILE).get("applicationId").asText();
        ApplicationReport report = report(application);
        assertEquals(FinalApplicationStatus.SUCCEEDED, report.getFinalApplicationStatus(), report.getDiagnostics());
        double accuracy = cluster.evaluation("/out/killed").get("accuracy").asDouble();
        LOG.info("YARN container of executor {} killed: application {} ended {}, {} tasks lost and re-run; test accuracy {} "
                + "against {} undisturbed", killed.executor(), application, report.getFinalApplicationStatus(), lost, accuracy,
                undisturbedAccuracy);
        assertEquals(undisturbedAccuracy, accuracy, 0.01, "within 1 percentage point of the undisturbed run");
    }

    /**
     * The executors of an application on the NodeManager: each in a container, whose working directory (where it
     * writes {@code tasks.log}) is under the NodeManager's local directory, whose launch script names the executor's
     * id, and whose process group (the container runs in a session of its own) is led by the pid in its pid file.
     */
    private static List<ExecutorKiller.Executor> executors(String application) throws IOException {
        java.nio.file.Path local = cluster.dir.resolve("yarn/local");
        java.nio.file.Path appCache = local.resolve("usercache").resolve(System.getProperty("user.name"))
                .resolve("appcache").resolve(application);
        List<ExecutorKiller.Executor> executors = new ArrayList<>();
        if (!Files.isDirectory(appCache)) {
            return executors;
        }
        Pattern executorId = Pattern.compile("--executor-id (\\S+)");
        try (Stream<java.nio.file.Path> all = Files.list(appCache)) {
            for (java.nio.file.Path container : all.filter(p -> p.getFileName().toString().startsWith("container_")).toList()) {
                String name = container.getFileName().toString();
                java.nio.file.Path launch = cluster.dir.resolve("yarn/logs").resolve(application).resolve(name)
                        .resolve("launch_container.sh");
                java.nio.file.Path pid = local.resolve("nmPrivate").resolve(application).resolve(name).resolve(name + ".pid");
                if (!Files.exists(launch) || !Files.exists(pid)) {
                    continue;
                }
                Matcher id = executorId.matcher(Files.readString(launch));
                String pidText = Files.readString(pid).trim();
                if (id.find() && !pidText.isEmpty()) {
                    executors.add(new ExecutorKiller.Executor(id.group(1), container.resolve("tasks.log"), pidText,
                            "container " + name));
                }
            }
        }
        return executors;
    }

    /** {@code retrain.sh} into the test's registry on HDFS, with the driver in the cluster. */
    private static List<String> retrain(String... more) {
        List<String> cmd = new ArrayList<>(List.of(DevCluster.script("retrain.sh"), "--registry", cluster.hdfsUrl + REGISTRY,
                "--master", "yarn", "--deploy-mode", "cluster", "--executors", "2", "--executor-cores", "1",
                "--executor-memory", "1g", "--driver-memory", "1g", "--spark-home", cluster.env.get("SPARK_HOME")));
        cmd.addAll(cluster.trainOptions(2));
        cmd.addAll(Arrays.asList(more));
        return cmd;
    }

    private static List<String> versions() throws IOException {
        Path dir = new Path(REGISTRY, "versions");
        if (!cluster.hdfs.exists(dir)) {
            return List.of();
        }
        return Arrays.stream(cluster.hdfs.listStatus(dir)).map(FileStatus::getPath).map(Path::getName).sorted().toList();
    }

    private static String latest() throws IOException {
        try (var in = cluster.hdfs.open(new Path(REGISTRY, ModelRegistry.LATEST_FILE))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
    }

    /**
     * Two retrainings started at once into one empty registry, neither willing to wait for the lock: one publishes
     * and promotes the first version; the other's driver finds the lock held by the first application and exits with
     * the lock code, 5, which its {@code retrain.sh} exits with too.
     */
    @Test
    @Order(5)
    void twoRetrainingsAtOnceOnePublishesTheOtherExitsWithTheLockCode() throws Exception {
        Process first = cluster.start(withEnv(retrain(), Map.of("LOCK_WAIT", "0")));
        Process second = cluster.start(withEnv(retrain(), Map.of("LOCK_WAIT", "0")));
        DevCluster.Output firstOut = DevCluster.Output.of(first);
        DevCluster.Output secondOut = DevCluster.Output.of(second);
        assertTrue(first.waitFor(8, TimeUnit.MINUTES) && second.waitFor(8, TimeUnit.MINUTES), "both ended");
        List<DevCluster.Run> runs = List.of(new DevCluster.Run(first.exitValue(), firstOut.await()),
                new DevCluster.Run(second.exitValue(), secondOut.await()));
        List<Integer> codes = runs.stream().map(DevCluster.Run::code).sorted().toList();
        assertEquals(List.of(0, 5), codes, "one published, the other found the lock:\n" + runs);
        DevCluster.Run winner = runs.stream().filter(r -> r.code() == 0).findFirst().orElseThrow();
        DevCluster.Run loser = runs.stream().filter(r -> r.code() == 5).findFirst().orElseThrow();
        String winnerApp = endedApplication(winner.out());
        String loserApp = endedApplication(loser.out());
        assertEquals(FinalApplicationStatus.SUCCEEDED, report(winnerApp).getFinalApplicationStatus());
        assertEquals(FinalApplicationStatus.FAILED, report(loserApp).getFinalApplicationStatus());
        assertTrue(report(loserApp).getDiagnostics().contains("User application exited with status 5"));
        String loserLog = containerLog(loserApp, 1);
        assertTrue(loserLog.contains("is locked by application " + winnerApp), "the lock names its holder:\n" + loserLog);

        List<String> versions = versions();
        assertEquals(1, versions.size(), "one version published: " + versions);
        assertEquals(versions.get(0), latest(), "and promoted");
        assertFalse(cluster.hdfs.exists(new Path(REGISTRY, "_LOCK")), "the lock is released");
        JsonNode manifest = cluster.json(REGISTRY + "/versions/" + versions.get(0) + "/" + ModelRegistry.MANIFEST_FILE);
        assertEquals(winnerApp, manifest.at("/facts/runId").asText());
        LOG.info("Two retrainings at once: {} published version {} (exit 0); {} found the lock and ended {} (exit 5)",
                winnerApp, versions.get(0), loserApp, report(loserApp).getFinalApplicationStatus());
    }

    /**
     * The next retraining, in the cluster: warm start from LATEST, the promotion gate's decision in the new version's
     * manifest, and retention (KEEP=1) keeping the newest version and the one LATEST names.
     */
    @Test
    @Order(6)
    void theNextRetrainingWarmStartsAndAppliesThePromotionGateAndRetention() throws Exception {
        String champion = latest();
        DevCluster.Run run = cluster.run(withEnv(retrain(), Map.of("KEEP", "1")), 6);
        assertEquals(0, run.code(), run.out());
        String application = endedApplication(run.out());
        String driverLog = containerLog(application, 1);
        assertTrue(driverLog.contains("Warm start from version " + champion), driverLog);
        List<String> versions = versions();
        String newest = versions.get(versions.size() - 1);
        JsonNode promotion = cluster.json(REGISTRY + "/versions/" + newest + "/" + ModelRegistry.MANIFEST_FILE)
                .at("/facts/promotion");
        assertEquals("if-no-worse", promotion.get("rule").asText(), promotion.toString());
        if (promotion.get("promoted").asBoolean()) {
            assertEquals(newest, latest());
            assertEquals(List.of(newest), versions, "KEEP=1: the older version deleted");
        } else {
            assertEquals(champion, latest());
            assertEquals(List.of(champion, newest).stream().sorted().toList(), versions, "LATEST's version is never deleted");
        }
        LOG.info("Retraining {} warm-started from {}: version {} {}; versions kept {}", application, champion, newest,
                promotion.get("promoted").asBoolean() ? "promoted" : "not promoted", versions);
    }

    /** {@code env KEY=VALUE ... cmd}: the command with environment variables of its own. */
    private static List<String> withEnv(List<String> cmd, Map<String, String> env) {
        List<String> withEnv = new ArrayList<>(List.of("env"));
        env.forEach((k, v) -> withEnv.add(k + "=" + v));
        withEnv.addAll(cmd);
        return withEnv;
    }
}
