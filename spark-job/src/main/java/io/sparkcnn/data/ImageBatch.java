package io.sparkcnn.data;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serializable;

/**
 * Images with labels in their compact form (one byte per pixel, about 4x smaller than floats), as they are
 * shipped to executors: a whole set is broadcast once, minibatches are cut from it with {@link #select}, and
 * {@link #toDataSet()} turns one into network input there. A plain class rather than a record because Spark
 * serializes broadcasts and collection partitions with Kryo, whose field serializer cannot build records.
 */
public final class ImageBatch implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int rows;
    private final int cols;
    private final byte[] pixels;
    private final byte[] labels;

    /**
     * @param rows   image height
     * @param cols   image width
     * @param pixels {@code labels.length * rows * cols} unsigned bytes, row-major per image
     * @param labels labels 0..9
     */
    public ImageBatch(int rows, int cols, byte[] pixels, byte[] labels) {
        this.rows = rows;
        this.cols = cols;
        this.pixels = pixels;
        this.labels = labels;
    }

    /** Labels 0..9, one per image (not copied). */
    public byte[] labels() {
        return labels;
    }

    /** {@code size() * rows * cols} unsigned bytes, row-major per image (not copied). */
    public byte[] pixels() {
        return pixels;
    }

    /** Wraps a whole labelled set (sharing its arrays). */
    public static ImageBatch of(LabeledImages images) {
        return new ImageBatch(images.rows(), images.cols(), images.pixels(), images.labels());
    }

    /** The images at {@code indices}, in that order. */
    public ImageBatch select(int[] indices) {
        int ppi = rows * cols;
        byte[] p = new byte[indices.length * ppi];
        byte[] l = new byte[indices.length];
        for (int k = 0; k < indices.length; k++) {
            System.arraycopy(pixels, indices[k] * ppi, p, k * ppi, ppi);
            l[k] = labels[indices[k]];
        }
        return new ImageBatch(rows, cols, p, l);
    }

    public int size() {
        return labels.length;
    }

    /**
     * Features as a float matrix {@code [size, rows*cols]} scaled to [0, 1] (pixel / 255, as the lecture's
     * Keras code does), labels one-hot {@code [size, 10]}.
     */
    public DataSet toDataSet() {
        int n = size();
        float[] y = new float[n * LabeledImages.NUM_CLASSES];
        for (int i = 0; i < n; i++) {
            y[i * LabeledImages.NUM_CLASSES + labels[i]] = 1f;
        }
        INDArray oneHot = Nd4j.create(y, new long[] {n, LabeledImages.NUM_CLASSES}, DataType.FLOAT);
        return new DataSet(features(pixels, n, rows * cols), oneHot);
    }

    /**
     * Network input for {@code count} images of {@code pixelsPerImage} unsigned bytes each: a float matrix
     * {@code [count, pixelsPerImage]} with every pixel scaled to [0, 1] as {@code pixel / 255}. Training,
     * evaluation and prediction all build their input here.
     */
    public static INDArray features(byte[] pixels, int count, int pixelsPerImage) {
        float[] f = new float[count * pixelsPerImage];
        for (int i = 0; i < f.length; i++) {
            f[i] = (pixels[i] & 0xFF) / 255f;
        }
        return Nd4j.create(f, new long[] {count, pixelsPerImage}, DataType.FLOAT);
    }
}
