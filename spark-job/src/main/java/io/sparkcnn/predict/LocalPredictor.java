package io.sparkcnn.predict;

import io.sparkcnn.data.CsvImageReader;
import io.sparkcnn.data.InvalidDataException;
import io.sparkcnn.data.PngImageReader;
import io.sparkcnn.model.InputContract;
import org.apache.hadoop.conf.Configuration;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Classifies inputs one minibatch at a time in this JVM (the driver), streaming: at most {@code batchSize}
 * images are in memory at once, and every prediction goes to the sink in input order as soon as its minibatch
 * is done. Not thread-safe.
 */
public final class LocalPredictor {
    private final Classifier classifier;
    private final Configuration hadoopConf;
    private final int batchSize;

    /** @param batchSize images per forward pass, at least 1 */
    public LocalPredictor(Classifier classifier, Configuration hadoopConf, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        this.classifier = classifier;
        this.hadoopConf = hadoopConf;
        this.batchSize = batchSize;
    }

    /** Classifies the PNG files at {@code paths}, in that order. */
    public void pngs(List<String> paths, PngImageReader.Options options, Consumer<Prediction> sink) {
        int ppi = classifier.input().valuesPerImage();
        for (int start = 0; start < paths.size(); start += batchSize) {
            List<String> batch = paths.subList(start, Math.min(paths.size(), start + batchSize));
            byte[] pixels = new byte[batch.size() * ppi];
            boolean[] inverted = new boolean[batch.size()];
            for (int i = 0; i < batch.size(); i++) {
                PngImageReader.Image image = Inputs.png(hadoopConf, batch.get(i), options);
                System.arraycopy(image.pixels(), 0, pixels, i * ppi, ppi);
                inverted[i] = image.inverted();
            }
            float[][] probabilities = classifier.probabilities(pixels, batch.size());
            for (int i = 0; i < batch.size(); i++) {
                sink.accept(new Prediction(batch.get(i), probabilities[i], -1, inverted[i]));
            }
        }
    }

    /**
     * Classifies every row of the CSV at {@code path} (a header row, then one image per line, with or without
     * a label column; blank lines are skipped).
     *
     * @throws InvalidDataException naming the file, line and column of the first bad value
     */
    public void csv(String path, Consumer<Prediction> sink) {
        InputContract input = classifier.input();
        int ppi = input.valuesPerImage();
        try (BufferedReader reader = Inputs.openText(hadoopConf, path)) {
            CsvImageReader.Header header = CsvImageReader.header(reader.readLine(), path, input.height(), input.width(), false);
            byte[] pixels = new byte[batchSize * ppi];
            byte[] row = new byte[ppi];
            long[] rows = new long[batchSize];
            int[] actual = new int[batchSize];
            int n = 0;
            long lineNo = 1;
            boolean any = false;
            for (String line; (line = reader.readLine()) != null; ) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                actual[n] = CsvImageReader.parseRow(line, lineNo, path, header, row);
                System.arraycopy(row, 0, pixels, n * ppi, ppi);
                rows[n++] = lineNo - 1;
                any = true;
                if (n == batchSize) {
                    emit(pixels, n, rows, actual, sink);
                    n = 0;
                }
            }
            emit(Arrays.copyOf(pixels, n * ppi), n, rows, actual, sink);
            if (!any) {
                throw new InvalidDataException(path, "line 2", "at least one image row", "end of file");
            }
        } catch (IOException e) {
            throw new InvalidDataException(path, "file", "a readable file", e.toString(), e);
        }
    }

    /** Classifies the {@code n} images in {@code pixels} (exactly {@code n} images long). */
    private void emit(byte[] pixels, int n, long[] rows, int[] actual, Consumer<Prediction> sink) {
        float[][] probabilities = classifier.probabilities(pixels, n);
        for (int i = 0; i < n; i++) {
            sink.accept(new Prediction(Inputs.csvRow(rows[i]), probabilities[i], actual[i], null));
        }
    }
}
