package io.sparkcnn.predict;

import io.sparkcnn.data.ImageBatch;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Classifies minibatches of images with a trained network, in this JVM and without Spark. Input is built by
 * {@link ImageBatch#features} exactly as for training and evaluation (pixel / 255); the output is the network's
 * softmax in inference mode (dropout off). Not thread-safe (a {@link MultiLayerNetwork} is not): one instance
 * per thread or Spark task.
 */
public final class Classifier {
    private final MultiLayerNetwork net;
    private final ModelInput input;

    public Classifier(MultiLayerNetwork net) {
        this.net = net;
        this.input = ModelInput.of(net);
    }

    /** The image size and class count of the network. */
    public ModelInput input() {
        return input;
    }

    /**
     * Class probabilities of {@code count} images.
     *
     * @param pixels {@code count * rows * cols} unsigned bytes, row-major per image
     * @return {@code count} arrays of {@link ModelInput#classes()} probabilities
     */
    public float[][] probabilities(byte[] pixels, int count) {
        if (count == 0) {
            return new float[0][];
        }
        if ((long) count * input.pixelsPerImage() != pixels.length) {
            throw new IllegalArgumentException(pixels.length + " pixel bytes do not hold " + count + " images of "
                    + input.rows() + "x" + input.cols());
        }
        INDArray out = net.output(ImageBatch.features(pixels, count, input.pixelsPerImage()), false);
        return out.castTo(DataType.FLOAT).toFloatMatrix();
    }
}
