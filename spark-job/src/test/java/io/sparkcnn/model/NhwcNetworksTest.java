package io.sparkcnn.model;

import io.sparkcnn.Networks;
import io.sparkcnn.model.layers.FastRelu;
import io.sparkcnn.model.layers.FlatToNhwcPreProcessor;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationELU;
import org.nd4j.linalg.activations.impl.ActivationGELU;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationMish;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftPlus;
import org.nd4j.linalg.activations.impl.ActivationSoftSign;
import org.nd4j.linalg.activations.impl.ActivationSwish;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.AdaDelta;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The factory's NHWC networks: when it chooses them, that they compute what NCHW does, and their gradients. */
@Tag("unit")
class NhwcNetworksTest {
    @Test
    void seedCnnIsNhwcAndPaddedOrSeluNetworksStayNchw() {
        MultiLayerConfiguration cnn = Networks.build("seed-cnn", 1);
        assertEquals(new FlatToNhwcPreProcessor(28, 28, 1), cnn.getInputPreProcess(0));
        assertEquals(CNN2DFormat.NHWC, ((ConvolutionLayer) cnn.getConf(1).getLayer()).getCnn2dDataFormat());
        assertEquals(CNN2DFormat.NHWC, ((SubsamplingLayer) cnn.getConf(2).getLayer()).getCnn2dDataFormat());
        assertEquals(cnn, MultiLayerConfiguration.fromJson(cnn.toJson()), "the preprocessor survives JSON");

        MultiLayerConfiguration wrap = NetworkFactory.build(Networks.preset("seed-cnn-same", "padding-kind=wrap"), 1,
                28, 28);
        assertInstanceOf(io.sparkcnn.model.layers.Padding2D.class, wrap.getConf(0).getLayer());
        assertFalse(wrap.getInputPreProcess(0) instanceof FlatToNhwcPreProcessor);
        ConvolutionLayer relu = new ConvolutionLayer.Builder(3, 3).nOut(2).activation(new FastRelu()).build();
        ConvolutionLayer selu = new ConvolutionLayer.Builder(3, 3).nOut(2).activation(Activation.SELU).build();
        ConvolutionLayer dl4jRelu = new ConvolutionLayer.Builder(3, 3).nOut(2).activation(Activation.RELU).build();
        assertTrue(NetworkFactory.nhwcSafe(List.of(relu)));
        assertFalse(NetworkFactory.nhwcSafe(List.of(relu, selu)));
        assertFalse(NetworkFactory.nhwcSafe(List.of(dl4jRelu)));
        assertEquals(null, Networks.build("seed-fc", 1).getInputPreProcess(0));
    }

    /** NHWC flattens height, width, channels; with the dense weights' rows reordered the same, outputs agree. */
    @Test
    void nhwcSeedCnnPredictsWhatNchwPredictsWithReorderedDenseWeights() {
        MultiLayerNetwork nchw = new MultiLayerNetwork(NetworkFactory.build(Networks.preset("seed-cnn"), 3, 28, 28,
                false));
        nchw.init();
        MultiLayerNetwork nhwc = new MultiLayerNetwork(NetworkFactory.build(Networks.preset("seed-cnn"), 3, 28, 28,
                true));
        nhwc.init();
        nhwc.setParams(nchw.params().dup());
        INDArray dense = nchw.getLayer(4).getParam("W");
        nhwc.getLayer(4).setParam("W", dense.reshape('c', 64, 12, 12, 128).permute(1, 2, 0, 3).dup('c')
                .reshape('c', 9216, 128));
        Nd4j.getRandom().setSeed(4);
        INDArray images = Nd4j.rand(DataType.FLOAT, 8, 784);
        INDArray expected = nchw.output(images, false);
        INDArray actual = nhwc.output(images, false);
        assertTrue(expected.sub(actual).amaxNumber().doubleValue() < 1e-5,
                "largest difference " + expected.sub(actual).amaxNumber());
        assertFalse(nchw.getLayer(4).getParam("W").equals(nhwc.getLayer(4).getParam("W")));
    }

