package io.sparkcnn.runtime;

import io.sparkcnn.config.ConfigLoader;
import io.sparkcnn.config.NativeConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pre-flight check's rules, on facts built here: each mismatch gives its finding, a healthy cluster none. */
@Tag("unit")
class PreflightTest {
    private static final long MIB = 1L << 20;
    private static final NativeConfig NATIVES = new NativeConfig(1, "auto", true, "auto");
    private static final MemoryPlan SEED_CNN = MemoryPlan.forJob(ConfigLoader.load(null, List.of("model.preset=seed-cnn")));
    private static final MemoryPlan SEED_FC = MemoryPlan.forJob(ConfigLoader.load(null, List.of("model.preset=seed-fc")));

    /** A healthy executor's facts (2 cores, 1 per task, 2 GiB heap, JavaCPP's defaults), changed field by field. */
    private static final class Facts {
        String id = "1";
        String host = "worker-a";
        boolean loaded = true;
        String backend = "CpuBackend";
        String vendor = "OPENBLAS";
        String helper = "MKLDNNConvHelper";
        boolean oneDnn = true;
        String helpersDisable = "false";
        String coreType = "SKYLAKEX";
        String omp = "1";
        int threads = 1;
        int taskCpus = 1;
        int cores = 2;
        long maxBytes = 2048 * MIB;
        long maxPhysical = 2048 * MIB + 3 * 2048 * MIB;
        long heap = 2048 * MIB;
        String java = "17.0.15";
        String spark = "3.5.7";
        String scala = "2.12.18";
        String dl4j = "1.0.0-M2.1";

        ExecutorFacts build() {
            return new ExecutorFacts(id, host, loaded ? backend : "", loaded,
                    loaded ? "" : "java.lang.UnsatisfiedLinkError: no jnind4jcpu in java.library.path",
                    loaded ? vendor : "", helper, oneDnn, helpersDisable, coreType, "SKYLAKEX", "BLAS core: ...",
                    omp, threads, taskCpus, cores, "spark.executor.cores", maxBytes, maxPhysical, heap, java, spark,
                    scala, dl4j, "1.0.0-M2.1");
        }
    }

    private static ExecutorFacts driver() {
        Facts d = new Facts();
        d.id = "driver";
        d.host = "gateway";
        return d.build();
    }

    private static List<Preflight.Finding> check(Facts executor) {
        return Preflight.check(List.of(executor.build()), driver(), SEED_CNN, NATIVES);
    }

    private static Preflight.Finding only(List<Preflight.Finding> findings) {
        assertEquals(1, findings.size(), findings.toString());
        return findings.get(0);
    }

    @Test
    void aHealthyExecutorGivesNoFinding() {
        assertEquals(List.of(), check(new Facts()));
        Facts second = new Facts();
        second.id = "2";
        assertEquals(List.of(), Preflight.check(List.of(new Facts().build(), second.build()), driver(), SEED_CNN, NATIVES));
    }

    @Test
    void openMpThreadsOversubscribingTheTaskCoresWarn() {
        Facts f = new Facts();
        f.omp = "4";
        f.threads = 4;
        Preflight.Finding finding = only(check(f));
        assertEquals(Preflight.Severity.WARN, finding.severity());
        assertTrue(finding.message().startsWith("executor 1 on host worker-a: OMP_NUM_THREADS=4 but the task has 1 core"),
                finding.message());
        assertTrue(finding.message().contains("oversubscribed: set natives.omp-threads=1 (spark.executorEnv.OMP_NUM_THREADS)"),
                finding.message());

        Facts unset = new Facts();
        unset.omp = "";
        unset.threads = 2;
        assertTrue(only(check(unset)).message().contains("OMP_NUM_THREADS=unset (ND4J uses 2 threads)"));
    }

    @Test
    void anInactiveOneDnnHelperIsFatalForConvolutionalNetworks() {
        Facts f = new Facts();
        f.oneDnn = false;
        f.helper = "none";
        f.helpersDisable = "true";
        Preflight.Finding finding = only(check(f));
        assertEquals(Preflight.Severity.FATAL, finding.severity());
        assertTrue(finding.message().startsWith("executor 1 on host worker-a: the convolution layers would run without "
                + "the oneDNN helper, about 5x slower: a test convolution got helper none "
                + "(-Dorg.eclipse.deeplearning4j.helpers.disable=true)"), finding.message());
        assertTrue(finding.message().contains("-Dorg.eclipse.deeplearning4j.helpers.disable=false in "
                + "spark.executor.extraJavaOptions"), finding.message());
        assertTrue(finding.message().endsWith("or set natives.layer-helpers=false to accept the slower convolutions"),
                finding.message());

        assertEquals(List.of(), Preflight.check(List.of(f.build()), driver(), SEED_CNN, new NativeConfig(1, "auto", false, "auto")),
                "accepted with natives.layer-helpers=false");
        assertEquals(Preflight.Severity.WARN, only(Preflight.check(List.of(f.build()), driver(), SEED_FC, NATIVES)).severity(),
                "harmless for a network without convolutions");
    }

