package io.sparkcnn.scripts;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.sparkcnn.TestData;
import org.apache.spark.SecurityManager;
import org.apache.spark.SparkConf;
import org.apache.spark.deploy.SparkSubmit;
import org.apache.spark.deploy.SparkSubmitArguments;
import org.apache.spark.deploy.k8s.Config$;
import org.apache.spark.deploy.k8s.KubernetesConf$;
import org.apache.spark.deploy.k8s.KubernetesDriverConf;
import org.apache.spark.deploy.k8s.KubernetesDriverSpec;
import org.apache.spark.deploy.k8s.KubernetesExecutorConf;
import org.apache.spark.deploy.k8s.SparkPod;
import org.apache.spark.deploy.k8s.submit.ClientArguments;
import org.apache.spark.deploy.k8s.submit.ClientArguments$;
import org.apache.spark.deploy.k8s.submit.KubernetesDriverBuilder;
import org.apache.spark.internal.config.ConfigEntry;
import org.apache.spark.resource.ResourceProfile;
import org.apache.spark.resource.ResourceProfile$;
import org.apache.spark.scheduler.cluster.k8s.KubernetesExecutorBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;
import scala.Tuple4;
import scala.collection.JavaConverters;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code submit-scripts/submit.sh}'s Kubernetes command, checked with Spark's own code since no Kubernetes cluster
 * is here.
 *
 * <p>The test runs {@code submit.sh --print-command} for a cluster-mode Kubernetes submission (its {@code Main
 * resources} step runs for real, with this JVM's class path as the "Spark installation"), splits the printed
 * command with bash and hands it to Spark 3.5.7's own {@code spark-submit} argument parser and
 * {@code SparkSubmit.prepareSubmitEnvironment}, which give the {@code SparkConf} and arguments that Spark's
 * Kubernetes client would receive. Then:</p>
 * <ul>
 *   <li>every {@code --conf} key must be one that Spark documents: a public (not internal) config entry in the
 *   registry that Spark's config objects fill ({@code ConfigEntry.findEntry}: spark-core 3.5.7 and
 *   spark-kubernetes 3.5.6, the newest served; a {@code spark.kubernetes.} entry must also have its doc string),
 *   or a name under one of the documented prefixes
 *   ({@code spark.kubernetes.driverEnv.}, {@code spark.executorEnv.}, the label, annotation, node-selector,
 *   secret and volume prefixes). A misspelt key fails, which the test shows too;</li>
 *   <li>the driver pod is built by Spark's {@code KubernetesDriverBuilder} (every driver feature step of
 *   spark-kubernetes 3.5.6) and an executor pod by {@code KubernetesExecutorBuilder}, from that conf, offline:
 *   image, namespace, memory request and limit (heap plus the overhead that {@code Main resources} derives),
 *   cpu request, {@code OMP_NUM_THREADS} and {@code OPENBLAS_CORETYPE}, the Java options of both JVMs, the
 *   arguments of the driver container, and the job config's bundle ({@code jobconf.zip}, the config with the
 *   files it includes) shipped to the driver through {@code spark.kubernetes.file.upload.path} (a local folder
 *   here);</li>
 *   <li>without {@code spark.kubernetes.file.upload.path} {@code submit.sh} refuses the submission (exit code 2),
 *   since the job config is a local file.</li>
 * </ul>
 *
 * <p>What this cannot show: nothing talks to a Kubernetes API server, no image is built or pulled, no pod is
 * scheduled or run. The driver pod's own {@code spark-submit} and the executors' JVMs are not started, so the
 * test cannot tell whether the image holds Java 17 and Spark, whether the options work inside it, or whether
 * the memory limits suffice; docs/cluster.md says so too.</p>
 */
