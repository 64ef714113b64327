package io.sparkcnn.model.layers;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Backward pass against central differences, in double precision. */
@Tag("unit")
class Padding2DGradientTest {
    private static final double EPS = 1e-6;
    private static final double MAX_REL_ERROR = 1e-6;
    /** Below this absolute difference a gradient entry passes regardless of its relative error (as in DL4J). */
    private static final double MIN_ABS_ERROR = 1e-9;

    private DataType savedDataType;
    private DataType savedFloatType;

    @BeforeEach
    void useDoubles() {
        savedDataType = Nd4j.dataType();
        savedFloatType = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterEach
    void restoreDataTypes() {
        Nd4j.setDefaultDataTypes(savedDataType, savedFloatType);
    }

    /**
     * L = sum(w * forward(x)) with random x and w on 4x5 images, padded by more than the image on some sides
     * so that pixels are copied several times: dL/dx from backprop equals the central difference.
     */
    @ParameterizedTest
    @EnumSource(PaddingKind.class)
    void backpropMatchesCentralDifferences(PaddingKind kind) {
        Nd4j.getRandom().setSeed(42);
        Padding2D conf = new Padding2D(kind, 2, 5, 6, 1);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 2, 2, 4, 5);
        INDArray w = Nd4j.randn(DataType.DOUBLE, 2, 2, 4 + 7, 5 + 7);
        INDArray analytic = PaddingLayers.backward(conf, x, w.dup());
        assertArrayEquals(x.shape(), analytic.shape());

        double maxRel = 0;
        for (long i = 0; i < x.length(); i++) {
            double orig = x.getDouble(i);
            x.putScalar(i, orig + EPS);
            double plus = PaddingLayers.forward(conf, x).mul(w).sumNumber().doubleValue();
            x.putScalar(i, orig - EPS);
            double minus = PaddingLayers.forward(conf, x).mul(w).sumNumber().doubleValue();
            x.putScalar(i, orig);
            double numeric = (plus - minus) / (2 * EPS);
            double a = analytic.getDouble(i);
            double abs = Math.abs(a - numeric);
            if (abs > MIN_ABS_ERROR) {
                maxRel = Math.max(maxRel, abs / Math.max(Math.abs(a), Math.abs(numeric)));
            }
        }
        assertTrue(maxRel < MAX_REL_ERROR, kind + ": max relative error " + maxRel);
    }

    /** DL4J's gradient check of a network with parameters on both sides of the padding. */
    @ParameterizedTest
    @EnumSource(PaddingKind.class)
    void dl4jGradientCheckPassesThroughTheLayer(PaddingKind kind) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(12345)
                .dataType(DataType.DOUBLE)
                .updater(new NoOp())
                .weightInit(WeightInit.XAVIER)
                .list()
                .layer(new ConvolutionLayer.Builder(2, 2).nOut(2).activation(Activation.TANH).build())
                .layer(new Padding2D(kind, 1, 1, 1, 1))
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(2).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(5, 5, 1))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        Nd4j.getRandom().setSeed(3);
        INDArray input = Nd4j.rand(DataType.DOUBLE, 2, 1, 5, 5);
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, 2, 3);
        labels.putScalar(0, 1, 1.0);
        labels.putScalar(1, 2, 1.0);

        assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net).input(input)
                .labels(labels).print(GradientCheckUtil.PrintMode.FAILURES_ONLY).exitOnFirstError(false)), kind.name());
    }
}
