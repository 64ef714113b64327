package io.sparkcnn.data;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/** Writes images and labels as MNIST's uncompressed idx files, which {@link IdxReader} reads back. */
public final class IdxWriter {
    private IdxWriter() {
    }

    /** The idx3 image file: magic 0x803, count, rows, cols (big-endian ints), then the pixels. */
    public static void writeImages(LabeledImages images, OutputStream out) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        data.writeInt(IdxReader.IMAGES_MAGIC);
        data.writeInt(images.count());
        data.writeInt(images.rows());
        data.writeInt(images.cols());
        data.write(images.pixels());
        data.flush();
    }

    /** The idx1 label file: magic 0x801, count, then one byte per label. */
    public static void writeLabels(LabeledImages images, OutputStream out) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        data.writeInt(IdxReader.LABELS_MAGIC);
        data.writeInt(images.count());
        data.write(images.labels());
        data.flush();
    }
}
