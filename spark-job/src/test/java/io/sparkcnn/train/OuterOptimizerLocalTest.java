package io.sparkcnn.train;

import io.sparkcnn.LocalSpark;
import io.sparkcnn.Networks;
import io.sparkcnn.TestData;
import io.sparkcnn.config.AugmentConfig;
import io.sparkcnn.config.NativeConfig;
import io.sparkcnn.config.GradientSharingConfig;
import io.sparkcnn.config.OuterConfig;
import io.sparkcnn.config.ScalingConfig;
import io.sparkcnn.config.TrainConfig;
import io.sparkcnn.data.ImageBatch;
import io.sparkcnn.data.LabeledImages;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The driver's outer step ({@link OuterOptimizer}) and the partition-order sum ({@link PartitionOrderSum}) on
 * Spark: lr 1 with momentum 0 is plain averaging bit for bit, one worker follows the closed form, runs with the
 * same seeds end with the same bits at several worker counts, and a run resumed from a checkpoint in the middle of
 * an epoch ends with the bits of the uninterrupted one. Workers are simulated as partitions of a {@code local[2]}
 * session ({@code train.workers}); the results cannot depend on how many run at once.
 */
@Tag("spark-local")
class OuterOptimizerLocalTest {
    private static final NativeConfig NATIVES = new NativeConfig(1, "auto", true, "auto");
    private static SparkSession spark;
    private static JavaSparkContext sc;
    private static LabeledImages images;

    @TempDir
    Path dir;

