package io.sparkcnn.runtime;

/**
 * What one JVM (an executor, or the driver) reports about its environment to the {@link Preflight} check.
 * Immutable; built by {@link Preflight#probeThisJvm} in the JVM it describes, or by tests.
 *
 * @param executorId         Spark's executor id ({@code driver} for the driver and for local mode's executor)
 * @param host               the executor's host as Spark's block manager knows it
 * @param backend            simple class name of the ND4J backend, e.g. {@code CpuBackend}; empty when none loaded
 * @param nativesLoaded      ND4J's native library loaded and computed a small matrix product correctly
 * @param nativeError        why the natives did not load (empty when they did)
 * @param blasVendor         the BLAS ND4J calls, e.g. {@code OPENBLAS}; empty without natives
 * @param convolutionHelper  the helper a small convolution layer got in this JVM, e.g. {@code MKLDNNConvHelper},
 *                           or {@code none}
 * @param oneDnnHelper       every convolution and pooling layer of that small network got a oneDNN helper
 * @param helpersDisable     the value of {@code -Dorg.eclipse.deeplearning4j.helpers.disable}, or {@code unset}
 * @param openblasCoreType   the {@code OPENBLAS_CORETYPE} environment variable, empty when unset
 * @param cpuCoreType        the core type this CPU's flags call for ({@code SKYLAKEX}, {@code HASWELL}), empty
 *                           when the flags are unknown or call for none
 * @param blas               {@link NativeSetup#describeBlas()} of this JVM, empty without natives
 * @param ompNumThreads      the {@code OMP_NUM_THREADS} environment variable, empty when unset
 * @param nd4jThreads        the OpenMP threads ND4J really uses ({@code Nd4j.getEnvironment().maxThreads()}),
 *                           0 without natives
 * @param taskCpus           cores per task ({@code spark.task.cpus}), &gt;= 1
 * @param executorCores      cores of the executor, &gt;= 1
 * @param executorCoresSource where {@code executorCores} came from, e.g. {@code spark.executor.cores} or
 *                           {@code local[2]}
 * @param maxBytes           JavaCPP's {@code Pointer.maxBytes()} in bytes (0 = no limit)
 * @param maxPhysicalBytes   JavaCPP's {@code Pointer.maxPhysicalBytes()} in bytes (0 = no limit)
 * @param heapMaxBytes       the JVM's maximum heap ({@code Runtime.maxMemory()}) in bytes
 * @param javaVersion        {@code java.version}
 * @param sparkVersion       Spark's version
 * @param scalaVersion       the Scala library's version, e.g. {@code 2.12.18}
 * @param dl4jVersion        version of {@code deeplearning4j-nn} on the class path, or {@code unknown}
 * @param nd4jVersion        version of {@code nd4j-api} on the class path, or {@code unknown}
 */
public record ExecutorFacts(String executorId, String host, String backend, boolean nativesLoaded, String nativeError,
                            String blasVendor, String convolutionHelper, boolean oneDnnHelper, String helpersDisable,
                            String openblasCoreType, String cpuCoreType, String blas, String ompNumThreads,
                            int nd4jThreads, int taskCpus, int executorCores, String executorCoresSource,
                            long maxBytes, long maxPhysicalBytes, long heapMaxBytes, String javaVersion,
                            String sparkVersion, String scalaVersion, String dl4jVersion, String nd4jVersion) {

    /** {@code executor 1 on host X}, or {@code the driver on host X}: how findings name this JVM. */
    public String who() {
        return ("driver".equals(executorId) ? "the driver" : "executor " + executorId) + " on host " + host;
    }

    /** Tasks this executor runs at once: its cores divided by a task's. */
    public int concurrentTasks() {
        return MemoryPlan.tasksPerExecutor(executorCores, taskCpus);
    }
}
