package io.sparkcnn.data;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;

/**
 * Writes images in the Kaggle digit-recognizer CSV form that {@link CsvImageReader} reads: a header row
 * {@code label,pixel0,…,pixelN-1}, then one line per image with its label and its pixels 0-255, row-major.
 */
public final class CsvImageWriter {
    private CsvImageWriter() {
    }

    /** Writes {@code images} to {@code out} (not closed) as UTF-8 with {@code \n} line ends. */
    public static void write(LabeledImages images, OutputStream out) throws IOException {
        BufferedWriter w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
        int ppi = images.pixelsPerImage();
        StringBuilder line = new StringBuilder(ppi * 4 + 8).append("label");
        for (int p = 0; p < ppi; p++) {
            line.append(",pixel").append(p);
        }
        w.write(line.append('\n').toString());
        byte[] pixels = images.pixels();
        for (int i = 0; i < images.count(); i++) {
            line.setLength(0);
            line.append(images.labels()[i]);
            for (int p = i * ppi; p < (i + 1) * ppi; p++) {
                line.append(',').append(pixels[p] & 0xFF);
            }
            w.write(line.append('\n').toString());
        }
        w.flush();
    }
}
