package io.sparkcnn.cluster;

import io.sparkcnn.TestData;
import io.sparkcnn.store.ModelStore;
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

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cluster tier: a Spark standalone master with 2 workers of 1 core each and an HDFS (NameNode and DataNode),
 * every one a separate JVM on 127.0.0.1, started by {@code submit-scripts/dev-cluster.sh}; the job is submitted
 * with {@code submit-scripts/submit.sh} and its shaded jar, exactly as a user would, reads a MNIST subset from
 * {@code hdfs://} and writes its model there. Everything is stopped and deleted at the end, and the test checks
 * that no process, port or temporary directory is left ({@link DevCluster#close}).
 */
@Tag("cluster")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneClusterTest {
    private static final Logger LOG = LoggerFactory.getLogger(StandaloneClusterTest.class);

    private static DevCluster cluster;
    private static String hdfsUrl;
    private static double undisturbedAccuracy = Double.NaN;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = DevCluster.start("--workers", "2", "--worker-cores", "1", "--worker-memory", "2g");
        hdfsUrl = cluster.hdfsUrl;
        LOG.info("Cluster up: {}", cluster.env);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** The job's options for a small run, the same in every test so accuracies can be compared. */
    private static List<String> job(String output, String... more) {
        return cluster.job(2, output, more);
    }

    private static List<String> job(int epochs, String output, String... more) {
        return cluster.job(epochs, output, more);
    }

    private static List<String> submit(String deployMode, List<String> confs, List<String> job) {
        List<String> options = new ArrayList<>(List.of("--master-ui", cluster.env.get("SPARK_MASTER_UI"),
                "--deploy-mode", deployMode));
        for (String conf : confs) {
            options.addAll(List.of("--conf", conf));
        }
        return cluster.submit(options, job);
    }

    @Test
    @Order(1)
    void clientModeTrainsFromHdfsAndSavesToHdfs() throws Exception {
        DevCluster.Run run = cluster.run(submit("client", List.of(), job("/out/client")), 6);
        assertEquals(0, run.code(), run.out());
        assertTrue(run.out().contains("Parameter averaging on " + cluster.env.get("SPARK_MASTER_URL") + ": 2 workers"), run.out());
        assertTrue(cluster.hdfs.exists(new Path("/out/client/" + ModelStore.MODEL_FILE)));
        undisturbedAccuracy = cluster.evaluation("/out/client").get("accuracy").asDouble();
        LOG.info("Client mode: test accuracy {} on 1000 images", undisturbedAccuracy);
        assertTrue(undisturbedAccuracy >= 0.85, "accuracy " + undisturbedAccuracy);
    }

    /** Also the job's {@code --config} given after {@code --}, as {@code run-local.sh} takes it: the job gets it once. */
    @Test
    @Order(2)
    void clusterModeRunsTheDriverOnAWorkerAndReportsItsFinalState() throws Exception {
        String config = TestData.projectRoot().resolve("conf/job.conf").toString();
        DevCluster.Run run = cluster.run(submit("cluster", List.of(), job(1, "/out/cluster", "--config", config)), 6);
        assertEquals(0, run.code(), run.out());
        assertTrue(run.out().matches("(?s).*driver driver-\\S+ ended FINISHED.*"), run.out());
        assertTrue(cluster.hdfs.exists(new Path("/out/cluster/" + ModelStore.MODEL_FILE)));
        double accuracy = cluster.evaluation("/out/cluster").get("accuracy").asDouble();
        LOG.info("Cluster mode: test accuracy {} on 1000 images", accuracy);
        assertTrue(accuracy >= 0.85, "accuracy " + accuracy);
    }

    @Test
    @Order(3)
    void aClusterModeDriverThatFailsIsReportedAsFailed() throws Exception {
        DevCluster.Run run = cluster.run(submit("cluster", List.of(), job(1, "/out/failed", "--set", "data.dir=" + hdfsUrl + "/data/missing")), 3);
        assertEquals(1, run.code(), "spark-submit itself exits 0 here; the script must not:\n" + run.out());
        assertTrue(run.out().matches("(?s).*driver driver-\\S+ ended FAILED.*"), run.out());
        assertFalse(cluster.hdfs.exists(new Path("/out/failed")), "nothing written");
    }

    /** The job's options for the pre-flight check alone, for the network and batch of {@link #job}. */
    private static List<String> preflight() {
        return List.of("--", "preflight", "--preset", "seed-cnn", "--set", "train.batch-size-per-worker=32");
    }

    @Test
    @Order(4)
    void preflightWarnsWhenOpenMpThreadsOversubscribeTheExecutorsCores() throws Exception {
        DevCluster.Run run = cluster.run(submit("client", List.of("spark.executorEnv.OMP_NUM_THREADS=4"), preflight()), 3);
        assertEquals(0, run.code(), "a warning does not stop the job:\n" + run.out());
        assertTrue(run.out().contains("OMP_NUM_THREADS=4") && run.out().contains("oversubscribed")
                && run.out().contains("set natives.omp-threads=1"), run.out());
    }

    @Test
    @Order(5)
    void preflightStopsAJobWhoseExecutorsWouldConvolveWithoutOneDnn() throws Exception {
        DevCluster.Run run = cluster.run(submit("client", List.of("spark.executor.extraJavaOptions=-Dorg.eclipse.deeplearning4j.helpers.disable=true"),
                preflight()), 3);
        assertEquals(6, run.code(), run.out());
        assertTrue(run.out().contains("the convolution layers would run without the oneDNN helper"), run.out());
    }

    @Test
    @Order(6)
    void preflightStopsAJobWhoseOffHeapLimitIsBelowTheModelsNeed() throws Exception {
        DevCluster.Run run = cluster.run(submit("client", List.of("spark.executor.extraJavaOptions=-Dorg.bytedeco.javacpp.maxphysicalbytes=1400m"),
                preflight()), 3);
        assertEquals(6, run.code(), run.out());
        assertTrue(run.out().contains("JavaCPP's maxphysicalbytes") && run.out().contains("out-of-memory"), run.out());
    }

    @Test
    @Order(9)
    void killingAWorkerMidTrainingLosesNoWork() throws Exception {
        ExecutorKiller.Setup setup = ExecutorKiller.Setup.in(cluster);
        Process job = cluster.start(submit("client", setup.confs(), job("/out/killed")));
        DevCluster.Output out = DevCluster.Output.of(job);

        ExecutorKiller.Killed killed = ExecutorKiller.killAnExecutorRunningATask(setup.uiPort(), job, StandaloneClusterTest::executors);
        assertTrue(job.waitFor(6, TimeUnit.MINUTES), "the job ended");
        assertEquals(0, job.exitValue(), out.await());
        int lost = ExecutorKiller.assertLostTasksRanAgainElsewhere(setup.events(), killed);
        double accuracy = cluster.evaluation("/out/killed").get("accuracy").asDouble();
        LOG.info("Worker killed: {} tasks lost and re-run; test accuracy {} against {} undisturbed", lost,
                accuracy, undisturbedAccuracy);
        assertEquals(undisturbedAccuracy, accuracy, 0.01, "within 1 percentage point of the undisturbed run");
    }

    /**
     * The executors of an application on the standalone workers: each in a folder named by its id in its worker's
     * work directory; killing one means killing its worker's process group (the worker and the executor it started).
     */
    private static List<ExecutorKiller.Executor> executors(String app) throws IOException {
        List<ExecutorKiller.Executor> executors = new ArrayList<>();
        List<String> workerPids = List.of(cluster.env.get("WORKER_PIDS").split(" "));
        for (int w = 0; w < workerPids.size(); w++) {
            String worker = "worker-" + (w + 1);
            java.nio.file.Path appDir = cluster.dir.resolve("work").resolve(worker).resolve(app);
            if (!Files.isDirectory(appDir)) {
                continue;
            }
            try (Stream<java.nio.file.Path> all = Files.list(appDir)) {
                for (java.nio.file.Path executorDir : all.toList()) {
                    executors.add(new ExecutorKiller.Executor(executorDir.getFileName().toString(),
                            executorDir.resolve("tasks.log"), workerPids.get(w), worker));
                }
            }
        }
        return executors;
    }
}