    @Test
    void anOffHeapLimitBelowTheModelsNeedIsFatal() {
        Facts f = new Facts();
        f.heap = 1024 * MIB;
        f.maxBytes = 4096 * MIB;
        f.maxPhysical = 1536 * MIB;  // 512 MiB beside the heap; the JVM takes 384 of them
        MemoryPlan.Recommendation fix = SEED_CNN.recommend(1024 * MIB, 2, 1);
        Preflight.Finding finding = only(check(f));
        assertEquals(Preflight.Severity.FATAL, finding.severity());
        assertTrue(finding.message().startsWith("executor 1 on host worker-a: JavaCPP's maxphysicalbytes 1536.0 MiB "
                + "leaves 128.0 MiB beside the heap (1024.0 MiB) and the JVM's own overhead (384.0 MiB), below the "
                + "877.3 MiB off the heap that 2 tasks with minibatches of 128 need"), finding.message());
        assertTrue(finding.message().contains("-Dorg.bytedeco.javacpp.maxphysicalbytes=" + fix.maxPhysicalBytes()
                + " in spark.executor.extraJavaOptions with spark.executor.memoryOverhead=" + fix.memoryOverhead()),
                finding.message());

        f.maxPhysical = fix.maxPhysicalBytes();
        assertEquals(List.of(), check(f), "the recommended limit passes");
        f.maxPhysical = 0;
        assertEquals(List.of(), check(f), "no JavaCPP limit");
        f.maxBytes = 512 * MIB;
        assertEquals(Preflight.Severity.WARN, only(check(f)).severity(), "maxbytes does not bound ND4J's arrays");
    }

    @Test
    void anotherDl4jOrSparkVersionThanTheDriversIsFatal() {
        Facts f = new Facts();
        f.dl4j = "1.0.0-M2";
        Preflight.Finding finding = only(check(f));
        assertEquals(Preflight.Severity.FATAL, finding.severity());
        assertTrue(finding.message().startsWith("executor 1 on host worker-a: DL4J 1.0.0-M2 but the driver has 1.0.0-M2.1"),
                finding.message());

        Facts spark = new Facts();
        spark.spark = "3.1.2";
        assertEquals(Preflight.Severity.FATAL, only(check(spark)).severity());
        Facts scala = new Facts();
        scala.scala = "2.13.8";
        assertEquals(Preflight.Severity.FATAL, only(check(scala)).severity());
        Facts java = new Facts();
        java.java = "21.0.2";
        assertEquals(Preflight.Severity.WARN, only(check(java)).severity(), "another Java runs the same bytecode");
    }

    /** The CUDA build (-Pcuda): no oneDNN helper and helpers off by design, cuBLAS instead of OpenBLAS. */
    private static Facts cuda() {
        Facts f = new Facts();
        f.backend = "JCublasBackend";
        f.vendor = "CUBLAS";
        f.helper = "none";
        f.oneDnn = false;
        f.helpersDisable = "true";
        return f;
    }

    @Test
    void theCudaBackendWithoutOneDnnHelperGivesNoFinding() {
        Facts driver = cuda();
        driver.id = "driver";
        assertEquals(List.of(), Preflight.check(List.of(cuda().build()), driver.build(), SEED_CNN, NATIVES));

        Facts dead = cuda();
        dead.loaded = false;
        dead.threads = 0;
        Preflight.Finding finding = only(Preflight.check(List.of(dead.build()), driver.build(), SEED_CNN, NATIVES));
        assertEquals(Preflight.Severity.FATAL, finding.severity());
        assertTrue(finding.message().contains("the driver runs JCublasBackend (the CUDA build): the host needs an "
                + "NVIDIA driver"), finding.message());
    }

    @Test
    void aBackendThatDidNotLoadIsFatal() {
        Facts f = new Facts();
        f.loaded = false;
        f.oneDnn = false;
        f.threads = 0;
        Preflight.Finding finding = only(check(f));
        assertEquals(Preflight.Severity.FATAL, finding.severity());
        assertTrue(finding.message().startsWith("executor 1 on host worker-a: ND4J's native backend did not load "
                + "(java.lang.UnsatisfiedLinkError: no jnind4jcpu in java.library.path)"), finding.message());
    }

    @Test
    void anUnsetOpenBlasCoreTypeWarns() {
        Facts f = new Facts();
        f.coreType = "";
        Preflight.Finding finding = only(check(f));
        assertEquals(Preflight.Severity.WARN, finding.severity());
        assertTrue(finding.message().contains("set natives.openblas-coretype=SKYLAKEX (spark.executorEnv.OPENBLAS_CORETYPE)"),
                finding.message());
    }

    @Test
    void aFatalFindingBecomesOneLinePerFindingInTheException() {
        PreflightFailedException e = new PreflightFailedException(List.of(
                new Preflight.Finding(Preflight.Severity.FATAL, "executor 1 on host a: x"),
                new Preflight.Finding(Preflight.Severity.FATAL, "executor 2 on host b: y")));
        assertEquals("the cluster's environment is unfit for the job (pre-flight check, 2 fatal findings; "
                + "preflight.enabled=false skips the check):\n  - executor 1 on host a: x\n  - executor 2 on host b: y",
                e.getMessage());
    }
}
