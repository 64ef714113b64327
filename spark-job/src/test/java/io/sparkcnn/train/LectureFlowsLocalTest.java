package io.sparkcnn.train;

import io.sparkcnn.Cli;
import io.sparkcnn.LocalSpark;
import io.sparkcnn.TestData;
import io.sparkcnn.cli.Main;
import io.sparkcnn.config.ConfigLoader;
import io.sparkcnn.config.JobConfig;
import io.sparkcnn.data.CsvImageWriter;
import io.sparkcnn.data.DatasetLoader;
import io.sparkcnn.data.ImageBatch;
import io.sparkcnn.data.LabeledImages;
import io.sparkcnn.store.ModelStore;
import io.sparkcnn.store.SavedModel;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The lecture's settings as whole jobs on {@code local[2]} with MNIST subsets: each padding kind at "same" size,
 * transfer learning from digits 0-4 to 5-9 with frozen convolutions, and the Kaggle CSV flow with a validation
 * split; the models of the first two are then used by {@code predict} as users run it.
 */
@Tag("spark-local")
class LectureFlowsLocalTest {
    private static SparkSession spark;

    @TempDir
    static Path out;

    @BeforeAll
    static void startSpark() {
        spark = LocalSpark.start(2);
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    private static JobConfig job(Path output, int trainImages, String... more) {
        List<String> overrides = new ArrayList<>(List.of(
                "data.dir=" + TestData.mnistDir(), "data.train-limit=" + trainImages, "data.test-limit=500",
                "train.epochs=1", "train.batch-size-per-worker=32", "train.averaging-frequency=5",
                "output.path=" + output));
        overrides.addAll(List.of(more));
        return ConfigLoader.load(null, overrides);
    }

    /**
     * The saved model's stored contract names {@code layout}, and {@code predict}, as users run it, on the first 100
     * test images as a CSV gives the saved network's own label for each.
     */
    private static void assertPredictsThroughTheCli(Path output, String layout) {
        SavedModel saved = new ModelStore(spark.sparkContext().hadoopConfiguration()).open(output.toString());
        assertEquals(layout, saved.input().layout().name());
        assertEquals(null, saved.input().derivedFrom(), "stored with the model, not derived");
        LabeledImages images = new DatasetLoader(new Configuration()).idx(
                TestData.mnistDir().resolve("t10k-images-idx3-ubyte").toString(),
                TestData.mnistDir().resolve("t10k-labels-idx1-ubyte").toString(), 28, 28).limit(100);
        Path csv = out.resolve(output.getFileName() + "-test.csv");
        try (OutputStream stream = Files.newOutputStream(csv)) {
            CsvImageWriter.write(images, stream);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Cli.Run run = Cli.run("predict", "--model", output.toString(), "--csv", csv.toString());
        assertEquals(0, run.code(), run.all());
        INDArray expected = saved.network().output(ImageBatch.of(images).toDataSet().getFeatures(), false).argMax(1);
        List<String> lines = run.out().lines().toList();
        assertEquals(101, lines.size(), "a header and 100 records");
        for (int i = 0; i < 100; i++) {
            assertEquals(expected.getInt(i), Integer.parseInt(lines.get(i + 1).split(",")[1]), "row " + (i + 1));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"zero", "edge", "symmetric", "reflect", "wrap"})
    void seedCnnAtSameSizeTrainsWithEachPaddingKind(String kind) {
        Path output = out.resolve("same-" + kind);
        TrainResult result = TrainJob.run(job(output, 2000, "model.preset=seed-cnn-same", "train.epochs=2",
                "model.network.padding-kind=" + kind), spark);
        assertTrue(result.evaluation().accuracy() >= 0.8, kind + ": accuracy " + result.evaluation().accuracy());
        MultiLayerNetwork saved = new ModelStore(spark.sparkContext().hadoopConfiguration()).load(output.toString());
        assertEquals(1_625_866, saved.numParams());
        assertEquals(kind.equals("zero") ? 7 : 9, saved.getnLayers(), "a Padding2D layer in front of each convolution");
        assertPredictsThroughTheCli(output, kind.equals("zero") ? "NHWC" : "NCHW");
    }

    @Test
    void transferLearningKeepsFrozenConvolutionsBitIdenticalAndRetrainsTheHead() {
        Path pretrainedDir = out.resolve("digits-0-4");
        TrainJob.run(job(pretrainedDir, 3000, "data.labels=[0,1,2,3,4]"), spark);
        ModelStore store = new ModelStore(spark.sparkContext().hadoopConfiguration());
        MultiLayerNetwork pretrained = store.load(pretrainedDir.toString());

        Path tunedDir = out.resolve("digits-5-9");
        TrainResult tuned = TrainJob.run(job(tunedDir, 3000, "data.labels=[5,6,7,8,9]",
                "model.transfer.from=" + pretrainedDir), spark);
        MultiLayerNetwork fineTuned = store.load(tunedDir.toString());
        for (int frozen : new int[]{0, 1}) {
            assertInstanceOf(FrozenLayer.class, fineTuned.getLayerWiseConfigurations().getConf(frozen).getLayer());
            assertEquals(pretrained.getLayer(frozen).params(), fineTuned.getLayer(frozen).params(), "layer " + frozen);
        }
        for (int head : new int[]{4, 6}) {
            assertNotEquals(pretrained.getLayer(head).params(), fineTuned.getLayer(head).params(), "layer " + head);
        }
        assertTrue(tuned.evaluation().accuracy() >= 0.8, "accuracy on 5-9: " + tuned.evaluation().accuracy());
        assertPredictsThroughTheCli(tunedDir, "NHWC");
        long[][] confusion = tuned.evaluation().confusion();
        for (int digit = 0; digit < 5; digit++) {
            assertEquals(0, java.util.Arrays.stream(confusion[digit]).sum(), "no test image of digit " + digit);
        }

        Path lastConvDir = out.resolve("digits-5-9-last-conv");
        TrainJob.run(job(lastConvDir, 1000, "data.labels=[5,6,7,8,9]", "model.transfer.from=" + pretrainedDir,
                "model.transfer.freeze=all-but-last-conv"), spark);
        MultiLayerNetwork lastConv = store.load(lastConvDir.toString());
        assertEquals(pretrained.getLayer(0).params(), lastConv.getLayer(0).params());
        assertNotEquals(pretrained.getLayer(1).params(), lastConv.getLayer(1).params());
    }

    @Test
    void kaggleCsvFlowReportsValidationAccuracyOnATenPercentSplit() {
        Path csv = out.resolve("kaggle/train.csv");
        int code = Main.commandLine().execute("to-csv", "--images",
                TestData.mnistDir().resolve("train-images-idx3-ubyte").toString(), "--labels",
                TestData.mnistDir().resolve("train-labels-idx1-ubyte").toString(), "--limit", "3000",
                "--output", csv.toString());
        assertEquals(0, code);
        JobConfig cfg = ConfigLoader.load(TestData.projectRoot().resolve("conf/kaggle-csv.conf"), List.of(
                "data.train-csv=" + csv, "train.epochs=1", "train.batch-size-per-worker=32",
                "output.path=" + out.resolve("kaggle-model")));
        TrainResult result = TrainJob.run(cfg, spark);
        assertEquals("validation", result.heldOutRole());
        assertEquals(300, result.evaluation().examples());
        assertEquals(2700, result.training().images());
        assertTrue(result.evaluation().accuracy() >= 0.8, "validation accuracy " + result.evaluation().accuracy());
    }
}
