package io.sparkcnn.model.layers;

import io.sparkcnn.Networks;
import io.sparkcnn.model.NetworkFactory;
import io.sparkcnn.model.layers.Bf16ConvHelper.Mode;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.AdaDelta;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The bfloat16 helper against DL4J's float oneDNN helper on the same network, parameters and minibatch: outputs
 * and gradients agree to bfloat16's precision, training is reproducible, and only multi-channel NHWC convolutions
 * are taken. Runs where this CPU has AMX-BF16 (the helper's default); elsewhere it is skipped, as the helper is.
 */
@Tag("unit")
class Bf16ConvHelperTest {
    private static final int SIZE = 12;

    @BeforeAll
    static void needsAmx() {
        assumeTrue(Bf16ConvHelper.usable(Mode.AUTO), Bf16ConvHelper.describe(Mode.AUTO));
    }

    private static MultiLayerConfiguration net(int kernel, int stride, int padding, boolean bias) {
        return new NeuralNetConfiguration.Builder().seed(5).weightInit(WeightInit.XAVIER_UNIFORM)
                .updater(AdaDelta.builder().rho(0.95).epsilon(1e-6).build()).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(8).activation(Activation.TANH).build())
                .layer(new ConvolutionLayer.Builder(kernel, kernel).stride(stride, stride).padding(padding, padding)
                        .hasBias(bias).nOut(6).activation(new FastRelu()).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(5)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(SIZE, SIZE, 1, CNN2DFormat.NHWC)).build();
    }

    private static double relativeDifference(INDArray expected, INDArray actual) {
        return expected.sub(actual.reshape(expected.shape())).norm2Number().doubleValue()
                / expected.norm2Number().doubleValue();
    }

    private static INDArray labels(int n) {
        INDArray labels = Nd4j.zeros(DataType.FLOAT, n, 5);
        for (int i = 0; i < n; i++) {
            labels.putScalar(i, i % 5, 1f);
        }
        return labels;
    }

    private static void assertCloseToFloat(MultiLayerConfiguration conf) {
        Nd4j.getRandom().setSeed(9);
        int n = 7;
        INDArray features = Nd4j.rand(DataType.FLOAT, n, SIZE, SIZE, 1);
        MultiLayerNetwork theirs = new MultiLayerNetwork(conf.clone());
        theirs.init();
        MultiLayerNetwork ours = new MultiLayerNetwork(conf.clone());
        ours.init(theirs.params().dup(), true);
        assertEquals(1, Bf16ConvHelper.install(ours, Mode.AUTO));
        assertSame(MKLDNNConvHelper.class, ours.getLayer(0).getHelper().getClass(), "one input channel");
        Bf16ConvHelper helper = assertInstanceOf(Bf16ConvHelper.class, ours.getLayer(1).getHelper());

        double outputDiff = relativeDifference(theirs.output(features), ours.output(features));
        assertTrue(outputDiff < 1e-2, "output: relative difference " + outputDiff);
        Pair<Gradient, INDArray> expected = theirs.calculateGradients(features, labels(n), null, null);
        Pair<Gradient, INDArray> actual = ours.calculateGradients(features, labels(n), null, null);
        Map<String, INDArray> expectedGrads = expected.getFirst().gradientForVariable();
        assertEquals(expectedGrads.keySet(), actual.getFirst().gradientForVariable().keySet());
        for (Map.Entry<String, INDArray> e : expectedGrads.entrySet()) {
            assertTrue(e.getValue().norm2Number().doubleValue() > 0, e.getKey() + " is zero");
        }
        double gradientDiff = relativeDifference(expected.getFirst().gradient(), actual.getFirst().gradient());
        assertTrue(gradientDiff < 5e-2, "all parameters' gradient: relative difference " + gradientDiff);
        double inputDiff = relativeDifference(expected.getSecond(), actual.getSecond());
        assertTrue(inputDiff < 1e-1, "input gradient: relative difference " + inputDiff);
        // output's forward pass; calculateGradients' forward pass, again in backpropagation (no cache), backward pass
        assertEquals(4, helper.ownPasses(), "passes computed by the helper itself");
    }

    /** One convolution's passes against sums in double: bfloat16's 8-bit mantissa gives about 0.3 % here. */
    @Test
    void passesMatchExactSumsToBfloat16Precision() {
        assertExact(3, 1, 0, true);
        assertExact(3, 2, 1, true);
        assertExact(2, 1, 0, false);
    }

    private static void assertExact(int k, int stride, int pad, boolean bias) {
        int n = 5, h = 9, c = 8, oc = 6;
        int oh = (h + 2 * pad - k) / stride + 1;
        int far = (oh - 1) * stride + k - h - pad;
        Nd4j.getRandom().setSeed(1);
        INDArray x = Nd4j.randn(DataType.FLOAT, n, h, h, c);
        INDArray w = Nd4j.randn(DataType.FLOAT, oc, c, k, k);
        INDArray b = Nd4j.randn(DataType.FLOAT, oc);
        INDArray delta = Nd4j.randn(DataType.FLOAT, n, oh, oh, oc);
        INDArray out = Nd4j.create(DataType.FLOAT, n, oh, oh, oc);
        INDArray dx = Nd4j.create(DataType.FLOAT, n, h, h, c);
        INDArray dw = Nd4j.create(DataType.FLOAT, oc, c, k, k);
        INDArray db = Nd4j.create(DataType.FLOAT, oc);
        OneDnnBf16.Shape shape = new OneDnnBf16.Shape(n, h, h, c, oc, k, k, stride, stride, pad, pad, far, far, oh,
                oh, bias);
        OneDnnBf16.forward(shape, x, w, b, out);
        OneDnnBf16.backward(shape, x, w, delta, dx, dw, bias ? db : null, 0);
        INDArray rOut = Nd4j.create(DataType.DOUBLE, n, oh, oh, oc);
        INDArray rdx = Nd4j.create(DataType.DOUBLE, n, h, h, c);
        INDArray rdw = Nd4j.create(DataType.DOUBLE, oc, c, k, k);
        INDArray rdb = Nd4j.create(DataType.DOUBLE, oc);
        for (int m = 0; m < n; m++) {
            for (int y = 0; y < oh; y++) {
                for (int z = 0; z < oh; z++) {
                    for (int o = 0; o < oc; o++) {
                        double g = delta.getDouble(m, y, z, o);
                        double sum = b.getDouble(o);
                        rdb.putScalar(o, rdb.getDouble(o) + g);
                        for (int i = 0; i < k; i++) {
                            for (int j = 0; j < k; j++) {
                                int row = y * stride + i - pad;
                                int col = z * stride + j - pad;
                                if (row < 0 || row >= h || col < 0 || col >= h) {
                                    continue;
                                }
                                for (int ch = 0; ch < c; ch++) {
                                    double xv = x.getDouble(m, row, col, ch);
                                    double wv = w.getDouble(o, ch, i, j);
                                    sum += xv * wv;
                                    long[] wAt = {o, ch, i, j};
                                    long[] xAt = {m, row, col, ch};
                                    rdw.putScalar(wAt, rdw.getDouble(wAt) + g * xv);
                                    rdx.putScalar(xAt, rdx.getDouble(xAt) + g * wv);
                                }
                            }
                        }
                        rOut.putScalar(new long[] {m, y, z, o}, sum);
                    }
                }
            }
        }
        Object[][] pairs = {{"output", rOut, out}, {"input gradient", rdx, dx}, {"weight gradient", rdw, dw},
                {"bias gradient", rdb, db}};
        for (Object[] pair : bias ? pairs : Arrays.copyOf(pairs, 3)) {
            double diff = relativeDifference((INDArray) pair[1], ((INDArray) pair[2]).castTo(DataType.DOUBLE));
            assertTrue(diff > 0 && diff < 1e-2, "kernel " + k + ", stride " + stride + ", padding " + pad + ", " + pair[0]
                    + ": relative difference " + diff);
        }
    }

    /**
     * Whole networks against DL4J's float helper. A freshly initialised network's gradients sum many terms that
     * nearly cancel, so they carry bfloat16's rounding much further than one product does: single parameters'
     * gradients differed by 1.2-14 % on these minibatches of 7, where
     * {@link #passesMatchExactSumsToBfloat16Precision} sees 0.3 %; so the test bounds the whole gradient.
     */
    @Test
    void outputsAndGradientsMatchFloatToBfloat16Precision() {
        assertCloseToFloat(net(3, 1, 0, true));
        assertCloseToFloat(net(3, 2, 1, true));
        assertCloseToFloat(net(2, 1, 0, false));
    }

    @Test
    void trainingIsReproducible() {
        MultiLayerConfiguration conf = net(3, 1, 0, true);
        Nd4j.getRandom().setSeed(3);
        INDArray features = Nd4j.rand(DataType.FLOAT, 10, SIZE, SIZE, 1);
        MultiLayerNetwork first = new MultiLayerNetwork(conf.clone());
        first.init();
        MultiLayerNetwork second = new MultiLayerNetwork(conf.clone());
        second.init(first.params().dup(), true);
        MultiLayerNetwork floats = new MultiLayerNetwork(conf.clone());
        floats.init(first.params().dup(), true);
        Bf16ConvHelper.install(first, Mode.AUTO);
        Bf16ConvHelper.install(second, Mode.AUTO);
        for (int i = 0; i < 4; i++) {
            first.fit(features, labels(10));
            second.fit(features, labels(10));
            floats.fit(features, labels(10));
        }
        assertEquals(first.params(), second.params(), "two bfloat16 runs from the same start");
        assertTrue(!first.params().equals(floats.params()), "bfloat16 and float training differ in the last bits");
        assertTrue(relativeDifference(floats.params(), first.params()) < 1e-2);
    }

    @Test
    void installTakesSeedCnnsSecondConvolutionOnlyAndOffTakesNone() {
        MultiLayerNetwork seedCnn = new MultiLayerNetwork(NetworkFactory.build(Networks.preset("seed-cnn"), 1, 28, 28));
        seedCnn.init();
        assertEquals(List.of(), Bf16ConvHelper.layersTaken(seedCnn, Mode.OFF));
        assertEquals(0, Bf16ConvHelper.install(seedCnn, Mode.OFF));
        assertSame(MKLDNNConvHelper.class, seedCnn.getLayer(1).getHelper().getClass());
        assertEquals(List.of("conv2d_2"), Bf16ConvHelper.layersTaken(seedCnn, Mode.AUTO));
        assertEquals(1, SingleChannelConvHelper.install(seedCnn));
        assertEquals(1, Bf16ConvHelper.install(seedCnn, Mode.AUTO));
        assertEquals(1, Bf16ConvHelper.install(seedCnn, Mode.AUTO));
        assertInstanceOf(SingleChannelConvHelper.class, seedCnn.getLayer(0).getHelper());
        assertInstanceOf(Bf16ConvHelper.class, seedCnn.getLayer(1).getHelper());
        MultiLayerNetwork seedFc = new MultiLayerNetwork(NetworkFactory.build(Networks.preset("seed-fc"), 1, 28, 28));
        seedFc.init();
        assertEquals(0, Bf16ConvHelper.install(seedFc, Mode.AUTO));
    }
}
