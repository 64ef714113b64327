package io.sparkcnn.predict;

import io.sparkcnn.Cli;
import io.sparkcnn.Cli.Run;
import io.sparkcnn.Networks;
import io.sparkcnn.TestData;
import io.sparkcnn.cli.ExitCodes;
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

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code predict} command as users run it, in-process, on a seed-fc model trained here without Spark
 * (2 epochs on 2,000 MNIST training images). Runs with {@code --spark} start and stop their own session on
 * {@code local[2]}.
 */
@Tag("spark-local")
class PredictCommandLocalTest {
    private static final int IMAGES = 20;

    @TempDir
    static Path dir;

    private static Path modelDir;
    private static Path registry;
    private static String versionId;
    private static LabeledImages test;
    private static List<String> pngs;
    /** The model's labels for the first 20 test images, computed as the evaluation path builds its input. */
    private static int[] evaluated;

    private static Run predict(String... args) {
        List<String> all = new ArrayList<>(List.of("predict", "--set", "spark.fallback-master=local[2]"));
        all.addAll(Arrays.asList(args));
        return Cli.run(all);
    }

    @BeforeAll
    static void trainSaveAndCutPngs() throws IOException {
        DatasetLoader loader = new DatasetLoader(new Configuration());
        Path mnist = TestData.mnistDir();
        LabeledImages train = loader.idx(mnist.resolve("train-images-idx3-ubyte").toString(),
                mnist.resolve("train-labels-idx1-ubyte").toString(), 28, 28).limit(2000);
        test = loader.idx(mnist.resolve("t10k-images-idx3-ubyte").toString(),
                mnist.resolve("t10k-labels-idx1-ubyte").toString(), 28, 28).limit(IMAGES);
        MultiLayerNetwork net = new MultiLayerNetwork(Networks.build("seed-fc", 42));
        net.init();
        for (int epoch = 0; epoch < 2; epoch++) {
            for (ImageBatch batch : train.batches(64, (long) epoch)) {
                net.fit(batch.toDataSet());
            }
        }
        INDArray probe = ImageBatch.of(test).toDataSet().getFeatures();
        modelDir = dir.resolve("model");
        new ModelStore(new Configuration()).save(modelDir.toString(), false, net, probe, Map.of());
        registry = dir.resolve("registry");
        versionId = new ModelRegistry(new Configuration(), registry.toString()).publish(net, probe, Map.of(), Map.of());

        // What evaluation does: the images as a DataSet, the reloaded model's argmax.
        MultiLayerNetwork reloaded = new ModelStore(new Configuration()).load(modelDir.toString());
        INDArray predicted = reloaded.output(ImageBatch.of(test).toDataSet().getFeatures(), false).argMax(1);
        evaluated = new int[IMAGES];
        for (int i = 0; i < IMAGES; i++) {
            evaluated[i] = predicted.getInt(i);
        }

        pngs = new ArrayList<>();
        Path pngDir = Files.createDirectories(dir.resolve("pngs"));
        for (int i = 0; i < IMAGES; i++) {
            BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
            image.getRaster().setDataElements(0, 0, 28, 28,
                    Arrays.copyOfRange(test.pixels(), i * 784, (i + 1) * 784));
            Path file = pngDir.resolve(String.format("test-%02d.png", i));
            ImageIO.write(image, "png", file.toFile());
            pngs.add(file.toString());
        }
    }

    /** The CSV records of a run: source, label, probability, …, without the header row. */
    private static List<String[]> records(String csv) {
        List<String> lines = csv.lines().toList();
        return lines.subList(1, lines.size()).stream().map(l -> l.split(",", -1)).toList();
    }

    private static int[] labels(String csv) {
        return records(csv).stream().mapToInt(r -> Integer.parseInt(r[1])).toArray();
    }

    private static String[] with(List<String> files, String... options) {
        List<String> all = new ArrayList<>(Arrays.asList(options));
        all.addAll(files);
        return all.toArray(String[]::new);
    }

