package io.sparkcnn.model;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.AdaDelta;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

import java.util.List;

/**
 * The lecture's two Keras networks as pure factories (name and seed in, configuration out). Both take flat
 * rows of {@code rows*cols} pixels in [0, 1] and end in a 10-way softmax.
 *
 * <ul>
 *   <li>{@code seed-fc}: Dense 196 relu, Dropout 0.5, Dense 10 softmax; Adam (Keras defaults: lr 0.001,
 *       epsilon 1e-7). 155,830 parameters for 28x28 input.</li>
 *   <li>{@code seed-cnn}: Conv 32 3x3 relu, Conv 64 3x3 relu, MaxPool 2x2, Dropout 0.25, Dense 128 relu,
 *       Dropout 0.5, Dense 10 softmax ("valid" convolutions); AdaDelta, which in DL4J has no learning rate
 *       and behaves like Keras {@code Adadelta(lr=1.0)}, not the tf.keras default lr 0.001 that left the
 *       lecture at 62.7 %; rho 0.95 and epsilon 1e-7 as in Keras (DL4J's default epsilon is 1e-6).
 *       1,199,882 parameters for 28x28 input.</li>
 * </ul>
 * Keras's {@code Dropout(rate)} drops a fraction {@code rate}; DL4J's dropout takes the probability of
 * keeping a unit, so {@code Dropout(0.25)} is {@code DropoutLayer(0.75)}. Weights start Glorot-uniform
 * and biases at zero, as in Keras.
 */
public final class ModelPresets {
    public static final String SEED_FC = "seed-fc";
    public static final String SEED_CNN = "seed-cnn";
    /** Every preset name. */
    public static final List<String> NAMES = List.of(SEED_FC, SEED_CNN);

    private static final int NUM_CLASSES = 10;

    private ModelPresets() {
    }

    /** The network input for images of {@code rows x cols}: flat rows for both presets. */
    public static InputType inputType(String preset, int rows, int cols) {
        return switch (preset) {
            case SEED_FC -> InputType.feedForward((long) rows * cols);
            case SEED_CNN -> InputType.convolutionalFlat(rows, cols, 1);
            default -> throw new IllegalArgumentException("unknown preset '" + preset + "', expected one of " + NAMES);
        };
    }

    public static MultiLayerConfiguration build(String preset, long seed, int rows, int cols) {
        return switch (preset) {
            case SEED_FC -> seedFc(seed, rows, cols);
            case SEED_CNN -> seedCnn(seed, rows, cols);
            default -> throw new IllegalArgumentException("unknown preset '" + preset + "', expected one of " + NAMES);
        };
    }

    private static MultiLayerConfiguration seedFc(long seed, int rows, int cols) {
        return new NeuralNetConfiguration.Builder()
                .seed(seed)
                .weightInit(WeightInit.XAVIER_UNIFORM)
                .updater(Adam.builder().learningRate(1e-3).beta1(0.9).beta2(0.999).epsilon(1e-7).build())
                .list()
                .layer(new DenseLayer.Builder().name("dense").nOut(196).activation(Activation.RELU).build())
                .layer(new DropoutLayer.Builder(0.5).name("dropout").build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).name("predictions").nOut(NUM_CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(inputType(SEED_FC, rows, cols))
                .build();
    }

    private static MultiLayerConfiguration seedCnn(long seed, int rows, int cols) {
        return new NeuralNetConfiguration.Builder()
                .seed(seed)
                .weightInit(WeightInit.XAVIER_UNIFORM)
                .updater(AdaDelta.builder().rho(0.95).epsilon(1e-7).build())
                .convolutionMode(ConvolutionMode.Truncate)
                .list()
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv2d_1").nOut(32).activation(Activation.RELU).build())
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv2d_2").nOut(64).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).name("max_pooling2d").kernelSize(2, 2)
                        .stride(2, 2).build())
                .layer(new DropoutLayer.Builder(0.75).name("dropout_1").build())
                .layer(new DenseLayer.Builder().name("dense_1").nOut(128).activation(Activation.RELU).build())
                .layer(new DropoutLayer.Builder(0.5).name("dropout_2").build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).name("predictions").nOut(NUM_CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(inputType(SEED_CNN, rows, cols))
                .build();
    }
}
