package io.sparkcnn.predict;

import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.io.Serializable;

/**
 * The image size and class count a trained network takes and gives: flat rows of {@code rows * cols} grey
 * values in [0, 1] in, {@code classes} probabilities out.
 *
 * @param rows    image height, pixels
 * @param cols    image width, pixels
 * @param classes number of outputs (labels 0..classes-1)
 */
public record ModelInput(int rows, int cols, int classes) implements Serializable {
    /** Number of input values per image. */
    public int pixelsPerImage() {
        return rows * cols;
    }

    /**
     * Reads the input size from the network: a convolutional network's first pre-processor names height,
     * width and channels (one channel required); a dense network's first layer takes {@code nIn} values, read
     * as a square image.
     *
     * @throws IllegalArgumentException when the network does not take one-channel images of a known size
     */
    public static ModelInput of(MultiLayerNetwork net) {
        int classes = (int) net.layerSize(net.getnLayers() - 1);
        InputPreProcessor first = net.getLayerWiseConfigurations().getInputPreProcess(0);
        if (first instanceof FeedForwardToCnnPreProcessor cnn) {
            if (cnn.getNumChannels() != 1) {
                throw new IllegalArgumentException("the model takes " + cnn.getNumChannels()
                        + "-channel images; only grey (1 channel) images can be classified");
            }
            return new ModelInput((int) cnn.getInputHeight(), (int) cnn.getInputWidth(), classes);
        }
        Layer layer = net.getLayerWiseConfigurations().getConf(0).getLayer();
        if (layer instanceof FeedForwardLayer ff) {
            int side = (int) Math.round(Math.sqrt(ff.getNIn()));
            if ((long) side * side == ff.getNIn()) {
                return new ModelInput(side, side, classes);
            }
            throw new IllegalArgumentException("the model's first layer takes " + ff.getNIn()
                    + " values, not a square image");
        }
        throw new IllegalArgumentException("cannot tell the model's input size from its first layer " + layer);
    }
}
