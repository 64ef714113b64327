package io.sparkcnn.model.layers;

import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.feedforward.dense.DenseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's dense layer with its three products (forward, input gradient, weight gradient) in bfloat16 on the CPU's
 * AMX tiles through oneDNN 2.5's inner product ({@link OneDnnBf16}), as {@link Bf16ConvHelper} does for
 * convolutions: inputs, weights and output gradients are rounded to bfloat16 as they enter each product, sums and
 * every array DL4J sees stay float. For {@code seed-cnn}'s dense layer (9,216 x 128) DL4J's OpenBLAS products took
 * 18 % of JFR's native samples at batch 64 once the convolutions ran in bfloat16. Float layers with a bias and
 * without layer normalisation, weight noise or masks;
 * anything else runs DL4J's code. {@link #install} swaps the running network's layer objects ({@link LayerSwap})
 * when {@link Bf16ConvHelper.Mode} allows bfloat16 on this CPU.
 */
public final class Bf16DenseLayer extends DenseLayer {
    /** The stamp of this layer's last bfloat16 forward pass (0 before the first), see {@link OneDnnBf16}. */
    private long lastForward;

    private Bf16DenseLayer() {
        super(null, null);
        throw new AssertionError("made by install() only");
    }

    /**
     * Replaces every plain float dense layer of {@code net} by a copy of this class when {@code mode} allows
     * bfloat16 here. Cheap when already done: call it as often as needed, e.g. before every minibatch.
     *
     * @return how many layers are now of this class
     */
    public static int install(MultiLayerNetwork net, Bf16ConvHelper.Mode mode) {
        if (!Bf16ConvHelper.usable(mode)) {
            return 0;
        }
        return LayerSwap.swap(net, layer -> layer.getClass() == DenseLayer.class
                && layer.getParam(DefaultParamInitializer.WEIGHT_KEY).dataType() == DataType.FLOAT,
                Bf16DenseLayer.class);
    }

    /** The product's shape, or null when DL4J's code must run. */
    private OneDnnBf16.DenseShape shape(INDArray in, INDArray weights) {
        if (hasLayerNorm() || layerConf().getWeightNoise() != null || maskArray != null || in.rank() != 2
                || in.dataType() != DataType.FLOAT || weights.dataType() != DataType.FLOAT
                || in.size(1) != weights.size(0) || !denseColumnMajor(weights)) {
            return null;
        }
        return new OneDnnBf16.DenseShape((int) in.size(0), (int) weights.size(0), (int) weights.size(1), hasBias());
    }

    /** DL4J's [in, out] weights, stored column-major in one dense stretch. */
    private static boolean denseColumnMajor(INDArray a) {
        return a.ordering() == 'f' && a.elementWiseStride() == 1 && a.stride(0) == 1 && a.stride(1) == a.size(0);
    }

    @Override
    protected Pair<INDArray, INDArray> preOutputWithPreNorm(boolean training, boolean forBackprop,
            LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(forBackprop);
        applyDropOutIfNecessary(training, workspaceMgr);
        INDArray weights = getParamWithNoise(DefaultParamInitializer.WEIGHT_KEY, training, workspaceMgr);
        OneDnnBf16.DenseShape s = input == null ? null : shape(input, weights);
        if (s == null || !s.bias()) {
            return super.preOutputWithPreNorm(training, forBackprop, workspaceMgr);
        }
        INDArray bias = getParamWithNoise(DefaultParamInitializer.BIAS_KEY, training, workspaceMgr);
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT,
                new long[] {s.n(), s.out()}, 'c');
        lastForward = OneDnnBf16.denseForward(s, OneDnnBf16.dense(input), weights, OneDnnBf16.dense(bias), out);
        return new Pair<>(out, out);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        INDArray weights = getParamWithNoise(DefaultParamInitializer.WEIGHT_KEY, true, workspaceMgr);
        OneDnnBf16.DenseShape s = shape(input, weights);
        INDArray weightGrad = gradientViews.get(DefaultParamInitializer.WEIGHT_KEY);
        INDArray biasGrad = hasBias() ? gradientViews.get(DefaultParamInitializer.BIAS_KEY) : null;
        if (s == null || !s.bias() || !denseColumnMajor(weightGrad) || !OneDnnBf16.isDense(biasGrad)) {
            return super.backpropGradient(epsilon, workspaceMgr);
        }
        INDArray z = preOutputWithPreNorm(true, true, workspaceMgr).getFirst();
        INDArray delta = layerConf().getActivationFn().backprop(z, epsilon).getFirst();
        INDArray gradAtInput = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT,
                new long[] {s.n(), s.in()}, 'c');
        OneDnnBf16.denseBackward(s, OneDnnBf16.dense(input), weights, OneDnnBf16.dense(delta), gradAtInput,
                weightGrad, biasGrad, lastForward);
        Gradient g = new DefaultGradient();
        g.gradientForVariable().put(DefaultParamInitializer.BIAS_KEY, biasGrad);
        g.gradientForVariable().put(DefaultParamInitializer.WEIGHT_KEY, weightGrad);
        weightNoiseParams.clear();
        return new Pair<>(g, backpropDropOutIfPresent(gradAtInput));
    }
}
