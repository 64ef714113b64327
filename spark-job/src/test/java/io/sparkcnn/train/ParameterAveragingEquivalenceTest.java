package io.sparkcnn.train;

import io.sparkcnn.LocalSpark;
import io.sparkcnn.Networks;
import io.sparkcnn.TestData;
import io.sparkcnn.config.AugmentConfig;
import io.sparkcnn.config.GradientSharingConfig;
import io.sparkcnn.config.NativeConfig;
import io.sparkcnn.config.NetworkConfig;
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
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * As in DL4J's own suite: parameter averaging with a single worker is plain minibatch training, so the
 * Spark path must end with the same parameters as fitting the same minibatches on one machine. Dropout
 * draws from a per-thread random stream that differs between the test thread and the executor's task
 * thread, so it keeps every unit here ({@code Dropout(1.0)}); everything else is the presets as they train,
 * the speed-ups of {@link FastLayers} included (bfloat16 where this CPU takes it): the trainer's hook installs them
 * on the worker, the test on one machine.
 */
@Tag("spark-local")
class ParameterAveragingEquivalenceTest {
    private static final NativeConfig NATIVES = new NativeConfig(1, "auto", true, "auto");
    private static SparkSession spark;

    @BeforeAll
    static void startSpark() {
        spark = LocalSpark.start(1);
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    @Test
    void oneWorkerEqualsSingleMachineTraining() {
        LabeledImages images = TestData.mnistTraining(48);
        List<ImageBatch> batches = images.batches(16, null);
        List<int[]> indices = images.batchIndices(16, null);
        Map<String, NetworkConfig> networks = new LinkedHashMap<>();
        networks.put("seed-fc", Networks.preset("seed-fc"));
        networks.put("seed-cnn", Networks.preset("seed-cnn"));
        networks.put("seed-cnn-same, symmetric padding", Networks.preset("seed-cnn-same", "padding-kind=symmetric"));
        for (Map.Entry<String, NetworkConfig> entry : networks.entrySet()) {
            String preset = entry.getKey();
            MultiLayerConfiguration conf = withoutDropout(NetworkFactory.build(entry.getValue(), 42, 28, 28));

            MultiLayerNetwork local = new MultiLayerNetwork(conf.clone());
            local.init();
            FastLayers.install(local, Bf16ConvHelper.Mode.AUTO);
            INDArray initial = local.params().dup();
            for (ImageBatch b : batches) {
                local.fit(b.toDataSet());
            }

            TrainConfig cfg = new TrainConfig(1, 16, 1, 1, 42, 0, false, 0, OuterConfig.none(),
                    TrainConfig.PARAMETER_AVERAGING, GradientSharingConfig.DEFAULTS, ScalingConfig.DEFAULTS);
            MultiLayerNetwork start = new MultiLayerNetwork(conf.clone());
            start.init();
            try (SparkTrainer trainer = new SparkTrainer(JavaSparkContext.fromSparkContext(spark.sparkContext()),
                    start, cfg, AugmentConfig.off(), NATIVES)) {
                assertEquals(initial, trainer.network().params(), preset + ": same initial parameters");
                for (int[] batch : indices) {
                    trainer.fit(images, List.of(batch));
                }
                INDArray distributed = trainer.network().params();
                double initialDistance = local.params().distance1(initial);
                double maxDiff = local.params().sub(distributed).amaxNumber().doubleValue();
                assertTrue(initialDistance > 1e-3, preset + ": training moved the parameters");
                assertTrue(maxDiff <= 1e-6, preset + ": largest parameter difference " + maxDiff);
            }
        }
    }

    /**
     * The learning rate schedule reaches the worker: two epochs of SGD whose rate halves every epoch end where they end
     * on one machine, and elsewhere than without the schedule.
     */
    @Test
    void theLearningRateScheduleFollowsTheEpochOnTheWorker() {
        LabeledImages images = TestData.mnistTraining(32);
        List<ImageBatch> batches = images.batches(16, null);
        List<int[]> indices = images.batchIndices(16, null);
        MultiLayerConfiguration conf = withoutDropout(NetworkFactory.build(Networks.preset("seed-fc",
                "updater={type=sgd,learning-rate=0.1,schedule={type=exponential,gamma=0.5}}"), 42, 28, 28));
        MultiLayerConfiguration constant = withoutDropout(NetworkFactory.build(Networks.preset("seed-fc",
                "updater={type=sgd,learning-rate=0.1}"), 42, 28, 28));
        INDArray[] local = new INDArray[2];
        MultiLayerConfiguration[] confs = {conf, constant};
        for (int k = 0; k < 2; k++) {
            MultiLayerNetwork net = new MultiLayerNetwork(confs[k].clone());
            net.init();
            FastLayers.install(net, Bf16ConvHelper.Mode.AUTO);
            for (int epoch = 0; epoch < 2; epoch++) {
                net.getLayerWiseConfigurations().setEpochCount(epoch);
                for (ImageBatch b : batches) {
                    net.fit(b.toDataSet());
                }
            }
            local[k] = net.params();
        }
        TrainConfig cfg = new TrainConfig(2, 16, 1, 1, 42, 0, false, 0, OuterConfig.none(),
                TrainConfig.PARAMETER_AVERAGING, GradientSharingConfig.DEFAULTS, ScalingConfig.DEFAULTS);
        MultiLayerNetwork start = new MultiLayerNetwork(conf.clone());
        start.init();
        try (SparkTrainer trainer = new SparkTrainer(JavaSparkContext.fromSparkContext(spark.sparkContext()),
                start, cfg, AugmentConfig.off(), NATIVES)) {
            for (int epoch = 0; epoch < 2; epoch++) {
                trainer.startEpoch(epoch);
                for (int[] batch : indices) { // one call each: a call may fit its minibatches in any order
                    trainer.fit(images, List.of(batch));
                }
            }
            INDArray distributed = trainer.network().params();
            double maxDiff = local[0].sub(distributed).amaxNumber().doubleValue();
            assertTrue(maxDiff <= 1e-6, "largest parameter difference " + maxDiff);
            assertTrue(local[1].sub(distributed).amaxNumber().doubleValue() > 1e-4, "the schedule changed the steps");
        }
    }

    private static MultiLayerConfiguration withoutDropout(MultiLayerConfiguration conf) {
        for (NeuralNetConfiguration layer : conf.getConfs()) {
            if (layer.getLayer().getIDropout() != null) {
                layer.getLayer().setIDropout(new Dropout(1.0));
            }
        }
        return conf;
    }
}
