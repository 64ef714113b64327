package io.sparkcnn.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * A set of grey-scale images with labels, held as raw bytes: image {@code i} is
 * {@code pixels[i*rows*cols .. (i+1)*rows*cols)}, row-major, 0 = background, 255 = ink, and its label is
 * {@code labels[i]} in 0..{@value #NUM_CLASSES}-1. Instances are not copied defensively; treat them as immutable.
 *
 * @param source where the images came from, for messages
 * @param rows   image height in pixels
 * @param cols   image width in pixels
 * @param pixels {@code count() * rows * cols} unsigned bytes
 * @param labels {@code count()} labels, each 0..9
 */
public record LabeledImages(String source, int rows, int cols, byte[] pixels, byte[] labels) {
    /** Number of classes (digits 0-9, or Fashion-MNIST's ten garment classes). */
    public static final int NUM_CLASSES = 10;

    public LabeledImages {
        Objects.requireNonNull(source, "source");
        if ((long) labels.length * rows * cols != pixels.length) {
            throw new IllegalArgumentException(pixels.length + " pixel bytes do not hold " + labels.length
                    + " images of " + rows + "x" + cols);
        }
    }

    public int count() {
        return labels.length;
    }

    public int pixelsPerImage() {
        return rows * cols;
    }

    /** The first {@code n} images, or all of them when {@code n} is 0 or at least {@link #count()}. */
    public LabeledImages limit(int n) {
        if (n <= 0 || n >= count()) {
            return this;
        }
        return new LabeledImages(source + " (first " + n + ")", rows, cols,
                Arrays.copyOf(pixels, n * pixelsPerImage()), Arrays.copyOf(labels, n));
    }

    /**
     * Only the images whose label is in {@code keep}, in their original order; all images when {@code keep} is
     * empty. Labels are not renumbered: a network trained on digits 5-9 still has ten outputs.
     */
    public LabeledImages withLabels(java.util.Collection<Integer> keep) {
        if (keep.isEmpty()) {
            return this;
        }
        boolean[] wanted = new boolean[NUM_CLASSES];
        keep.forEach(label -> wanted[label] = true);
        int[] picked = java.util.stream.IntStream.range(0, count()).filter(i -> wanted[labels[i]]).toArray();
        return picked.length == count() ? this : select(picked, source + " (labels " + keep + ")");
    }

    /** The images at the given indices, in that order. */
    public LabeledImages select(int[] indices, String description) {
        ImageBatch picked = ImageBatch.of(this).select(indices);
        return new LabeledImages(description, rows, cols, picked.pixels(), picked.labels());
    }

    /**
     * Splits off a random {@code fraction} for evaluation, as scikit-learn's {@code train_test_split} does
     * (not the same random stream, so not the same images).
     */
    public Split holdOut(double fraction, long seed) {
        int testCount = (int) Math.ceil(count() * fraction);
        if (testCount <= 0 || testCount >= count()) {
            throw new IllegalArgumentException("hold-out fraction " + fraction + " of " + count()
                    + " images leaves an empty side");
        }
        int[] order = permutation(count(), seed);
        int[] test = Arrays.copyOfRange(order, 0, testCount);
        int[] train = Arrays.copyOfRange(order, testCount, order.length);
        return new Split(select(train, source + " (train part, seed " + seed + ")"),
                select(test, source + " (held-out " + fraction + ", seed " + seed + ")"));
    }

    /**
     * Cuts the images into minibatches of {@code batchSize} (the last may be smaller), in a seeded random
     * order, or in file order when {@code shuffleSeed} is {@code null}.
     */
    public List<ImageBatch> batches(int batchSize, Long shuffleSeed) {
        ImageBatch all = ImageBatch.of(this);
        return batchIndices(batchSize, shuffleSeed).stream().map(all::select).toList();
    }

    /** The image indices of each minibatch that {@link #batches} would cut. */
    public List<int[]> batchIndices(int batchSize, Long shuffleSeed) {
        return batchIndices(count(), batchSize, shuffleSeed);
    }

    /**
     * Minibatches of the indices 0..n-1 (the last may be smaller), in a seeded random order or in order when
     * {@code shuffleSeed} is {@code null}; n may exceed {@link #count()} for virtual sets such as K augmented
     * versions of every image.
     */
    public static List<int[]> batchIndices(int n, int batchSize, Long shuffleSeed) {
        int[] order = shuffleSeed == null ? identity(n) : permutation(n, shuffleSeed);
        List<int[]> out = new ArrayList<>((n + batchSize - 1) / batchSize);
        for (int start = 0; start < n; start += batchSize) {
            out.add(Arrays.copyOfRange(order, start, Math.min(n, start + batchSize)));
        }
        return out;
    }

    /** Number of images per label 0..9. */
    public int[] classCounts() {
        int[] counts = new int[NUM_CLASSES];
        for (byte b : labels) {
            counts[b]++;
        }
        return counts;
    }

    private static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    /** Fisher-Yates permutation of 0..n-1 from a seeded {@link Random}. */
    static int[] permutation(int n, long seed) {
        int[] a = identity(n);
        Random rng = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

    /** A training part and a held-out part of one labelled set. */
    public record Split(LabeledImages train, LabeledImages test) {
    }
}
