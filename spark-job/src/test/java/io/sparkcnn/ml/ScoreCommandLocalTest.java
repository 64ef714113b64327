package io.sparkcnn.ml;

import io.sparkcnn.Cli;
import io.sparkcnn.LocalSpark;
import io.sparkcnn.TestData;
import io.sparkcnn.cli.ExitCodes;
import io.sparkcnn.data.CsvImageWriter;
import io.sparkcnn.data.DatasetLoader;
import io.sparkcnn.data.LabeledImages;
import io.sparkcnn.frames.ImageFrames;
import io.sparkcnn.predict.Classifier;
import io.sparkcnn.store.ModelStore;
import io.sparkcnn.store.SavedModel;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code score} through the command line: a model {@code train} wrote scores a Parquet table and a CSV on
 * {@code local[2]}; every row gets the prediction the model gives in this JVM, the probability and the model's
 * version; an existing output is refused with exit code 5 and left as it was.
 */
@Tag("spark-local")
class ScoreCommandLocalTest {
    @TempDir
    static Path dir;
    private static Path model;
    private static LabeledImages images;

    @BeforeAll
    static void trainAModelAndWriteInputs() throws IOException {
        model = dir.resolve("model");
        Cli.Run trained = Cli.run("train", "--set", "spark.fallback-master=local[2]", "--preset", "seed-fc",
                "--set", "data.dir=" + TestData.mnistDir(), "--set", "data.train-limit=1000", "--set", "data.test-limit=100",
                "--epochs", "1", "--set", "report.enabled=false", "-o", model.toString());
        assertEquals(ExitCodes.OK, trained.code(), trained.all());
        images = new DatasetLoader(new Configuration()).idx(TestData.mnistDir().resolve("t10k-images-idx3-ubyte").toString(),
                TestData.mnistDir().resolve("t10k-labels-idx1-ubyte").toString(), 28, 28).limit(700);
        SparkSession spark = LocalSpark.start(2);
        try {
            ImageFrames.writeParquet(spark, images, dir.resolve("table").toString(), "label", "image", false);
        } finally {
            spark.stop();
        }
        try (OutputStream out = Files.newOutputStream(dir.resolve("digits.csv"))) {
            CsvImageWriter.write(images, out);
        }
    }

    private static Cli.Run score(String... more) {
        List<String> args = new ArrayList<>(List.of("score", "--set", "spark.fallback-master=local[2]", "-m", model.toString()));
        args.addAll(List.of(more));
        return Cli.run(args);
    }

    /** The predictions at {@code path}, in the input's order (by label, then a stable order is not given: by image). */
    private static List<Row> read(String path, String format) {
        SparkSession spark = LocalSpark.start(2);
        try {
            return spark.read().format(format).option("header", "true").load(path).collectAsList();
        } finally {
            spark.stop();
        }
    }

    @Test
    void aTableAndACsvAreScoredAsTheModelClassifiesThemHere() {
        Cli.Run parquet = score("--input", dir.resolve("table").toString(), "--predictions", dir.resolve("p1").toString());
        assertEquals(ExitCodes.OK, parquet.code(), parquet.all());
        assertTrue(parquet.out().matches("(?s)Scored 700 rows in [0-9.]+ s: [0-9,]+ rows/s; predictions in .*p1\\s*"),
                parquet.out());
        SavedModel saved = new ModelStore(new Configuration()).open(model.toString());
        float[][] expected = new Classifier(saved.network(), saved.input()).probabilities(images.pixels(), images.count());
        int[] counts = new int[10];
        int[] expectedCounts = new int[10];
        for (float[] p : expected) {
            expectedCounts[argmax(p)]++;
        }
        List<Row> rows = read(dir.resolve("p1").toString(), "parquet");
        assertEquals(700, rows.size());
        assertEquals(List.of("label", "prediction", "probability", "probabilities", "model"), List.of(rows.get(0).schema().fieldNames()));
        for (Row row : rows) {
            counts[row.<Integer>getAs("prediction")]++;
            assertEquals(saved.location(), row.getAs("model"));
        }
        assertEquals(java.util.Arrays.toString(expectedCounts), java.util.Arrays.toString(counts),
                "the executors predict what the model predicts here");

        Cli.Run csv = score("--input", dir.resolve("digits.csv").toString(), "--input-format", "csv",
                "--predictions", dir.resolve("p2").toString(), "--output-format", "csv");
        assertEquals(ExitCodes.OK, csv.code(), csv.all());
        List<Row> csvRows = read(dir.resolve("p2").toString(), "csv");
        assertEquals(700, csvRows.size());
        long agree = csvRows.stream().filter(r -> r.getAs("label").equals(r.getAs("prediction"))).count();
        long correct = 0;
        for (int i = 0; i < expected.length; i++) {
            correct += argmax(expected[i]) == images.labels()[i] ? 1 : 0;
        }
        assertEquals(correct, agree, "the CSV's rows are right as often as the model is here");
    }

    @Test
    void aFolderOfPngsIsScoredWithEachFilesPath() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("pngs/any"));
        for (int i = 0; i < 3; i++) {
            java.awt.image.BufferedImage png = new java.awt.image.BufferedImage(28, 28, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
            png.getRaster().setDataElements(0, 0, 28, 28, java.util.Arrays.copyOfRange(images.pixels(), i * 784, (i + 1) * 784));
            javax.imageio.ImageIO.write(png, "png", folder.resolve("digit-" + i + ".png").toFile());
        }
        Cli.Run run = score("--input", dir.resolve("pngs").toString(), "--input-format", "images",
                "--predictions", dir.resolve("p3").toString(), "--output-format", "csv");
        assertEquals(ExitCodes.OK, run.code(), run.all());
        SavedModel saved = new ModelStore(new Configuration()).open(model.toString());
        float[][] expected = new Classifier(saved.network(), saved.input()).probabilities(
                java.util.Arrays.copyOf(images.pixels(), 3 * 784), 3);
        List<Row> rows = read(dir.resolve("p3").toString(), "csv");
        assertEquals(3, rows.size());
        for (Row row : rows) {
            String path = row.getAs("path");
            int i = Integer.parseInt(path.replaceAll(".*digit-([0-9])\\.png$", "$1"));
            assertEquals(Integer.toString(argmax(expected[i])), row.getAs("prediction"), path);
        }
    }

    @Test
    void anExistingOutputIsRefusedAndLeftAsItWas() throws IOException {
        Path out = Files.createDirectories(dir.resolve("taken"));
        Files.writeString(out.resolve("keep.txt"), "old");
        Cli.Run run = score("--input", dir.resolve("table").toString(), "--predictions", out.toString());
        assertEquals(ExitCodes.OUTPUT_FAILED, run.code(), run.all());
        assertTrue(run.err().contains("exists (use --overwrite)"), run.err());
        assertEquals("old", Files.readString(out.resolve("keep.txt")));
    }

    private static int argmax(float[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) {
            best = p[i] > p[best] ? i : best;
        }
        return best;
    }
}
