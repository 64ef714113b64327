package io.sparkcnn.cli;

import io.sparkcnn.Cli;
import io.sparkcnn.Cli.Run;
import io.sparkcnn.TestData;
import io.sparkcnn.data.IdxReader;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command line as users run it, in-process: each bad-input kind gives its message and exit code. Runs
 * that get past the configuration start and stop their own Spark session on {@code local[2]}.
 */
@Tag("spark-local")
class ExitCodesTest {
    @TempDir
    Path dir;

    private static Run train(String... args) {
        List<String> all = new ArrayList<>(List.of("train", "--set", "spark.fallback-master=local[2]"));
        all.addAll(Arrays.asList(args));
        return Cli.run(all);
    }

    /** A directory {@code name} with the real MNIST test files and the given training files ({@code null}: absent). */
    private Path dataDir(String name, byte[] images, byte[] labels) throws IOException {
        Path data = Files.createDirectories(dir.resolve(name));
        Path mnist = TestData.mnistDir();
        Files.copy(mnist.resolve("t10k-images-idx3-ubyte"), data.resolve("t10k-images-idx3-ubyte"));
        Files.copy(mnist.resolve("t10k-labels-idx1-ubyte"), data.resolve("t10k-labels-idx1-ubyte"));
        Files.write(data.resolve("train-images-idx3-ubyte"), images);
        if (labels != null) {
            Files.write(data.resolve("train-labels-idx1-ubyte"), labels);
        }
        return data;
    }

    @Test
    void badConfigurationExitsWith2AndListsEveryError() {
        Run run = train("--set", "train.epochs=0", "--set", "model.preset=vgg", "--set", "train.epoch=1");
        assertEquals(ExitCodes.BAD_CONFIG, run.code());
        assertTrue(run.err().contains("invalid configuration (1 error)") || run.err().contains("errors)"), run.err());
        assertTrue(run.err().contains("unknown key 'train.epoch' (did you mean 'train.epochs'?)"), run.err());

        Run values = train("--set", "train.epochs=0", "--set", "model.preset=vgg");
        assertEquals(ExitCodes.BAD_CONFIG, values.code());
        assertTrue(values.err().contains("invalid configuration (2 errors)"), values.err());
        assertTrue(values.err().contains("train.epochs must be >= 1, got 0"), values.err());
        assertTrue(values.err().contains("model.preset must be one of [seed-fc, seed-cnn, seed-cnn-same, lecture-best] or the path of a "
                + "network file (*.conf), got 'vgg'"), values.err());

        assertEquals(ExitCodes.BAD_CONFIG, train("--no-such-option").code());
    }

    @Test
    void aNetworkThatDoesNotFitTheImagesExitsWith2BeforeSpark() {
        for (String command : List.of("train", "show-config", "resources")) {
            Run run = Cli.run(List.of(command, "--set", "data.image-rows=2", "--set", "data.image-cols=2"));
            assertEquals(ExitCodes.BAD_CONFIG, run.code(), command + ": " + run.err());
            assertTrue(run.err().contains("invalid configuration (1 error)")
                    && run.err().contains("model.network does not fit 2x2 images: "), command + ": " + run.err());
        }
    }

    /** One bad-input kind: the training files to write and the message that must come back. */
    private record BadInput(String kind, byte[] images, byte[] labels, String file, String message) {
        @Override
        public String toString() {
            return kind;
        }
    }

    private static final int IMG = IdxReader.IMAGES_MAGIC;
    private static final int LAB = IdxReader.LABELS_MAGIC;
    private static final byte[] TWO_LABELS = TestData.idxLabels(LAB, 2, new byte[] {3, 4});
    private static final byte[] TWO_IMAGES = TestData.idxImages(IMG, 2, 28, 28, new byte[2 * 784]);

    static List<BadInput> badIdxInputs() {
        return List.of(
                new BadInput("magic number", TestData.idxImages(LAB, 2, 28, 28, new byte[2 * 784]), TWO_LABELS,
                        "train-images-idx3-ubyte", "offset 0: expected magic number 0x00000803 (idx3 images of "
                        + "unsigned bytes), found 0x00000801 (an idx1 label file)"),
                new BadInput("dimensions", TestData.idxImages(IMG, 2, 32, 28, new byte[2 * 32 * 28]), TWO_LABELS,
                        "train-images-idx3-ubyte", "offset 8: expected 28 rows per image, found 32"),
                new BadInput("truncated", TestData.idxImages(IMG, 2, 28, 28, new byte[784]), TWO_LABELS,
                        "train-images-idx3-ubyte", "offset 800: expected 1584 bytes (2 images of 28x28), "
                        + "found end of file after 800 bytes (truncated)"),
                new BadInput("trailing bytes", TestData.idxImages(IMG, 2, 28, 28, new byte[3 * 784]), TWO_LABELS,
                        "train-images-idx3-ubyte", "offset 1584: expected end of file after 1584 bytes (2 images of "
                        + "28x28), found 784 more bytes"),
                new BadInput("label range", TWO_IMAGES, TestData.idxLabels(LAB, 2, new byte[] {3, 12}),
                        "train-labels-idx1-ubyte", "offset 9 (label of item 1): expected a label 0-9, found 12"),
                new BadInput("item counts", TWO_IMAGES, TestData.idxLabels(LAB, 3, new byte[] {3, 4, 5}),
                        "train-labels-idx1-ubyte", "offset 4: expected 2 labels, one per image in "),
                new BadInput("missing file", TWO_IMAGES, null,
                        "train-labels-idx1-ubyte", "file: expected an existing readable file, found no such file"));
    }