@Tag("unit")
class KubernetesSubmitCommandTest {
    private static final Logger LOG = LoggerFactory.getLogger(KubernetesSubmitCommandTest.class);
    private static final Path ROOT = TestData.projectRoot();
    private static final String IMAGE = "example/spark-cnn-trainer:0.1.0";
    private static final String NAMESPACE = "ml";
    private static final String JAR = "local:///opt/spark-cnn-trainer/job.jar";
    private static final String CORE_TYPE = "SKYLAKEX";
    private static final String HELPERS = "-Dorg.eclipse.deeplearning4j.helpers.disable=false";
    private static final List<String> JOB = List.of("train", "--preset", "seed-cnn", "-o", "s3a://bucket/models/cnn");

    @TempDir
    static Path tmp;

    private static Path sparkHome;
    private static Path upload;
    /** The printed command with an upload folder for the job config, as a Kubernetes cluster-mode run needs. */
    private static Submission submission;
    private static SparkSubmitArguments submitArgs;
    private static SparkConf submitConf;

    @BeforeAll
    static void printAndParseTheCommand() throws Exception {
        long start = System.nanoTime();
        sparkHome = pathingSparkHome();
        upload = Files.createDirectory(tmp.resolve("upload"));
        submission = Submission.of(printCommand(List.of("--conf", "spark.kubernetes.file.upload.path=" + upload.toUri())));
        submitArgs = submission.args();
        submitConf = submission.conf();
        LOG.info("submit.sh printed and Spark parsed the command in {} ms", (System.nanoTime() - start) / 1_000_000);
    }

    @AfterAll
    static void forgetTheDefaultResourceProfile() {
        ResourceProfile$.MODULE$.clearDefaultProfile();
    }

    @Test
    void theCommandIsAClusterModeSubmissionOfTheJobToKubernetes() {
        assertTrue(submission.command().get(0).endsWith("bin/spark-submit"), submission.command().get(0));
        assertEquals("k8s://https://127.0.0.1:6443", submitArgs.master());
        assertEquals("cluster", submitArgs.deployMode());
        assertEquals("io.sparkcnn.cli.Main", submitArgs.mainClass());
        assertEquals(JAR, submitArgs.primaryResource());
        assertEquals("org.apache.spark.deploy.k8s.submit.KubernetesClientApplication", submission.clientClass(),
                "spark-submit hands a k8s:// cluster-mode submission to Spark's Kubernetes client");
        assertEquals(List.of("--primary-java-resource", JAR, "--main-class", "io.sparkcnn.cli.Main"),
                submission.clientArgs().subList(0, 4));
        List<String> job = new ArrayList<>(List.of("train", "--config", "jobconf/job.conf"));
        job.addAll(JOB.subList(1, JOB.size()));
        assertEquals(job, javaList(submitArgs.childArgs()), "the job's arguments, with the shipped config's path");
        assertTrue(submitArgs.archives().endsWith("/target/submit/jobconf.zip#jobconf"), submitArgs.archives());

        Map<String, String> conf = javaMap(submitArgs.sparkProperties());
        assertEquals("4", conf.get("spark.executor.instances"));
        assertEquals("2", conf.get("spark.executor.cores"));
        assertEquals(NAMESPACE, conf.get("spark.kubernetes.namespace"));
        assertEquals(IMAGE, conf.get("spark.kubernetes.container.image"));
        assertEquals("1", conf.get("spark.kubernetes.driverEnv.OMP_NUM_THREADS"));
        assertEquals("1", conf.get("spark.executorEnv.OMP_NUM_THREADS"));
        assertEquals(CORE_TYPE, conf.get("spark.kubernetes.driverEnv.OPENBLAS_CORETYPE"));
        assertEquals(CORE_TYPE, conf.get("spark.executorEnv.OPENBLAS_CORETYPE"));
        assertTrue(conf.get("spark.executor.memoryOverhead").matches("[1-9][0-9]*m"), conf.toString());
    }

