package io.sparkcnn.config;

/**
 * Transfer learning as the lecture describes it: start from a trained network, keep its convolution layers
 * (frozen, so their weights stay bit-identical), and train a new dense head. The layers up to the first dense
 * layer must have the same names and shapes in the saved model and in {@code model.network}; the dense head
 * is built afresh from {@code model.network}.
 *
 * @param from   a saved model: an output directory of an earlier run or its {@code model.zip}; empty = no transfer
 * @param freeze {@code conv}: freeze every convolution layer; {@code all-but-last-conv}: leave the last one
 *               trainable too; {@code none}: copy the convolution weights but train them
 */
public record TransferConfig(String from, String freeze) {
    /** The freeze modes. */
    public static final java.util.List<String> FREEZE_MODES = java.util.List.of("conv", "all-but-last-conv", "none");

    /** No transfer: the network starts from random weights. */
    public static final TransferConfig NONE = new TransferConfig("", "conv");

    public boolean enabled() {
        return !from.isBlank();
    }
}
