package io.sparkcnn.predict;

import io.sparkcnn.data.ImageBatch;
import io.sparkcnn.model.InputContract;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Classifies minibatches of images with a trained network, in this JVM and without Spark. Input is built as
 * the model's {@link InputContract} says: flat rows of {@code pixel / pixelScale} ({@link ImageBatch#features},
 * exactly as for training and evaluation, for 8-bit images); the output is the network's softmax in inference
 * mode (dropout off). Not thread-safe (a {@link MultiLayerNetwork} is not): one instance per thread or Spark task.
 */
public final class Classifier {
    private final MultiLayerNetwork net;
    private final InputContract input;

    /**
     * @param input what {@code net} takes and gives, checked against it
     * @throws IllegalArgumentException when the contract does not fit the network, or the images are not grey
     */
    public Classifier(MultiLayerNetwork net, InputContract input) {
        input.check(net);
        if (input.channels() != 1) {
            throw new IllegalArgumentException("the model takes " + input.channels()
                    + "-channel images; only grey (1 channel) images can be classified");
        }
        this.net = net;
        this.input = input;
    }

    /** What the network takes and gives. */
    public InputContract input() {
        return input;
    }

    /**
     * Class probabilities of {@code count} images.
     *
     * @param pixels {@code count * height * width} unsigned bytes, row-major per image, light ink on a dark background
     * @return {@code count} arrays of {@link InputContract#classes()} probabilities
     */
    public float[][] probabilities(byte[] pixels, int count) {
        if (count == 0) {
            return new float[0][];
        }
        if ((long) count * input.valuesPerImage() != pixels.length) {
            throw new IllegalArgumentException(pixels.length + " pixel bytes do not hold " + count + " images of "
                    + input.height() + "x" + input.width());
        }
        INDArray features = ImageBatch.features(pixels, count, input.valuesPerImage());
        if (input.pixelScale() != InputContract.BYTE_SCALE) {
            features.muli(InputContract.BYTE_SCALE / input.pixelScale());
        }
        return net.output(features, false).castTo(DataType.FLOAT).toFloatMatrix();
    }
}
