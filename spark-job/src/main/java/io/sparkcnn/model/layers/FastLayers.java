package io.sparkcnn.model.layers;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * The job's speed-ups of DL4J's layers that work on a running network, installed together:
 * {@link SingleChannelConvHelper} (one-channel convolutions' backward pass), {@link Bf16ConvHelper} and
 * {@link Bf16DenseLayer} (multi-channel NHWC convolutions and dense layers in bfloat16, where {@code mode} allows it
 * on this CPU), {@link NhwcConvolutionLayer} (no NCHW copy of NHWC inputs) and {@link FastBatchNormHelper} (batch
 * normalization through matrix products). None changes the network's
 * configuration or saved form.
 */
public final class FastLayers {
    private FastLayers() {
    }

    /** Installs all of them into {@code net}; cheap when already done, so callable before every minibatch. */
    public static void install(MultiLayerNetwork net, Bf16ConvHelper.Mode mode) {
        SingleChannelConvHelper.install(net);
        Bf16ConvHelper.install(net, mode);
        NhwcConvolutionLayer.install(net);
        Bf16DenseLayer.install(net, mode);
        FastBatchNormHelper.install(net);
    }
}
