package io.sparkcnn.runtime;

import io.sparkcnn.LocalSpark;
import io.sparkcnn.config.ConfigLoader;
import io.sparkcnn.config.JobConfig;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real probe on {@code local[2]}: the facts come from the executor's JVM (here the driver's, as local mode
 * runs the tasks there), under Surefire's settings: helpers enabled, {@code OMP_NUM_THREADS=1}, 3 GiB heap.
 */
@Tag("spark-local")
class PreflightLocalTest {
    private static SparkSession spark;
    private static JavaSparkContext sc;

    @BeforeAll
    static void startSpark() {
        spark = LocalSpark.start(2);
        sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    @Test
    void theProbeReportsTheRealEnvironment() {
        List<ExecutorFacts> facts = Preflight.probeExecutors(sc, 2);
        assertEquals(1, facts.size(), "local mode has one executor, whatever the number of tasks: " + facts);
        ExecutorFacts e = facts.get(0);
        assertEquals("driver", e.executorId());
        assertTrue(e.nativesLoaded(), e.nativeError());
        assertEquals("CpuBackend", e.backend());
        assertEquals("MKLDNNConvHelper", e.convolutionHelper());
        assertTrue(e.oneDnnHelper());
        assertEquals("false", e.helpersDisable(), "Surefire's argLine");
        assertEquals("1", e.ompNumThreads(), "Surefire's environment");
        assertEquals(1, e.nd4jThreads(), "ND4J honours OMP_NUM_THREADS");
        assertEquals(1, e.taskCpus());
        assertEquals(2, e.executorCores());
        assertEquals("local[2]", e.executorCoresSource());
        assertTrue(e.maxBytes() > 0 && e.maxPhysicalBytes() > e.maxBytes(), e.maxBytes() + " / " + e.maxPhysicalBytes());
        assertTrue(e.heapMaxBytes() > 2L << 30, "-Xmx3g: " + e.heapMaxBytes());
        assertEquals("1.0.0-M2.1", e.dl4jVersion());
        assertEquals("1.0.0-M2.1", e.nd4jVersion());
        assertEquals("3.5.7", e.sparkVersion());
        assertTrue(e.scalaVersion().startsWith("2.12."), e.scalaVersion());
        assertEquals(System.getProperty("java.version"), e.javaVersion());
        assertTrue(Preflight.table(facts).lines().skip(1).findFirst().orElseThrow().startsWith("driver "),
                Preflight.table(facts));
    }

    @Test
    void theCheckPassesHereWithoutAFatalFinding() {
        JobConfig cfg = ConfigLoader.load(null, List.of("model.preset=seed-cnn"));
        List<Preflight.Finding> findings = Preflight.run(sc, MemoryPlan.forJob(cfg), cfg.natives());
        assertTrue(findings.stream().noneMatch(f -> f.severity() == Preflight.Severity.FATAL), findings.toString());
        assertTrue(findings.stream().noneMatch(f -> f.message().contains("OMP_NUM_THREADS")), findings.toString());
    }
}
