package io.sparkcnn.data;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Kaggle-style CSV with 2x2 images: header {@code label,pixel0..pixel3}. */
@Tag("unit")
class CsvImageReaderTest {
    private static final String HEADER = "label,pixel0,pixel1,pixel2,pixel3\n";

    private static LabeledImages read(String csv) throws IOException {
        return CsvImageReader.read(new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)), "train.csv", 2, 2);
    }

    private static String error(String csv) {
        return assertThrows(InvalidDataException.class, () -> read(csv)).getMessage();
    }

    @Test
    void readsLabelsAndPixels() throws IOException {
        LabeledImages images = read(HEADER + "7,0,255,3,4\r\n2,1,2,3,4\n\n");
        assertEquals(2, images.count());
        assertArrayEquals(new byte[] {7, 2}, images.labels());
        assertArrayEquals(new byte[] {0, (byte) 255, 3, 4, 1, 2, 3, 4}, images.pixels());
    }

    @Test
    void wrongRowWidthNamesTheLine() {
        assertEquals("train.csv: line 3: expected 5 columns, found 4 columns", error(HEADER + "7,0,1,2,3\n1,0,1,2\n"));
        assertEquals("train.csv: line 2: expected 5 columns, found 6 columns", error(HEADER + "7,0,1,2,3,4\n"));
    }

    @Test
    void notANumberNamesLineAndColumn() {
        assertEquals("train.csv: line 2, column 'pixel2': expected an integer pixel value 0-255, found 'x1'",
                error(HEADER + "7,0,1,x1,3\n"));
        assertEquals("train.csv: line 2, column 'pixel0': expected an integer pixel value 0-255, found an empty value",
                error(HEADER + "7,,1,2,3\n"));
    }

    @Test
    void outOfRangeValuesAreRefused() {
        assertEquals("train.csv: line 2, column 'label': expected an integer label 0-9, found '10'",
                error(HEADER + "10,0,1,2,3\n"));
        assertEquals("train.csv: line 2, column 'pixel3': expected an integer pixel value 0-255, found '256'",
                error(HEADER + "1,0,1,2,256\n"));
        assertEquals("train.csv: line 2, column 'label': expected an integer label 0-9, found '-1'",
                error(HEADER + "-1,0,1,2,3\n"));
    }

    @Test
    void headerAndEmptinessAreChecked() {
        assertEquals("train.csv: line 1 (header): expected 5 columns (label and 4 pixels of 2x2), found 3 columns",
                error("label,pixel0,pixel1\n"));
        assertEquals("train.csv: line 1 (header): expected first column 'label', found 'digit'",
                error("digit,pixel0,pixel1,pixel2,pixel3\n"));
        assertEquals("train.csv: line 1: expected a header row 'label,pixel0,...,pixel3', found an empty file", error(""));
        assertEquals("train.csv: line 2: expected at least one image row, found end of file", error(HEADER));
        assertEquals("train.csv: line 3: expected 5 columns, found a blank line", error(HEADER + "1,0,1,2,3\n\n2,0,1,2,3\n"));
    }

    @Test
    void predictionRowsMayLackTheLabelColumnAndErrorsNameTheLine() {
        CsvImageReader.Header pixelsOnly = CsvImageReader.header("pixel0,pixel1,pixel2,pixel3", "test.csv", 2, 2, false);
        assertEquals(false, pixelsOnly.labelled());
        byte[] pixels = new byte[4];
        assertEquals(-1, CsvImageReader.parseRow("9,8,7,255", 2, "test.csv", pixelsOnly, pixels));
        assertArrayEquals(new byte[] {9, 8, 7, (byte) 255}, pixels);
        assertEquals("test.csv: line 3, column 'pixel1': expected an integer pixel value 0-255, found '300'",
                assertThrows(InvalidDataException.class,
                        () -> CsvImageReader.parseRow("0,300,0,0", 3, "test.csv", pixelsOnly, pixels)).getMessage());

        CsvImageReader.Header labelled = CsvImageReader.header(HEADER.trim(), "test.csv", 2, 2, false);
        assertEquals(true, labelled.labelled());
        assertEquals(7, CsvImageReader.parseRow("7,1,2,3,4", 2, "test.csv", labelled, pixels));
        assertEquals("test.csv: line 1 (header): expected 5 columns (label and 4 pixels of 2x2) or 4 columns (pixels "
                + "only), found 3 columns", assertThrows(InvalidDataException.class,
                () -> CsvImageReader.header("a,b,c", "test.csv", 2, 2, false)).getMessage());
        assertThrows(InvalidDataException.class, () -> CsvImageReader.header("pixel0,pixel1,pixel2,pixel3", "train.csv", 2, 2, true));
    }
}
