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
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.AdaDelta;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * Skipping DL4J's NCHW copy of NHWC inputs changes no number: outputs, gradients and trained parameters are
 * bit-identical with and without {@link NhwcConvolutionLayer}, on {@code seed-cnn} (with the other speed-ups) and on a
 * network without biases; NCHW and {@code Same}-mode layers are left to DL4J.
 */
@Tag("unit")
class NhwcConvolutionLayerTest {

    private static DataSet minibatch(long seed, int n) {
        Nd4j.getRandom().setSeed(seed);
        INDArray features = Nd4j.rand(DataType.FLOAT, n, 28 * 28);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, n, 10);
        for (int i = 0; i < n; i++) {
            labels.putScalar(i, (i * 7) % 10, 1f);
        }
        return new DataSet(features, labels);
    }

    @Test
    void seedCnnTrainsBitIdenticallyWithAndWithoutTheCopy() {
        MultiLayerConfiguration conf = NetworkFactory.build(Networks.preset("seed-cnn"), 1, 28, 28);
        MultiLayerNetwork theirs = new MultiLayerNetwork(conf.clone());
        theirs.init();
        MultiLayerNetwork ours = new MultiLayerNetwork(conf.clone());
        ours.init(theirs.params().dup(), true);
        SingleChannelConvHelper.install(theirs);
        Bf16ConvHelper.install(theirs, Bf16ConvHelper.Mode.AUTO);
        Bf16DenseLayer.install(theirs, Bf16ConvHelper.Mode.AUTO);
        FastLayers.install(ours, Bf16ConvHelper.Mode.AUTO);
        assertEquals(2, NhwcConvolutionLayer.install(ours), "both convolutions");
        assertEquals(2, NhwcConvolutionLayer.install(ours), "again: nothing more to do");
        assertInstanceOf(NhwcConvolutionLayer.class, ours.getLayer("conv2d_2"), "the by-name map follows");
        assertSame(ours.getLayer(1), ours.getLayer("conv2d_2"));
        assertSame(theirs.getLayer(1).getHelper().getClass(), ours.getLayer(1).getHelper().getClass(),
                "the helper came along");

        DataSet batch = minibatch(4, 12);
        assertEquals(theirs.output(batch.getFeatures()), ours.output(batch.getFeatures()));
        for (int i = 0; i < 3; i++) { // the same dropout masks for both: reseeded as the trainer does
            DataSet b = minibatch(10 + i, 12);
            Nd4j.getRandom().setSeed(100 + i);
            theirs.fit(b);
            Nd4j.getRandom().setSeed(100 + i);
            ours.fit(b);
        }
        assertEquals(theirs.params(), ours.params(), "parameters after three minibatches");
        assertEquals(theirs.getUpdater().getStateViewArray(), ours.getUpdater().getStateViewArray(),
                "updater state after three minibatches");
    }

    @Test
    void gradientsAreIdenticalWithoutBiasAndNchwIsLeftAlone() {
        for (CNN2DFormat format : CNN2DFormat.values()) {
            MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(3)
                    .weightInit(WeightInit.XAVIER_UNIFORM).updater(new AdaDelta()).list()
                    .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).hasBias(false).activation(Activation.TANH)
                            .build())
                    .layer(new ConvolutionLayer.Builder(2, 2).stride(2, 2).nOut(3).activation(Activation.TANH)
                            .build())
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(5)
                            .activation(Activation.SOFTMAX).build())
                    .setInputType(InputType.convolutional(9, 9, 2, format)).build();
            MultiLayerNetwork theirs = new MultiLayerNetwork(conf.clone());
            theirs.init();
            MultiLayerNetwork ours = new MultiLayerNetwork(conf.clone());
            ours.init(theirs.params().dup(), true);
            assertEquals(format == CNN2DFormat.NHWC ? 2 : 0, NhwcConvolutionLayer.install(ours), format.name());
            Nd4j.getRandom().setSeed(8);
            INDArray features = format == CNN2DFormat.NHWC ? Nd4j.rand(DataType.FLOAT, 5, 9, 9, 2)
                    : Nd4j.rand(DataType.FLOAT, 5, 2, 9, 9);
            INDArray labels = Nd4j.eye(5).castTo(DataType.FLOAT);
            Pair<Gradient, INDArray> expected = theirs.calculateGradients(features, labels, null, null);
            Pair<Gradient, INDArray> actual = ours.calculateGradients(features, labels, null, null);
            assertEquals(expected.getFirst().gradient(), actual.getFirst().gradient(), format.name());
            assertEquals(expected.getSecond(), actual.getSecond(), format.name());
        }
    }
}