    @ParameterizedTest(name = "idx {0}")
    @MethodSource("badIdxInputs")
    void badIdxInputExitsWith3NamingFileOffsetAndValues(BadInput bad) throws IOException {
        Path data = dataDir(bad.kind().replace(' ', '-'), bad.images(), bad.labels());
        Path output = dir.resolve("out");
        Run run = train("--set", "data.dir=" + data, "-o", output.toString());
        assertEquals(ExitCodes.BAD_DATA, run.code(), run.err());
        assertTrue(run.err().contains("bad input data: " + data.resolve(bad.file()) + ": " + bad.message()), run.err());
        assertFalse(Files.exists(output), "nothing written");
    }

    static List<String[]> badCsvRows() {
        return List.of(
                new String[] {"7" + ",0".repeat(783), "line 3: expected 785 columns, found 784 columns"},
                new String[] {"7," + "0,".repeat(500) + "x," + "0,".repeat(282) + "0",
                        "line 3, column 'pixel500': expected an integer pixel value 0-255, found 'x'"},
                new String[] {"10," + "0,".repeat(783) + "0", "line 3, column 'label': expected an integer label 0-9, found '10'"},
                new String[] {"1," + "0,".repeat(783) + "300",
                        "line 3, column 'pixel783': expected an integer pixel value 0-255, found '300'"});
    }

    @ParameterizedTest(name = "csv {1}")
    @MethodSource("badCsvRows")
    void badCsvRowExitsWith3NamingTheLine(String badRow, String message) throws IOException {
        StringBuilder csv = new StringBuilder("label");
        for (int i = 0; i < 784; i++) {
            csv.append(",pixel").append(i);
        }
        csv.append('\n').append("1").append(",0".repeat(784)).append('\n').append(badRow).append('\n');
        Path file = Files.writeString(dir.resolve("train.csv"), csv);
        Run run = train("--set", "data.format=csv", "--set", "data.train-csv=" + file, "-o", dir.resolve("out").toString());
        assertEquals(ExitCodes.BAD_DATA, run.code(), run.err());
        assertTrue(run.err().contains("bad input data: " + file + ": " + message), run.err());
    }

    /** Each worker's result (parameters and updater state, megabytes) is far above a 64 KiB result limit. */
    @Test
    void aFailingSparkJobExitsWith4() {
        System.setProperty("spark.driver.maxResultSize", "64k");
        try {
            Run run = train("--set", "data.dir=" + TestData.mnistDir(), "--set", "data.train-limit=256",
                    "--set", "data.test-limit=64", "-o", dir.resolve("o").toString());
            assertEquals(ExitCodes.TRAINING_FAILED, run.code(), run.err());
            assertTrue(run.err().startsWith("spark-cnn-trainer: training failed: "), run.err());
            assertTrue(run.err().contains("spark.driver.maxResultSize"), run.err());
            assertFalse(Files.exists(dir.resolve("o")));
        } finally {
            System.clearProperty("spark.driver.maxResultSize");
        }
    }

    @Test
    void anEnvironmentUnfitForTheJobExitsWith6BeforeTraining() {
        // minibatches of 100,000 images need ~220 GB per task, far beyond the 3 GiB heap's JavaCPP limits here
        Run run = train("--set", "data.dir=" + TestData.mnistDir(), "--set", "data.train-limit=256",
                "--set", "data.test-limit=64", "--set", "train.batch-size-per-worker=100000", "-o", dir.resolve("o").toString());
        assertEquals(ExitCodes.ENVIRONMENT_UNFIT, run.code(), run.err());
        assertTrue(run.err().startsWith("spark-cnn-trainer: the cluster's environment is unfit for the job (pre-flight "
                + "check, 1 fatal finding; preflight.enabled=false skips the check):\n  - the driver on host "), run.err());
        assertTrue(run.err().contains("JavaCPP's maxphysicalbytes"), run.err());
        assertTrue(run.err().contains("minibatches of 100000 need"), run.err());
        assertFalse(Files.exists(dir.resolve("o")));
    }

    @Test
    void anExistingOutputExitsWith5BeforeTrainingAndIsLeftUntouched() throws IOException {
        Path output = Files.createDirectories(dir.resolve("taken"));
        Path marker = Files.writeString(output.resolve("model.zip"), "previous model");
        Run run = train("--set", "data.dir=" + TestData.mnistDir(), "-o", output.toString());
        assertEquals(ExitCodes.OUTPUT_FAILED, run.code(), run.err());
        assertTrue(run.err().contains("exists already; choose another output.path or set output.overwrite=true"), run.err());
        assertEquals("previous model", Files.readString(marker));
    }
}
