package io.sparkcnn.train;

import io.sparkcnn.LocalSpark;
import io.sparkcnn.TestData;
import io.sparkcnn.cli.Main;
import io.sparkcnn.config.ConfigLoader;
import io.sparkcnn.config.JobConfig;
import io.sparkcnn.store.ModelStore;
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
 * split.
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