    @Test
    void everyConfKeyIsOneSparkDocuments() {
        Map<String, String> conf = javaMap(submitArgs.sparkProperties());
        assertTrue(conf.size() >= 12, "the command sets its settings with --conf: " + conf.keySet());
        List<String> wrong = conf.keySet().stream().map(KubernetesSubmitCommandTest::undocumented)
                .filter(reason -> reason != null).toList();
        assertTrue(wrong.isEmpty(), "keys Spark does not document:\n" + String.join("\n", wrong));
        List<String> kubernetes = conf.keySet().stream().filter(k -> k.startsWith("spark.kubernetes.")).toList();
        assertTrue(kubernetes.size() >= 5, kubernetes.toString());

        // spark-submit's own options become settings too (spark-submit also adds spark.master, spark.app.name and
        // spark.app.submitTime, which have no config entry: Spark's own keys, not ours).
        assertEquals("2g", submitConf.get("spark.driver.memory"));
        assertEquals("3g", submitConf.get("spark.executor.memory"));
        assertEquals("cluster", submitConf.get("spark.submit.deployMode"));
        assertEquals("spark-cnn-trainer train", submitConf.get("spark.app.name"));
        assertTrue(submitConf.get("spark.driver.extraJavaOptions").contains(HELPERS));
        for (String key : List.of("spark.driver.memory", "spark.executor.memory", "spark.submit.deployMode",
                "spark.driver.extraJavaOptions", "spark.files")) {
            assertNull(undocumented(key), key);
        }
    }

    @Test
    void theKeyCheckCatchesAMisspeltKeyAnInternalOneAndAWrongPrefix() {
        assertNull(undocumented("spark.kubernetes.namespace"));
        assertNull(undocumented("spark.kubernetes.driverEnv.OMP_NUM_THREADS"));
        assertNull(undocumented("spark.executorEnv.OMP_NUM_THREADS"));
        assertNull(undocumented("spark.kubernetes.executor.label.team"));
        String typo = undocumented("spark.kubernetes.namepsace");
        assertNotNull(typo);
        assertTrue(typo.contains("no config entry"), typo);
        String internal = undocumented("spark.kubernetes.submitInDriver");
        assertNotNull(internal, "an internal entry is registered but not documented");
        assertTrue(internal.contains("internal"), internal);
        assertNotNull(undocumented("spark.kubernetes.driverenv.OMP_NUM_THREADS"), "prefixes are case-sensitive");
        assertNotNull(undocumented("spark.kubernetes.driverEnv."), "a prefix alone names no variable");
        assertNotNull(undocumented("spark.executor.memoryOverHead"));

        Map<String, String> withTypo = new TreeMap<>(javaMap(submitArgs.sparkProperties()));
        withTypo.put("spark.kubernetes.namepsace", NAMESPACE);
        assertEquals(List.of("spark.kubernetes.namepsace"), withTypo.keySet().stream()
                .filter(k -> undocumented(k) != null).toList());
    }

