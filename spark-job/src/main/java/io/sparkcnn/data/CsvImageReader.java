package io.sparkcnn.data;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Reads a labelled Kaggle digit-recognizer CSV: a header row {@code label,pixel0,…,pixelN-1}, then one
 * image per line: its label 0-9 and {@code rows*cols} integer pixels 0-255, row-major. Every line is
 * checked (column count, integers, ranges); messages give the 1-based line number, the header being line 1,
 * and the column by name. Blank lines at the end are allowed; a CSV with no image is an error.
 *
 * <p>The format is numbers and commas only (no quoting), so lines are split directly rather than with a
 * general CSV parser, which keeps reading 42,000 x 785 values fast.</p>
 */
public final class CsvImageReader {
    private CsvImageReader() {
    }

    public static LabeledImages read(InputStream in, String name, int rows, int cols) throws IOException {
        int ppi = rows * cols;
        int width = ppi + 1;
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
        String header = reader.readLine();
        if (header == null) {
            throw new InvalidDataException(name, "line 1", "a header row 'label,pixel0,...,pixel" + (ppi - 1) + "'",
                    "an empty file");
        }
        if (header.startsWith("\uFEFF")) {
            header = header.substring(1);
        }
        String[] names = header.split(",", -1);
        if (names.length != width) {
            throw new InvalidDataException(name, "line 1 (header)", width + " columns (label and " + ppi
                    + " pixels of " + rows + "x" + cols + ")", names.length + " columns");
        }
        if (!names[0].trim().equals("label")) {
            throw new InvalidDataException(name, "line 1 (header)", "first column 'label'", "'" + names[0] + "'");
        }
        ByteArrayOutputStream pixels = new ByteArrayOutputStream(ppi * 1024);
        ByteArrayOutputStream labels = new ByteArrayOutputStream(1024);
        byte[] rowPixels = new byte[ppi];
        int lineNo = 1;
        int blankRun = 0;
        for (String line; (line = reader.readLine()) != null; ) {
            lineNo++;
            if (line.isBlank()) {
                blankRun++;
                continue;
            }
            if (blankRun > 0) {
                throw new InvalidDataException(name, "line " + (lineNo - blankRun), width + " columns", "a blank line");
            }
            int col = 0;
            int start = 0;
            int label = -1;
            int len = line.length();
            while (true) {
                int end = line.indexOf(',', start);
                if (end < 0) {
                    end = len;
                }
                if (col >= width) {
                    throw new InvalidDataException(name, "line " + lineNo, width + " columns", countColumns(line) + " columns");
                }
                int value = parse(line, start, end);
                if (col == 0) {
                    if (value < 0 || value >= LabeledImages.NUM_CLASSES) {
                        throw new InvalidDataException(name, "line " + lineNo + ", column 'label'",
                                "an integer label 0-" + (LabeledImages.NUM_CLASSES - 1), quote(line, start, end));
                    }
                    label = value;
                } else {
                    if (value < 0 || value > 255) {
                        throw new InvalidDataException(name, "line " + lineNo + ", column '" + names[col].trim() + "'",
                                "an integer pixel value 0-255", quote(line, start, end));
                    }
                    rowPixels[col - 1] = (byte) value;
                }
                col++;
                if (end == len) {
                    break;
                }
                start = end + 1;
            }
            if (col != width) {
                throw new InvalidDataException(name, "line " + lineNo, width + " columns", col + " columns");
            }
            pixels.write(rowPixels);
            labels.write(label);
        }
        if (labels.size() == 0) {
            throw new InvalidDataException(name, "line 2", "at least one image row", "end of file");
        }
        return new LabeledImages(name, rows, cols, pixels.toByteArray(), labels.toByteArray());
    }

    /** Parses a non-negative decimal integer in {@code s[start, end)}; returns -1 if it is not one (or too large). */
    private static int parse(String s, int start, int end) {
        while (start < end && s.charAt(start) == ' ') {
            start++;
        }
        while (end > start && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\r')) {
            end--;
        }
        if (start == end || end - start > 6) {
            return -1;
        }
        int v = 0;
        for (int i = start; i < end; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static String quote(String s, int start, int end) {
        String v = s.substring(start, end);
        return v.isEmpty() ? "an empty value" : "'" + (v.length() > 20 ? v.substring(0, 20) + "..." : v) + "'";
    }

    private static int countColumns(String line) {
        int n = 1;
        for (int i = 0; i < line.length(); i++) {
            if (line.charAt(i) == ',') {
                n++;
            }
        }
        return n;
    }
}
