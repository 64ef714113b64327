package io.sparkcnn.model;

import io.sparkcnn.Networks;
import io.sparkcnn.config.ConfigLoader;
import io.sparkcnn.config.NetworkConfig;
import io.sparkcnn.model.layers.FastDropout;
import io.sparkcnn.model.layers.Padding2D;
import io.sparkcnn.model.layers.PaddingKind;
import io.sparkcnn.model.regularization.LassoPenalty;
import io.sparkcnn.model.regularization.RidgePenalty;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.learning.config.AdaDelta;
import org.nd4j.linalg.learning.config.Adam;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("unit")
class NetworkFactoryTest {
    @Test
    void seedFcFileHasTheLecturesParameterCountAndKerasAdam() {
        MultiLayerConfiguration conf = Networks.build("seed-fc", 1);
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        assertEquals(155_830, net.numParams());
        Adam adam = assertInstanceOf(Adam.class, conf.getConf(0).getLayer().getUpdaterByParam("W"));
        assertEquals(1e-3, adam.getLearningRate(), 0);
        assertEquals(1e-7, adam.getEpsilon(), 0);
        assertEquals(0.5, keepProbability(conf, 1), 1e-12);
    }

    @Test
    void seedCnnFileHasTheLecturesParameterCountAdaDeltaAndKerasDropoutRates() {
        MultiLayerConfiguration conf = Networks.build("seed-cnn", 1);
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        assertEquals(1_199_882, net.numParams());
        AdaDelta adaDelta = assertInstanceOf(AdaDelta.class, conf.getConf(0).getLayer().getUpdaterByParam("W"));
        assertEquals(0.95, adaDelta.getRho(), 0);
        assertEquals(1e-7, adaDelta.getEpsilon(), 0);
        // Keras Dropout(0.25) and Dropout(0.5) keep 75 % and 50 % of the units.
        assertEquals(0.75, keepProbability(conf, 3), 1e-12);
        assertEquals(0.5, keepProbability(conf, 5), 1e-12);
    }

    @Test
    void summaryListsEveryLayerWithKerasStyleShapes() {
        NetworkConfig cnn = Networks.preset("seed-cnn");
        ModelSummary summary = ModelSummary.of(NetworkFactory.build(cnn, 1, 28, 28), NetworkFactory.inputType(cnn, 28, 28));
        assertEquals(7, summary.rows().size());
        assertEquals(new ModelSummary.Row("conv2d_1 (ConvolutionLayer)", "(None, 26, 26, 32)", 320), summary.rows().get(0));
        assertEquals(new ModelSummary.Row("max_pooling2d (SubsamplingLayer)", "(None, 12, 12, 64)", 0), summary.rows().get(2));
        assertEquals(new ModelSummary.Row("dense_1 (DenseLayer)", "(None, 128)", 1_179_776), summary.rows().get(4));
        assertTrue(summary.render().contains("Total params: 1,199,882"), summary.render());
        assertTrue(summary.render().contains("Non-trainable params: 0"), summary.render());
    }

    @ParameterizedTest
    @ValueSource(strings = {"edge", "symmetric", "reflect", "wrap"})
    void samePaddingOfEachKindKeepsTheImageSizeWithAPaddingLayer(String kind) {
        NetworkConfig net = sameCnn(kind);
        MultiLayerConfiguration conf = NetworkFactory.build(net, 1, 28, 28);
        ModelSummary summary = ModelSummary.of(conf, NetworkFactory.inputType(net, 28, 28));
        assertEquals(new ModelSummary.Row("conv2d_1_pad (Padding2D, " + kind + ")", "(None, 1, 30, 30)", 0),
                summary.rows().get(0));
        assertEquals(new ModelSummary.Row("conv2d_1 (ConvolutionLayer)", "(None, 32, 28, 28)", 320), summary.rows().get(1));
        assertEquals(new ModelSummary.Row("conv2d_2 (ConvolutionLayer)", "(None, 64, 28, 28)", 18_496), summary.rows().get(3));
        Padding2D pad = (Padding2D) conf.getConf(0).getLayer();
        assertEquals(PaddingKind.fromName(kind), pad.getKind());
        assertArrayEquals(new int[]{1, 1, 1, 1}, pad.getPadding());
        MultiLayerNetwork built = new MultiLayerNetwork(conf);
        built.init();
        // 64 x 14 x 14 features after pooling instead of 64 x 12 x 12: a bigger dense layer
        assertEquals(320 + 18_496 + (64 * 14 * 14 * 128 + 128) + 1_290, built.numParams());
    }

