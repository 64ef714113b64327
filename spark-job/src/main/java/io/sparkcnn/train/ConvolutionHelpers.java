package io.sparkcnn.train;

import io.sparkcnn.model.layers.Bf16ConvHelper;
import io.sparkcnn.model.layers.Bf16DenseLayer;
import io.sparkcnn.model.layers.FastLayers;
import io.sparkcnn.model.layers.NhwcConvolutionLayer;
import io.sparkcnn.model.layers.SingleChannelConvHelper;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.api.DataSet;

/**
 * Puts the job's layer speed-ups ({@link FastLayers}) into the worker's network before every minibatch, as DL4J
 * builds a new network on each worker every averaging round, with oneDNN's helpers: {@link SingleChannelConvHelper}
 * into one-channel convolutions, {@link NhwcConvolutionLayer} in place of NHWC convolution layers, and where
 * {@code natives.bf16-convolutions} allows it on this executor's CPU {@link Bf16ConvHelper} into multi-channel
 * convolutions and {@link Bf16DenseLayer} in place of dense layers. Runs inside executor tasks.
 */
final class ConvolutionHelpers extends BeforeMinibatchHook {
    private static final long serialVersionUID = 1L;
    private final Bf16ConvHelper.Mode bf16;

    ConvolutionHelpers(Bf16ConvHelper.Mode bf16) {
        this.bf16 = bf16;
    }

    @Override
    public void preUpdate(DataSet minibatch, Model model) {
        if (model instanceof MultiLayerNetwork net) {
            FastLayers.install(net, bf16);
        }
    }
}
