package io.sparkcnn.journey;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkcnn.Cli;
import io.sparkcnn.Cli.Run;
import io.sparkcnn.TestData;
import io.sparkcnn.data.CsvImageWriter;
import io.sparkcnn.data.DatasetLoader;
import io.sparkcnn.data.ImageBatch;
import io.sparkcnn.data.LabeledImages;
import io.sparkcnn.store.ModelRegistry;
import io.sparkcnn.store.ModelStore;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's journeys as users take them, one command after another, each through the CLI's own entry point:
 * {@code Main}'s command line in this JVM for {@code train}, {@code predict} and {@code report}, and the shell
 * scripts themselves ({@code retrain.sh}, {@code run-local.sh}) as child processes for scheduled retraining and for
 * a run killed and resumed. Every step checks its real result against an independent computation: the labels and
 * probabilities {@code predict} gives must be those of the saved network evaluated here on the same images, and its
 * confusion matrix on the labelled test rows must be the one the training run stored in {@code evaluation.json}.
 * Tiny data: seed-cnn ({@code conf/job.conf}) on 3,000 MNIST training images, tested on 200.
 */
@Tag("spark-local")
class UserJourneysLocalTest {
    private static final Logger LOG = LoggerFactory.getLogger(UserJourneysLocalTest.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TEST_IMAGES = 200;
    private static final int PNGS = 20;
    /** The file in which a saved model says what it takes. */
    private static final String CONTRACT = "input.json";

    @TempDir
    static Path dir;

    private static Path root;
    private static Path trained;
    private static LabeledImages test;
    private static List<String> pngs;
    private static Path labelledCsv;
    private static Path unlabelledCsv;

    /** The options every train step shares: the default job file, the real MNIST, a tiny subset, local[2]. */
    private static List<String> tinyJob(String... more) {
        List<String> args = new ArrayList<>(List.of("-c", root.resolve("conf/job.conf").toString(),
                "--set", "data.dir=" + TestData.mnistDir(), "--set", "data.train-limit=3000",
                "--set", "data.test-limit=" + TEST_IMAGES, "--set", "spark.fallback-master=local[2]",
                "--progress", "lines"));
        args.addAll(List.of(more));
        return args;
    }

    /**
     * A script of {@code submit-scripts/} as a child process from the repository root, with the job's classes
     * from this JVM's class path ({@code JOB_CLASSPATH}: no Maven build inside the build), Spark on 127.0.0.1
     * without its UI; standard output and error merged.
     */
    private static Process script(String name, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(root.resolve("submit-scripts").resolve(name).toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true);
        pb.environment().put("JOB_CLASSPATH", System.getProperty("java.class.path"));
        pb.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        pb.environment().put("DRIVER_MEMORY", "2g");
        pb.environment().put("JAVA_TOOL_OPTIONS", "-Dspark.ui.enabled=false -Dspark.driver.host=127.0.0.1 "
                + "-Dspark.driver.bindAddress=127.0.0.1 -Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"));
        return pb.start();
    }