    @Test
    void zeroSamePaddingIsTheConvolutionsOwn() {
        MultiLayerConfiguration conf = NetworkFactory.build(sameCnn("zero"), 1, 28, 28);
        ConvolutionLayer conv = assertInstanceOf(ConvolutionLayer.class, conf.getConf(0).getLayer());
        assertArrayEquals(new int[]{1, 1}, conv.getPadding());
        assertEquals(7, conf.getConfs().size());
    }

    @Test
    void stridedSamePaddingPutsTheOddPixelBottomRightAndUnequalZeroPaddingIsAZeroPaddingLayer() {
        NetworkConfig net = inline("""
                layers = [
                  { type = conv, filters = 4, kernel = 3, stride = 2, padding = same, activation = relu }
                  { type = conv, filters = 4, kernel = 2, padding = [0, 1, 2, 0] }
                  { type = output, units = 10 }
                ]""");
        MultiLayerConfiguration conf = NetworkFactory.build(net, 1, 28, 28);
        ModelSummary summary = ModelSummary.of(conf, NetworkFactory.inputType(net, 28, 28));
        ZeroPaddingLayer first = assertInstanceOf(ZeroPaddingLayer.class, conf.getConf(0).getLayer());
        assertArrayEquals(new int[]{0, 1, 0, 1}, first.getPadding());
        assertEquals("(None, 4, 14, 14)", summary.rows().get(1).outputShape());
        ZeroPaddingLayer second = assertInstanceOf(ZeroPaddingLayer.class, conf.getConf(2).getLayer());
        assertArrayEquals(new int[]{0, 1, 2, 0}, second.getPadding());
        assertEquals("(None, 4, 14, 15)", summary.rows().get(3).outputShape());
    }

    @Test
    void networkPenaltyGoesOnWeightsOnlyAndALayerMayHaveItsOwn() {
        NetworkConfig net = inline("""
                regularization { type = l2, strength = 0.01 }
                layers = [
                  { type = dense, units = 8, activation = relu }
                  { type = output, units = 10, regularization { type = l1, strength = 0.5 } }
                ]""");
        MultiLayerConfiguration conf = NetworkFactory.build(net, 1, 28, 28);
        BaseLayer dense = (BaseLayer) conf.getConf(0).getLayer();
        BaseLayer out = (BaseLayer) conf.getConf(1).getLayer();
        assertEquals(List.of(new RidgePenalty(0.01)), dense.getRegularizationByParam("W"));
        assertEquals(List.of(new LassoPenalty(0.5)), out.getRegularizationByParam("W"));
        assertTrue(dense.getRegularizationByParam("b") == null || dense.getRegularizationByParam("b").isEmpty());
        assertTrue(out.getRegularizationByParam("b") == null || out.getRegularizationByParam("b").isEmpty());
    }

    @Test
    void aKernelLargerThanItsInputIsRefusedNamingTheLayer() {
        NetworkConfig net = Networks.preset("seed-cnn");
        NetworkConfig big = net.withLayers(List.of(net.layers().get(0), net.layers().get(6)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NetworkFactory.build(big, 1, 2, 2));
        assertTrue(e.getMessage().contains("layer conv2d_1") && e.getMessage().contains("3"), e.getMessage());
    }

    /** seed-cnn with both convolutions at "same" size and the given padding kind. */
    static NetworkConfig sameCnn(String kind) {
        return inline("""
                updater { type = adadelta, rho = 0.95, epsilon = 1e-7 }
                layers = [
                  { type = conv, name = conv2d_1, filters = 32, kernel = 3, padding = same, padding-kind = %1$s, activation = relu }
                  { type = conv, name = conv2d_2, filters = 64, kernel = 3, padding = same, padding-kind = %1$s, activation = relu }
                  { type = max-pool, size = 2 }
                  { type = dropout, rate = 0.25 }
                  { type = dense, units = 128, activation = relu }
                  { type = dropout, rate = 0.5 }
                  { type = output, units = 10 }
                ]""".formatted(kind));
    }

    /** An inline network, loaded through a job file as a user would write it. */
    static NetworkConfig inline(String hocon) {
        try {
            Path file = Files.createTempFile("network", ".conf");
            Files.writeString(file, "trainer.model.network {\n" + hocon + "\n}\n");
            try {
                return ConfigLoader.load(file, List.of()).model().network();
            } finally {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double keepProbability(MultiLayerConfiguration conf, int layer) {
        DropoutLayer d = (DropoutLayer) conf.getConf(layer).getLayer();
        return ((FastDropout) d.getIDropout()).getP();
    }
}
