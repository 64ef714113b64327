package io.sparkcnn;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Locations of the real MNIST files and helpers that write small idx files for tests. */
public final class TestData {
    private TestData() {
    }

    /** The repository root (set by Surefire; the working directory's parent otherwise). */
    public static Path projectRoot() {
        return Path.of(System.getProperty("project.root", "..")).toAbsolutePath().normalize();
    }

    /** The directory with the four real MNIST idx files, fetched by {@code datasets/fetch.sh mnist}. */
    public static Path mnistDir() {
        Path dir = projectRoot().resolve("datasets/cache/mnist");
        if (!Files.isRegularFile(dir.resolve("train-images-idx3-ubyte"))) {
            throw new IllegalStateException("MNIST is missing in " + dir + ": run datasets/fetch.sh mnist");
        }
        return dir;
    }

    /** The first {@code limit} images of MNIST's real training set (0 = all of them). */
    public static io.sparkcnn.data.LabeledImages mnistTraining(int limit) {
        Path dir = mnistDir();
        return new io.sparkcnn.data.DatasetLoader(new org.apache.hadoop.conf.Configuration()).idx(
                dir.resolve("train-images-idx3-ubyte").toString(), dir.resolve("train-labels-idx1-ubyte").toString(),
                28, 28).limit(limit);
    }

    /** An idx3 image file: header then the given pixels. */
    public static byte[] idxImages(int magic, int count, int rows, int cols, byte[] pixels) {
        return idx(new int[] {magic, count, rows, cols}, pixels);
    }

    /** An idx1 label file: header then the given labels. */
    public static byte[] idxLabels(int magic, int count, byte[] labels) {
        return idx(new int[] {magic, count}, labels);
    }

    private static byte[] idx(int[] header, byte[] body) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            for (int v : header) {
                out.writeInt(v);
            }
            out.write(body);
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] gzip(byte[] data) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
                out.write(data);
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code n} pixels counting 0, 1, 2, … modulo 256. */
    public static byte[] ramp(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) i;
        }
        return b;
    }
}
