package io.sparkcnn.data;

import io.sparkcnn.config.AugmentConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("unit")
class AugmenterTest {
    private static final int N = 28;

    /** A 28x28 image with no symmetry: every pixel a different value in [0, 1]. */
    private static float[] asymmetric() {
        float[] img = new float[N * N];
        for (int p = 0; p < img.length; p++) {
            img[p] = (p * 37 % 251) / 250f;
        }
        return img;
    }

    @Test
    void ninetyDegreeRotationIsTransposeThenUpsideDown() {
        float[] img = asymmetric();
        float[] rotated = Augmenter.affine(img, N, N, 90, 1, 0, 0, 0);
        for (int r = 0; r < N; r++) {
            for (int c = 0; c < N; c++) {
                // transpose: t[r][c] = img[c][r]; then flip rows: out[r][c] = t[N-1-r][c] = img[c][N-1-r]
                assertEquals(img[c * N + (N - 1 - r)], rotated[r * N + c], 1e-6, "pixel " + r + "," + c);
            }
        }
        // turning counter-clockwise moves the top-right corner to the top-left
        assertEquals(img[N - 1], rotated[0], 1e-6);
    }

    @Test
    void zeroStrengthTransformsAreTheIdentity() {
        float[] img = asymmetric();
        assertArrayEquals(img, Augmenter.affine(img, N, N, 0, 1, 0, 0, 0));
        assertArrayEquals(img, Augmenter.elastic(img, N, N, 0, 4, new SplittableRandom(1)));
        AugmentConfig always = new AugmentConfig(true, "per-epoch", 1, 7, new AugmentConfig.Rotation(1, 0),
                new AugmentConfig.Translation(1, 0), new AugmentConfig.Scaling(1, 1, 1), new AugmentConfig.Shear(1, 0),
                new AugmentConfig.Elastic(1, 0, 4), new AugmentConfig.Reflection(0, 0));
        assertArrayEquals(img, new Augmenter(always, N, N).augment(img, new SplittableRandom(3)));
    }

    @Test
    void wholePixelShiftsMoveTheImageAndMirrorsReverseIt() {
        float[] img = asymmetric();
        float[] shifted = Augmenter.affine(img, N, N, 0, 1, 0, 2, -1);
        assertEquals(img[5 * N + 3], shifted[4 * N + 5], 1e-6);
        assertEquals(0f, shifted[(N - 1) * N], "uncovered pixels are background");
        float[] mirrored = Augmenter.mirror(img, N, N, true);
        assertEquals(img[3 * N + (N - 1)], mirrored[3 * N], 0);
        assertArrayEquals(img, Augmenter.mirror(Augmenter.mirror(img, N, N, false), N, N, false));
    }

    @Test
    void outputStaysInTheUnitRangeUnderStrongTransforms() {
        AugmentConfig strong = new AugmentConfig(true, "per-epoch", 1, 7, new AugmentConfig.Rotation(1, 45),
                new AugmentConfig.Translation(1, 5), new AugmentConfig.Scaling(1, 0.5, 2), new AugmentConfig.Shear(1, 40),
                new AugmentConfig.Elastic(1, 60, 2), new AugmentConfig.Reflection(0.5, 0.5));
        Augmenter augmenter = new Augmenter(strong, N, N);
        SplittableRandom pixels = new SplittableRandom(11);
        for (int i = 0; i < 200; i++) {
            float[] img = new float[N * N];
            for (int p = 0; p < img.length; p++) {
                img[p] = pixels.nextInt(4) == 0 ? 1f : (float) pixels.nextDouble();
            }
            for (float v : augmenter.augment(img, Augmenter.random(5, i, 1))) {
                assertTrue(v >= 0f && v <= 1f, "pixel " + v);
            }
        }
    }

    @Test
    void aVersionDependsOnlyOnSeedImageAndVersion() {
        LabeledImages images = new LabeledImages("test", N, N, bytes(asymmetric(), asymmetric()), new byte[]{3, 4});
        ImageBatch all = ImageBatch.of(images);
        Augmenter a = new Augmenter(defaults(2003), N, N);
        Augmenter b = new Augmenter(defaults(2003), N, N);
        assertArrayEquals(a.version(all, 1, 2), b.version(all, 1, 2));
        assertFalse(java.util.Arrays.equals(a.version(all, 1, 2), a.version(all, 1, 3)), "another version differs");
        assertFalse(java.util.Arrays.equals(a.version(all, 0, 2), a.version(all, 1, 2)), "another image differs");
        assertFalse(java.util.Arrays.equals(a.version(all, 1, 2),
                new Augmenter(defaults(2004), N, N).version(all, 1, 2)), "another seed differs");
        assertArrayEquals(asymmetricBytesAsFloats(), a.version(all, 0, 0), "version 0 is the original");

        DataSet ds = a.dataSet(all, new int[]{1, 0}, new long[]{0, 5});
        assertEquals(4, ds.getLabels().getRow(0).argMax().getInt(0));
        assertEquals(3, ds.getLabels().getRow(1).argMax().getInt(0));
        assertEquals(N * N, ds.getFeatures().columns());
    }

    static AugmentConfig defaults(long seed) {
        return new AugmentConfig(true, "per-epoch", 4, seed, new AugmentConfig.Rotation(0.5, 10),
                new AugmentConfig.Translation(0.5, 2), new AugmentConfig.Scaling(0.5, 0.9, 1.1),
                new AugmentConfig.Shear(0.3, 10), new AugmentConfig.Elastic(0.3, 34, 4), new AugmentConfig.Reflection(0, 0));
    }

    private static float[] asymmetricBytesAsFloats() {
        byte[] b = bytes(asymmetric());
        float[] f = new float[b.length];
        for (int i = 0; i < b.length; i++) {
            f[i] = (b[i] & 0xFF) / 255f;
        }
        return f;
    }

    private static byte[] bytes(float[]... images) {
        byte[] out = new byte[images.length * N * N];
        for (int i = 0; i < images.length; i++) {
            for (int p = 0; p < N * N; p++) {
                out[i * N * N + p] = (byte) Math.round(images[i][p] * 255f);
            }
        }
        return out;
    }
}
