package io.sparkcnn.config;

/**
 * Data augmentation of the training images, done by the executors on their own minibatches. Each transform
 * is applied to an image with its own probability; the geometric ones (rotation, scaling, shear,
 * translation) are composed into one affine map and resampled once (bilinear, zero outside the image), then
 * the elastic distortion, if drawn, resamples again. Every image's random draws depend only on
 * {@code (seed, image index, copy)}, so the augmented set is the same whatever the number of executors or
 * partitions.
 *
 * @param enabled    augment the training set (never the test set)
 * @param mode       {@code per-epoch}: fresh augmentations every epoch, the epoch's images replacing the
 *                   originals; {@code fixed}: a fixed set of {@code copies} versions of every image (the
 *                   original and {@code copies - 1} augmented ones), the same in every epoch
 * @param copies     versions of every image in {@code fixed} mode, &gt;= 1
 * @param seed       seed of all augmentation draws
 * @param rotation   rotation by a uniform angle in [-maxDegrees, maxDegrees], counter-clockwise positive
 * @param translation shift by uniform [-maxPixels, maxPixels] pixels in each direction
 * @param scaling    zoom by a uniform factor in [min, max] about the centre
 * @param shear      horizontal shear by a uniform angle in [-maxDegrees, maxDegrees]
 * @param elastic    Simard et al. (2003): a random displacement field, uniform in [-1, 1] per pixel,
 *                   smoothed by a Gaussian of {@code sigma} pixels and scaled by {@code alpha} pixels
 * @param reflection horizontal and vertical mirroring, each with its own probability; off by default because
 *                   a mirrored digit (or licence plate) is not a valid example of its class, as the lecture
 *                   warns
 */
public record AugmentConfig(boolean enabled, String mode, int copies, long seed, Rotation rotation,
                            Translation translation, Scaling scaling, Shear shear, Elastic elastic,
                            Reflection reflection) implements java.io.Serializable {
    /** The modes. */
    public static final java.util.List<String> MODES = java.util.List.of("per-epoch", "fixed");

    /** @param probability chance an image is rotated, in [0, 1]; @param maxDegrees largest angle, &gt;= 0 */
    public record Rotation(double probability, double maxDegrees) implements java.io.Serializable {
    }

    /** @param probability chance an image is shifted, in [0, 1]; @param maxPixels largest shift, &gt;= 0 */
    public record Translation(double probability, double maxPixels) implements java.io.Serializable {
    }

    /** @param probability chance an image is zoomed, in [0, 1]; @param min smallest and @param max largest factor, 0 &lt; min &lt;= max */
    public record Scaling(double probability, double min, double max) implements java.io.Serializable {
    }

    /** @param probability chance an image is sheared, in [0, 1]; @param maxDegrees largest shear angle, in [0, 90) */
    public record Shear(double probability, double maxDegrees) implements java.io.Serializable {
    }

    /** @param probability chance of a distortion, in [0, 1]; @param alpha displacement scale in pixels, &gt;= 0; @param sigma smoothing in pixels, &gt; 0 */
    public record Elastic(double probability, double alpha, double sigma) implements java.io.Serializable {
    }

    /** @param horizontal chance of a left-right mirror, in [0, 1]; @param vertical chance of an upside-down mirror, in [0, 1] */
    public record Reflection(double horizontal, double vertical) implements java.io.Serializable {
    }

    /** No augmentation. */
    public static AugmentConfig off() {
        return new AugmentConfig(false, "per-epoch", 1, 0, new Rotation(0, 0), new Translation(0, 0),
                new Scaling(0, 1, 1), new Shear(0, 0), new Elastic(0, 0, 1), new Reflection(0, 0));
    }
}