    /** A PNG of a signature and an IHDR chunk declaring {@code width x height} 8-bit grey pixels, and nothing else. */
    private static byte[] hugeHeader(int width, int height) {
        java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(17).put("IHDR".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                .putInt(width).putInt(height).put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(ihdr.array());
        return java.nio.ByteBuffer.allocate(33).put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'})
                .putInt(13).put(ihdr.array()).putInt((int) crc.getValue()).array();
    }

    @Test
    void twentyPngsCutFromTheTestSetGetTheLabelsEvaluationGave() {
        Run run = predict(with(pngs, "--model", modelDir.toString()));
        assertEquals(ExitCodes.OK, run.code(), run.err());
        assertEquals("source,label,probability,inverted", run.out().lines().findFirst().orElseThrow());
        List<String[]> records = records(run.out());
        assertEquals(IMAGES, records.size());
        for (int i = 0; i < IMAGES; i++) {
            assertEquals(pngs.get(i), records.get(i)[0]);
            assertEquals("false", records.get(i)[3], "MNIST's own polarity is kept");
            double p = Double.parseDouble(records.get(i)[2]);
            assertTrue(p > 0.1 && p <= 1.0, "probability " + p);
        }
        assertArrayEquals(evaluated, labels(run.out()), "all 20 labels as evaluation gives them");
        assertTrue(Arrays.stream(evaluated).distinct().count() >= 5, "the check could fail: "
                + Arrays.toString(evaluated));
        long right = java.util.stream.IntStream.range(0, IMAGES).filter(i -> evaluated[i] == test.labels()[i]).count();
        assertTrue(right >= 14, right + " of 20 right: the model learned something");

        // The registry's version (checksums verified) and its LATEST give the same.
        assertEquals(run.out(), predict(with(pngs, "--model", registry.toString(), "--version", versionId)).out());
        assertEquals(run.out(), predict(with(pngs, "--model", registry.toString())).out());
    }

    @Test
    void sparkBatchJobGivesTheSameLabelsAndProbabilitiesAsTheDriver() {
        Run local = predict(with(pngs, "--model", modelDir.toString(), "--format", "json", "--top", "3",
                "--batch-size", "8"));
        Run spark = predict(with(pngs, "--model", modelDir.toString(), "--format", "json", "--top", "3",
                "--batch-size", "8", "--spark"));
        assertEquals(ExitCodes.OK, spark.code(), spark.err());
        assertTrue(local.out().contains("\"top\""), local.out());
        assertEquals(local.out(), spark.out(), "identical labels and full-precision probabilities");
    }

    @Test
    void csvRowsWithAndWithoutALabelColumnLocallyAndOnSpark() throws IOException {
        Path labelled = dir.resolve("labelled.csv");
        try (OutputStream out = Files.newOutputStream(labelled)) {
            CsvImageWriter.write(test, out);
        }
        Path unlabelled = dir.resolve("test.csv");
        Files.write(unlabelled, Files.readAllLines(labelled).stream().map(l -> l.substring(l.indexOf(',') + 1)).toList());

        Run withLabels = predict("--model", modelDir.toString(), "--csv", labelled.toString(), "--top", "2");
        assertEquals(ExitCodes.OK, withLabels.code(), withLabels.err());
        assertEquals("source,label,probability,actual,label_2,probability_2",
                withLabels.out().lines().findFirst().orElseThrow());
        List<String[]> records = records(withLabels.out());
        for (int i = 0; i < IMAGES; i++) {
            assertEquals("row " + (i + 1), records.get(i)[0]);
            assertEquals(test.labels()[i], Integer.parseInt(records.get(i)[3]));
        }
        assertArrayEquals(evaluated, labels(withLabels.out()));

        Path written = dir.resolve("predictions.csv");
        Run withoutLabels = predict("--model", modelDir.toString(), "--csv", unlabelled.toString(), "--output",
                written.toString());
        assertEquals(ExitCodes.OK, withoutLabels.code(), withoutLabels.err());
        assertTrue(withoutLabels.out().startsWith("Wrote 20 predictions to file:"), withoutLabels.out());
        String csv = Files.readString(written);
        assertEquals("source,label,probability", csv.lines().findFirst().orElseThrow());
        assertArrayEquals(evaluated, labels(csv));

        Run spark = predict("--model", modelDir.toString(), "--csv", unlabelled.toString(), "--spark");
        assertEquals(ExitCodes.OK, spark.code(), spark.err());
        assertArrayEquals(evaluated, labels(spark.out()));
        List<String[]> sparkRecords = records(spark.out());
        List<String[]> localRecords = records(csv);
        for (int i = 0; i < IMAGES; i++) {
            assertEquals(localRecords.get(i)[0], sparkRecords.get(i)[0]);
            assertEquals(Double.parseDouble(localRecords.get(i)[2]), Double.parseDouble(sparkRecords.get(i)[2]), 2e-6);
        }

        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, Files.readString(unlabelled).replaceFirst("\n0,", "\n0,x,"));
        Run badRow = predict("--model", modelDir.toString(), "--csv", bad.toString());
        assertEquals(ExitCodes.BAD_DATA, badRow.code());
        assertTrue(badRow.err().contains(bad + ": line 2"), badRow.err());
    }

