package io.sparkcnn.data;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

@Tag("unit")
class LabeledImagesTest {
    /** 10 images of 1x2 whose pixels are (i, i) and whose label is i. */
    private static LabeledImages tenImages() {
        byte[] pixels = new byte[20];
        byte[] labels = new byte[10];
        for (int i = 0; i < 10; i++) {
            pixels[2 * i] = (byte) i;
            pixels[2 * i + 1] = (byte) i;
            labels[i] = (byte) i;
        }
        return new LabeledImages("ten", 1, 2, pixels, labels);
    }

    @Test
    void batchesCoverEveryImageOnceAndShuffleDeterministically() {
        LabeledImages images = tenImages();
        List<ImageBatch> a = images.batches(4, 7L);
        List<ImageBatch> b = images.batches(4, 7L);
        assertEquals(List.of(4, 4, 2), a.stream().map(ImageBatch::size).toList());
        Set<Byte> seen = new HashSet<>();
        for (int k = 0; k < a.size(); k++) {
            assertArrayEquals(a.get(k).labels(), b.get(k).labels());
            for (byte l : a.get(k).labels()) {
                seen.add(l);
            }
        }
        assertEquals(10, seen.size());
        assertNotEquals(List.of((byte) 0, (byte) 1, (byte) 2, (byte) 3), toList(a.get(0).labels()));
        assertEquals(List.of((byte) 0, (byte) 1, (byte) 2, (byte) 3), toList(images.batches(4, null).get(0).labels()));
    }

    @Test
    void holdOutSplitsDisjointlyWithTheRequestedFraction() {
        LabeledImages.Split split = tenImages().holdOut(0.3, 19);
        assertEquals(7, split.train().count());
        assertEquals(3, split.test().count());
        Set<Byte> all = new HashSet<>();
        for (byte l : split.train().labels()) {
            all.add(l);
        }
        for (byte l : split.test().labels()) {
            all.add(l);
        }
        assertEquals(10, all.size());
        // pixels travel with their labels
        for (int i = 0; i < 3; i++) {
            assertEquals(split.test().labels()[i], split.test().pixels()[2 * i]);
        }
    }

    @Test
    void toDataSetScalesToUnitRangeAndOneHotEncodes() {
        ImageBatch batch = new ImageBatch(1, 2, new byte[] {0, (byte) 255, (byte) 51, 102}, new byte[] {3, 9});
        DataSet ds = batch.toDataSet();
        assertArrayEquals(new long[] {2, 2}, ds.getFeatures().shape());
        assertArrayEquals(new float[] {0f, 1f, 0.2f, 0.4f}, ds.getFeatures().data().asFloat(), 1e-7f);
        assertEquals(1f, ds.getLabels().getFloat(0, 3));
        assertEquals(1f, ds.getLabels().getFloat(1, 9));
        assertEquals(2.0, ds.getLabels().sumNumber().doubleValue());
    }

    @Test
    void limitKeepsTheFirstImages() {
        LabeledImages first = tenImages().limit(3);
        assertArrayEquals(new byte[] {0, 1, 2}, first.labels());
    }

    private static List<Byte> toList(byte[] b) {
        return java.util.stream.IntStream.range(0, b.length).mapToObj(i -> b[i]).toList();
    }
}
