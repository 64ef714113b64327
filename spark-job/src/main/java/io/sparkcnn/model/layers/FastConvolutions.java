package io.sparkcnn.model.layers;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * The job's three speed-ups of DL4J's convolution layers, installed into a running network together:
 * {@link SingleChannelConvHelper} (one-channel layers' backward pass), {@link Bf16ConvHelper} (multi-channel NHWC
 * layers in bfloat16, where {@code mode} allows it on this CPU) and {@link NhwcConvolutionLayer} (no NCHW copy of
 * NHWC inputs). None changes the network's configuration or saved form.
 */
public final class FastConvolutions {
    private FastConvolutions() {
    }

    /** Installs all three into {@code net}; cheap when already done, so callable before every minibatch. */
    public static void install(MultiLayerNetwork net, Bf16ConvHelper.Mode mode) {
        SingleChannelConvHelper.install(net);
        Bf16ConvHelper.install(net, mode);
        NhwcConvolutionLayer.install(net);
    }
}