    /**
     * Every activation the factory allows on NHWC convolutions gives the convolutions the gradients of the same
     * network in NCHW (with the output layer's weight rows reordered to NHWC's flattening). DL4J's own ReLU and SELU
     * fail this, which is why they are not allowed.
     */
    @Test
    void allowedActivationsGiveNchwGradientsInNhwc() {
        List<IActivation> allowed = List.of(new FastRelu(), new ActivationIdentity(), new ActivationTanH(),
                new ActivationSigmoid(), new ActivationELU(), new ActivationSoftPlus(), new ActivationSoftSign(),
                new ActivationSwish(), new ActivationGELU(), new ActivationMish());
        for (IActivation activation : allowed) {
            assertTrue(NetworkFactory.nhwcSafe(List.of(new ConvolutionLayer.Builder(3, 3).nOut(2)
                    .activation(activation).build())), activation + " allowed");
            double worst = nhwcAgainstNchw(activation);
            assertTrue(worst < 1e-4, activation + ": relative difference " + worst);
        }
        assertTrue(nhwcAgainstNchw(Activation.RELU.getActivationFunction()) > 1e-2,
                "DL4J's ReLU still gives other gradients in NHWC: allow it once it does not");
    }

    /** The largest relative difference between the convolutions' gradients in NHWC and in NCHW. */
    private static double nhwcAgainstNchw(IActivation activation) {
        int n = 6;
        Nd4j.getRandom().setSeed(9);
        INDArray images = Nd4j.rand(DataType.FLOAT, n, 11 * 9).subi(0.3);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, n, 5);
        for (int i = 0; i < n; i++) {
            labels.putScalar(i, i % 5, 1f);
        }
        MultiLayerNetwork nchw = smallNet(activation, CNN2DFormat.NCHW);
        MultiLayerNetwork nhwc = smallNet(activation, CNN2DFormat.NHWC);
        nhwc.setParams(nchw.params().dup());
        INDArray out = nchw.getLayer(2).getParam("W");
        nhwc.getLayer(2).setParam("W", out.reshape('c', 16, 7, 5, 5).permute(1, 2, 0, 3).dup('c')
                .reshape('c', 560, 5));
        var expected = nchw.calculateGradients(images.reshape(n, 1, 11, 9), labels, null, null).getFirst();
        var actual = nhwc.calculateGradients(images.reshape(n, 11, 9, 1), labels, null, null).getFirst();
        double worst = 0;
        for (String key : List.of("0_W", "0_b", "1_W", "1_b")) {
            INDArray e = expected.getGradientFor(key);
            INDArray a = actual.getGradientFor(key);
            worst = Math.max(worst, e.sub(a).norm2Number().doubleValue() / e.norm2Number().doubleValue());
        }
        return worst;
    }

    private static MultiLayerNetwork smallNet(IActivation activation, CNN2DFormat format) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(5)
                .weightInit(WeightInit.XAVIER_UNIFORM).updater(new AdaDelta()).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(8).activation(activation).build())
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(16).activation(activation).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(5).build())
                .setInputType(InputType.convolutional(11, 9, 1, format)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    @Test
    void fastReluWorksOnPermutedWholeArraysAsOnPlainOnes() {
        Nd4j.getRandom().setSeed(2);
        INDArray plain = Nd4j.rand(DataType.FLOAT, 2, 5, 4, 3).subi(0.5);
        INDArray permuted = plain.dup().permute(0, 3, 1, 2);
        INDArray expected = new FastRelu().getActivation(plain.permute(0, 3, 1, 2).dup('c'), true);
        assertArrayEquals(expected.data().asFloat(), new FastRelu().getActivation(permuted, true).dup('c').data().asFloat());
        INDArray z = Nd4j.rand(DataType.FLOAT, 2, 5, 4, 3).subi(0.5);
        INDArray eps = Nd4j.rand(DataType.FLOAT, 2, 5, 4, 3);
        INDArray expectedGrad = new FastRelu().backprop(z.permute(0, 3, 1, 2).dup('c'), eps.permute(0, 3, 1, 2).dup('c'))
                .getFirst();
        INDArray grad = new FastRelu().backprop(z.dup().permute(0, 3, 1, 2), eps.permute(0, 3, 1, 2)).getFirst();
        assertArrayEquals(expectedGrad.data().asFloat(), grad.dup('c').data().asFloat());
    }
}
