package io.sparkcnn.cli;

import io.sparkcnn.store.OutputException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Small reports that commands read and write whole, on any Hadoop filesystem path (a local path included). */
final class HadoopFiles {
    private HadoopFiles() {
    }

    /**
     * Writes {@code bytes} to {@code where}, replacing it.
     *
     * @return the qualified path written
     * @throws OutputException naming {@code what} when it cannot be written
     */
    static Path write(String where, byte[] bytes, String what) {
        Path path = new Path(where);
        try {
            FileSystem fs = path.getFileSystem(new Configuration());
            try (FSDataOutputStream out = fs.create(path, true)) {
                out.write(bytes);
            }
            return fs.makeQualified(path);
        } catch (IOException e) {
            throw new OutputException("cannot write " + what + " to " + where + ": " + e.getMessage(), e);
        }
    }

    /** The whole file at {@code where}, as UTF-8 text. */
    static String readText(String where) throws IOException {
        Path p = new Path(where);
        try (InputStream in = p.getFileSystem(new Configuration()).open(p)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
