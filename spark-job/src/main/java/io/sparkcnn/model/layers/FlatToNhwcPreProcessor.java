package io.sparkcnn.model.layers;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Arrays;
import java.util.Objects;

/**
 * Reshapes flat rows of pixels, {@code [minibatch, height * width * channels]} stored row by row with the
 * channels innermost, into NHWC images {@code [minibatch, height, width, channels]} (and gradients back). DL4J's
 * own {@code FeedForwardToCnnPreProcessor} reshapes into NCHW only. For grey images (one channel) the two layouts
 * are the same bytes, so a network can take the same flat MNIST rows either way; with NHWC, oneDNN's convolution
 * and pooling kernels read and write the arrays as they are, without converting them to and from NCHW.
 * The reshape copies nothing when the input is a row-major array with default strides.
 */
public final class FlatToNhwcPreProcessor implements InputPreProcessor {
    private static final long serialVersionUID = 1L;

    @JsonProperty("height")
    private final long height;
    @JsonProperty("width")
    private final long width;
    @JsonProperty("channels")
    private final long channels;

    /** Images of {@code height x width x channels}, all {@code > 0}. */
    @JsonCreator
    public FlatToNhwcPreProcessor(@JsonProperty("height") long height, @JsonProperty("width") long width,
            @JsonProperty("channels") long channels) {
        if (height <= 0 || width <= 0 || channels <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + height + " x " + width + " x "
                    + channels);
        }
        this.height = height;
        this.width = width;
        this.channels = channels;
    }

    /** Image height, pixels. */
    public long height() {
        return height;
    }

    /** Image width, pixels. */
    public long width() {
        return width;
    }

    /** Values per pixel. */
    public long channels() {
        return channels;
    }

    @Override
    public INDArray preProcess(INDArray input, int miniBatchSize, LayerWorkspaceMgr workspaceMgr) {
        if (input.rank() == 4) {
            return workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, input);
        }
        if (input.rank() != 2 || input.size(1) != height * width * channels) {
            throw new IllegalArgumentException("expected rows of " + height + " x " + width + " x " + channels
                    + " = " + height * width * channels + " values, got an array of shape "
                    + Arrays.toString(input.shape()));
        }
        INDArray rows = rowMajor(input, ArrayType.ACTIVATIONS, workspaceMgr);
        INDArray images = rows.reshape('c', input.size(0), height, width, channels);
        return workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, images);
    }

    @Override
    public INDArray backprop(INDArray epsilons, int miniBatchSize, LayerWorkspaceMgr workspaceMgr) {
        return workspaceMgr.leverageTo(ArrayType.ACTIVATION_GRAD,
                rowMajor(epsilons, ArrayType.ACTIVATION_GRAD, workspaceMgr)
                        .reshape('c', epsilons.size(0), height * width * channels));
    }

    private static INDArray rowMajor(INDArray a, ArrayType type, LayerWorkspaceMgr workspaceMgr) {
        return a.ordering() == 'c' && Shape.hasDefaultStridesForShape(a) ? a : workspaceMgr.dup(type, a, 'c');
    }

    @Override
    public InputType getOutputType(InputType inputType) {
        long size = switch (inputType.getType()) {
            case FF -> ((InputType.InputTypeFeedForward) inputType).getSize();
            case CNNFlat -> ((InputType.InputTypeConvolutionalFlat) inputType).getFlattenedSize();
            default -> throw new IllegalStateException("expected flat images as input, got " + inputType);
        };
        if (size != height * width * channels) {
            throw new IllegalStateException("expected flat images of " + height + " x " + width + " x " + channels
                    + " values, got " + inputType);
        }
        return InputType.convolutional(height, width, channels, CNN2DFormat.NHWC);
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray maskArray, MaskState currentMaskState,
            int minibatchSize) {
        return new Pair<>(maskArray, currentMaskState);
    }

    @Override
    public FlatToNhwcPreProcessor clone() {
        return new FlatToNhwcPreProcessor(height, width, channels);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FlatToNhwcPreProcessor p && height == p.height && width == p.width
                && channels == p.channels;
    }

    @Override
    public int hashCode() {
        return Objects.hash(height, width, channels);
    }

    @Override
    public String toString() {
        return "FlatToNhwcPreProcessor(" + height + " x " + width + " x " + channels + ")";
    }
}
