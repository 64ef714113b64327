package io.sparkcnn.model.layers;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.InputTypeUtil;
import org.deeplearning4j.nn.conf.layers.NoParamLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.Collection;
import java.util.Objects;

/**
 * Configuration of a 2-D padding layer without parameters that pads the height and width of CNN activations by
 * {@code padding = [top, bottom, left, right]} pixels (each {@code >= 0}) in the way {@link PaddingKind} says;
 * channels and examples pass through separately. A {@code [minibatch, channels, h, w]} input (NCHW, or
 * {@code [minibatch, h, w, channels]} for NHWC, taken from the input type) gives
 * {@code [minibatch, channels, h+top+bottom, w+left+right]}. EDGE, 1 pixel on every side:
 * <pre>
 *              1 1 2 2
 *   1 2   -&gt;   1 1 2 2
 *   3 4        3 3 4 4
 *              3 3 4 4
 * </pre>
 * The backward pass sends each output gradient to the pixel it was copied from (sums where a pixel was copied
 * several times); a dropout set on the layer applies to its input, as in DL4J's layers. Serializes to JSON
 * by class name, like DL4J's own layers: renaming or moving this class breaks saved models.
 */
public class Padding2D extends NoParamLayer {
    private PaddingKind kind;
    private int[] padding;
    private CNN2DFormat dataFormat = CNN2DFormat.NCHW;

    /** For Jackson only. */
    private Padding2D() {
    }

    /** Pads by {@code top, bottom, left, right} pixels (each {@code >= 0}) of {@code kind}. */
    public Padding2D(PaddingKind kind, int top, int bottom, int left, int right) {
        this(new Builder(kind, top, bottom, left, right));
    }

    private Padding2D(Builder builder) {
        super(builder);
        this.kind = builder.kind;
        this.padding = builder.padding.clone();
        this.dataFormat = builder.dataFormat;
    }

    public PaddingKind getKind() {
        return kind;
    }

    /** A copy of {@code [top, bottom, left, right]}, in pixels. */
    public int[] getPadding() {
        return padding.clone();
    }

    public CNN2DFormat getDataFormat() {
        return dataFormat;
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
            Collection<TrainingListener> trainingListeners, int layerIndex, INDArray layerParamsView,
            boolean initializeParams, DataType networkDataType) {
        Padding2DLayer ret = new Padding2DLayer(conf, networkDataType);
        ret.setListeners(trainingListeners);
        ret.setIndex(layerIndex);
        ret.setParamTable(initializer().init(conf, layerParamsView, initializeParams));
        ret.setConf(conf);
        return ret;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        if (!(inputType instanceof InputType.InputTypeConvolutional c)) {
            throw new IllegalStateException("Padding2D (layer \"" + layerName + "\", index " + layerIndex
                    + ") needs a convolutional input type, got " + inputType);
        }
        return InputType.convolutional(c.getHeight() + padding[0] + padding[1], c.getWidth() + padding[2] + padding[3],
                c.getChannels(), c.getFormat());
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        if (inputType instanceof InputType.InputTypeConvolutional c) {
            this.dataFormat = c.getFormat();
        }
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        if (inputType == null) {
            throw new IllegalArgumentException("Padding2D (layer \"" + layerName + "\"): input type is null");
        }
        return InputTypeUtil.getPreProcessorForInputTypeCnnLayers(inputType, layerName);
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        InputType outputType = getOutputType(-1, inputType);
        // Training keeps one copy of the output gradient to fold the border into the interior.
        return new LayerMemoryReport.Builder(layerName, Padding2D.class, inputType, outputType)
                .standardMemory(0, 0)
                .workingMemory(0, 0, 0, outputType.arrayElementsPerExample())
                .cacheMemory(MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.CACHE_MODE_ALL_ZEROS)
                .build();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || o.getClass() != getClass() || !super.equals(o)) {
            return false;
        }
        Padding2D p = (Padding2D) o;
        return kind == p.kind && Arrays.equals(padding, p.padding) && dataFormat == p.dataFormat;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), kind, Arrays.hashCode(padding), dataFormat);
    }

    @Override
    public String toString() {
        return "Padding2D(name=" + layerName + ", kind=" + kind + ", padding=" + Arrays.toString(padding)
                + ", dataFormat=" + dataFormat + ", dropout=" + iDropout + ")";
    }

    /**
     * Builds a {@link Padding2D}; {@code name(...)} and {@code dropOut(...)} come from DL4J's layer builder.
     * Padding amounts are pixels, each {@code >= 0}.
     */
    public static class Builder extends org.deeplearning4j.nn.conf.layers.Layer.Builder<Builder> {
        private final PaddingKind kind;
        private final int[] padding;
        private CNN2DFormat dataFormat = CNN2DFormat.NCHW;

        /** {@code pad} pixels on all four sides. */
        public Builder(PaddingKind kind, int pad) {
            this(kind, pad, pad, pad, pad);
        }

        public Builder(PaddingKind kind, int top, int bottom, int left, int right) {
            this.kind = Objects.requireNonNull(kind, "padding kind");
            this.padding = new int[] {top, bottom, left, right};
            for (int p : padding) {
                if (p < 0) {
                    throw new IllegalArgumentException("padding [top, bottom, left, right] must be >= 0, got "
                            + Arrays.toString(padding));
                }
            }
        }

        /** NCHW (the default) or NHWC; a network's input type overrides it through {@code setNIn}. */
        public Builder dataFormat(CNN2DFormat format) {
            this.dataFormat = Objects.requireNonNull(format, "data format");
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public Padding2D build() {
            return new Padding2D(this);
        }
    }
}
