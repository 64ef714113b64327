package io.sparkcnn.model.layers;

import io.sparkcnn.Networks;
import io.sparkcnn.model.NetworkFactory;
import io.sparkcnn.model.layers.Bf16ConvHelper.Mode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.gradient.Gradient;
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
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The bfloat16 dense layer: its products against sums in double, whole networks against DL4J's float layer,
 * reproducible training, and which layers it takes. Runs where this CPU has AMX-BF16, as the layer does.
 */
@Tag("unit")
class Bf16DenseLayerTest {
    @BeforeAll
    static void needsAmx() {
        assumeTrue(Bf16ConvHelper.usable(Mode.AUTO), Bf16ConvHelper.describe(Mode.AUTO));
    }

    private static double relativeDifference(INDArray expected, INDArray actual) {
        return expected.sub(actual.reshape(expected.shape())).norm2Number().doubleValue()
                / expected.norm2Number().doubleValue();
    }

    @Test
    void productsMatchExactSumsToBfloat16Precision() {
        int n = 7, in = 50, out = 9;
        Nd4j.getRandom().setSeed(2);
        INDArray x = Nd4j.randn(DataType.FLOAT, n, in);
        INDArray w = Nd4j.randn(DataType.FLOAT, in, out).dup('f');
        INDArray b = Nd4j.randn(DataType.FLOAT, out);
        INDArray delta = Nd4j.randn(DataType.FLOAT, n, out);
        INDArray y = Nd4j.create(DataType.FLOAT, n, out);
        INDArray dx = Nd4j.create(DataType.FLOAT, n, in);
        INDArray dw = Nd4j.create(DataType.FLOAT, new long[] {in, out}, 'f');
        INDArray db = Nd4j.create(DataType.FLOAT, out);
        OneDnnBf16.DenseShape shape = new OneDnnBf16.DenseShape(n, in, out, true);
        long stamp = OneDnnBf16.denseForward(shape, x, w, b, y);
        OneDnnBf16.denseBackward(shape, x, w, delta, dx, dw, db, stamp);
        INDArray dxConverted = Nd4j.create(DataType.FLOAT, n, in);
        OneDnnBf16.denseBackward(shape, x, w, delta, dxConverted, dw.dup('f'), db.dup(), 0);
        assertEquals(dxConverted, dx, "the forward pass's bfloat16 weights, reused, equal converting them again");
        w.muli(2);
        OneDnnBf16.denseBackward(shape, x, w, delta, dxConverted, dw.dup('f'), db.dup(), stamp);
        assertEquals(dx.mul(2), dxConverted, "a stamp already used by a backward pass converts the new weights");
        w.divi(2);
        INDArray xd = x.castTo(DataType.DOUBLE);
        INDArray wd = w.castTo(DataType.DOUBLE);
        INDArray dd = delta.castTo(DataType.DOUBLE);
        Object[][] pairs = {
            {"output", xd.mmul(wd).addRowVector(b.castTo(DataType.DOUBLE)), y},
            {"input gradient", dd.mmul(wd.transpose()), dx},
            {"weight gradient", xd.transpose().mmul(dd), dw},
            {"bias gradient", dd.sum(0), db}};
        for (Object[] pair : pairs) {
            double diff = relativeDifference((INDArray) pair[1], ((INDArray) pair[2]).castTo(DataType.DOUBLE));
            assertTrue(diff > 0 && diff < 1e-2, pair[0] + ": relative difference " + diff);
        }
    }

    private static MultiLayerConfiguration mlp() {
        return new NeuralNetConfiguration.Builder().seed(4).weightInit(WeightInit.XAVIER).updater(new Adam(1e-3))
                .list()
                .layer(new DenseLayer.Builder().nIn(40).nOut(24).activation(new FastRelu()).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(24).nOut(5)
                        .activation(Activation.SOFTMAX).build())
                .build();
    }

    @Test
    void networkMatchesFloatToBfloat16PrecisionAndTrainsReproducibly() {
        Nd4j.getRandom().setSeed(6);
        INDArray features = Nd4j.rand(DataType.FLOAT, 16, 40);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 16, 5);
        for (int i = 0; i < 16; i++) {
            labels.putScalar(i, i % 5, 1f);
        }
        MultiLayerNetwork floats = new MultiLayerNetwork(mlp());
        floats.init();
        MultiLayerNetwork first = new MultiLayerNetwork(mlp());
        first.init(floats.params().dup(), true);
        MultiLayerNetwork second = new MultiLayerNetwork(mlp());
        second.init(floats.params().dup(), true);
        assertEquals(1, Bf16DenseLayer.install(first, Mode.AUTO));
        assertEquals(1, Bf16DenseLayer.install(second, Mode.AUTO));
        assertInstanceOf(Bf16DenseLayer.class, first.getLayer(0));

        double outputDiff = relativeDifference(floats.output(features), first.output(features));
        assertTrue(outputDiff > 0 && outputDiff < 1e-2, "output: relative difference " + outputDiff);
        Pair<Gradient, INDArray> expected = floats.calculateGradients(features, labels, null, null);
        Pair<Gradient, INDArray> actual = first.calculateGradients(features, labels, null, null);
        double gradientDiff = relativeDifference(expected.getFirst().gradient(), actual.getFirst().gradient());
        assertTrue(gradientDiff > 0 && gradientDiff < 5e-2, "gradient: relative difference " + gradientDiff);
        double inputDiff = relativeDifference(expected.getSecond(), actual.getSecond());
        assertTrue(inputDiff < 5e-2, "input gradient: relative difference " + inputDiff);

        for (int i = 0; i < 5; i++) {
            floats.fit(features, labels);
            first.fit(features, labels);
            second.fit(features, labels);
        }
        assertEquals(first.params(), second.params(), "two bfloat16 runs from the same start");
        assertNotEquals(floats.params(), first.params(), "bfloat16 and float training differ in the last bits");
        assertTrue(relativeDifference(floats.params(), first.params()) < 1e-2);
    }

    @Test
    void installTakesSeedCnnsDenseLayerOnlyAndOffTakesNone() {
        MultiLayerNetwork seedCnn = new MultiLayerNetwork(NetworkFactory.build(Networks.preset("seed-cnn"), 1, 28, 28));
        seedCnn.init();
        assertEquals(0, Bf16DenseLayer.install(seedCnn, Mode.OFF));
        int dense = -1;
        for (int i = 0; i < seedCnn.getLayers().length; i++) {
            if (seedCnn.getLayer(i).getClass() == org.deeplearning4j.nn.layers.feedforward.dense.DenseLayer.class) {
                dense = i;
            }
        }
        assertTrue(dense >= 0);
        assertEquals(1, Bf16DenseLayer.install(seedCnn, Mode.AUTO), "the output layer is not taken");
        assertEquals(1, Bf16DenseLayer.install(seedCnn, Mode.AUTO));
        assertInstanceOf(Bf16DenseLayer.class, seedCnn.getLayer(dense));
        String name = seedCnn.getLayer(dense).conf().getLayer().getLayerName();
        assertSame(seedCnn.getLayer(dense), seedCnn.getLayer(name));
    }
}
