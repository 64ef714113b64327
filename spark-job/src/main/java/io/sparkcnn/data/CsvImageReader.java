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
 * {@link #header} and {@link #parseRow} check one line at a time, for readers that stream rows (prediction,
 * also of unlabelled CSVs such as Kaggle's {@code test.csv}) or parse them on executors.
 *
 * <p>The format is numbers and commas only (no quoting), so lines are split directly rather than with a
 * general CSV parser, which keeps reading 42,000 x 785 values fast.</p>
 */
public final class CsvImageReader {
    private CsvImageReader() {
    }

    public static LabeledImages read(InputStream in, String name, int rows, int cols) throws IOException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
        Header header = header(reader.readLine(), name, rows, cols, true);
        int ppi = rows * cols;
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
                throw new InvalidDataException(name, "line " + (lineNo - blankRun), header.width() + " columns", "a blank line");
            }
            int label = parseRow(line, lineNo, name, header, rowPixels);
            pixels.write(rowPixels);
            labels.write(label);
        }
        if (labels.size() == 0) {
            throw new InvalidDataException(name, "line 2", "at least one image row", "end of file");
        }
        return new LabeledImages(name, rows, cols, pixels.toByteArray(), labels.toByteArray());
    }

    /**
     * The columns a header row announces: {@code label,pixel0,…} or, when {@code labelRequired} is false, also
     * pixels only ({@code pixel0,…}, as Kaggle's {@code test.csv}). Serializable, for executors that parse rows.
     *
     * @param names    the column names, trimmed
     * @param labelled whether the first column is the label
     * @param rows     image height, pixels
     * @param cols     image width, pixels
     */
    public record Header(String[] names, boolean labelled, int rows, int cols) implements java.io.Serializable {
        /** Number of columns of every row. */
        public int width() {
            return names.length;
        }
    }

    /**
     * Checks the header row {@code line} (line 1; {@code null} for an empty file) of a CSV of {@code rows x cols}
     * images.
     *
     * @throws InvalidDataException naming {@code name} and line 1 when the header does not fit
     */
    public static Header header(String line, String name, int rows, int cols, boolean labelRequired) {
        int ppi = rows * cols;
        int width = ppi + 1;
        if (line == null) {
            throw new InvalidDataException(name, "line 1", "a header row 'label,pixel0,...,pixel" + (ppi - 1) + "'"
                    + (labelRequired ? "" : " or 'pixel0,...,pixel" + (ppi - 1) + "'"), "an empty file");
        }
        String header = line.startsWith("\uFEFF") ? line.substring(1) : line;
        String[] names = header.split(",", -1);
        for (int i = 0; i < names.length; i++) {
            names[i] = names[i].trim();
        }
        if (!labelRequired && names.length == ppi) {
            return new Header(names, false, rows, cols);
        }
        if (names.length != width) {
            throw new InvalidDataException(name, "line 1 (header)", width + " columns (label and " + ppi
                    + " pixels of " + rows + "x" + cols + ")" + (labelRequired ? "" : " or " + ppi + " columns (pixels only)"),
                    names.length + " columns");
        }
        if (!names[0].equals("label")) {
            throw new InvalidDataException(name, "line 1 (header)", "first column 'label'", "'" + names[0] + "'");
        }
        return new Header(names, true, rows, cols);
    }

    /**
     * Parses and checks one image row (column count, integers, ranges) into {@code pixels}.
     *
     * @param lineNo 1-based line number (the header is line 1), for messages
     * @param pixels receives the {@code rows * cols} pixel bytes
     * @return the label 0-9, or -1 when the header has no label column
     * @throws InvalidDataException naming {@code name}, the line and the column
     */
    public static int parseRow(String line, long lineNo, String name, Header header, byte[] pixels) {
        int width = header.width();
        int first = header.labelled() ? 1 : 0;
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
            if (col < first) {
                if (value < 0 || value >= LabeledImages.NUM_CLASSES) {
                    throw new InvalidDataException(name, "line " + lineNo + ", column 'label'",
                            "an integer label 0-" + (LabeledImages.NUM_CLASSES - 1), quote(line, start, end));
                }
                label = value;
            } else {
                if (value < 0 || value > 255) {
                    throw new InvalidDataException(name, "line " + lineNo + ", column '" + header.names()[col] + "'",
                            "an integer pixel value 0-255", quote(line, start, end));
                }
                pixels[col - first] = (byte) value;
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
        return label;
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
