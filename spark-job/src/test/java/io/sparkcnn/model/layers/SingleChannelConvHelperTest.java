package io.sparkcnn.model.layers;

import io.sparkcnn.Networks;
import io.sparkcnn.model.NetworkFactory;
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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.AdaDelta;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The helper's gradients against oneDNN's on the same network, parameters and minibatch. */
@Tag("unit")
class SingleChannelConvHelperTest {
    private static final int HEIGHT = 11;
    private static final int WIDTH = 9;

    /** How the test images enter: NCHW or NHWC arrays, or flat rows reshaped to either by a preprocessor. */
    private enum Input {
        NCHW, FLAT_NCHW, NHWC, FLAT_NHWC;

        InputType type() {
            return switch (this) {
                case NCHW -> InputType.convolutional(HEIGHT, WIDTH, 1);
                case FLAT_NCHW, FLAT_NHWC -> InputType.convolutionalFlat(HEIGHT, WIDTH, 1);
                case NHWC -> InputType.convolutional(HEIGHT, WIDTH, 1, CNN2DFormat.NHWC);
            };
        }

        INDArray features(int n) {
            return switch (this) {
                case NCHW -> Nd4j.rand(DataType.FLOAT, n, 1, HEIGHT, WIDTH);
                case FLAT_NCHW, FLAT_NHWC -> Nd4j.rand(DataType.FLOAT, n, HEIGHT * WIDTH);
                case NHWC -> Nd4j.rand(DataType.FLOAT, n, HEIGHT, WIDTH, 1);
            };
        }
    }

    private static MultiLayerConfiguration net(int kh, int kw, int stride, int padding, boolean bias, Input input) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(5)
                .weightInit(WeightInit.XAVIER_UNIFORM)
                .updater(AdaDelta.builder().rho(0.95).epsilon(1e-6).build()).list()
                .layer(new ConvolutionLayer.Builder(kh, kw).stride(stride, stride).padding(padding, padding)
                        .hasBias(bias).nOut(4).activation(Activation.TANH).build())
                .layer(new ConvolutionLayer.Builder(2, 2).nOut(3).activation(new FastRelu()).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(5)
                        .activation(Activation.SOFTMAX).build())
                ;
        if (input == Input.FLAT_NHWC) {
            list.inputPreProcessor(0, new FlatToNhwcPreProcessor(HEIGHT, WIDTH, 1));
        }
        return list.setInputType(input.type()).build();
    }

    private static double relativeDifference(INDArray expected, INDArray actual) {
        return expected.sub(actual.reshape(expected.shape())).norm2Number().doubleValue()
                / expected.norm2Number().doubleValue();
    }

    /** Gradients (and the input's gradient) of oneDNN's helper and of this one, on identical networks. */
    private static void assertSameGradients(MultiLayerConfiguration conf, Input input, boolean ownPass) {
        Nd4j.getRandom().setSeed(9);
        int n = 6;
        INDArray features = input.features(n);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, n, 5);
        for (int i = 0; i < n; i++) {
            labels.putScalar(i, i % 5, 1f);
        }
        MultiLayerNetwork theirs = new MultiLayerNetwork(conf.clone());
        theirs.init();
        MultiLayerNetwork ours = new MultiLayerNetwork(conf.clone());
        ours.init(theirs.params().dup(), true);
        assertInstanceOf(MKLDNNConvHelper.class, theirs.getLayer(0).getHelper());
        assertEquals(1, SingleChannelConvHelper.install(ours));
        assertInstanceOf(SingleChannelConvHelper.class, ours.getLayer(0).getHelper());
        assertSame(MKLDNNConvHelper.class, ours.getLayer(1).getHelper().getClass(), "two input channels");

        Pair<Gradient, INDArray> expected = theirs.calculateGradients(features, labels, null, null);
        Pair<Gradient, INDArray> actual = ours.calculateGradients(features, labels, null, null);
        Map<String, INDArray> expectedGrads = expected.getFirst().gradientForVariable();
        assertEquals(expectedGrads.keySet(), actual.getFirst().gradientForVariable().keySet());
        for (Map.Entry<String, INDArray> e : expectedGrads.entrySet()) {
            INDArray mine = actual.getFirst().getGradientFor(e.getKey());
            assertTrue(e.getValue().norm2Number().doubleValue() > 0, e.getKey() + " is zero");
            double diff = relativeDifference(e.getValue(), mine);
            assertTrue(diff < 1e-5, e.getKey() + ": relative difference " + diff);
        }
        double inputDiff = relativeDifference(expected.getSecond(), actual.getSecond());
        assertTrue(inputDiff < 1e-5, "input gradient: relative difference " + inputDiff);
        long own = ((SingleChannelConvHelper) ours.getLayer(0).getHelper()).ownBackwardPasses();
        assertEquals(ownPass ? 1 : 0, own, "backward passes computed by the helper itself");
    }

    @Test
    void gradientsEqualOneDnnsForStrideOneAndTwo() {
        for (Input input : new Input[] {Input.NCHW, Input.NHWC}) {
            assertSameGradients(net(3, 3, 1, 0, true, input), input, true);
            assertSameGradients(net(3, 2, 2, 0, true, input), input, true);
        }
    }

    @Test
    void gradientsEqualOneDnnsForFlatInputAndNoBias() {
        for (Input input : new Input[] {Input.FLAT_NCHW, Input.FLAT_NHWC}) {
            assertSameGradients(net(3, 3, 1, 0, true, input), input, true);
        }
        assertSameGradients(net(2, 3, 1, 0, false, Input.NCHW), Input.NCHW, true);
        assertSameGradients(net(2, 3, 1, 0, false, Input.NHWC), Input.NHWC, true);
    }

    @Test
    void paddedConvolutionsStillGetOneDnnsGradients() {
        assertSameGradients(net(3, 3, 1, 1, true, Input.NCHW), Input.NCHW, false);
        assertSameGradients(net(3, 3, 1, 1, true, Input.NHWC), Input.NHWC, false);
    }

    @Test
    void installTakesOnlySingleChannelConvolutionsAndCanBeRepeated() {
        MultiLayerNetwork seedCnn = new MultiLayerNetwork(NetworkFactory.build(Networks.preset("seed-cnn"), 1, 28, 28));
        seedCnn.init();
        assertEquals(List.of("conv2d_1"), SingleChannelConvHelper.layersTaken(seedCnn));
        assertEquals(1, SingleChannelConvHelper.install(seedCnn));
        assertEquals(List.of("conv2d_1"), SingleChannelConvHelper.layersTaken(seedCnn));
        assertEquals(1, SingleChannelConvHelper.install(seedCnn));
        assertInstanceOf(SingleChannelConvHelper.class, seedCnn.getLayer(0).getHelper());
        assertSame(MKLDNNConvHelper.class, seedCnn.getLayer(1).getHelper().getClass());
        MultiLayerNetwork seedFc = new MultiLayerNetwork(NetworkFactory.build(Networks.preset("seed-fc"), 1, 28, 28));
        seedFc.init();
        assertEquals(0, SingleChannelConvHelper.install(seedFc));
        assertEquals(List.of(), SingleChannelConvHelper.layersTaken(seedFc));
    }
}
