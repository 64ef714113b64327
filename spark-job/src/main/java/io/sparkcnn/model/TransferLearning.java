package io.sparkcnn.model;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Transfer learning as the lecture describes it: the convolution part of a trained network (every layer before
 * the first dense layer) is copied into a new network, its convolution layers are frozen (DL4J's
 * {@code FrozenLayer}: no updates, so their weights stay bit-identical), and the dense head is built afresh
 * with random weights from the new configuration, to be trained on the new data.
 */
public final class TransferLearning {
    /**
     * The network to fine-tune.
     *
     * @param network     initialized, feature layers copied, frozen layers wrapped
     * @param frozen      indices of the frozen layers (0 .. last frozen), empty when nothing is frozen
     * @param copied      names of the layers whose parameters came from the pretrained network
     */
    public record Start(MultiLayerNetwork network, List<Integer> frozen, List<String> copied) {
    }

    private TransferLearning() {
    }

    /**
     * @param pretrained the trained network
     * @param fresh      the configuration to fine-tune (same feature layers, any dense head)
     * @param freeze     {@code conv}, {@code all-but-last-conv} or {@code none}
     * @throws IllegalArgumentException when the feature layers differ in number, name or parameter shapes
     */
    public static Start start(MultiLayerNetwork pretrained, MultiLayerConfiguration fresh, String freeze) {
        MultiLayerNetwork net = new MultiLayerNetwork(fresh);
        net.init();
        int features = firstDense(fresh);
        if (features != firstDense(pretrained.getLayerWiseConfigurations())) {
            throw new IllegalArgumentException("the saved model has " + firstDense(pretrained.getLayerWiseConfigurations())
                    + " layers before its first dense layer, the configured network " + features
                    + ": transfer learning needs the same convolution part");
        }
        List<String> copied = new ArrayList<>();
        List<Integer> convs = new ArrayList<>();
        for (int i = 0; i < features; i++) {
            Layer mine = fresh.getConf(i).getLayer();
            Layer theirs = pretrained.getLayerWiseConfigurations().getConf(i).getLayer();
            if (!Objects.equals(mine.getLayerName(), theirs.getLayerName())
                    || !sameShapes(net.getLayer(i).paramTable(), pretrained.getLayer(i).paramTable())) {
                throw new IllegalArgumentException("layer " + i + " differs: configured " + describe(net, i)
                        + ", saved model " + describe(pretrained, i));
            }
            if (net.getLayer(i).numParams() > 0) {
                net.getLayer(i).setParams(pretrained.getLayer(i).params().dup());
                copied.add(mine.getLayerName());
            }
            if (mine instanceof ConvolutionLayer) {
                convs.add(i);
            }
        }
        int lastFrozen = switch (freeze) {
            case "conv" -> convs.isEmpty() ? -1 : convs.get(convs.size() - 1);
            case "all-but-last-conv" -> convs.size() < 2 ? -1 : convs.get(convs.size() - 2);
            case "none" -> -1;
            default -> throw new IllegalArgumentException("unknown freeze mode '" + freeze + "'");
        };
        if (lastFrozen < 0) {
            return new Start(net, List.of(), List.copyOf(copied));
        }
        MultiLayerNetwork frozen = new org.deeplearning4j.nn.transferlearning.TransferLearning.Builder(net)
                .setFeatureExtractor(lastFrozen).build();
        List<Integer> indices = new ArrayList<>();
        for (int i = 0; i <= lastFrozen; i++) {
            indices.add(i);
        }
        return new Start(frozen, List.copyOf(indices), List.copyOf(copied));
    }

    /** Index of the first dense or output layer: the layers before it are the network's feature part. */
    static int firstDense(MultiLayerConfiguration conf) {
        for (int i = 0; i < conf.getConfs().size(); i++) {
            Layer l = conf.getConf(i).getLayer();
            if (l instanceof DenseLayer || l instanceof OutputLayer) {
                return i;
            }
        }
        return conf.getConfs().size();
    }

    private static boolean sameShapes(java.util.Map<String, INDArray> a, java.util.Map<String, INDArray> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        return a.entrySet().stream().allMatch(e -> Arrays.equals(e.getValue().shape(), b.get(e.getKey()).shape()));
    }

    private static String describe(MultiLayerNetwork net, int i) {
        Layer l = net.getLayerWiseConfigurations().getConf(i).getLayer();
        StringBuilder b = new StringBuilder(l.getLayerName() + " (" + l.getClass().getSimpleName());
        net.getLayer(i).paramTable().forEach((k, v) -> b.append(", ").append(k).append(' ').append(Arrays.toString(v.shape())));
        return b.append(')').toString();
    }
}
