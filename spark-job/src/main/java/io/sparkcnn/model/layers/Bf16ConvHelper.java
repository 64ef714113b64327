package io.sparkcnn.model.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer.AlgoMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer.BwdDataAlgo;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer.BwdFilterAlgo;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer.FwdAlgo;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * DL4J's oneDNN convolution helper with the convolutions of multi-channel NHWC layers computed in bfloat16 on the
 * CPU's AMX tiles, by oneDNN 2.5 ({@link OneDnnBf16}; ND4J's own oneDNN 2.3 has no AMX kernels enabled). Inputs,
 * weights and output gradients are rounded to bfloat16 (8 significant bits) as they enter each product; products
 * are summed in float, and every array DL4J sees stays float: activations, gradients, parameters and the updater's
 * state. For {@code seed-cnn}'s second convolution at batch 128 the forward pass, the input gradient and the weight
 * gradient take 3.5, 4.7 and 5.5 ms instead of 17.7, 15.1 and 10.2 ms plus 12 ms of layout reorders in float.
 *
 * <p>Handles float NHWC input with more than one channel, any stride and padding, no dilation; anything else goes
 * to DL4J's oneDNN helper as before. Results are reproducible on one machine (oneDNN's kernels on one thread sum
 * in a fixed order) but differ from float training in the last bits of every step. {@link #install} puts the
 * helper into a network's layers when {@link Mode} allows it on this CPU.
 */
public final class Bf16ConvHelper extends MKLDNNConvHelper {
    private static final Logger log = LoggerFactory.getLogger(Bf16ConvHelper.class);

    /** When to use bfloat16 convolutions and dense layers ({@code natives.bf16-convolutions}). */
    public enum Mode {
        /** Only on CPUs with AMX-BF16 tiles (Intel Sapphire Rapids and later), where they are several times faster. */
        AUTO,
        /** Also on CPUs with AVX-512 BF16 instructions only (e.g. AMD Zen 4). */
        ON,
        /** Never: float convolutions as DL4J's oneDNN helper computes them. */
        OFF;

        /** Parses {@code auto}, {@code on} or {@code off}, case-insensitive. */
        public static Mode parse(String text) {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        }
    }

    private long ownPasses;

    public Bf16ConvHelper(DataType dataType) {
        super(dataType);
    }

    /**
     * Whether {@code mode} lets this CPU use the helper: ND4J's CPU backend (its arrays live in host memory; the
     * CUDA backend's do not), oneDNN 2.5's natives loaded and the ISA present.
     */
    public static boolean usable(Mode mode) {
        if (mode == Mode.OFF || !Nd4j.getEnvironment().isCPU()) {
            return false;
        }
        return switch (mode) {
            case OFF -> false;
            case AUTO -> OneDnnBf16.hasAmx();
            case ON -> OneDnnBf16.hasBf16();
        };
    }

    /** One line for the start log: the CPU's oneDNN ISA for bfloat16 and what {@code mode} makes of it. */
    public static String describe(Mode mode) {
        return OneDnnBf16.describe() + "; natives.bf16-convolutions=" + mode.name().toLowerCase(Locale.ROOT)
                + (usable(mode) ? ": in use (and for dense layers)" : ": not used");
    }

    /**
     * Gives every plain multi-channel NHWC convolution layer of {@code net} this helper when {@code mode} allows it
     * here. Cheap when already done: call it as often as needed, e.g. before every minibatch on a worker.
     *
     * @return how many layers now use this helper
     */
    public static int install(MultiLayerNetwork net, Mode mode) {
        if (!usable(mode) || SingleChannelConvHelper.HELPER_FIELD == null) {
            return 0;
        }
        int installed = 0;
        for (Layer layer : net.getLayers()) {
            if (layer.getHelper() instanceof Bf16ConvHelper) {
                installed++;
            } else if (takes(layer)) {
                try {
                    SingleChannelConvHelper.HELPER_FIELD.set(layer,
                            new Bf16ConvHelper(layer.getParam("W").dataType()));
                    installed++;
                } catch (IllegalAccessException e) {
                    log.warn("Could not install {} in layer {}: {}", Bf16ConvHelper.class.getSimpleName(),
                            layer.getIndex(), e.toString());
                }
            }
        }
        return installed;
    }

    /** Names of the layers of {@code net} that {@link #install} gives (or gave) this helper under {@code mode}. */
    public static List<String> layersTaken(MultiLayerNetwork net, Mode mode) {
        List<String> names = new ArrayList<>();
        if (!usable(mode)) {
            return names;
        }
        for (Layer layer : net.getLayers()) {
            if (layer.getHelper() instanceof Bf16ConvHelper || takes(layer)) {
                names.add(layer.conf().getLayer().getLayerName());
            }
        }
        return names;
    }

    /** A plain float NHWC convolution layer (or {@link NhwcConvolutionLayer}) with oneDNN's helper and several input channels. */
    private static boolean takes(Layer layer) {
        if ((layer.getClass() != ConvolutionLayer.class && layer.getClass() != NhwcConvolutionLayer.class)
                || layer.getHelper() == null
                || layer.getHelper().getClass() != MKLDNNConvHelper.class) {
            return false;
        }
        var conf = (org.deeplearning4j.nn.conf.layers.ConvolutionLayer) layer.conf().getLayer();
        return conf.getNIn() > 1 && conf.getCnn2dDataFormat() == CNN2DFormat.NHWC
                && layer.getParam("W").dataType() == DataType.FLOAT
                && Arrays.stream(conf.getDilation()).allMatch(d -> d == 1);
    }

    /** The convolution's shape, or null when this helper does not handle it. */
    private static OneDnnBf16.Shape shape(INDArray input, INDArray weights, int[] kernel, int[] strides, int[] pad,
            ConvolutionMode mode, int[] dilation, CNN2DFormat format, boolean withBias) {
        if (format != CNN2DFormat.NHWC || input.rank() != 4 || input.dataType() != DataType.FLOAT
                || weights.dataType() != DataType.FLOAT || input.size(3) < 2
                || Arrays.stream(dilation).anyMatch(d -> d != 1)) {
            return null;
        }
        int[] out = ConvolutionUtils.getOutputSize(input, kernel, strides, pad, mode, dilation, CNN2DFormat.NHWC);
        int h = (int) input.size(1);
        int w = (int) input.size(2);
        int bottom = (out[0] - 1) * strides[0] + kernel[0] - h - pad[0];
        int right = (out[1] - 1) * strides[1] + kernel[1] - w - pad[1];
        if (bottom < 0 || right < 0) {
            return null;
        }
        return new OneDnnBf16.Shape((int) input.size(0), h, w, (int) input.size(3), (int) weights.size(0), kernel[0],
                kernel[1], strides[0], strides[1], pad[0], pad[1], bottom, right, out[0], out[1], withBias);
    }

    @Override
    public INDArray preOutput(INDArray input, INDArray weights, INDArray bias, int[] kernel, int[] strides,
            int[] pad, AlgoMode mode, FwdAlgo fwdAlgo, ConvolutionMode convolutionMode, int[] dilation,
            CNN2DFormat format, LayerWorkspaceMgr workspaceMgr) {
        OneDnnBf16.Shape s = shape(input, weights, kernel, strides, pad, convolutionMode, dilation, format, true);
        if (s == null || bias == null) {
            return super.preOutput(input, weights, bias, kernel, strides, pad, mode, fwdAlgo, convolutionMode,
                    dilation, format, workspaceMgr);
        }
        ownPasses++;
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT,
                new long[] {s.n(), s.oh(), s.ow(), s.oc()}, 'c');
        OneDnnBf16.forward(s, OneDnnBf16.dense(input), OneDnnBf16.dense(weights), OneDnnBf16.dense(bias), out);
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray input, INDArray weights, INDArray bias, INDArray delta,
            int[] kernel, int[] strides, int[] pad, INDArray biasGradView, INDArray weightGradView, IActivation afn,
            AlgoMode mode, BwdFilterAlgo bwdFilterAlgo, BwdDataAlgo bwdDataAlgo, ConvolutionMode convolutionMode,
            int[] dilation, CNN2DFormat format, LayerWorkspaceMgr workspaceMgr) {
        boolean hasBias = biasGradView != null;
        OneDnnBf16.Shape s = shape(input, weights, kernel, strides, pad, convolutionMode, dilation, format, hasBias);
        if (s == null || delta.dataType() != DataType.FLOAT || !OneDnnBf16.isDense(weightGradView)
                || (hasBias && !OneDnnBf16.isDense(biasGradView))) {
            return super.backpropGradient(input, weights, bias, delta, kernel, strides, pad, biasGradView,
                    weightGradView, afn, mode, bwdFilterAlgo, bwdDataAlgo, convolutionMode, dilation, format,
                    workspaceMgr);
        }
        ownPasses++;
        INDArray gradAtInput = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT,
                input.shape(), 'c');
        OneDnnBf16.backward(s, OneDnnBf16.dense(input), OneDnnBf16.dense(weights), OneDnnBf16.dense(delta),
                gradAtInput, weightGradView, biasGradView, 0);
        Gradient g = new DefaultGradient();
        if (hasBias) {
            g.gradientForVariable().put(ConvolutionParamInitializer.BIAS_KEY, biasGradView);
        }
        g.gradientForVariable().put(ConvolutionParamInitializer.WEIGHT_KEY, weightGradView);
        return new Pair<>(g, gradAtInput);
    }

    /** How many forward and backward passes this helper computed itself (the others went to DL4J's helper). */
    long ownPasses() {
        return ownPasses;
    }
}
