package io.sparkcnn.config;

/**
 * One layer of a {@link NetworkConfig}. Which fields matter depends on {@link #type}:
 * <ul>
 *   <li>{@code conv}: size (filters), kernel, stride, padding, activation, regularization</li>
 *   <li>{@code max-pool}, {@code avg-pool}: kernel (pool size), stride</li>
 *   <li>{@code dropout}: rate, the fraction of units dropped during training (Keras's meaning)</li>
 *   <li>{@code batch-norm}: momentum and epsilon of batch normalization (Ioffe and Szegedy, 2015), per channel
 *   after a convolution, per unit after a dense layer</li>
 *   <li>{@code dense}: size (units), activation, regularization</li>
 *   <li>{@code output}: size (classes), activation, loss, regularization</li>
 * </ul>
 *
 * @param type           one of {@link #TYPES}
 * @param name           layer name shown in the model summary and used to match layers in transfer learning
 * @param size           filters of a convolution, units of a dense or output layer, else 0
 * @param kernelH        kernel or pool height in pixels
 * @param kernelW        kernel or pool width in pixels
 * @param strideH        vertical stride in pixels
 * @param strideW        horizontal stride in pixels
 * @param padding        a convolution's padding; {@link PaddingConfig#NONE} elsewhere
 * @param activation     DL4J activation name in lower case ({@code relu}, {@code softmax}, {@code identity}, ...)
 * @param rate           dropout rate in [0, 1)
 * @param loss           output layer's loss function in lower case ({@code mcxent}, ...)
 * @param regularization this layer's weight penalty, or {@code null} for the network's
 * @param momentum       batch normalization: the weight of the old value in the moving averages of the batch means
 *                       and variances used at inference, in [0, 1) (Keras's {@code momentum}, DL4J's {@code decay})
 * @param epsilon        batch normalization: added to the variance before its square root, &gt; 0
 */
public record LayerConfig(String type, String name, int size, int kernelH, int kernelW, int strideH, int strideW,
                          PaddingConfig padding, String activation, double rate, String loss,
                          PenaltyConfig regularization, double momentum, double epsilon) {
    /** Every layer type. */
    public static final java.util.List<String> TYPES =
            java.util.List.of("conv", "max-pool", "avg-pool", "dropout", "batch-norm", "dense", "output");

    /** True for layers that work on images: convolution and pooling. */
    public boolean isSpatial() {
        return type.equals("conv") || type.endsWith("-pool");
    }

    /** True for layers with weights: convolution, dense and output. */
    public boolean hasWeights() {
        return type.equals("conv") || type.equals("dense") || type.equals("output");
    }
}