    @BeforeAll
    static void startSpark() {
        spark = LocalSpark.start(2);
        sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        images = TestData.mnistTraining(640);
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    private static TrainConfig train(int workers, int frequency, OuterConfig outer) {
        return new TrainConfig(1, 16, frequency, workers, 42, 0, true, 0, outer, TrainConfig.PARAMETER_AVERAGING,
                GradientSharingConfig.DEFAULTS, ScalingConfig.OFF);
    }

    /** seed-fc (Adam, dropout) after one epoch of the 640 images with these settings: its parameters' bits. */
    private static float[] fcEpoch(TrainConfig cfg) {
        MultiLayerNetwork net = new MultiLayerNetwork(Networks.build("seed-fc", 42));
        net.init();
        try (SparkTrainer trainer = new SparkTrainer(sc, net, cfg, AugmentConfig.off(), NATIVES)) {
            trainer.fitEpoch(images, 0);
            return trainer.network().params().toFloatVector();
        }
    }

    @Test
    void outerLrOneAndMomentumZeroIsPlainAveragingBitForBit() {
        for (int workers : List.of(3, 6)) {
            float[] plain = fcEpoch(train(workers, 2, OuterConfig.none()));
            assertArrayEquals(plain, fcEpoch(train(workers, 2, new OuterConfig("nesterov", 1, 0))),
                    workers + " workers: nesterov, lr 1, momentum 0");
            assertArrayEquals(plain, fcEpoch(train(workers, 2, new OuterConfig("heavy-ball", 1, 0))),
                    workers + " workers: heavy-ball, lr 1, momentum 0");
            assertFalse(Arrays.equals(plain, fcEpoch(train(workers, 2, new OuterConfig("nesterov", 0.7, 0.9)))),
                    workers + " workers: a real outer momentum changes the parameters");
        }
    }

    @Test
    void runsWithTheSameSeedsEndWithTheSameBitsAtEveryWorkerCount() {
        for (int workers : List.of(3, 5, 9)) {
            TrainConfig cfg = train(workers, 2, new OuterConfig("nesterov", 0.7, 0.9));
            assertArrayEquals(fcEpoch(cfg), fcEpoch(cfg), workers + " workers, two runs");
        }
    }

    /**
     * Softmax regression with plain SGD on one worker: every round the worker fits two minibatches from the global
     * parameters, and the driver's step is computed here again in double precision from the formulas.
     */
    @Test
    void oneWorkerFollowsTheClosedForm() {
        for (OuterConfig outer : List.of(new OuterConfig("nesterov", 0.7, 0.9), new OuterConfig("heavy-ball", 1.0, 0.5))) {
            MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).updater(new Sgd(0.05)).list()
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(784).nOut(10)
                            .activation(Activation.SOFTMAX).build())
                    .build();
            MultiLayerNetwork start = new MultiLayerNetwork(conf.clone());
            start.init();
            double[] theta = start.params().toDoubleVector();
            double[] v = new double[theta.length];
            List<int[]> batches = images.batchIndices(16, null);
            ImageBatch all = ImageBatch.of(images);
            try (SparkTrainer trainer = new SparkTrainer(sc, start, train(1, 2, outer), AugmentConfig.off(),
                    NATIVES)) {
                for (int round = 0; round < 4; round++) {
                    List<int[]> pair = batches.subList(2 * round, 2 * round + 2);
                    trainer.fit(images, pair);

                    MultiLayerNetwork local = new MultiLayerNetwork(conf.clone());
                    local.init();
                    local.setParams(org.nd4j.linalg.factory.Nd4j.createFromArray(theta).castTo(local.params().dataType())
                            .reshape(local.params().shape()));
                    float[] startBits = local.params().toFloatVector();
                    for (int[] b : pair) {
                        local.fit(all.select(b).toDataSet());
                    }
                    double[] average = local.params().toDoubleVector();
                    for (int i = 0; i < theta.length; i++) {
                        double previous = startBits[i];
                        double delta = average[i] - previous;
                        if (outer.method().equals("nesterov")) {
                            v[i] = outer.momentum() * v[i] + delta;
                            theta[i] = previous + outer.lr() * (delta + outer.momentum() * v[i]);
                        } else {
                            v[i] = outer.momentum() * v[i] + outer.lr() * delta;
                            theta[i] = previous + v[i];
                        }
                    }
                    double[] distributed = trainer.network().params().toDoubleVector();
                    double maxDiff = 0;
                    double moved = 0;
                    for (int i = 0; i < theta.length; i++) {
                        maxDiff = Math.max(maxDiff, Math.abs(theta[i] - distributed[i]));
                        moved = Math.max(moved, Math.abs(distributed[i] - startBits[i]));
                    }
                    assertTrue(moved > 1e-3, outer + ", round " + round + ": the step moved the parameters by " + moved);
                    assertTrue(maxDiff <= 1e-6, outer + ", round " + round + ": largest difference from the closed form "
                            + maxDiff);
                }
            }
        }
    }

    @Test
    void aRunResumedFromACheckpointMidEpochEndsWithTheBitsOfTheUninterruptedRun() {
        TrainConfig cfg = train(3, 2, new OuterConfig("nesterov", 0.7, 0.9));
        Checkpoints checkpoints = new Checkpoints(new Configuration(), dir.resolve("ckpt").toString(), "hash", 2);
        int segment = 3 * 2 * 2;
        List<Integer> saved = new ArrayList<>();
        float[] uninterrupted;
        MultiLayerNetwork net = new MultiLayerNetwork(Networks.build("seed-fc", 42));
        net.init();
        try (SparkTrainer trainer = new SparkTrainer(sc, net, cfg, AugmentConfig.off(), NATIVES)) {
            trainer.fitEpoch(images, 0, 0, segment, done -> {
                if (saved.isEmpty()) {
                    saved.add(done);
                    checkpoints.save(trainer.network(), 0, done, new double[1], TrainingHistory.empty("test"),
                            List.of(), null, trainer.outerOptimizer().toBytes());
                }
            });
            uninterrupted = trainer.network().params().toFloatVector();
        }
        assertEquals(List.of(segment), saved);

        Checkpoints.Checkpoint cp = checkpoints.latest().orElseThrow();
        try (SparkTrainer resumed = new SparkTrainer(sc, cp.network(), cfg, AugmentConfig.off(), NATIVES)) {
            resumed.outerOptimizer().restore(cp.outerState(), resumed.network().params());
            resumed.fitEpoch(images, 0, cp.batchesDone(), segment, done -> { });
            assertArrayEquals(uninterrupted, resumed.network().params().toFloatVector(),
                    "resumed after " + cp.batchesDone() + " minibatches");
        }
    }
}
