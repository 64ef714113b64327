package io.sparkcnn.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.sparkcnn.model.layers.FlatToNhwcPreProcessor;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * What a trained network takes and gives, stored beside every saved model as {@value #FILE} so that nothing has to
 * be guessed when the model is used: images of {@code height x width x channels} pixels, handed to the network as
 * flat rows (row by row, channels innermost) of {@code pixel / pixelScale}, with ink light on a dark background
 * ({@code polarity}, as MNIST); the network arranges them as {@code layout} inside; its outputs are the
 * probabilities of {@code labels}, in output order.
 *
 * <p>Models saved before this file existed get a contract {@link #derive derived} from the network itself (the
 * image size from its first pre-processor or, for a dense first layer, a square of its input count); such a
 * contract says so in {@link #derivedFrom()}.</p>
 *
 * @param format      version of this file's layout ({@value #FORMAT})
 * @param height      image height, pixels (at least 1)
 * @param width       image width, pixels (at least 1)
 * @param channels    values per pixel (1 for grey)
 * @param layout      how the network arranges the image: {@code NHWC} or {@code NCHW} for convolutional networks,
 *                    {@code FLAT} for networks whose first layer is dense
 * @param pixelScale  stored pixel values (0 to this) are divided by it: 255 for 8-bit images
 * @param polarity    {@value #LIGHT_ON_DARK}: background 0, ink high, as MNIST
 * @param labels      the name of each output, in output order (at least 2)
 * @param derivedFrom {@code null} for a stored contract; otherwise how it was derived for an older model
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record InputContract(int format, int height, int width, int channels, Layout layout, double pixelScale,
                            String polarity, List<String> labels, String derivedFrom) implements Serializable {
    /** Name of the file beside the model. */
    public static final String FILE = "input.json";
    /** Current {@link #format()}. */
    public static final int FORMAT = 1;
    /** MNIST's polarity: light ink on a dark (0) background. */
    public static final String LIGHT_ON_DARK = "light-on-dark";
    /** The scale of 8-bit pixels. */
    public static final double BYTE_SCALE = 255.0;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** How a network arranges an image inside. */
    public enum Layout { NHWC, NCHW, FLAT }

    public InputContract {
        List<String> problems = new ArrayList<>();
        if (height < 1 || width < 1 || channels < 1) {
            problems.add("image size must be positive, got " + height + "x" + width + "x" + channels);
        }
        if (layout == null) {
            problems.add("layout is missing (NHWC, NCHW or FLAT)");
        }
        if (!(pixelScale > 0)) {
            problems.add("pixelScale must be positive, got " + pixelScale);
        }
        if (!LIGHT_ON_DARK.equals(polarity)) {
            problems.add("polarity must be " + LIGHT_ON_DARK + ", got " + polarity);
        }
        if (labels == null || labels.size() < 2) {
            problems.add("at least 2 labels are needed, got " + labels);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        labels = List.copyOf(labels);
    }

    /** Values per image: {@code height * width * channels}. */
    public int valuesPerImage() {
        return height * width * channels;
    }

    /** Number of classes: the network's outputs. */
    public int classes() {
        return labels.size();
    }

    /** The labels {@code "0"} to {@code "n-1"}, as MNIST's digits. */
    public static List<String> digitLabels(int n) {
        return IntStream.range(0, n).mapToObj(Integer::toString).toList();
    }

    /**
     * The contract of a network trained here on 8-bit grey images of {@code height x width} with {@code labels}
     * (the data's facts, stored rather than guessed later); checked against the network.
     *
     * @throws IllegalArgumentException when the network does not take such images or give that many outputs
     */
    public static InputContract forTraining(MultiLayerNetwork net, int height, int width, List<String> labels) {
        InputContract contract = new InputContract(FORMAT, height, width, 1, layout(net.getLayerWiseConfigurations()),
                BYTE_SCALE, LIGHT_ON_DARK, labels, null);
        contract.check(net);
        return contract;
    }

    /**
     * The contract of a model saved without one (before {@value #FILE} existed): the image size from the network's
     * first pre-processor ({@link FlatToNhwcPreProcessor}, DL4J's {@code FeedForwardToCnnPreProcessor}) or, when the
     * first layer is dense, the square whose pixel count is its input count; 8-bit grey light-on-dark pixels and
     * digit labels, as every model trained here before had.
     *
     * @throws IllegalArgumentException when the network's input cannot be told (not one channel, not a square)
     */
    public static InputContract derive(MultiLayerNetwork net) {
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
        Layout layout;
        try {
            layout = layout(conf);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + ", and the model has no " + FILE + " to say its input",
                    e);
        }
        List<String> labels = digitLabels(outputs(net));
        if (layout != Layout.FLAT) {
            long[] size = imageSize(conf);
            return new InputContract(FORMAT, (int) size[0], (int) size[1], (int) size[2], layout, BYTE_SCALE,
                    LIGHT_ON_DARK, labels, conf.getInputPreProcess(0).getClass().getSimpleName());
        }
        long values = ((FeedForwardLayer) firstLayer(conf)).getNIn();
        int side = (int) Math.round(Math.sqrt(values));
        if ((long) side * side != values) {
            throw new IllegalArgumentException("the model's first layer takes " + values + " values, not a square "
                    + "image, and the model has no " + FILE + " to say its size");
        }
        return new InputContract(FORMAT, side, side, 1, Layout.FLAT, BYTE_SCALE, LIGHT_ON_DARK, labels,
                "the dense first layer's " + values + " inputs, read as a square image");
    }

    /**
     * Checks that {@code net} takes and gives what this contract says: the layout and image size of its first
     * pre-processor or dense layer, and its number of outputs.
     *
     * @throws IllegalArgumentException naming both values of the first mismatch
     */
    public void check(MultiLayerNetwork net) {
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
        Layout actual = layout(conf);
        if (actual != layout) {
            throw new IllegalArgumentException("the contract says layout " + layout + ", the network is " + actual);
        }
        long[] size = actual == Layout.FLAT ? null : imageSize(conf);
        if (size != null && (size[0] != height || size[1] != width || size[2] != channels)) {
            throw new IllegalArgumentException("the contract says images of " + height + "x" + width + "x" + channels
                    + ", the network takes " + size[0] + "x" + size[1] + "x" + size[2]);
        }
        if (size == null && ((FeedForwardLayer) firstLayer(conf)).getNIn() != valuesPerImage()) {
            throw new IllegalArgumentException("the contract says " + valuesPerImage() + " values per image ("
                    + height + "x" + width + "x" + channels + "), the network's first layer takes "
                    + ((FeedForwardLayer) firstLayer(conf)).getNIn());
        }
        if (outputs(net) != classes()) {
            throw new IllegalArgumentException("the contract names " + classes() + " labels, the network gives "
                    + outputs(net) + " outputs");
        }
    }

    /** One line for logs and messages, e.g. {@code 28x28x1 NHWC, pixels / 255, light-on-dark, labels 0-9}. */
    public String describe() {
        String scale = pixelScale == Math.rint(pixelScale) ? Long.toString((long) pixelScale)
                : Double.toString(pixelScale);
        return height + "x" + width + "x" + channels + " " + layout + ", pixels / " + scale + ", " + polarity + ", "
                + (labels.equals(digitLabels(labels.size())) ? "labels 0-" + (labels.size() - 1) : "labels " + labels)
                + (derivedFrom == null ? "" : " (derived from " + derivedFrom + ")");
    }

    /** This contract as the UTF-8 JSON of {@value #FILE}, without {@code derivedFrom}. */
    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(derivedFrom == null ? this : new InputContract(format, height, width,
                    channels, layout, pixelScale, polarity, labels, null));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + FILE + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads {@value #FILE}.
     *
     * @param name the file, for messages
     * @throws IllegalArgumentException naming the file when it is not a contract this version can read
     */
    public static InputContract fromJson(byte[] json, String name) {
        InputContract contract;
        try {
            contract = JSON.readValue(json, InputContract.class);
        } catch (java.io.IOException | RuntimeException e) {
            throw new IllegalArgumentException(name + ": not a readable input contract: " + e.getMessage(), e);
        }
        if (contract.format() != FORMAT) {
            throw new IllegalArgumentException(name + ": format " + contract.format() + ", this version reads format "
                    + FORMAT);
        }
        return contract;
    }

    private static Layout layout(MultiLayerConfiguration conf) {
        InputPreProcessor first = conf.getInputPreProcess(0);
        if (first instanceof FlatToNhwcPreProcessor) {
            return Layout.NHWC;
        }
        if (first instanceof FeedForwardToCnnPreProcessor) {
            return Layout.NCHW;
        }
        if (first == null && firstLayer(conf) instanceof FeedForwardLayer) {
            return Layout.FLAT;
        }
        throw new IllegalArgumentException("the network takes neither flat rows nor images: first layer "
                + firstLayer(conf).getClass().getSimpleName() + ", pre-processor "
                + (first == null ? "none" : first.getClass().getSimpleName()));
    }

    /** Height, width and channels that the first pre-processor of an NHWC or NCHW network reshapes images to. */
    private static long[] imageSize(MultiLayerConfiguration conf) {
        InputPreProcessor first = conf.getInputPreProcess(0);
        if (first instanceof FlatToNhwcPreProcessor p) {
            return new long[] {p.height(), p.width(), p.channels()};
        }
        FeedForwardToCnnPreProcessor p = (FeedForwardToCnnPreProcessor) first;
        return new long[] {p.getInputHeight(), p.getInputWidth(), p.getNumChannels()};
    }

    /** The first layer, inside a frozen wrapper if transfer learning froze it. */
    private static Layer firstLayer(MultiLayerConfiguration conf) {
        Layer layer = conf.getConf(0).getLayer();
        if (layer instanceof FrozenLayer frozen) {
            return frozen.getLayer();
        }
        if (layer instanceof FrozenLayerWithBackprop frozen) {
            return frozen.getUnderlying();
        }
        return layer;
    }

    private static int outputs(MultiLayerNetwork net) {
        return (int) net.layerSize(net.getnLayers() - 1);
    }
}
