package io.sparkcnn.model.regularization;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.learning.regularization.Regularization;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The penalties inside DL4J networks: only weights are penalized, {@code net.score()} includes the penalty, and the
 * penalty gradient is added to the weight gradients when the updater runs.
 */
@Tag("unit")
class PenaltiesInNetworkTest {

    static List<Regularization> penalties() {
        return PenaltyNetworks.penalties().toList();
    }

    @ParameterizedTest
    @MethodSource("penalties")
    void denseNetworkPenalizesWeightsOnly(Regularization penalty) {
        assertPenalizesWeightsOnly(PenaltyNetworks.dense(List.of()), PenaltyNetworks.dense(List.of(penalty)), penalty, 1);
    }

    @ParameterizedTest
    @MethodSource("penalties")
    void convolutionalNetworkPenalizesWeightsOnly(Regularization penalty) {
        assertPenalizesWeightsOnly(PenaltyNetworks.conv(List.of()), PenaltyNetworks.conv(List.of(penalty)), penalty, 1);
    }

    @Test
    void layerLevelRegularizationReachesTheWeightsOnce() {
        Regularization ridge = new RidgePenalty(0.3);
        for (var layerConf : PenaltyNetworks.dense(List.of(ridge)).getConfs()) {
            BaseLayer layer = (BaseLayer) layerConf.getLayer();
            assertEquals(List.of(ridge), layer.getRegularization());
            assertEquals(List.of(), layer.getRegularizationBias());
        }
    }

    /**
     * DL4J 1.0.0-M2.1: the network builder's regularization never reaches the biases, but a layer without its own
     * list receives it twice (copied, then merged again; only L1Regularization/L2Regularization are de-duplicated).
     */
    @Test
    void networkLevelRegularizationSkipsBiasesButDl4jAppliesItTwiceToWeights() {
        Regularization ridge = new RidgePenalty(0.3);
        MultiLayerConfiguration conf = PenaltyNetworks.denseWithNetworkLevel(List.of(ridge));
        for (var layerConf : conf.getConfs()) {
            BaseLayer layer = (BaseLayer) layerConf.getLayer();
            assertEquals(List.of(ridge, ridge), layer.getRegularization());
            assertEquals(List.of(), layer.getRegularizationBias());
        }
        assertPenalizesWeightsOnly(PenaltyNetworks.denseWithNetworkLevel(List.of()), conf, ridge, 2);
    }

    /**
     * Same parameters and data in both networks. {@code computeGradientAndScore()}: identical gradients, scores
     * differing by the penalty. After the updater step (NoOp updater): bias gradients identical, weight gradients
     * differing by {@code times} the penalty gradient of each layer's flattened weights.
     */
    private static void assertPenalizesWeightsOnly(MultiLayerConfiguration plainConf, MultiLayerConfiguration penalizedConf,
                                                   Regularization penalty, int times) {
        MultiLayerNetwork plain = PenaltyNetworks.network(plainConf, 42);
        MultiLayerNetwork penalized = PenaltyNetworks.network(penalizedConf, 42);
        for (MultiLayerNetwork net : List.of(plain, penalized)) {
            PenaltyNetworks.setData(net);
            net.computeGradientAndScore();
        }
        assertArrayEquals(plain.getGradientsViewArray().toDoubleVector(), penalized.getGradientsViewArray().toDoubleVector(), 0.0,
                "the penalty gradient is not part of backprop");

        double expectedScore = 0;
        for (int l = 0; l < plain.getnLayers(); l++) {
            expectedScore += times * PenaltyNetworks.referenceScore(penalty, weights(penalized.getLayer(l), Layer::params));
        }
        assertEquals(expectedScore, penalized.score() - plain.score(), 1e-10, "score = data loss + penalty");

        for (MultiLayerNetwork net : List.of(plain, penalized)) {
            net.getUpdater().update(net, net.gradient(), 0, 0, PenaltyNetworks.BATCH, LayerWorkspaceMgr.noWorkspaces());
        }
        for (int l = 0; l < plain.getnLayers(); l++) {
            Layer p = plain.getLayer(l);
            Layer q = penalized.getLayer(l);
            assertArrayEquals(biases(p), biases(q), 0.0, "bias gradient of layer " + l);
            double[] penaltyGradient = PenaltyNetworks.referenceGradient(penalty, weights(q, Layer::params));
            double[] plainGradient = weights(p, Layer::getGradientsViewArray);
            double[] penalizedGradient = weights(q, Layer::getGradientsViewArray);
            double[] difference = new double[plainGradient.length];
            for (int i = 0; i < difference.length; i++) {
                difference[i] = penalizedGradient[i] - plainGradient[i];
                penaltyGradient[i] *= times;
            }
            assertArrayEquals(penaltyGradient, difference, 1e-10, "weight gradient of layer " + l);
        }
    }

    /** Index of the first weight in a layer's flattened parameters: convolution layers store the biases first. */
    private static int weightStart(Layer layer) {
        return layer.conf().getLayer() instanceof ConvolutionLayer ? (int) layer.getParam("b").length() : 0;
    }

    /** The weights segment of {@code flat.apply(layer)}, in DL4J's flattened order. */
    private static double[] weights(Layer layer, Function<Layer, org.nd4j.linalg.api.ndarray.INDArray> flat) {
        int start = weightStart(layer);
        return Arrays.copyOfRange(flat.apply(layer).toDoubleVector(), start, start + (int) layer.getParam("W").length());
    }

    /** The bias gradients of a layer, from its flattened gradient view. */
    private static double[] biases(Layer layer) {
        double[] all = layer.getGradientsViewArray().toDoubleVector();
        int start = weightStart(layer);
        int nWeights = (int) layer.getParam("W").length();
        double[] b = new double[all.length - nWeights];
        System.arraycopy(all, 0, b, 0, start);
        System.arraycopy(all, start + nWeights, b, start, all.length - start - nWeights);
        return b;
    }
}
