package io.sparkcnn.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * Reads MNIST's idx files (Y. LeCun's format: big-endian magic number, item count, dimensions, then one
 * unsigned byte per value), plain or gzip-compressed (detected by content, not by name), and checks
 * everything: magic number, dimensions, that the file holds exactly the announced number of items (no
 * truncation, no trailing bytes) and that every label is 0-9. Offsets in messages are byte offsets of the
 * uncompressed content.
 */
public final class IdxReader {
    /** Magic number of an idx3 file of unsigned bytes (images). */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Magic number of an idx1 file of unsigned bytes (labels). */
    public static final int LABELS_MAGIC = 0x00000801;

    private IdxReader() {
    }

    /** Pixels of an idx3 image file: {@code count * rows * cols} bytes. */
    public record Images(int count, int rows, int cols, byte[] pixels) {
    }

    /**
     * @param in           the file's bytes (closed by the caller)
     * @param name         the file's name for messages
     * @param expectedRows required image height
     * @param expectedCols required image width
     */
    public static Images readImages(InputStream in, String name, int expectedRows, int expectedCols) throws IOException {
        DataInputStream data = new DataInputStream(decompressIfGzip(in));
        int[] header = readHeader(data, name, IMAGES_MAGIC, "image", 2);
        int count = header[0];
        int rows = header[1];
        int cols = header[2];
        if (rows != expectedRows) {
            throw new InvalidDataException(name, "offset 8", expectedRows + " rows per image", Integer.toString(rows));
        }
        if (cols != expectedCols) {
            throw new InvalidDataException(name, "offset 12", expectedCols + " columns per image", Integer.toString(cols));
        }
        long total = (long) count * rows * cols;
        if (total > Integer.MAX_VALUE - 16) {
            throw new InvalidDataException(name, "offset 4", "at most " + (Integer.MAX_VALUE - 16) / (rows * cols)
                    + " images", Integer.toString(count));
        }
        byte[] pixels = new byte[(int) total];
        readBody(data, pixels, name, 16, count + " images of " + rows + "x" + cols);
        return new Images(count, rows, cols, pixels);
    }

    /** Labels of an idx1 label file, each checked to be 0..9. */
    public static byte[] readLabels(InputStream in, String name) throws IOException {
        DataInputStream data = new DataInputStream(decompressIfGzip(in));
        int count = readHeader(data, name, LABELS_MAGIC, "label", 0)[0];
        byte[] labels = new byte[count];
        readBody(data, labels, name, 8, count + " labels");
        for (int i = 0; i < count; i++) {
            int label = labels[i] & 0xFF;
            if (label >= LabeledImages.NUM_CLASSES) {
                throw new InvalidDataException(name, "offset " + (8 + i) + " (label of item " + i + ")",
                        "a label 0-" + (LabeledImages.NUM_CLASSES - 1), Integer.toString(label));
            }
        }
        return labels;
    }

    /** Wraps {@code in} in a gzip decoder when it starts with the gzip magic bytes 1f 8b. */
    static InputStream decompressIfGzip(InputStream in) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(in, 1 << 16);
        buffered.mark(2);
        int b0 = buffered.read();
        int b1 = buffered.read();
        buffered.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            return new BufferedInputStream(new GZIPInputStream(buffered, 1 << 16), 1 << 16);
        }
        return buffered;
    }

    /**
     * Reads an idx header of unsigned bytes with {@code dims} dimensions after the item count: checks the magic
     * number and that the count is positive, and returns the count followed by the dimensions.
     */
    private static int[] readHeader(DataInputStream data, String name, int expectedMagic, String kind, int dims)
            throws IOException {
        String header = "the " + 4 * (2 + dims) + "-byte idx" + (1 + dims) + " header";
        int magic = readHeaderInt(data, name, 0, header);
        if (magic != expectedMagic) {
            throw new InvalidDataException(name, "offset 0", "magic number " + hex(expectedMagic) + " (idx" + (1 + dims)
                    + " " + kind + "s of unsigned bytes)", hex(magic) + describeMagic(magic));
        }
        int[] values = new int[1 + dims];
        for (int i = 0; i < values.length; i++) {
            values[i] = readHeaderInt(data, name, 4 + 4L * i, header);
        }
        if (values[0] <= 0) {
            throw new InvalidDataException(name, "offset 4", "a positive " + kind + " count", Integer.toString(values[0]));
        }
        return values;
    }

    private static int readHeaderInt(DataInputStream in, String name, long offset, String what) throws IOException {
        try {
            return in.readInt();
        } catch (EOFException e) {
            throw new InvalidDataException(name, "offset " + offset, what, "end of file");
        }
    }

    private static void readBody(DataInputStream in, byte[] into, String name, long headerBytes, String what)
            throws IOException {
        int done = 0;
        while (done < into.length) {
            int n = in.read(into, done, into.length - done);
            if (n < 0) {
                throw new InvalidDataException(name, "offset " + (headerBytes + done),
                        (headerBytes + into.length) + " bytes (" + what + ")",
                        "end of file after " + (headerBytes + done) + " bytes (truncated)");
            }
            done += n;
        }
        if (in.read() >= 0) {
            long extra = 1;
            byte[] skip = new byte[8192];
            for (int n; (n = in.read(skip)) > 0; ) {
                extra += n;
            }
            throw new InvalidDataException(name, "offset " + (headerBytes + into.length),
                    "end of file after " + (headerBytes + into.length) + " bytes (" + what + ")",
                    extra + " more bytes");
        }
    }

    private static String hex(int v) {
        return String.format("0x%08X", v);
    }

    private static String describeMagic(int magic) {
        if (magic == IMAGES_MAGIC) {
            return " (an idx3 image file)";
        }
        if (magic == LABELS_MAGIC) {
            return " (an idx1 label file)";
        }
        return "";
    }
}
