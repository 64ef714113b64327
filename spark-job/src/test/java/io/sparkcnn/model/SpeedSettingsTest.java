package io.sparkcnn.model;

import io.sparkcnn.Networks;
import io.sparkcnn.model.layers.FastRelu;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** The factory's speed settings (cached pre-activations, {@link FastRelu}) change no trained value. */
@Tag("unit")
class SpeedSettingsTest {
    @Test
    void fastReluHasDl4jsValuesAndGradientsIncludingAtZero() {
        float[] z = {-2f, -0f, 0f, 1e-30f, 3f, -1e-30f, 7.5f, Float.MIN_VALUE};
        float[] eps = {1f, 2f, 3f, 4f, -5f, 6f, 0.25f, 8f};
        INDArray zOurs = Nd4j.createFromArray(z);
        INDArray zTheirs = Nd4j.createFromArray(z);
        assertArrayEquals(new ActivationReLU().getActivation(zTheirs.dup(), true).toFloatVector(),
                new FastRelu().getActivation(zOurs.dup(), true).toFloatVector());
        float[] ours = new FastRelu().backprop(zOurs, Nd4j.createFromArray(eps)).getFirst().toFloatVector();
        float[] theirs = new ActivationReLU().backprop(zTheirs, Nd4j.createFromArray(eps)).getFirst().toFloatVector();
        assertArrayEquals(theirs, ours);
        assertArrayEquals(new float[]{0f, 0f, 0f, 4f, -5f, 0f, 0.25f, 8f}, ours);
    }

    /**
     * Dropout masks are not part of the comparison (reseeding ND4J's generator before each fit does not give two
     * networks the same masks), so both keep every unit, as in {@code ParameterAveragingEquivalenceTest}.
     */
    @Test
    void seedCnnTrainsBitForBitAsWithDl4jsReluAndNoCache() {
        trainsBitForBit(false);
    }

    /**
     * The same in NHWC, the factory's layout for {@code seed-cnn}, with the cache alone: there DL4J's own ReLU gives
     * wrong gradients on the convolutions' permuted arrays (see {@code NhwcNetworksTest}), so both keep FastRelu.
     */
    @Test
    void nhwcSeedCnnTrainsBitForBitWithAndWithoutTheCache() {
        trainsBitForBit(true);
    }

    private static void trainsBitForBit(boolean nhwc) {
        MultiLayerConfiguration fast = NetworkFactory.build(Networks.preset("seed-cnn"), 7, 28, 28, nhwc);
        assertEquals(nhwc, fast.getInputPreProcess(0) instanceof io.sparkcnn.model.layers.FlatToNhwcPreProcessor);
        assertEquals(CacheMode.DEVICE, fast.getConf(0).getCacheMode());
        assertInstanceOf(FastRelu.class, ((BaseLayer) fast.getConf(0).getLayer()).getActivationFn());
        MultiLayerConfiguration plain = MultiLayerConfiguration.fromJson(fast.toJson());
        assertEquals(fast, plain, "FastRelu and the cache mode survive JSON, as saved models need");
        keepEveryUnit(fast);
        keepEveryUnit(plain);
        plain.setCacheMode(CacheMode.NONE);
        for (NeuralNetConfiguration c : plain.getConfs()) {
            c.setCacheMode(CacheMode.NONE);
            if (!nhwc && c.getLayer() instanceof BaseLayer b && b.getActivationFn() instanceof FastRelu) {
                b.setActivationFn(new ActivationReLU());
            }
        }
        MultiLayerNetwork a = new MultiLayerNetwork(fast);
        a.init();
        MultiLayerNetwork b = new MultiLayerNetwork(plain);
        b.init();
        b.setParams(a.params().dup());
        INDArray before = a.params().dup();
        for (int step = 0; step < 3; step++) {
            DataSet batch = batch(100 + step);
            a.fit(batch);
            b.fit(batch);
        }
        assertNotEquals(before, a.params(), "the steps changed the parameters");
        assertArrayEquals(b.params().toFloatVector(), a.params().toFloatVector());
        assertArrayEquals(b.getUpdater().getStateViewArray().toFloatVector(),
                a.getUpdater().getStateViewArray().toFloatVector());
    }

    private static void keepEveryUnit(MultiLayerConfiguration conf) {
        for (NeuralNetConfiguration c : conf.getConfs()) {
            if (c.getLayer().getIDropout() != null) {
                c.getLayer().setIDropout(new Dropout(1.0));
            }
        }
    }

    private static DataSet batch(long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.rand(DataType.FLOAT, 16, 784);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 16, 10);
        for (int i = 0; i < 16; i++) {
            y.putScalar(i, (i * 7 + seed) % 10, 1f);
        }
        return new DataSet(x, y);
    }
}
