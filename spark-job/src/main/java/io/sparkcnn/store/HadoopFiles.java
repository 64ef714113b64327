package io.sparkcnn.store;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Small files read and written whole on any Hadoop filesystem path (a local path included): the reports of
 * {@code bench} and {@code plan}, the parts of a saved Spark ML model.
 */
public final class HadoopFiles {
    private HadoopFiles() {
    }

    /** {@link #write(Configuration, String, byte[], String)} with the default Hadoop configuration. */
    public static Path write(String where, byte[] bytes, String what) {
        return write(new Configuration(), where, bytes, what);
    }

    /**
     * Writes {@code bytes} to {@code where}, replacing it.
     *
     * @return the qualified path written
     * @throws OutputException naming {@code what} when it cannot be written
     */
    public static Path write(Configuration conf, String where, byte[] bytes, String what) {
        Path path = new Path(where);
        try {
            FileSystem fs = path.getFileSystem(conf);
            try (FSDataOutputStream out = fs.create(path, true)) {
                out.write(bytes);
            }
            return fs.makeQualified(path);
        } catch (IOException e) {
            throw new OutputException("cannot write " + what + " to " + where + ": " + e.getMessage(), e);
        }
    }

    /** The whole file at {@code where}, as UTF-8 text, with the default Hadoop configuration. */
    public static String readText(String where) throws IOException {
        return new String(read(new Configuration(), where), StandardCharsets.UTF_8);
    }

    /** The whole file at {@code where}. */
    public static byte[] read(Configuration conf, String where) throws IOException {
        Path p = new Path(where);
        try (InputStream in = p.getFileSystem(conf).open(p)) {
            return in.readAllBytes();
        }
    }
}