    private static Run runScript(String name, List<String> args) throws Exception {
        Process p = script(name, args);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), name + " ended");
        return new Run(p.exitValue(), out, "");
    }

    @BeforeAll
    static void trainWithTheDefaultJobAndCutInputs() throws IOException {
        root = TestData.projectRoot();
        DatasetLoader loader = new DatasetLoader(new Configuration());
        Path mnist = TestData.mnistDir();
        test = loader.idx(mnist.resolve("t10k-images-idx3-ubyte").toString(),
                mnist.resolve("t10k-labels-idx1-ubyte").toString(), 28, 28).limit(TEST_IMAGES);

        trained = dir.resolve("trained");
        List<String> train = new ArrayList<>(List.of("train"));
        train.addAll(tinyJob("-o", trained.toString()));
        Run run = Cli.run(train.toArray(String[]::new));
        assertEquals(0, run.code(), run.all());
        assertTrue(run.out().contains("Model saved to file:" + trained), run.out());

        pngs = new ArrayList<>();
        Path pngDir = Files.createDirectories(dir.resolve("pngs"));
        for (int i = 0; i < PNGS; i++) {
            BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
            image.getRaster().setDataElements(0, 0, 28, 28, Arrays.copyOfRange(test.pixels(), i * 784, (i + 1) * 784));
            Path file = pngDir.resolve(String.format("digit-%02d.png", i));
            ImageIO.write(image, "png", file.toFile());
            pngs.add(file.toString());
        }
        labelledCsv = dir.resolve("labelled.csv");
        try (OutputStream out = Files.newOutputStream(labelledCsv)) {
            CsvImageWriter.write(test, out);
        }
        unlabelledCsv = dir.resolve("unlabelled.csv");
        Files.write(unlabelledCsv, Files.readAllLines(labelledCsv).stream().map(l -> l.substring(l.indexOf(',') + 1))
                .toList());
    }

    /**
     * The first {@code n} test digits as users scan them: 280x280 RGB PNGs, dark ink on white paper, each pixel of
     * the digit a 10x10 square.
     */
    private static List<String> scans(int n) throws IOException {
        List<String> files = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            BufferedImage scan = new BufferedImage(280, 280, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 280; y++) {
                for (int x = 0; x < 280; x++) {
                    int paper = 255 - (test.pixels()[i * 784 + (y / 10) * 28 + x / 10] & 0xFF);
                    scan.setRGB(x, y, paper << 16 | paper << 8 | paper);
                }
            }
            Path file = dir.resolve(String.format("scan-%02d.png", i));
            ImageIO.write(scan, "png", file.toFile());
            files.add(file.toString());
        }
        return files;
    }

    /** The saved network's own outputs for the first {@code n} test images, as evaluation computes them. */
    private static INDArray outputs(MultiLayerNetwork net, int n) {
        return net.output(ImageBatch.of(test.limit(n)).toDataSet().getFeatures(), false);
    }

    /**
     * Checks {@code predict}'s JSON records (with all ten probabilities, {@code --top 10}) against the network's
     * outputs: the same label for every input, probabilities within float printing of the network's, summing to 1.
     */
    private static void assertPredictsAsTheNetwork(String json, MultiLayerNetwork net, int n) throws IOException {
        JsonNode records = JSON.readTree(json);
        assertEquals(n, records.size(), json);
        INDArray expected = outputs(net, n);
        for (int i = 0; i < n; i++) {
            JsonNode r = records.get(i);
            assertEquals(expected.getRow(i).argMax().getInt(0), r.get("label").asInt(), "input " + i + ": " + r);
            double sum = 0;
            for (JsonNode top : r.get("top")) {
                double p = top.get("probability").asDouble();
                assertEquals(expected.getDouble(i, top.get("label").asInt()), p, 1e-6, "input " + i);
                sum += p;
            }
            assertEquals(10, r.get("top").size());
            assertEquals(1.0, sum, 1e-5, "probabilities of input " + i + " sum to 1");
        }
    }

    private static String[] predict(Path model, List<String> inputs, String... options) {
        List<String> args = new ArrayList<>(List.of("predict", "--model", model.toString(), "--format", "json",
                "--top", "10", "--set", "spark.fallback-master=local[2]"));
        args.addAll(Arrays.asList(options));
        args.addAll(inputs);
        return args.toArray(String[]::new);
    }

    private static Run predictOk(Path model, List<String> inputs, String... options) {
        Run run = Cli.run(predict(model, inputs, options));
        assertEquals(0, run.code(), "predict " + String.join(" ", options) + ": " + run.all());
        return run;
    }

    @Test
    void trainThenPredictPngsLocallyAndOnSparkAndCsvsWithAndWithoutLabels() throws IOException {
        MultiLayerNetwork net = new ModelStore(new Configuration()).load(trained.toString());
        Run local = predictOk(trained, pngs);
        assertPredictsAsTheNetwork(local.out(), net, PNGS);
        JsonNode first = JSON.readTree(local.out()).get(0);
        assertEquals(pngs.get(0), first.get("source").asText());
        long distinct = JSON.readTree(local.out()).findValues("label").stream().distinct().count();
        assertTrue(distinct >= 5, "the check could fail: " + distinct + " distinct labels");

        Run spark = predictOk(trained, pngs, "--spark");
        assertEquals(local.out(), spark.out(), "the Spark batch job gives the driver's records exactly");
        assertTrue(JSON.readTree(local.out()).findValues("inverted").stream().noneMatch(JsonNode::asBoolean),
                "MNIST's own polarity is kept");

        List<String> scans = scans(3);
        Run scanned = predictOk(trained, scans, "--resize");
        assertPredictsAsTheNetwork(scanned.out(), net, 3);
        assertTrue(JSON.readTree(scanned.out()).findValues("inverted").stream().allMatch(JsonNode::asBoolean),
                "dark ink on white paper was inverted");
        assertTrue(scanned.err().contains("3 of 3 PNGs are dark ink on a light background (a light border) and were "
                + "inverted"), scanned.err());
        assertEquals(scanned.out(), predictOk(trained, scans, "--resize", "--spark").out());

        Run labelled = predictOk(trained, List.of(), "--csv", labelledCsv.toString());
        assertPredictsAsTheNetwork(labelled.out(), net, TEST_IMAGES);
        long[][] confusion = new long[10][10];
        for (JsonNode r : JSON.readTree(labelled.out())) {
            confusion[r.get("actual").asInt()][r.get("label").asInt()]++;
        }
        JsonNode evaluation = JSON.readTree(trained.resolve("evaluation.json").toFile());
        long[][] stored = JSON.convertValue(evaluation.get("confusion"), long[][].class);
        assertArrayEquals(stored, confusion, "predict on the labelled test rows reproduces the run's evaluation");

        assertTrue(Files.isRegularFile(trained.resolve(CONTRACT)), "the model says what it takes");

        Path written = dir.resolve("predictions.csv");
        Run unlabelled = Cli.run("predict", "--model", trained.toString(), "--csv", unlabelledCsv.toString(),
                "--output", written.toString(), "--spark", "--set", "spark.fallback-master=local[2]");
        assertEquals(0, unlabelled.code(), unlabelled.all());
        assertEquals("Wrote " + TEST_IMAGES + " predictions to file:" + written, unlabelled.out().trim());
        List<String> lines = Files.readAllLines(written);
        assertEquals("source,label,probability", lines.get(0));
        INDArray expected = outputs(net, TEST_IMAGES);
        for (int i = 0; i < TEST_IMAGES; i++) {
            String[] record = lines.get(i + 1).split(",");
            assertEquals("row " + (i + 1), record[0]);
            assertEquals(expected.getRow(i).argMax().getInt(0), Integer.parseInt(record[1]), "row " + (i + 1));
        }
    }

    /**
     * The three models in {@code legacy-models/}, saved by the version before input contracts (161d0ef) and
     * evaluated then on the first 500 MNIST test images: predict, given those images as a labelled CSV, reproduces
     * each stored confusion matrix; the NHWC model also classifies the PNGs, locally and on Spark, as its network does.
     */
    @Test
    void modelsSavedByTheEarlierVersionPredictWhatTheirEvaluationSaid() throws IOException {
        Path legacy = root.resolve("spark-job/src/test/resources/legacy-models");
        LabeledImages first500 = new DatasetLoader(new Configuration()).idx(
                TestData.mnistDir().resolve("t10k-images-idx3-ubyte").toString(),
                TestData.mnistDir().resolve("t10k-labels-idx1-ubyte").toString(), 28, 28).limit(500);
        Path csv = dir.resolve("first-500.csv");
        try (OutputStream out = Files.newOutputStream(csv)) {
            CsvImageWriter.write(first500, out);
        }
        for (String name : List.of("nhwc-cnn", "nchw-padding-cnn", "dense")) {
            Path model = legacy.resolve(name);
            Run run = predictOk(model, List.of(), "--csv", csv.toString());
            long[][] confusion = new long[10][10];
            for (JsonNode r : JSON.readTree(run.out())) {
                confusion[r.get("actual").asInt()][r.get("label").asInt()]++;
            }
            long[][] stored = JSON.convertValue(JSON.readTree(model.resolve("evaluation.json").toFile())
                    .get("confusion"), long[][].class);
            assertArrayEquals(stored, confusion, name + ": the confusion matrix its training run stored");
        }
        Path nhwc = legacy.resolve("nhwc-cnn");
        MultiLayerNetwork net = new ModelStore(new Configuration()).load(nhwc.toString());
        assertPredictsAsTheNetwork(predictOk(nhwc, pngs).out(), net, PNGS);
        assertPredictsAsTheNetwork(predictOk(nhwc, pngs, "--spark").out(), net, PNGS);
        assertFalse(Files.exists(nhwc.resolve(CONTRACT)), "predict writes nothing beside the model");
    }

    @Test
    void reportOnTheStoredOutput() throws IOException {
        Path export = dir.resolve("report-export");
        Run run = Cli.run("report", "--model", trained.toString(), "--export", export.toString());
        assertEquals(0, run.code(), run.all());
        assertTrue(run.out().contains("Report exported to " + export), run.out());
        double accuracy = JSON.readTree(trained.resolve("evaluation.json").toFile()).get("accuracy").asDouble();
        String html = Files.readString(export.resolve("report.html"));
        assertTrue(html.contains(String.format(java.util.Locale.ROOT, "%.4f", accuracy)), "the page gives the run's "
                + "accuracy " + accuracy);
        assertTrue(html.contains("data:image/png;base64,"), "with its charts");
        JsonNode notebook = JSON.readTree(export.resolve("report.ipynb").toFile());
        assertEquals(4, notebook.get("nbformat").asInt());
        assertEquals(Files.readString(trained.resolve("report.html")), html, "the copy is what was written beside the model");
    }

    @Test
    void retrainIntoARegistryTwiceThenPredictFromLatestAndFromAVersion() throws Exception {
        Path registry = dir.resolve("registry");
        List<String> args = new ArrayList<>(List.of("--registry", registry.toString(), "--master", "local[2]"));
        args.addAll(tinyJob("--set", "report.enabled=false"));
        Run first = runScript("retrain.sh", args);
        assertEquals(0, first.code(), first.out());
        assertTrue(first.out().contains("Promotion (if-no-worse): promoted"), first.out());
        Run second = runScript("retrain.sh", args);
        assertEquals(0, second.code(), second.out());
        assertTrue(second.out().contains("Warm start from version"), second.out());
        assertTrue(second.out().contains("Promotion (if-no-worse): "), "the promotion was decided: " + second.out());

        ModelRegistry versions = new ModelRegistry(new Configuration(), registry.toString());
        assertEquals(2, versions.versions().size(), versions.versions().toString());
        String latest = versions.latest().orElseThrow();
        boolean promoted = second.out().contains("Promotion (if-no-worse): promoted");
        assertEquals(versions.versions().get(promoted ? 1 : 0), latest, "LATEST follows the promotion decision");
        Run fromLatest = predictOk(registry, pngs);
        assertPredictsAsTheNetwork(fromLatest.out(), versions.load(latest), PNGS);
        String other = versions.versions().get(0);
        Run fromVersion = predictOk(registry, pngs, "--version", other, "--spark");
        assertPredictsAsTheNetwork(fromVersion.out(), versions.load(other), PNGS);
        for (String id : versions.versions()) {
            assertTrue(versions.verify(id).containsKey(CONTRACT), "version " + id + " says what it takes");
            assertTrue(JSON.readTree(versions.verify(id).get(CONTRACT)).has("layout"), id);
        }
        LOG.info("Registry journey: second run {}, LATEST {}", promoted ? "promoted" : "not promoted", latest);
    }

    @Test
    void aRunKilledAfterItsFirstEpochResumesAndItsModelPredicts() throws Exception {
        Path output = dir.resolve("resumed");
        List<String> args = new ArrayList<>(List.of("train", "--master", "local[2]"));
        args.addAll(tinyJob("--epochs", "2", "--set", "report.enabled=false", "-o", output.toString()));
        Process victim = script("run-local.sh", args);
        StringBuilder seen = new StringBuilder();
        assertTrue(Cli.awaitLine(victim, "Checkpoint after epoch 1 saved", 5, seen), "no checkpoint after epoch 1:\n"
                + seen);
        victim.destroyForcibly();
        assertTrue(victim.waitFor(1, TimeUnit.MINUTES));
        assertFalse(Files.exists(output), "no model from the killed run");

        args.add("--resume");
        Run resumed = runScript("run-local.sh", args);
        assertEquals(0, resumed.code(), resumed.out());
        assertTrue(resumed.out().contains("Resuming from checkpoint") && resumed.out().contains("after epoch 1 of 2"),
                resumed.out());

        Run predicted = predictOk(output, pngs);
        assertPredictsAsTheNetwork(predicted.out(), new ModelStore(new Configuration()).load(output.toString()), PNGS);
        Run csv = predictOk(output, List.of(), "--csv", labelledCsv.toString());
        assertPredictsAsTheNetwork(csv.out(), new ModelStore(new Configuration()).load(output.toString()), TEST_IMAGES);
        assertNotEquals(Cli.run(predict(trained, pngs)).out(), predicted.out(), "another model, other probabilities");
        assertTrue(Files.isRegularFile(output.resolve(CONTRACT)), "the resumed run's model says what it takes");
    }
}