    @Test
    void theDriverPodIsWhatSparkBuildsFromTheCommand() {
        KubernetesDriverSpec spec = driverSpec(submission);
        Container container = spec.pod().container();
        Pod pod = spec.pod().pod();
        assertEquals(IMAGE, container.getImage());
        assertEquals("Never", pod.getSpec().getRestartPolicy());
        assertEquals("driver", pod.getMetadata().getLabels().get("spark-role"));

        long heapMiB = 2048;  // submit.sh's default --driver-memory 2g
        long overheadMiB = Math.max(384, (long) (0.1 * heapMiB));  // Spark's default: spark.driver.memoryOverhead unset
        assertFalse(submitConf.contains("spark.driver.memoryOverhead"));
        assertEquals(new Quantity((heapMiB + overheadMiB) + "Mi"), container.getResources().getRequests().get("memory"));
        assertEquals(new Quantity((heapMiB + overheadMiB) + "Mi"), container.getResources().getLimits().get("memory"));
        assertEquals(new Quantity("1"), container.getResources().getRequests().get("cpu"));

        Map<String, String> env = env(container);
        assertEquals("1", env.get("OMP_NUM_THREADS"));
        assertEquals(CORE_TYPE, env.get("OPENBLAS_CORETYPE"));

        List<String> args = container.getArgs();
        assertEquals("driver", args.get(0));
        int main = args.indexOf("--class");
        assertTrue(main > 0 && args.get(main + 1).equals("io.sparkcnn.cli.Main"), args.toString());
        assertEquals(JAR, args.get(main + 2));
        assertEquals(javaList(submitArgs.childArgs()), args.subList(main + 3, args.size()));

        // The driver's Spark configuration (its spark.properties): what the driver starts executors with.
        Map<String, String> props = javaMap(spec.systemProperties());
        assertEquals(NAMESPACE, props.get("spark.kubernetes.namespace"));
        Service service = javaList(spec.driverKubernetesResources()).stream().filter(Service.class::isInstance)
                .map(Service.class::cast).findFirst().orElseThrow();
        assertEquals(service.getMetadata().getName() + "." + NAMESPACE + ".svc", props.get("spark.driver.host"),
                "executors reach the driver through its service in the namespace");
        assertEquals("4", props.get("spark.executor.instances"));
        String driverOptions = props.get("spark.driver.extraJavaOptions");
        assertTrue(driverOptions.contains("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"), driverOptions);
        assertTrue(driverOptions.contains(HELPERS), driverOptions);
        assertFalse(driverOptions.contains("log4j2.configurationFile"), "no path of this machine in the pod: " + driverOptions);

        // The job config's bundle went to the upload folder, and the driver fetches it from there and unpacks it
        // as jobconf/ in its working directory.
        String archives = props.get("spark.archives");
        assertTrue(archives.contains(upload.toString()) && archives.endsWith("/jobconf.zip#jobconf"), archives);
        try (Stream<Path> uploaded = Files.walk(upload)) {
            Path copy = uploaded.filter(p -> p.getFileName().toString().equals("jobconf.zip")).findFirst().orElseThrow();
            try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(copy.toFile())) {
                assertEquals(Files.readString(ROOT.resolve("conf/job.conf")),
                        new String(zip.getInputStream(zip.getEntry("job.conf")).readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void anExecutorPodIsWhatSparkBuildsFromTheDriversConfiguration() {
        KubernetesDriverSpec driver = driverSpec(submission);
        SparkConf driverConf = new SparkConf(false);
        javaMap(driver.systemProperties()).forEach(driverConf::set);
        Container container = executorPod(driverConf, driver.pod().pod()).container();

        long heapMiB = 3 * 1024;
        long overheadMiB = Long.parseLong(driverConf.get("spark.executor.memoryOverhead").replace("m", ""));
        assertTrue(overheadMiB >= 384, "Main resources derives the off-heap on top of the heap: " + overheadMiB);
        Quantity memory = new Quantity((heapMiB + overheadMiB) + "Mi");
        assertEquals(IMAGE, container.getImage());
        assertEquals(memory, container.getResources().getRequests().get("memory"));
        assertEquals(memory, container.getResources().getLimits().get("memory"));
        assertEquals(new Quantity("2"), container.getResources().getRequests().get("cpu"));

        Map<String, String> env = env(container);
        assertEquals("1", env.get("OMP_NUM_THREADS"));
        assertEquals(CORE_TYPE, env.get("OPENBLAS_CORETYPE"));
        assertEquals("2", env.get("SPARK_EXECUTOR_CORES"));
        assertEquals(heapMiB + "m", env.get("SPARK_EXECUTOR_MEMORY"));
        assertTrue(env.get("SPARK_DRIVER_URL").contains("." + NAMESPACE + ".svc:"), env.get("SPARK_DRIVER_URL"));

        List<String> javaOptions = env.entrySet().stream().filter(e -> e.getKey().startsWith("SPARK_JAVA_OPT_"))
                .map(Map.Entry::getValue).toList();
        assertTrue(javaOptions.contains("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"), javaOptions.toString());
        assertTrue(javaOptions.contains(HELPERS), javaOptions.toString());
        assertTrue(javaOptions.stream().anyMatch(o -> o.startsWith("-Dorg.bytedeco.javacpp.maxbytes=")), javaOptions.toString());
        long maxPhysical = javaOptions.stream().filter(o -> o.startsWith("-Dorg.bytedeco.javacpp.maxphysicalbytes="))
                .map(o -> Long.parseLong(o.substring(o.indexOf('=') + 1))).findFirst().orElseThrow();
        assertTrue(maxPhysical <= memory.getNumericalAmount().longValueExact(), "ND4J's limit on the process ("
                + maxPhysical + " bytes) must not exceed the pod's memory limit (" + memory + ")");
    }

    @Test
    void withoutAnUploadPathTheLocalJobConfigCannotReachTheDriver() {
        ScriptFailed refused = assertThrows(ScriptFailed.class, () -> printCommand(List.of()));
        assertEquals(2, refused.exitCode, refused.output);
        assertTrue(refused.output.contains("spark.kubernetes.file.upload.path"), refused.output);
        LOG.info("submit.sh refuses a Kubernetes cluster-mode submission without an upload path: {}", refused.output);
    }

    /** Why {@code key} is not a key that Spark 3.5 documents, or {@code null} when it is. */
    static String undocumented(String key) {
        for (String prefix : documentedPrefixes()) {
            if (key.startsWith(prefix)) {
                return key.length() > prefix.length() ? null : key + ": the prefix " + prefix + " without a name";
            }
        }
        ConfigEntry<?> entry = ConfigEntry.findEntry(key);
        if (entry == null) {
            return key + ": no config entry of that name in Spark";
        }
        if (!entry.isPublic()) {
            return key + ": an internal Spark setting";
        }
        // spark-kubernetes gives its entries doc strings; many of spark-core's have none (Spark's configuration
        // page documents them).
        return key.startsWith("spark.kubernetes.") && entry.doc().isBlank()
                ? key + ": a Kubernetes setting without documentation" : null;
    }

    /**
     * The prefixes under which Spark documents keys of the user's choosing: spark-kubernetes's own constants, and
     * {@code spark.executorEnv.} as Spark's {@code SparkConf.setExecutorEnv} writes it (it has no constant).
     */
    private static List<String> documentedPrefixes() {
        Config$ k8s = Config$.MODULE$;
        String probe = "PROBE";
        String executorEnv = new SparkConf(false).setExecutorEnv(probe, "x").getAll()[0]._1();
        return List.of(executorEnv.substring(0, executorEnv.length() - probe.length()),
                k8s.KUBERNETES_DRIVER_ENV_PREFIX(),
                k8s.KUBERNETES_DRIVER_LABEL_PREFIX(), k8s.KUBERNETES_EXECUTOR_LABEL_PREFIX(),
                k8s.KUBERNETES_DRIVER_ANNOTATION_PREFIX(), k8s.KUBERNETES_EXECUTOR_ANNOTATION_PREFIX(),
                k8s.KUBERNETES_DRIVER_SERVICE_LABEL_PREFIX(), k8s.KUBERNETES_DRIVER_SERVICE_ANNOTATION_PREFIX(),
                k8s.KUBERNETES_NODE_SELECTOR_PREFIX(), k8s.KUBERNETES_DRIVER_NODE_SELECTOR_PREFIX(),
                k8s.KUBERNETES_EXECUTOR_NODE_SELECTOR_PREFIX(),
                k8s.KUBERNETES_DRIVER_SECRETS_PREFIX(), k8s.KUBERNETES_EXECUTOR_SECRETS_PREFIX(),
                k8s.KUBERNETES_DRIVER_SECRET_KEY_REF_PREFIX(), k8s.KUBERNETES_EXECUTOR_SECRET_KEY_REF_PREFIX(),
                k8s.KUBERNETES_DRIVER_VOLUMES_PREFIX(), k8s.KUBERNETES_EXECUTOR_VOLUMES_PREFIX());
    }

    /**
     * Fills Spark's config registry: each config object registers its entries when it is initialized, so every
     * object of spark-core's {@code org.apache.spark.internal.config} package and spark-kubernetes's
     * {@code Config} is initialized here.
     */
    @BeforeAll
    static void registerSparksConfigEntries() throws Exception {
        Class.forName(Config$.class.getName(), true, KubernetesSubmitCommandTest.class.getClassLoader());
        Path core = Path.of(ConfigEntry.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        String pkg = "org/apache/spark/internal/config/";
        int objects = 0;
        try (JarFile jar = new JarFile(core.toFile())) {
            for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
                String name = entries.nextElement().getName();
                if (name.startsWith(pkg) && name.matches(".*/[A-Za-z]+\\$\\.class")
                        && name.indexOf('/', pkg.length()) < 0) {
                    Class.forName(name.replace('/', '.').replace(".class", ""), true,
                            KubernetesSubmitCommandTest.class.getClassLoader());
                    objects++;
                }
            }
        }
        assertTrue(objects >= 10, "spark-core's config objects: " + objects);
        assertNotNull(ConfigEntry.findEntry("spark.kubernetes.container.image"), "spark-kubernetes's entries registered");
        assertNotNull(ConfigEntry.findEntry("spark.kryo.registrator"), "spark-core's entries registered");
    }

    /**
     * A printed command as Spark sees it: Spark's own spark-submit argument parser, then
     * {@code SparkSubmit.prepareSubmitEnvironment}, which gives the class spark-submit runs, its arguments and the
     * Spark configuration it runs it with.
     */
    private record Submission(List<String> command, SparkSubmitArguments args, String clientClass,
                              List<String> clientArgs, SparkConf conf) {
        static Submission of(List<String> command) {
            scala.collection.immutable.Map<String, String> noEnvironment = scala.collection.immutable.Map$.MODULE$.empty();
            SparkSubmitArguments args = new SparkSubmitArguments(
                    JavaConverters.asScalaBuffer(command.subList(1, command.size())).toSeq(), noEnvironment);
            Tuple4<scala.collection.Seq<String>, scala.collection.Seq<String>, SparkConf, String> prepared =
                    withoutSparkSystemProperties(() -> new SparkSubmit().prepareSubmitEnvironment(args, Option.empty()));
            return new Submission(command, args, prepared._4(), javaList(prepared._1()), prepared._3());
        }
    }

    /**
     * The driver pod, its service and its Spark configuration as Spark's Kubernetes client
     * ({@code KubernetesClientApplication}) builds them before it calls the API server; without a client, which
     * the builder needs only for a pod template file.
     */
    private static KubernetesDriverSpec driverSpec(Submission submission) {
        ClientArguments client = ClientArguments$.MODULE$.fromCommandLineArgs(submission.clientArgs().toArray(String[]::new));
        KubernetesDriverConf driverConf = KubernetesConf$.MODULE$.createDriverConf(submission.conf().clone(),
                KubernetesConf$.MODULE$.getKubernetesAppId(), client.mainAppResource(), client.mainClass(),
                client.driverArgs(), client.proxyUser());
        assertEquals(NAMESPACE, driverConf.namespace());
        return new KubernetesDriverBuilder().buildFromFeatures(driverConf, null);
    }

    /** Executor 1's pod as the driver would create it, from the driver's configuration (Spark's default profile). */
    private static SparkPod executorPod(SparkConf driverConf, Pod driverPod) {
        ResourceProfile profile = ResourceProfile$.MODULE$.reInitDefaultProfile(driverConf);
        KubernetesExecutorConf conf = KubernetesConf$.MODULE$.createExecutorConf(driverConf, "1",
                driverConf.get("spark.app.id"), Option.apply(driverPod), profile.id());
        assertEquals(NAMESPACE, conf.namespace());
        SecurityManager security = new SecurityManager(driverConf, Option.empty(),
                SecurityManager.$lessinit$greater$default$3());  // Scala's default for the secret file entry
        return new KubernetesExecutorBuilder().buildFromFeatures(conf, security, null, profile).pod();
    }

    /**
     * {@code submit.sh --print-command} for the Kubernetes submission with {@code extra} options, split into words
     * by bash itself ({@code printf %q} quoting).
     */
    private static List<String> printCommand(List<String> extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(bash(), ROOT.resolve("submit-scripts/submit.sh").toString(),
                "--print-command", "--spark-home", sparkHome.toString(),
                "--master", "k8s://https://127.0.0.1:6443", "--deploy-mode", "cluster",
                "--k8s-image", IMAGE, "--k8s-namespace", NAMESPACE,
                "--executors", "4", "--executor-cores", "2", "--executor-memory", "3g", "--jar", JAR));
        cmd.addAll(extra);
        cmd.add("--");
        cmd.addAll(JOB);
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("OPENBLAS_CORETYPE", CORE_TYPE);
        environment.put("JOB_CLASSPATH", System.getProperty("java.class.path"));  // the memory plan: no jar built
        environment.put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String printed = run(cmd, environment);
        environment.put("CMD", printed.strip());
        String words = run(List.of(bash(), "-c", "eval \"set -- $CMD\"; printf '%s\\0' \"$@\""), environment);
        List<String> split = Arrays.asList(words.split("\0"));
        assertTrue(split.size() > 20, printed);
        return split;
    }

    private static String run(List<String> cmd, Map<String, String> environment) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("SPARK_"));
        pb.environment().putAll(environment);
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(cmd + " did not finish in 2 minutes");
        }
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new ScriptFailed(p.exitValue(), stdout + Files.readString(err, StandardCharsets.UTF_8));
        }
        return stdout;
    }

    /**
     * A {@code SPARK_HOME} whose {@code jars/} holds one jar whose manifest puts this JVM's class path (the job's
     * classes and Spark's jars) on the class path. {@code submit.sh} runs {@code Main resources} with
     * {@code JAR:SPARK_HOME/jars/*}; the jar here is a {@code local://} path inside the image, not a file on this
     * machine, so the job's classes come from this folder.
     */
    private static Path pathingSparkHome() throws IOException {
        Path home = Files.createDirectories(tmp.resolve("spark-home"));
        Path jars = Files.createDirectories(home.resolve("jars"));
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH,
                Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                        .filter(s -> !s.isEmpty()).map(Path::of)
                        .map(p -> p.toUri().toString()).collect(Collectors.joining(" ")));
        try (OutputStream out = Files.newOutputStream(jars.resolve("test-classpath.jar"));
             JarOutputStream jar = new JarOutputStream(out, manifest)) {
            jar.flush();
        }
        return home;
    }

    /**
     * Runs {@code action} with the JVM's {@code spark.*} system properties removed: {@code new SparkConf()} reads
     * them, and Surefire sets some for the Spark tests (spark-job/pom.xml) that a user's spark-submit would not have.
     */
    private static <T> T withoutSparkSystemProperties(Supplier<T> action) {
        Properties saved = new Properties();
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith("spark.")) {
                saved.setProperty(name, System.getProperty(name));
                System.clearProperty(name);
            }
        }
        try {
            return action.get();
        } finally {
            saved.forEach((k, v) -> System.setProperty((String) k, (String) v));
        }
    }

    private static Map<String, String> env(Container container) {
        Map<String, String> env = new TreeMap<>();
        for (EnvVar var : container.getEnv()) {
            if (var.getValue() != null) {
                env.put(var.getName(), var.getValue());
            }
        }
        return env;
    }

    private static <T> List<T> javaList(scala.collection.Seq<T> seq) {
        return new ArrayList<>(JavaConverters.seqAsJavaList(seq));
    }

    private static Map<String, String> javaMap(scala.collection.Map<String, String> map) {
        return new TreeMap<>(JavaConverters.mapAsJavaMap(map));
    }

    private static String bash() {
        return Arrays.stream(System.getenv("PATH").split(File.pathSeparator))
                .map(dir -> Path.of(dir, "bash"))
                .filter(Files::isExecutable)
                .map(Path::toString)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("bash is not on PATH"));
    }

    /** A script that exited non-zero, with its output. */
    private static final class ScriptFailed extends Exception {
        private static final long serialVersionUID = 1L;
        final int exitCode;
        final String output;

        ScriptFailed(int exitCode, String output) {
            super("exit code " + exitCode + ":\n" + output);
            this.exitCode = exitCode;
            this.output = output;
        }
    }
}
