package io.sparkcnn.model.layers;

import io.sparkcnn.Networks;
import io.sparkcnn.model.NetworkFactory;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link FastBatchNormHelper} computes what DL4J's own batch normalization computes in double precision: outputs in
 * training and at inference, every gradient, and the parameters and moving means and variances after training, in a
 * network with batch normalization of NHWC images and of flat rows (the latter DL4J's own code), to float rounding.
 * NCHW images go to the helper DL4J chose.
 *
 * <p>The reference is DL4J in double precision because DL4J in float is not one: after two SGD steps the weights of
 * the ReLU convolutions in front of batch normalization were up to 1e-3 away from DL4J's double ones with its float
 * code (its oneDNN helper or its own), within 4e-6 with this helper (measured on a Xeon with AVX-512 while writing
 * this test). On an AMD EPYC both float networks, with this helper and with DL4J's oneDNN one, drift alike from the
 * double one in those two steps (1_gamma 3.4e-4, 1_beta 8.3e-3, the first convolution's weights 2.6e-3 of their
 * largest value), because there the float convolutions' rounding dominates. So after training, each parameter of
 * the network with this helper must be as close to double as DL4J's own float network's is (within a factor
 * 1.5), or within 1e-4; a helper that computed batch normalization differently would move far more.
 */
@Tag("unit")
class FastBatchNormHelperTest {
    private static final String LAYERS = "layers=[{type=conv,filters=8,kernel=3,activation=relu},{type=batch-norm},"
            + "{type=conv,filters=16,kernel=3,stride=2,activation=relu},{type=batch-norm,momentum=0.9},"
            + "{type=dense,units=24,activation=relu},{type=batch-norm},{type=output,units=10}]";

    private static DataSet minibatch(long seed, int n, DataType type) {
        Nd4j.getRandom().setSeed(seed);
        INDArray features = Nd4j.rand(DataType.FLOAT, n, 28 * 28);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, n, 10);
        for (int i = 0; i < n; i++) {
            labels.putScalar(i, (i * 7 + seed) % 10, 1f);
        }
        return new DataSet(features.castTo(type), labels.castTo(type));
    }

    /** A float network with this helper, and the same network (same weights) in double precision without it. */
    private static MultiLayerNetwork[] ourAndReference(String layers) {
        // plain SGD: adaptive updaters magnify float rounding in near-zero gradients into different steps
        MultiLayerConfiguration conf = NetworkFactory.build(Networks.preset("seed-cnn", layers,
                "updater={type=sgd,learning-rate=0.1}"), 3, 28, 28);
        MultiLayerNetwork ours = new MultiLayerNetwork(conf);
        ours.init();
        MultiLayerNetwork reference = ours.convertDataType(DataType.DOUBLE);
        MultiLayerNetwork dl4jFloat = ours.clone();
        int layersWithIt = FastBatchNormHelper.install(ours);
        assertEquals(layers.split("batch-norm").length - 1, layersWithIt);
        assertEquals(layersWithIt, FastBatchNormHelper.install(ours), "again: nothing more to do");
        return new MultiLayerNetwork[]{ours, reference, dl4jFloat};
    }

    private static void assertClose(INDArray expected, INDArray actual, double tolerance, String what) {
        INDArray e = expected.castTo(DataType.DOUBLE);
        double scale = Math.max(1e-3, e.amaxNumber().doubleValue());
        double worst = e.sub(actual.castTo(DataType.DOUBLE)).amaxNumber().doubleValue() / scale;
        assertTrue(worst <= tolerance, what + ": largest difference " + worst + " of the largest value " + scale);
    }

    /** The largest difference between {@code expected} and {@code actual}, relative to the largest expected value. */
    private static double distance(INDArray expected, INDArray actual) {
        INDArray e = expected.castTo(DataType.DOUBLE);
        return e.sub(actual.castTo(DataType.DOUBLE)).amaxNumber().doubleValue() / Math.max(1e-3, e.amaxNumber().doubleValue());
    }

    /** {@code ours} is as close to {@code reference} as DL4J's float code is (factor 1.5), or within 1e-4. */
    private static void assertNoFurtherThanDl4jsFloat(INDArray reference, INDArray dl4jFloat, INDArray ours, String what) {
        double theirs = distance(reference, dl4jFloat);
        double mine = distance(reference, ours);
        assertTrue(mine <= Math.max(1e-4, 1.5 * theirs), what + ": " + mine + " from double, DL4J's float code " + theirs);
    }

    private static void gradients(MultiLayerNetwork net, DataSet batch) {
        net.setInput(batch.getFeatures());
        net.setLabels(batch.getLabels());
        net.computeGradientAndScore();
    }

    @Test
    void nhwcImagesAndFlatRowsGiveDl4jsValues() {
        MultiLayerNetwork[] nets = ourAndReference(LAYERS);
        MultiLayerNetwork ours = nets[0];
        MultiLayerNetwork reference = nets[1];
        MultiLayerNetwork dl4jFloat = nets[2];
        assertInstanceOf(FastBatchNormHelper.class, ours.getLayer(1).getHelper());
        assertFalse(dl4jFloat.getLayer(1).getHelper() instanceof FastBatchNormHelper);
        for (String p : new String[]{"1_mean", "3_mean", "5_mean"}) { // moving averages away from their start
            ours.getParam(p).assign(0.25);
            reference.getParam(p).assign(0.25);
            dl4jFloat.getParam(p).assign(0.25);
        }

        DataSet batch = minibatch(1, 16, DataType.FLOAT);
        DataSet batchD = minibatch(1, 16, DataType.DOUBLE);
        assertClose(reference.feedForward(batchD.getFeatures(), true).get(7),
                ours.feedForward(batch.getFeatures(), true).get(7), 1e-5, "training-mode output");
        gradients(ours, batch);
        gradients(reference, batchD);
        Map<String, INDArray> actual = ours.gradient().gradientForVariable();
        for (Map.Entry<String, INDArray> e : reference.gradient().gradientForVariable().entrySet()) {
            assertClose(e.getValue(), actual.get(e.getKey()), 1e-4, "gradient of " + e.getKey());
        }
        assertEquals(reference.gradient().gradientForVariable().keySet(), actual.keySet());

        for (int i = 0; i < 2; i++) {
            ours.fit(minibatch(10 + i, 16, DataType.FLOAT));
            dl4jFloat.fit(minibatch(10 + i, 16, DataType.FLOAT));
            reference.fit(minibatch(10 + i, 16, DataType.DOUBLE));
        }
        for (String p : new String[]{"1_mean", "1_var", "3_mean", "3_var", "5_mean", "5_var", "1_gamma", "1_beta",
                "3_gamma", "3_beta", "5_gamma", "5_beta"}) {
            assertNoFurtherThanDl4jsFloat(reference.getParam(p), dl4jFloat.getParam(p), ours.getParam(p),
                    p + " after two minibatches");
        }
        for (String p : new String[]{"1_mean", "1_var", "3_mean", "3_var", "5_mean", "5_var"}) {
            assertClose(reference.getParam(p), ours.getParam(p), 1e-5, p + " (moving statistics) after two minibatches");
        }
        assertNotEquals(0.25, ours.getParam("3_mean").getDouble(0), "the moving mean moved");
        assertNoFurtherThanDl4jsFloat(reference.params(), dl4jFloat.params(), ours.params(),
                "all parameters after two minibatches");
        INDArray test = minibatch(99, 32, DataType.FLOAT).getFeatures();
        assertNoFurtherThanDl4jsFloat(reference.output(test.castTo(DataType.DOUBLE)), dl4jFloat.output(test),
                ours.output(test), "inference output");
    }

    /** 1x1 images (a convolution as large as its input), whose size-1 dimensions ND4J gives unusual strides. */
    @Test
    void oneByOneImages() {
        MultiLayerNetwork[] nets = ourAndReference("layers=[{type=conv,filters=8,kernel=3,activation=relu},"
                + "{type=batch-norm},{type=conv,filters=16,kernel=26,activation=relu},{type=batch-norm},{type=output,units=10}]");
        gradients(nets[0], minibatch(3, 16, DataType.FLOAT));
        gradients(nets[1], minibatch(3, 16, DataType.DOUBLE));
        for (Map.Entry<String, INDArray> e : nets[1].gradient().gradientForVariable().entrySet()) {
            assertClose(e.getValue(), nets[0].gradient().getGradientFor(e.getKey()), 1e-4, "gradient of " + e.getKey());
        }
    }

    /** One minibatch moves the moving averages by (1 - momentum) towards the batch mean and biased variance. */
    @Test
    void movingAveragesTakeTheBatchStatistics() {
        MultiLayerNetwork ours = ourAndReference(LAYERS)[0];
        DataSet batch = minibatch(5, 16, DataType.FLOAT);
        INDArray conv = ours.feedForward(batch.getFeatures(), true).get(1); // NHWC [16, 26, 26, 8]
        INDArray rows = conv.dup('c').reshape(16L * 26 * 26, 8);
        INDArray mean0 = ours.getParam("1_mean").dup();
        INDArray var0 = ours.getParam("1_var").dup();
        ours.fit(batch);
        assertClose(mean0.mul(0.99).add(rows.mean(0).mul(0.01)), ours.getParam("1_mean"), 1e-5, "moving mean");
        assertClose(var0.mul(0.99).add(rows.var(false, 0).mul(0.01)), ours.getParam("1_var"), 1e-5,
                "moving variance");
    }

    @Test
    void nchwImagesGoToTheHelperDl4jChose() throws IllegalAccessException {
        // edge padding keeps the network NCHW (NetworkFactory.nhwcSafe)
        String layers = LAYERS.replace("{type=conv,filters=8,kernel=3,activation=relu}",
                "{type=conv,filters=8,kernel=3,padding=1,padding-kind=edge,activation=relu}");
        MultiLayerConfiguration conf = NetworkFactory.build(Networks.preset("seed-cnn", layers), 3, 28, 28);
        MultiLayerNetwork theirs = new MultiLayerNetwork(conf.clone());
        theirs.init();
        MultiLayerNetwork ours = new MultiLayerNetwork(conf.clone());
        ours.init(theirs.params().dup(), true);
        Layer bn = theirs.getLayer(2);
        assertInstanceOf(BatchNormalization.class, bn);
        FastBatchNormHelper.install(ours);
        DataSet batch = minibatch(2, 8, DataType.FLOAT);
        for (int i = 0; i < 2; i++) {
            Nd4j.getRandom().setSeed(7);
            theirs.fit(batch);
            Nd4j.getRandom().setSeed(7);
            ours.fit(batch);
        }
        assertEquals(theirs.params(), ours.params(), "NCHW: the helper DL4J chose, bit for bit");
    }
}
