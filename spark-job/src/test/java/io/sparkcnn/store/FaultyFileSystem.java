package io.sparkcnn.store;

import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The local filesystem under the scheme {@code faulty://}, failing on purpose: the {@link #failAt}-th mutating
 * call (create, mkdirs, rename, delete; 1-based) throws, and when {@link #failMidWrite} is set that create
 * instead returns a stream that fails after writing half of a kilobyte, or when closed, as a disk that fills
 * up would.
 * Counters are static because Hadoop instantiates filesystems itself.
 */
public class FaultyFileSystem extends RawLocalFileSystem {
    static final AtomicInteger CALLS = new AtomicInteger();
    static volatile int failAt = -1;
    static volatile boolean failMidWrite;

    /** Registers the scheme in {@code conf} and resets the counters. */
    static void install(org.apache.hadoop.conf.Configuration conf, int failAtCall, boolean midWrite) {
        conf.set("fs.faulty.impl", FaultyFileSystem.class.getName());
        conf.setBoolean("fs.faulty.impl.disable.cache", true);
        CALLS.set(0);
        failAt = failAtCall;
        failMidWrite = midWrite;
    }

    @Override
    public URI getUri() {
        return URI.create("faulty:///");
    }

    @Override
    public String getScheme() {
        return "faulty";
    }

    private boolean fails(String op, Path p) throws IOException {
        if (CALLS.incrementAndGet() == failAt) {
            if (failMidWrite && op.equals("create")) {
                return true;
            }
            throw new IOException("injected failure of " + op + " " + p + " (call " + failAt + ")");
        }
        return false;
    }

    @Override
    public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, int bufferSize,
                                     short replication, long blockSize, Progressable progress) throws IOException {
        boolean breakLater = fails("create", f);
        FSDataOutputStream out = super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress);
        if (!breakLater) {
            return out;
        }
        OutputStream failing = new FilterOutputStream(out) {
            private int written;

            @Override
            public void write(int b) throws IOException {
                if (++written > 512) {
                    throw new IOException("injected failure: device full after 512 bytes of " + f);
                }
                out.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                for (int i = 0; i < len; i++) {
                    write(b[off + i]);
                }
            }

            /** A short file fails when it is flushed at close, as buffered writes to a full disk do. */
            @Override
            public void close() throws IOException {
                out.close();
                throw new IOException("injected failure: device full when closing " + f + " after " + written + " bytes");
            }
        };
        return new FSDataOutputStream(failing, null);
    }

    @Override
    public FSDataOutputStream create(Path f, boolean overwrite, int bufferSize, short replication, long blockSize,
                                     Progressable progress) throws IOException {
        return create(f, FsPermission.getFileDefault(), overwrite, bufferSize, replication, blockSize, progress);
    }

    @Override
    public boolean mkdirs(Path f, FsPermission permission) throws IOException {
        fails("mkdirs", f);
        return super.mkdirs(f, permission);
    }

    @Override
    public boolean rename(Path src, Path dst) throws IOException {
        fails("rename", src);
        return super.rename(src, dst);
    }

    @Override
    public boolean delete(Path p, boolean recursive) throws IOException {
        fails("delete", p);
        return super.delete(p, recursive);
    }
}