    @Test
    void wrongSizePngAndNonPngExitWith3NamingTheFileAndSizes() throws IOException {
        Path small = dir.resolve("small.png");
        ImageIO.write(new BufferedImage(20, 30, BufferedImage.TYPE_BYTE_GRAY), "png", small.toFile());
        Run wrongSize = predict("--model", modelDir.toString(), pngs.get(0), small.toString());
        assertEquals(ExitCodes.BAD_DATA, wrongSize.code());
        assertEquals("spark-cnn-trainer: bad input data: " + small + ": file: expected a 28x28 image (width x height, "
                + "the model's input size; --resize scales other sizes), found a 20x30 image", wrongSize.err().trim());
        Run resized = predict("--model", modelDir.toString(), "--resize", small.toString());
        assertEquals(ExitCodes.OK, resized.code(), resized.err());

        Path huge = dir.resolve("huge.png");
        Files.write(huge, hugeHeader(100_000, 100_000));
        Path written = dir.resolve("batch.csv");
        Run oversized = predict(with(List.of(pngs.get(0), huge.toString(), pngs.get(1)), "--model", modelDir.toString(),
                "--output", written.toString()));
        assertEquals(ExitCodes.BAD_DATA, oversized.code());
        assertEquals("spark-cnn-trainer: bad input data: " + huge + ": offset 16: expected an image of at most "
                + "16,777,216 pixels (width x height, the limit maxPixels), found 100000x100000 = 10,000,000,000 "
                + "pixels", oversized.err().trim());
        assertFalse(Files.exists(written), "nothing half-written");
        try (java.util.stream.Stream<Path> left = Files.list(dir)) {
            assertTrue(left.noneMatch(f -> f.getFileName().toString().contains("batch.csv")), "no partial file either");
        }
        Run lowered = predict("--model", modelDir.toString(), "--max-pixels", "700", pngs.get(0));
        assertEquals(ExitCodes.BAD_DATA, lowered.code());
        assertTrue(lowered.err().contains("expected an image of at most 700 pixels"), lowered.err());
        Path damaged = dir.resolve("damaged.png");
        byte[] good = Files.readAllBytes(Path.of(pngs.get(2)));
        Files.write(damaged, Arrays.copyOf(good, good.length / 2));
        Run truncated = predict(with(List.of(pngs.get(0), damaged.toString()), "--model", modelDir.toString(),
                "--spark", "--output", written.toString()));
        assertEquals(ExitCodes.BAD_DATA, truncated.code(), truncated.err());
        assertTrue(truncated.err().contains(damaged.toString()), truncated.err());
        assertFalse(Files.exists(written), "nothing half-written");

        Path notPng = dir.resolve("digit.png");
        Files.writeString(notPng, "GIF89a not really");
        Run bad = predict("--model", modelDir.toString(), notPng.toString());
        assertEquals(ExitCodes.BAD_DATA, bad.code());
        assertTrue(bad.err().contains(notPng + ": offset 0: expected the PNG signature"), bad.err());

        Run onExecutor = predict("--model", modelDir.toString(), "--spark", pngs.get(1), small.toString());
        assertEquals(ExitCodes.BAD_DATA, onExecutor.code(), onExecutor.err());
        assertTrue(onExecutor.err().contains(small + ": file: expected a 28x28 image"), onExecutor.err());

        Run missing = predict("--model", modelDir.toString(), dir.resolve("absent.png").toString());
        assertEquals(ExitCodes.BAD_DATA, missing.code());
        assertTrue(missing.err().contains("absent.png: file: expected an existing readable file"), missing.err());

        assertEquals(ExitCodes.BAD_CONFIG, predict("--model", modelDir.toString()).code(), "no input");
        assertEquals(ExitCodes.OUTPUT_FAILED, predict("--model", dir.resolve("nothing").toString(), pngs.get(0)).code());

        Path notAModel = dir.resolve("LATEST");
        Files.writeString(notAModel, "20261204T090855.422583Z-0add7ccd\n");
        Run wrongFile = predict("--model", notAModel.toString(), pngs.get(0));
        assertEquals(ExitCodes.OUTPUT_FAILED, wrongFile.code(), wrongFile.err());
        assertTrue(wrongFile.err().contains(notAModel + ": expected a model file"), wrongFile.err());
    }
}
