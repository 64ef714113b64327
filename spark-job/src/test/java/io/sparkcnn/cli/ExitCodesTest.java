package io.sparkcnn.cli;

import io.sparkcnn.TestData;
import io.sparkcnn.data.IdxReader;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
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

    private record Run(int code, String out, String err) {
    }

    private static Run train(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        List<String> all = new ArrayList<>(List.of("train", "--set", "spark.fallback-master=local[2]"));
        all.addAll(Arrays.asList(args));
        int code = cli.execute(all.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    /** A directory {@code name} with the real MNIST test files and the given training files. */
    private Path dataDir(String name, byte[] images, byte[] labels) throws IOException {
        Path data = Files.createDirectories(dir.resolve(name));
        Path mnist = TestData.mnistDir();
        Files.copy(mnist.resolve("t10k-images-idx3-ubyte"), data.resolve("t10k-images-idx3-ubyte"));
        Files.copy(mnist.resolve("t10k-labels-idx1-ubyte"), data.resolve("t10k-labels-idx1-ubyte"));
        Files.write(data.resolve("train-images-idx3-ubyte"), images);
        Files.write(data.resolve("train-labels-idx1-ubyte"), labels);
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
        assertTrue(values.err().contains("model.preset must be one of [seed-fc, seed-cnn], got 'vgg'"), values.err());

        assertEquals(ExitCodes.BAD_CONFIG, train("--no-such-option").code());
    }

    @Test
    void badInputDataExitsWith3NamingFileOffsetAndValues() throws IOException {
        byte[] labels = TestData.idxLabels(IdxReader.LABELS_MAGIC, 2, new byte[] {3, 12});
        byte[] images = TestData.idxImages(IdxReader.IMAGES_MAGIC, 2, 28, 28, new byte[2 * 784]);
        Path data = dataDir("bad-label", images, labels);
        Path output = dir.resolve("out");
        Run run = train("--set", "data.dir=" + data, "-o", output.toString());
        assertEquals(ExitCodes.BAD_DATA, run.code(), run.err());
        assertTrue(run.err().contains("bad input data: " + data.resolve("train-labels-idx1-ubyte")
                + ": offset 9 (label of item 1): expected a label 0-9, found 12"), run.err());
        assertFalse(Files.exists(output), "nothing written");

        byte[] shortImages = TestData.idxImages(IdxReader.IMAGES_MAGIC, 2, 28, 28, new byte[784]);
        Path data2 = dataDir("truncated", shortImages, TestData.idxLabels(IdxReader.LABELS_MAGIC, 2, new byte[] {3, 4}));
        Run truncated = train("--set", "data.dir=" + data2, "-o", output.toString());
        assertEquals(ExitCodes.BAD_DATA, truncated.code(), truncated.err());
        assertTrue(truncated.err().contains("train-images-idx3-ubyte: offset 800: expected 1584 bytes (2 images of 28x28), "
                + "found end of file after 800 bytes (truncated)"), truncated.err());
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
