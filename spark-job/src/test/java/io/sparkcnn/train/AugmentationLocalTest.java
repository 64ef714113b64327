package io.sparkcnn.train;

import io.sparkcnn.LocalSpark;
import io.sparkcnn.Networks;
import io.sparkcnn.TestData;
import io.sparkcnn.config.AugmentConfig;
import io.sparkcnn.config.NativeConfig;
import io.sparkcnn.config.ConfigLoader;
import io.sparkcnn.config.JobConfig;
import io.sparkcnn.data.Augmenter;
import io.sparkcnn.data.DatasetLoader;
import io.sparkcnn.data.LabeledImages;
import io.sparkcnn.store.ModelStore;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Augmentation on the executors of {@code local[2]}: where it runs, reproducibility, a fixed set written out. */
@Tag("spark-local")
class AugmentationLocalTest {
    private static final NativeConfig NATIVES = new NativeConfig(1, "auto", true, "auto");
    private static SparkSession spark;
    private static JavaSparkContext sc;
    private static LabeledImages mnist;

    @TempDir
    static Path out;

    @BeforeAll
    static void startSpark() {
        spark = LocalSpark.start(2);
        sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        mnist = new DatasetLoader(sc.hadoopConfiguration()).idx(
                TestData.mnistDir().resolve("train-images-idx3-ubyte").toString(),
                TestData.mnistDir().resolve("train-labels-idx1-ubyte").toString(), 28, 28);
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    private static AugmentConfig defaults(String... overrides) {
        List<String> all = new java.util.ArrayList<>(List.of("augment.enabled=true"));
        all.addAll(List.of(overrides));
        return ConfigLoader.load(null, all).augment();
    }

    @Test
    void twoAndFivePartitionsGiveTheSameAugmentedSet() {
        LabeledImages images = mnist.limit(300);
        AugmentConfig cfg = defaults("augment.copies=3");
        LabeledImages two = AugmentedSet.generate(sc, images, cfg, 2);
        LabeledImages five = AugmentedSet.generate(sc, images, cfg, 5);
        assertEquals(900, two.count());
        assertArrayEquals(two.pixels(), five.pixels());
        assertArrayEquals(two.labels(), five.labels());
        assertArrayEquals(images.pixels(), Arrays.copyOf(two.pixels(), images.pixels().length), "version 0 is the original");
        assertFalse(Arrays.equals(images.pixels(), Arrays.copyOfRange(two.pixels(), images.pixels().length,
                2 * images.pixels().length)), "version 1 is augmented");
    }

    @Test
    void augmentationRunsInsideExecutorTasksNotOnTheDriver() {
        LabeledImages images = mnist.limit(2000);
        JobConfig cfg = ConfigLoader.load(null, List.of("train.batch-size-per-worker=32", "train.averaging-frequency=5"));
        MultiLayerNetwork net = new MultiLayerNetwork(Networks.build("seed-fc", 1));
        net.init();
        long before = Augmenter.augmentedInThisJvm();
        try (SparkTrainer trainer = new SparkTrainer(sc, net, cfg.train(), defaults(), NATIVES)) {
            trainer.fitEpoch(images, 0);
            trainer.fitEpoch(images, 1);
            // The images of both epochs were augmented as the tasks built their minibatches, counted by those
            // tasks; the JVM-wide count of augmentations (driver and executors share this JVM in local mode) is no
            // larger, so none ran outside. Each epoch's 63 minibatches are 6 rounds of 2 workers x 5 and a round
            // of the 3 left (one of them the last 16 images): every image is trained once per epoch.
            long inTasks = trainer.augmentedInTasks();
            assertEquals(4000, inTasks, "augmented in tasks");
            assertEquals(4000, trainer.imagesBuiltInTasks(), "built into training minibatches in tasks");
            assertEquals(7, trainer.epochRoundLosses().size(), "rounds of the last epoch: 6 whole and 1 short");
            assertEquals(inTasks, Augmenter.augmentedInThisJvm() - before);
        }
    }

    @Test
    void aFixedSetTrainsAndIsWrittenOnceToTrainFromLater() {
        JobConfig cfg = ConfigLoader.load(null, List.of("data.dir=" + TestData.mnistDir(), "data.train-limit=2000",
                "data.test-limit=500", "train.batch-size-per-worker=32", "train.averaging-frequency=5",
                "augment.enabled=true", "augment.mode=fixed", "augment.copies=2", "output.path=" + out.resolve("fixed")));
        TrainResult result = TrainJob.run(cfg, spark);
        assertEquals(4000, result.training().images(), "2 versions of 2000 images");
        assertTrue(result.evaluation().accuracy() >= 0.8, "accuracy " + result.evaluation().accuracy());

        LabeledImages set = AugmentedSet.generate(sc, mnist.limit(500), cfg.augment(), 2);
        String dir = out.resolve("augmented").toString();
        new ModelStore(sc.hadoopConfiguration()).saveImages(dir, false, set);
        LabeledImages back = new DatasetLoader(sc.hadoopConfiguration()).idx(dir + "/" + ModelStore.TRAIN_IMAGES_FILE,
                dir + "/" + ModelStore.TRAIN_LABELS_FILE, 28, 28);
        assertArrayEquals(set.pixels(), back.pixels());
        assertArrayEquals(set.labels(), back.labels());
    }
}
