package io.sparkcnn.data;

import io.sparkcnn.TestData;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("unit")
class IdxReaderTest {
    private static final int IMG = IdxReader.IMAGES_MAGIC;
    private static final int LAB = IdxReader.LABELS_MAGIC;

    @TempDir
    Path dir;

    private static IdxReader.Images images(byte[] file) throws IOException {
        return IdxReader.readImages(new ByteArrayInputStream(file), "imgs", 2, 3);
    }

    private static InvalidDataException imageError(byte[] file) {
        return assertThrows(InvalidDataException.class, () -> images(file));
    }

    private static InvalidDataException labelError(byte[] file) {
        return assertThrows(InvalidDataException.class,
                () -> IdxReader.readLabels(new ByteArrayInputStream(file), "labs"));
    }

    @Test
    void readsPlainAndGzipImagesIdentically() throws IOException {
        byte[] file = TestData.idxImages(IMG, 4, 2, 3, TestData.ramp(24));
        IdxReader.Images plain = images(file);
        IdxReader.Images gz = images(TestData.gzip(file));
        assertEquals(4, plain.count());
        assertArrayEquals(TestData.ramp(24), plain.pixels());
        assertArrayEquals(plain.pixels(), gz.pixels());
    }

    @Test
    void wrongMagicNamesFileOffsetExpectedAndActual() {
        InvalidDataException e = imageError(TestData.idxImages(LAB, 4, 2, 3, TestData.ramp(24)));
        assertEquals("imgs: offset 0: expected magic number 0x00000803 (idx3 images of unsigned bytes), "
                + "found 0x00000801 (an idx1 label file)", e.getMessage());
    }

    @Test
    void wrongDimensionsAreReportedWithTheirOffsets() {
        assertEquals("imgs: offset 8: expected 2 rows per image, found 28",
                imageError(TestData.idxImages(IMG, 1, 28, 3, TestData.ramp(84))).getMessage());
        assertEquals("imgs: offset 12: expected 3 columns per image, found 4",
                imageError(TestData.idxImages(IMG, 1, 2, 4, TestData.ramp(8))).getMessage());
        assertEquals("imgs: offset 4: expected a positive image count, found -5",
                imageError(TestData.idxImages(IMG, -5, 2, 3, new byte[0])).getMessage());
    }

    @Test
    void truncatedFileIsRefused() {
        byte[] file = TestData.idxImages(IMG, 4, 2, 3, TestData.ramp(24));
        InvalidDataException e = imageError(Arrays.copyOf(file, file.length - 5));
        assertEquals("imgs: offset 35: expected 40 bytes (4 images of 2x3), found end of file after 35 bytes (truncated)",
                e.getMessage());
        assertEquals("imgs: offset 12: expected the 16-byte idx3 header, found end of file",
                imageError(Arrays.copyOf(file, 12)).getMessage());
    }

    @Test
    void truncatedGzipIsRefused() {
        byte[] file = TestData.gzip(TestData.idxImages(IMG, 4, 2, 3, TestData.ramp(24)));
        assertThrows(IOException.class, () -> images(Arrays.copyOf(file, file.length - 12)));
    }

    @Test
    void trailingBytesAreRefused() {
        byte[] file = TestData.idxImages(IMG, 4, 2, 3, TestData.ramp(27));
        assertEquals("imgs: offset 40: expected end of file after 40 bytes (4 images of 2x3), found 3 more bytes",
                imageError(file).getMessage());
    }

    @Test
    void labelOutOfRangeNamesItsOffsetAndItem() {
        InvalidDataException e = labelError(TestData.idxLabels(LAB, 3, new byte[] {1, 9, 10}));
        assertEquals("labs: offset 10 (label of item 2): expected a label 0-9, found 10", e.getMessage());
        assertEquals("labs", e.file());
    }

    @Test
    void labelFileWithImageMagicIsRefused() {
        assertTrue(labelError(TestData.idxLabels(IMG, 3, new byte[] {1, 2, 3})).getMessage()
                .startsWith("labs: offset 0: expected magic number 0x00000801"));
    }

    @Test
    void loaderChecksThatImagesAndLabelsAgreeInCount() throws IOException {
        Path imgs = Files.write(dir.resolve("imgs"), TestData.idxImages(IMG, 4, 2, 3, TestData.ramp(24)));
        Path labs = Files.write(dir.resolve("labs"), TestData.idxLabels(LAB, 3, new byte[] {1, 2, 3}));
        DatasetLoader loader = new DatasetLoader(new Configuration());
        InvalidDataException e = assertThrows(InvalidDataException.class,
                () -> loader.idx(imgs.toString(), labs.toString(), 2, 3));
        assertEquals(labs + ": offset 4: expected 4 labels, one per image in " + imgs + ", found 3 labels", e.getMessage());
    }

    @Test
    void loaderReportsMissingAndCorruptGzipFiles() throws IOException {
        DatasetLoader loader = new DatasetLoader(new Configuration());
        Path labs = Files.write(dir.resolve("labs"), TestData.idxLabels(LAB, 1, new byte[] {1}));
        InvalidDataException missing = assertThrows(InvalidDataException.class,
                () -> loader.idx(dir.resolve("nope").toString(), labs.toString(), 2, 3));
        assertTrue(missing.getMessage().contains("nope: file: expected an existing readable file, found no such file"),
                missing.getMessage());

        byte[] gz = TestData.gzip(TestData.idxImages(IMG, 1, 2, 3, TestData.ramp(6)));
        Path truncated = Files.write(dir.resolve("trunc.gz"), Arrays.copyOf(gz, gz.length - 10));
        InvalidDataException cut = assertThrows(InvalidDataException.class,
                () -> loader.idx(truncated.toString(), labs.toString(), 2, 3));
        assertTrue(cut.getMessage().contains("trunc.gz: file: expected complete gzip data, found a truncated gzip stream"),
                cut.getMessage());
    }

    @Test
    void realMnistFilesLoadWithTheKnownClassCounts() {
        Path mnist = TestData.mnistDir();
        DatasetLoader loader = new DatasetLoader(new Configuration());
        LabeledImages test = loader.idx(mnist.resolve("t10k-images-idx3-ubyte").toString(),
                mnist.resolve("t10k-labels-idx1-ubyte").toString(), 28, 28);
        assertEquals(10_000, test.count());
        assertArrayEquals(new int[] {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}, test.classCounts());
    }
}
