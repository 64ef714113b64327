package io.sparkcnn.model.layers;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J's convolution layer without the copy it makes of every NHWC input: DL4J 1.0.0-M2.1's forward pass permutes
 * an NHWC input to NCHW and copies it element by element before it asks its helper, which then takes the original
 * input, so the copy only ever serves to read the input's sizes. For {@code seed-cnn}'s second convolution that is
 * 2.8 million floats per minibatch of 128, 6-9 % of a training iteration. Here an NHWC layer with a helper hands
 * its input straight to the helper; every other case (NCHW, {@code Same} mode, no helper) runs DL4J's code.
 *
 * <p>{@link #install} swaps the running network's layer objects, not its configuration ({@link LayerSwap}).
 */
public final class NhwcConvolutionLayer extends ConvolutionLayer {
    private NhwcConvolutionLayer() {
        super(null, null);
        throw new AssertionError("made by install() only");
    }

    /**
     * Replaces every plain NHWC convolution layer of {@code net} that has a helper by a copy of this class. Cheap
     * when already done: call it as often as needed, after installing helpers, e.g. before every minibatch.
     *
     * @return how many layers are now of this class
     */
    public static int install(MultiLayerNetwork net) {
        return LayerSwap.swap(net, layer -> layer.getClass() == ConvolutionLayer.class && layer.getHelper() != null
                && ((ConvolutionLayer) layer).layerConf().getCnn2dDataFormat() == CNN2DFormat.NHWC,
                NhwcConvolutionLayer.class);
    }

    @Override
    protected Pair<INDArray, INDArray> preOutput(boolean training, boolean forBackprop,
            LayerWorkspaceMgr workspaceMgr) {
        var c = layerConf();
        if (helper == null || helperCountFail != 0 || c.getCnn2dDataFormat() != CNN2DFormat.NHWC
                || convolutionMode == ConvolutionMode.Same || input == null || input.rank() != 4) {
            return super.preOutput(training, forBackprop, workspaceMgr);
        }
        assertInputSet(false);
        INDArray bias = getParamWithNoise(ConvolutionParamInitializer.BIAS_KEY, training, workspaceMgr);
        INDArray weights = getParamWithNoise(ConvolutionParamInitializer.WEIGHT_KEY, training, workspaceMgr);
        validateInputDepth(weights.size(1));
        if (preOutput != null && forBackprop) {
            return new Pair<>(preOutput, null);
        }
        if (!hasBias()) {
            if (dummyBias == null) {
                try (MemoryWorkspace ws = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                    dummyBias = Nd4j.create(weights.dataType(), 1, c.getNOut());
                }
            }
            bias = dummyBias;
        }
        INDArray out = helper.preOutput(input.castTo(dataType), weights, bias, c.getKernelSize(), c.getStride(),
                c.getPadding(), c.getCudnnAlgoMode(), c.getCudnnFwdAlgo(), convolutionMode, c.getDilation(),
                CNN2DFormat.NHWC, workspaceMgr);
        return out != null ? new Pair<>(out, null) : super.preOutput(training, forBackprop, workspaceMgr);
    }
}
