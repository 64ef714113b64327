package io.sparkcnn.predict;

import io.sparkcnn.data.CsvImageReader;
import io.sparkcnn.data.InvalidDataException;
import io.sparkcnn.data.PngImageReader;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.BufferedReader;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Opens prediction inputs through Hadoop's {@link FileSystem} ({@code file://}, {@code hdfs://} or
 * unqualified paths), on the driver or on an executor, and turns every way a file can be missing or unreadable
 * into an {@link InvalidDataException} naming it.
 */
public final class Inputs {
    private Inputs() {
    }

    /** The source name of CSV row {@code row} (1-based, counting lines after the header). */
    public static String csvRow(long row) {
        return "row " + row;
    }

    /** Reads the PNG at {@code path} as {@code rows * cols} MNIST-style grey bytes (see {@link PngImageReader}). */
    public static PngImageReader.Image png(Configuration conf, String path, PngImageReader.Options options) {
        try {
            Path p = new Path(path);
            try (InputStream in = p.getFileSystem(conf).open(p)) {
                return PngImageReader.decode(in, path, options);
            }
        } catch (FileNotFoundException e) {
            throw new InvalidDataException(path, "file", "an existing readable file", "no such file", e);
        } catch (IOException e) {
            throw new InvalidDataException(path, "file", "a readable file", e.toString(), e);
        }
    }

    /**
     * Reads and checks the header row of the CSV at {@code path}; a label column is optional.
     *
     * @param rows image height the model takes
     * @param cols image width the model takes
     */
    public static CsvImageReader.Header csvHeader(Configuration conf, String path, int rows, int cols) {
        try (BufferedReader reader = openText(conf, path)) {
            return CsvImageReader.header(reader.readLine(), path, rows, cols, false);
        } catch (IOException e) {
            throw new InvalidDataException(path, "file", "a readable file", e.toString(), e);
        }
    }

    /** Opens the text file at {@code path} as UTF-8 lines; the caller closes it. */
    public static BufferedReader openText(Configuration conf, String path) {
        try {
            Path p = new Path(path);
            return new BufferedReader(new InputStreamReader(p.getFileSystem(conf).open(p), StandardCharsets.UTF_8), 1 << 16);
        } catch (FileNotFoundException e) {
            throw new InvalidDataException(path, "file", "an existing readable file", "no such file", e);
        } catch (IOException e) {
            throw new InvalidDataException(path, "file", "a readable file", e.toString(), e);
        }
    }
}
