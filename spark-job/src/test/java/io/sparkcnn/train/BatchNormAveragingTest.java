package io.sparkcnn.train;

import io.sparkcnn.LocalSpark;
import io.sparkcnn.Networks;
import io.sparkcnn.TestData;
import io.sparkcnn.config.AugmentConfig;
import io.sparkcnn.config.GradientSharingConfig;
import io.sparkcnn.config.NativeConfig;
import io.sparkcnn.config.OuterConfig;
import io.sparkcnn.config.ScalingConfig;
import io.sparkcnn.config.TrainConfig;
import io.sparkcnn.data.ImageBatch;
import io.sparkcnn.data.LabeledImages;
import io.sparkcnn.model.NetworkFactory;
import io.sparkcnn.model.layers.Bf16ConvHelper;
import io.sparkcnn.model.layers.FastLayers;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Batch normalization under parameter averaging on {@code local[2]}: after a round in which each of two workers fits
 * one minibatch, the driver's moving means and variances are the average of what each worker's network holds after
 * fitting its minibatch alone (computed here on one machine), even with the outer Nesterov step, which extrapolates
 * the trained weights (checked too) but must not extrapolate statistics ({@link MovingStatistics}).
 */
@Tag("spark-local")
class BatchNormAveragingTest {
    private static final NativeConfig NATIVES = new NativeConfig(1, "auto", true, "auto");
    private static final String LAYERS = "layers=[{type=conv,filters=8,kernel=3,activation=relu},{type=batch-norm},"
            + "{type=conv,filters=16,kernel=3,stride=2,activation=relu},{type=batch-norm,momentum=0.9},"
            + "{type=dense,units=24,activation=relu},{type=batch-norm},{type=output,units=10}]";
    private static SparkSession spark;

    @BeforeAll
    static void startSpark() {
        spark = LocalSpark.start(2);
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        double scale = Math.max(1e-3, expected.amaxNumber().doubleValue());
        double worst = expected.sub(actual).amaxNumber().doubleValue() / scale;
        assertTrue(worst <= 1e-5, what + ": largest difference " + worst + " of the largest value " + scale);
    }

    @Test
    void movingStatisticsAreTheWorkersAverageAndWeightsTakeTheOuterStep() {
        LabeledImages images = TestData.mnistTraining(32);
        List<ImageBatch> batches = images.batches(16, null);
        List<int[]> indices = images.batchIndices(16, null);
        MultiLayerConfiguration conf = NetworkFactory.build(Networks.preset("seed-cnn", LAYERS,
                "updater={type=adam,learning-rate=0.01}"), 42, 28, 28);

        INDArray[] alone = new INDArray[2];
        INDArray initial = null;
        for (int w = 0; w < 2; w++) {
            MultiLayerNetwork net = new MultiLayerNetwork(conf.clone());
            net.init();
            FastLayers.install(net, Bf16ConvHelper.Mode.AUTO);
            initial = net.params().dup();
            net.fit(batches.get(w).toDataSet());
            alone[w] = net.params().dup();
        }
        INDArray average = alone[0].add(alone[1]).divi(2);

        TrainConfig cfg = new TrainConfig(1, 16, 1, 2, 42, 0, false, 0, new OuterConfig("nesterov", 1.0, 0.5),
                TrainConfig.PARAMETER_AVERAGING, GradientSharingConfig.DEFAULTS, ScalingConfig.DEFAULTS);
        MultiLayerNetwork start = new MultiLayerNetwork(conf.clone());
        start.init();
        try (SparkTrainer trainer = new SparkTrainer(JavaSparkContext.fromSparkContext(spark.sparkContext()),
                start, cfg, AugmentConfig.off(), NATIVES)) {
            assertClose(initial, trainer.network().params(), "same initial parameters");
            trainer.fit(images, indices);
            MultiLayerNetwork driver = trainer.network();
            MultiLayerNetwork expected = new MultiLayerNetwork(conf.clone());
            expected.init(average.dup(), false);
            for (String stat : new String[]{"1_mean", "1_var", "3_mean", "3_var", "5_mean", "5_var"}) {
                assertClose(expected.getParam(stat), driver.getParam(stat), stat + ": the workers' average");
            }
            assertTrue(expected.getParam("1_mean").amaxNumber().doubleValue() > 1e-4, "the statistics moved");
            MultiLayerNetwork start2 = new MultiLayerNetwork(conf.clone());
            start2.init(initial.dup(), false);
            for (String weight : new String[]{"0_W", "1_gamma", "2_W", "5_beta", "6_W"}) {
                INDArray avg = expected.getParam(weight);
                INDArray nesterov = avg.add(avg.sub(start2.getParam(weight)).muli(0.5));
                assertClose(nesterov, driver.getParam(weight), weight + ": average + 0.5 x its step (Nesterov)");
            }
        }
    }
}
