package io.sparkcnn.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkcnn.common.Failures;
import io.sparkcnn.config.NativeConfig;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * The pre-flight check at job start: one small task per executor reports its {@link ExecutorFacts} (ND4J
 * backend and natives, the helper a small convolution gets, BLAS core type, OpenMP threads, task and executor
 * cores, JavaCPP's off-heap limits, versions), the driver logs them as a table and {@link #check} compares
 * them with the driver, the configuration and the {@link MemoryPlan} of the network to train.
 *
 * <p>Severities: a finding is {@link Severity#FATAL} when the job would fail later or run several times slower
 * than it should, and {@link Severity#WARN} when it only costs some speed or might matter:</p>
 * <ul>
 *   <li>FATAL: ND4J's native backend did not load; the oneDNN helper is inactive while
 *   {@code natives.layer-helpers = true}, the backend is the CPU one and the network has convolution or pooling
 *   layers (about 5x slower);
 *   JavaCPP's {@code maxphysicalbytes} leaves less room beside the heap and the JVM's own overhead than the
 *   executor's tasks need (training would die with an out-of-memory error in native code); DL4J, ND4J or Spark
 *   versions, or the Scala binary version, differ from the driver's; the probe job itself failed.</li>
 *   <li>WARN: OpenMP threads per task differ from the task's cores (more oversubscribes the executor's cores,
 *   fewer leaves cores idle); {@code OPENBLAS_CORETYPE} unset although the CPU calls for one, or set to another
 *   core than the CPU calls for; JavaCPP's {@code maxbytes} below the off-heap need (ND4J 1.0.0-M2.1's arrays
 *   are not counted against it); the oneDNN helper inactive for a network without convolutions; another Java
 *   version, Scala patch version or ND4J backend than the driver's; fewer executors answered than are
 *   registered.</li>
 * </ul>
 * A fatal finding throws {@link PreflightFailedException} (exit code 6); warnings are logged.
 */
public final class Preflight {
    private static final Logger LOG = LoggerFactory.getLogger(Preflight.class);
    /** ND4J's CPU backend as {@link ExecutorFacts#backend()} names it; the only one with oneDNN helpers. */
    static final String CPU_BACKEND = "CpuBackend";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LOCAL_MASTER = Pattern.compile("local(?:\\[(\\*|\\d+)(?:,\\s*\\d+)?])?");
    private static final Pattern LOCAL_CLUSTER = Pattern.compile("local-cluster\\[\\s*\\d+\\s*,\\s*(\\d+)\\s*,.*]");

    /** How bad a finding is. */
    public enum Severity {
        /** The job cannot run well or at all here: it stops before the first epoch. */
        FATAL,
        /** Harmless or only slower: logged, the job goes on. */
        WARN
    }

    /**
     * One result of the check.
     *
     * @param severity how bad
     * @param message  names the executor and its host, what is wrong, and the setting that fixes it
     */
    public record Finding(Severity severity, String message) {
        public Finding {
            Objects.requireNonNull(severity, "severity");
            Objects.requireNonNull(message, "message");
        }
    }

    private Preflight() {
    }

    /**
     * Probes the driver and every executor, logs their facts as a table and the warnings, and returns every
     * finding.
     *
     * @param need    the memory plan of the network as it will be trained
     * @param natives the native settings the job asked for
     * @throws PreflightFailedException when a finding is fatal, or the probe job itself failed
     */
    public static List<Finding> run(JavaSparkContext sc, MemoryPlan need, NativeConfig natives) {
        long t0 = System.nanoTime();
        ExecutorFacts driver = probeThisJvm(SparkEnv.get().executorId(), SparkEnv.get().blockManager().blockManagerId().host(),
                sc.getConf(), sc.getConf().getInt("spark.task.cpus", 1));
        int registered = registeredExecutors(sc);
        List<ExecutorFacts> executors;
        try {
            executors = probeExecutors(sc, Math.max(sc.defaultParallelism(), registered));
        } catch (Exception e) { // Spark's SparkException is checked, but Scala throws it undeclared
            throw new PreflightFailedException(List.of(new Finding(Severity.FATAL, "the probe task failed on the "
                    + "executors: " + Failures.rootMessage(e) + ": see the executors' logs (a native library that "
                    + "does not load, or an OPENBLAS_CORETYPE naming a core the CPU lacks, can kill an executor)")));
        }
        LOG.info("Pre-flight check: {} of {} executor(s) answered in {} ms:\n{}", executors.size(), registered,
                (System.nanoTime() - t0) / 1_000_000, table(executors));
        LOG.info("Memory plan: {}", need.describe());
        List<Finding> findings = new ArrayList<>(check(executors, driver, need, natives));
        if (executors.size() < registered) {
            findings.add(new Finding(Severity.WARN, "only " + executors.size() + " of " + registered
                    + " executors ran a probe task (Spark placed them unevenly): the others were not checked"));
        }
        findings.stream().filter(f -> f.severity() == Severity.WARN).forEach(f -> LOG.warn("Pre-flight: {}", f.message()));
        List<Finding> fatal = findings.stream().filter(f -> f.severity() == Severity.FATAL).toList();
        if (!fatal.isEmpty()) {
            throw new PreflightFailedException(fatal);
        }
        LOG.info("Pre-flight check passed ({} warning{})", findings.size(), findings.size() == 1 ? "" : "s");
        return findings;
    }

    /** Executors registered with the driver, the driver excluded; 1 in local mode, where the driver runs the tasks. */
    private static int registeredExecutors(JavaSparkContext sc) {
        int n = sc.sc().statusTracker().getExecutorInfos().length - 1;
        return Math.max(1, n);
    }

    /** Runs {@code tasks} probe tasks and keeps one report per executor, in the order of their ids. */
    static List<ExecutorFacts> probeExecutors(JavaSparkContext sc, int tasks) {
        List<String> reports = sc.parallelize(IntStream.range(0, tasks).boxed().toList(), tasks)
                .mapPartitions(Preflight::probeTask)
                .collect();
        Map<String, ExecutorFacts> byExecutor = new LinkedHashMap<>();
        for (String report : reports) {
            ExecutorFacts facts = fromJson(report);
            byExecutor.putIfAbsent(facts.executorId(), facts);
        }
        return byExecutor.values().stream()
                .sorted((a, b) -> compareIds(a.executorId(), b.executorId()))
                .toList();
    }

    private static int compareIds(String a, String b) {
        boolean na = a.chars().allMatch(Character::isDigit);
        boolean nb = b.chars().allMatch(Character::isDigit);
        return na && nb ? Long.compare(Long.parseLong(a), Long.parseLong(b)) : a.compareTo(b);
    }

    /** The probe task: the facts of the executor it runs on, as JSON (Jackson), so no serializer needs to know records. */
    private static Iterator<String> probeTask(Iterator<Integer> ignored) throws JsonProcessingException {
        SparkEnv env = SparkEnv.get();
        ExecutorFacts facts = probeThisJvm(env.executorId(), env.blockManager().blockManagerId().host(), env.conf(),
                TaskContext.get().cpus());
        return List.of(JSON.writeValueAsString(facts)).iterator();
    }

    private static ExecutorFacts fromJson(String json) {
        try {
            return JSON.readValue(json, ExecutorFacts.class);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("unreadable probe report " + json, e);
        }
    }

    /**
     * The facts of the JVM this runs in. Loads ND4J's natives if they are not loaded yet, and builds a small
     * convolutional network to see which helper DL4J gives it.
     *
     * @param conf     this JVM's Spark configuration, for the executor's cores
     * @param taskCpus cores per task ({@code spark.task.cpus})
     */
    public static ExecutorFacts probeThisJvm(String executorId, String host, SparkConf conf, int taskCpus) {
        String backend = "";
        boolean loaded = false;
        String error = "";
        String vendor = "";
        String helper = "none";
        boolean oneDnn = false;
        String blas = "";
        int threads = 0;
        try {
            backend = Nd4j.getBackend().getClass().getSimpleName();
            double sum = Nd4j.createFromArray(new float[][] {{1, 2}, {3, 4}}).mmul(
                    Nd4j.createFromArray(new float[][] {{1, 2}, {3, 4}})).sumNumber().doubleValue();
            loaded = sum == 54.0;
            error = loaded ? "" : "a 2x2 matrix product summed to " + sum + " instead of 54";
        } catch (RuntimeException | LinkageError e) { // UnsatisfiedLinkError, ExceptionInInitializerError
            error = e.toString();
        }
        if (loaded) {
            vendor = Nd4j.factory().blas().getBlasVendor().name();
            blas = NativeSetup.describeBlas();
            threads = Nd4j.getEnvironment().maxThreads();
            MultiLayerNetwork net = smallConvolutionalNetwork();
            helper = Optional.ofNullable(NativeSetup.convolutionHelpers(net).values().iterator().next()).orElse("none");
            oneDnn = NativeSetup.allConvolutionsUseOneDnn(net);
            try {
                net.output(Nd4j.rand(DataType.FLOAT, 1, 16));
            } catch (RuntimeException e) {
                helper += " (failed: " + e.getMessage() + ")";
                oneDnn = false;
            }
        }
        Cores cores = executorCores(conf);
        return new ExecutorFacts(executorId, host, backend, loaded, error, vendor, helper, oneDnn,
                System.getProperty(NativeSetup.HELPERS_DISABLE_PROPERTY, "unset"),
                Optional.ofNullable(System.getenv("OPENBLAS_CORETYPE")).orElse(""),
                NativeSetup.detectCoreType(NativeSetup.cpuFlags()).orElse(""), blas,
                Optional.ofNullable(System.getenv("OMP_NUM_THREADS")).orElse(""), threads, Math.max(1, taskCpus),
                cores.count(), cores.source(), Pointer.maxBytes(), Pointer.maxPhysicalBytes(),
                Runtime.getRuntime().maxMemory(), System.getProperty("java.version"),
                org.apache.spark.package$.MODULE$.SPARK_VERSION(), scala.util.Properties.versionNumberString(),
                mavenVersion("org.deeplearning4j", "deeplearning4j-nn"), mavenVersion("org.nd4j", "nd4j-api"));
    }

    /** Conv 2x2 then max pooling 2x2 on 4x4 images: enough for DL4J to pick its helpers. */
    private static MultiLayerNetwork smallConvolutionalNetwork() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new ConvolutionLayer.Builder(2, 2).nOut(2).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nOut(2).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(4, 4, 1))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** An executor's cores and where the number came from. */
    record Cores(int count, String source) {
    }

    /**
     * {@code spark.executor.cores} when set; else the {@code local[N]} count (the driver runs the tasks); else
     * Spark's default for the cluster manager: 1 on YARN and Kubernetes, all the machine's cores in standalone.
     */
    static Cores executorCores(SparkConf conf) {
        if (conf.contains("spark.executor.cores")) {
            return new Cores(conf.getInt("spark.executor.cores", 1), "spark.executor.cores");
        }
        String master = conf.get("spark.master", "");
        Matcher local = LOCAL_MASTER.matcher(master);
        if (local.matches()) {
            String n = local.group(1);
            int count = n == null ? 1 : n.equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(n);
            return new Cores(count, master);
        }
        Matcher cluster = LOCAL_CLUSTER.matcher(master);
        if (cluster.matches()) {
            return new Cores(Integer.parseInt(cluster.group(1)), master);
        }
        if (master.startsWith("yarn") || master.startsWith("k8s")) {
            return new Cores(1, "default of " + master.replaceAll("://.*", ""));
        }
        return new Cores(Runtime.getRuntime().availableProcessors(), "available processors");
    }

    /** The version in {@code META-INF/maven/<group>/<artifact>/pom.properties} on the class path, or {@code unknown}. */
    static String mavenVersion(String group, String artifact) {
        String resource = "META-INF/maven/" + group + "/" + artifact + "/pom.properties";
        try (InputStream in = Preflight.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    /**
     * Compares each executor's facts with the driver's, the configuration and the memory plan. Pure: the same
     * facts give the same findings, in the order of the executors.
     *
     * @param executors one report per executor
     * @param driver    the driver's report, for versions
     * @param need      the memory plan of the network to train
     * @param natives   the native settings the job asked for
     */
    public static List<Finding> check(List<ExecutorFacts> executors, ExecutorFacts driver, MemoryPlan need,
                                      NativeConfig natives) {
        List<Finding> out = new ArrayList<>();
        for (ExecutorFacts e : executors) {
            checkVersions(e, driver, out);
            if (!e.nativesLoaded()) {
                out.add(fatal(e, "ND4J's native backend did not load (" + e.nativeError() + "): " + (driver.nativesLoaded()
                        && !CPU_BACKEND.equals(driver.backend())
                        ? "the driver runs " + driver.backend() + " (the CUDA build): the host needs an NVIDIA driver, a "
                        + "GPU and CUDA 11.6's libraries (or the cuda-redist build)"
                        : "the job jar must carry nd4j-native for this platform (classifier linux-x86_64-onednn), and the "
                        + "host must be able to load it") + "; see the executor's log"));
                continue;
            }
            checkHelper(e, need, natives, out);
            checkThreads(e, out);
            checkBlas(e, out);
            checkMemory(e, need, out);
        }
        return List.copyOf(out);
    }

    private static void checkVersions(ExecutorFacts e, ExecutorFacts driver, List<Finding> out) {
        String fix = ": ship one job jar and keep other copies of these libraries off the executors' class path "
                + "(spark.executor.extraClassPath, the cluster's jars directory)";
        mismatch(e, "DL4J", e.dl4jVersion(), driver.dl4jVersion(), Severity.FATAL, fix, out);
        mismatch(e, "ND4J", e.nd4jVersion(), driver.nd4jVersion(), Severity.FATAL, fix, out);
        mismatch(e, "Spark", e.sparkVersion(), driver.sparkVersion(), Severity.FATAL,
                ": run the driver and the cluster on one Spark version (the job is built for Spark 3.5)", out);
        String scalaFix = ": the job is built for Scala 2.12; use a Spark build for Scala 2.12 on both sides";
        if (!scalaBinary(e.scalaVersion()).equals(scalaBinary(driver.scalaVersion()))) {
            mismatch(e, "Scala", e.scalaVersion(), driver.scalaVersion(), Severity.FATAL, scalaFix, out);
        } else {
            mismatch(e, "Scala", e.scalaVersion(), driver.scalaVersion(), Severity.WARN, scalaFix, out);
        }
        if (!javaMajor(e.javaVersion()).equals(javaMajor(driver.javaVersion()))) {
            mismatch(e, "Java", e.javaVersion(), driver.javaVersion(), Severity.WARN,
                    ": use JDK 17 everywhere (JAVA_HOME of the workers, spark.executorEnv.JAVA_HOME)", out);
        }
        if (e.nativesLoaded() && driver.nativesLoaded() && !e.backend().equals(driver.backend())) {
            out.add(warn(e, "its ND4J backend is " + e.backend() + " but the driver's is " + driver.backend()));
        }
    }

    private static void mismatch(ExecutorFacts e, String what, String mine, String drivers, Severity severity, String fix,
                                 List<Finding> out) {
        if (!mine.equals(drivers)) {
            out.add(new Finding(severity, e.who() + ": " + what + " " + mine + " but the driver has " + drivers + fix));
        }
    }

    private static String scalaBinary(String version) {
        String[] parts = version.split("\\.");
        return parts.length >= 2 ? parts[0] + "." + parts[1] : version;
    }

    private static String javaMajor(String version) {
        String[] parts = version.split("[.+-]");
        return parts[0].equals("1") && parts.length > 1 ? parts[1] : parts[0];
    }

    private static void checkHelper(ExecutorFacts e, MemoryPlan need, NativeConfig natives, List<Finding> out) {
        if (!natives.layerHelpers() || e.oneDnnHelper() || !CPU_BACKEND.equals(e.backend())) {
            return; // oneDNN helpers exist on the CPU backend only; the CUDA build runs without (NativeSetup)
        }
        String state = "a test convolution got helper " + e.convolutionHelper() + " (-D"
                + NativeSetup.HELPERS_DISABLE_PROPERTY + "=" + e.helpersDisable() + ")";
        if (need.convolutionLayers() == 0) {
            out.add(warn(e, "the oneDNN helper is inactive (" + state + "); harmless for this network, which has no "
                    + "convolution or pooling layers"));
            return;
        }
        out.add(fatal(e, "the convolution layers would run without the oneDNN helper, about 5x slower: " + state
                + ". Give executors -D" + NativeSetup.HELPERS_DISABLE_PROPERTY + "=false in "
                + "spark.executor.extraJavaOptions (the job adds it unless that option already names the property) "
                + "and the nd4j-native linux-x86_64-onednn build, or set natives.layer-helpers=false to accept the "
                + "slower convolutions"));
    }

    private static void checkThreads(ExecutorFacts e, List<Finding> out) {
        String omp = "OMP_NUM_THREADS=" + (e.ompNumThreads().isEmpty() ? "unset" : e.ompNumThreads())
                + (e.ompNumThreads().equals(Integer.toString(e.nd4jThreads())) ? "" : " (ND4J uses " + e.nd4jThreads()
                + " threads)");
        String cores = "the task has " + e.taskCpus() + " core" + (e.taskCpus() == 1 ? "" : "s")
                + " (spark.task.cpus; " + e.concurrentTasks() + " task" + (e.concurrentTasks() == 1 ? "" : "s")
                + " share the executor's " + e.executorCores() + " cores, " + e.executorCoresSource() + ")";
        String fix = ": set natives.omp-threads=" + e.taskCpus() + " (spark.executorEnv.OMP_NUM_THREADS)";
        if (e.nd4jThreads() > e.taskCpus()) {
            out.add(warn(e, omp + " but " + cores + ", so the executor's cores are oversubscribed" + fix));
        } else if (e.nd4jThreads() < e.taskCpus()) {
            out.add(warn(e, omp + " but " + cores + ", so some of the task's cores stay idle" + fix));
        }
    }

    private static void checkBlas(ExecutorFacts e, List<Finding> out) {
        if (!e.blasVendor().equals("OPENBLAS") || e.cpuCoreType().isEmpty()) {
            return;
        }
        if (e.openblasCoreType().isEmpty()) {
            out.add(warn(e, "OPENBLAS_CORETYPE is unset and OpenBLAS 0.3.19 may misdetect this CPU, which calls for "
                    + e.cpuCoreType() + ", and pick slow kernels: set natives.openblas-coretype=" + e.cpuCoreType()
                    + " (spark.executorEnv.OPENBLAS_CORETYPE)"));
        } else if (!e.openblasCoreType().equals(e.cpuCoreType())) {
            out.add(warn(e, "OPENBLAS_CORETYPE=" + e.openblasCoreType() + " but this CPU calls for " + e.cpuCoreType()
                    + " (a core type the CPU lacks can crash the executor): set natives.openblas-coretype="
                    + e.cpuCoreType() + " (spark.executorEnv.OPENBLAS_CORETYPE)"));
        }
    }

    private static void checkMemory(ExecutorFacts e, MemoryPlan need, List<Finding> out) {
        int tasks = e.concurrentTasks();
        long offHeap = need.offHeapBytes(tasks);
        long jvm = MemoryPlan.jvmOverheadBytes(e.heapMaxBytes());
        MemoryPlan.Recommendation fix = need.recommend(e.heapMaxBytes(), e.executorCores(), e.taskCpus());
        String needs = MemoryPlan.mib(offHeap) + " off the heap that " + tasks + " task" + (tasks == 1 ? "" : "s")
                + " with minibatches of " + need.batchSize() + " need";
        if (e.maxPhysicalBytes() > 0) {
            long room = e.maxPhysicalBytes() - e.heapMaxBytes() - jvm;
            if (room < offHeap) {
                out.add(fatal(e, String.format(Locale.ROOT, "JavaCPP's maxphysicalbytes %s leaves %s beside the heap "
                                + "(%s) and the JVM's own overhead (%s), below the %s: training would die with an "
                                + "out-of-memory error in native code. Give executors %s in spark.executor.extraJavaOptions "
                                + "with spark.executor.memoryOverhead=%s (the resources command prints both), or lower "
                                + "train.batch-size-per-worker or the executor's cores",
                        MemoryPlan.mib(e.maxPhysicalBytes()), MemoryPlan.mib(Math.max(0, room)),
                        MemoryPlan.mib(e.heapMaxBytes()), MemoryPlan.mib(jvm), needs,
                        "-Dorg.bytedeco.javacpp.maxphysicalbytes=" + fix.maxPhysicalBytes(), fix.memoryOverhead())));
            }
        }
        if (e.maxBytes() > 0 && e.maxBytes() < offHeap) {
            out.add(warn(e, "JavaCPP's maxbytes " + MemoryPlan.mib(e.maxBytes()) + " is below the " + needs
                    + " (ND4J 1.0.0-M2.1's arrays are not counted against it, other native allocations are): give "
                    + "executors -Dorg.bytedeco.javacpp.maxbytes=" + fix.maxBytes() + " in spark.executor.extraJavaOptions"));
        }
    }

    private static Finding fatal(ExecutorFacts e, String message) {
        return new Finding(Severity.FATAL, e.who() + ": " + message);
    }

    private static Finding warn(ExecutorFacts e, String message) {
        return new Finding(Severity.WARN, e.who() + ": " + message);
    }

    /**
     * The facts as a compact text table, one row per executor: {@code core type} is {@code OPENBLAS_CORETYPE},
     * {@code OMP} is {@code OMP_NUM_THREADS}, {@code threads} ND4J's OpenMP threads, memory in MiB ({@code M}).
     */
    static String table(List<ExecutorFacts> executors) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"executor", "host", "backend", "natives", "conv helper", "BLAS", "core type", "OMP",
                "threads", "cores task/exec", "maxbytes", "maxphysical", "heap", "DL4J", "ND4J", "Spark", "Scala", "Java"});
        for (ExecutorFacts e : executors) {
            rows.add(new String[] {e.executorId(), e.host(), e.backend(), e.nativesLoaded() ? "loaded" : "FAILED",
                    e.convolutionHelper(), e.blasVendor(), orDash(e.openblasCoreType()), orDash(e.ompNumThreads()),
                    Integer.toString(e.nd4jThreads()), e.taskCpus() + "/" + e.executorCores(), mibs(e.maxBytes()),
                    mibs(e.maxPhysicalBytes()), mibs(e.heapMaxBytes()), e.dl4jVersion(), e.nd4jVersion(),
                    e.sparkVersion(), e.scalaVersion(), e.javaVersion()});
        }
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder b = new StringBuilder();
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                b.append(i == 0 ? "" : "  ").append(String.format(Locale.ROOT, "%-" + widths[i] + "s", row[i]));
            }
            b.append('\n');
        }
        return b.toString().stripTrailing();
    }

    private static String orDash(String s) {
        return s.isEmpty() ? "-" : s;
    }

    private static String mibs(long bytes) {
        return bytes <= 0 ? "no limit" : bytes / MemoryPlan.MIB + "M";
    }
}
