package io.sparkcnn.data;

import io.sparkcnn.common.Seeds;
import io.sparkcnn.config.AugmentConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serializable;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Random transforms of grey-scale images, as pure functions of (image, seeded random source): rotation,
 * translation, scaling and shear composed into one affine map, the elastic distortion of Simard et al. (2003),
 * and mirroring. Images are {@code rows x cols} floats in [0, 1], row-major; resampling is bilinear with 0
 * (background) outside the image, so outputs stay in [0, 1]. Coordinates are taken about the image centre;
 * a positive angle turns the image counter-clockwise as displayed (row 0 at the top).
 *
 * <p>Version {@code copy} of image {@code index} draws its random numbers from
 * {@link #random(long, long, long) random(seed, index, copy)} only, so an augmented set does not depend on how
 * the images are partitioned or which thread augments them. Version 0 is the original image. Thread-safe;
 * holds no Spark types, so executors use it inside their tasks.</p>
 */
public final class Augmenter implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final AtomicLong AUGMENTED = new AtomicLong();

    private final AugmentConfig cfg;
    private final int rows;
    private final int cols;

    public Augmenter(AugmentConfig cfg, int rows, int cols) {
        this.cfg = cfg;
        this.rows = rows;
        this.cols = cols;
    }

    /** Images augmented in this JVM so far (version 0 does not count), for tests that check where work runs. */
    public static long augmentedInThisJvm() {
        return AUGMENTED.get();
    }

    /** The random source of version {@code copy} of image {@code index}: a fixed function of its arguments. */
    public static SplittableRandom random(long seed, long index, long copy) {
        return new SplittableRandom(Seeds.mix(Seeds.mix(Seeds.mix(seed) ^ index) ^ copy));
    }

    /** SplitMix64's finalizer: every input bit affects every output bit. */

    /** Version {@code copy} of image {@code index} of {@code images} (0 = the original), as floats in [0, 1]. */
    public float[] version(ImageBatch images, int index, long copy) {
        int ppi = rows * cols;
        float[] img = new float[ppi];
        byte[] pixels = images.pixels();
        for (int p = 0; p < ppi; p++) {
            img[p] = (pixels[index * ppi + p] & 0xFF) / 255f;
        }
        return copy == 0 ? img : augment(img, random(cfg.seed(), index, copy));
    }

    /**
     * A minibatch of versions: image {@code images[i] } in version {@code copies[i]}, as network input
     * (flat rows of {@code rows * cols} floats) with one-hot labels.
     */
    public DataSet dataSet(ImageBatch all, int[] images, long[] copies) {
        int ppi = rows * cols;
        float[] features = new float[images.length * ppi];
        float[] labels = new float[images.length * LabeledImages.NUM_CLASSES];
        for (int i = 0; i < images.length; i++) {
            System.arraycopy(version(all, images[i], copies[i]), 0, features, i * ppi, ppi);
            labels[i * LabeledImages.NUM_CLASSES + all.labels()[images[i]]] = 1f;
        }
        INDArray f = Nd4j.create(features, new long[]{images.length, ppi}, 'c');
        INDArray l = Nd4j.create(labels, new long[]{images.length, LabeledImages.NUM_CLASSES}, 'c');
        return new DataSet(f, l);
    }

    /** One augmentation of {@code img} with the configured probabilities and ranges. */
    public float[] augment(float[] img, SplittableRandom rng) {
        AUGMENTED.incrementAndGet();
        AugmentConfig.Reflection reflection = cfg.reflection();
        float[] out = img;
        if (rng.nextDouble() < reflection.horizontal()) {
            out = mirror(out, rows, cols, true);
        }
        if (rng.nextDouble() < reflection.vertical()) {
            out = mirror(out, rows, cols, false);
        }
        double angle = draw(rng, cfg.rotation().probability(), -cfg.rotation().maxDegrees(), cfg.rotation().maxDegrees(), 0);
        double zoom = draw(rng, cfg.scaling().probability(), cfg.scaling().min(), cfg.scaling().max(), 1);
        double shear = draw(rng, cfg.shear().probability(), -cfg.shear().maxDegrees(), cfg.shear().maxDegrees(), 0);
        boolean shift = rng.nextDouble() < cfg.translation().probability();
        double tx = shift ? uniform(rng, -cfg.translation().maxPixels(), cfg.translation().maxPixels()) : 0;
        double ty = shift ? uniform(rng, -cfg.translation().maxPixels(), cfg.translation().maxPixels()) : 0;
        if (angle != 0 || zoom != 1 || shear != 0 || tx != 0 || ty != 0) {
            out = affine(out, rows, cols, angle, zoom, shear, tx, ty);
        }
        if (rng.nextDouble() < cfg.elastic().probability() && cfg.elastic().alpha() > 0) {
            out = elastic(out, rows, cols, cfg.elastic().alpha(), cfg.elastic().sigma(), rng);
        }
        return out;
    }

    private static double draw(SplittableRandom rng, double probability, double min, double max, double identity) {
        boolean apply = rng.nextDouble() < probability;
        double value = uniform(rng, min, max);
        return apply ? value : identity;
    }

    private static double uniform(SplittableRandom rng, double min, double max) {
        return max > min ? min + (max - min) * rng.nextDouble() : min;
    }

    /**
     * The affine map about the centre: zoom by {@code zoom}, shear horizontally by {@code shearDegrees}, rotate
     * counter-clockwise by {@code degrees}, then shift by ({@code tx}, {@code ty}) pixels (right, down).
     */
    public static float[] affine(float[] img, int rows, int cols, double degrees, double zoom, double shearDegrees,
                                 double tx, double ty) {
        double a = Math.toRadians(degrees);
        double cos = Math.cos(a);
        double sin = Math.sin(a);
        double k = Math.tan(Math.toRadians(shearDegrees));
        // forward map F = R * H * S on (x right, y down); R turns counter-clockwise as displayed
        double f00 = cos * zoom;
        double f01 = (cos * k + sin) * zoom;
        double f10 = -sin * zoom;
        double f11 = (-sin * k + cos) * zoom;
        double det = f00 * f11 - f01 * f10;
        double i00 = f11 / det;
        double i01 = -f01 / det;
        double i10 = -f10 / det;
        double i11 = f00 / det;
        double cx = (cols - 1) / 2.0;
        double cy = (rows - 1) / 2.0;
        float[] out = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                double x = c - cx - tx;
                double y = r - cy - ty;
                out[r * cols + c] = bilinear(img, rows, cols, i10 * x + i11 * y + cy, i00 * x + i01 * y + cx);
            }
        }
        return out;
    }

    /**
     * Simard's elastic distortion: displacements uniform in [-1, 1] per pixel and direction, smoothed by a
     * Gaussian of {@code sigma} pixels, scaled by {@code alpha} pixels; each output pixel samples the input at
     * its displaced position.
     */
    public static float[] elastic(float[] img, int rows, int cols, double alpha, double sigma, SplittableRandom rng) {
        double[] dx = new double[rows * cols];
        double[] dy = new double[rows * cols];
        for (int p = 0; p < dx.length; p++) {
            dx[p] = rng.nextDouble() * 2 - 1;
            dy[p] = rng.nextDouble() * 2 - 1;
        }
        double[] kernel = gaussian(sigma);
        dx = smooth(dx, rows, cols, kernel);
        dy = smooth(dy, rows, cols, kernel);
        float[] out = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int p = r * cols + c;
                out[p] = bilinear(img, rows, cols, r + alpha * dy[p], c + alpha * dx[p]);
            }
        }
        return out;
    }

    /** Left-right ({@code horizontal}) or upside-down mirror image. */
    public static float[] mirror(float[] img, int rows, int cols, boolean horizontal) {
        float[] out = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[r * cols + c] = horizontal ? img[r * cols + (cols - 1 - c)] : img[(rows - 1 - r) * cols + c];
            }
        }
        return out;
    }

    /** Bilinear interpolation at (y, x) in pixel coordinates, 0 outside the image. */
    static float bilinear(float[] img, int rows, int cols, double y, double x) {
        int x0 = (int) Math.floor(x);
        int y0 = (int) Math.floor(y);
        double fx = x - x0;
        double fy = y - y0;
        double v = (1 - fy) * ((1 - fx) * at(img, rows, cols, y0, x0) + fx * at(img, rows, cols, y0, x0 + 1))
                + fy * ((1 - fx) * at(img, rows, cols, y0 + 1, x0) + fx * at(img, rows, cols, y0 + 1, x0 + 1));
        return (float) Math.min(1.0, Math.max(0.0, v));
    }

    private static double at(float[] img, int rows, int cols, int r, int c) {
        return r < 0 || r >= rows || c < 0 || c >= cols ? 0 : img[r * cols + c];
    }

    /** A normalized Gaussian kernel of radius ceil(3 sigma). */
    private static double[] gaussian(double sigma) {
        int radius = Math.max(1, (int) Math.ceil(3 * sigma));
        double[] k = new double[2 * radius + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++) {
            k[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
            sum += k[i + radius];
        }
        for (int i = 0; i < k.length; i++) {
            k[i] /= sum;
        }
        return k;
    }

    /** Separable convolution with {@code kernel}, edges treated as 0 (as scipy's constant mode). */
    private static double[] smooth(double[] field, int rows, int cols, double[] kernel) {
        int radius = kernel.length / 2;
        double[] tmp = new double[field.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                double s = 0;
                for (int k = -radius; k <= radius; k++) {
                    int cc = c + k;
                    s += cc < 0 || cc >= cols ? 0 : kernel[k + radius] * field[r * cols + cc];
                }
                tmp[r * cols + c] = s;
            }
        }
        double[] out = new double[field.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                double s = 0;
                for (int k = -radius; k <= radius; k++) {
                    int rr = r + k;
                    s += rr < 0 || rr >= rows ? 0 : kernel[k + radius] * tmp[rr * cols + c];
                }
                out[r * cols + c] = s;
            }
        }
        return out;
    }
}
