package io.sparkcnn.store;

import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.apache.hadoop.util.Progressable;

import java.io.IOException;
import java.net.URI;

/**
 * HDFS under the scheme {@code faultyhdfs://}: a real {@link DistributedFileSystem} client of the same NameNode
 * that fails the {@link FaultyFileSystem#failAt}-th mutating call (counted with {@link FaultyFileSystem}'s
 * counters), so the registry takes its HDFS code paths while failing.
 */
public class FaultyHdfs extends DistributedFileSystem {
    /** Registers the scheme in {@code conf}; {@link FaultyFileSystem#install} sets the counters. */
    static void register(org.apache.hadoop.conf.Configuration conf) {
        conf.set("fs.faultyhdfs.impl", FaultyHdfs.class.getName());
        conf.setBoolean("fs.faultyhdfs.impl.disable.cache", true);
    }

    private static void maybeFail(String op, Path p) throws IOException {
        if (FaultyFileSystem.CALLS.incrementAndGet() == FaultyFileSystem.failAt) {
            throw new IOException("injected failure of " + op + " " + p + " (call " + FaultyFileSystem.failAt + ")");
        }
    }

    private URI faultyUri;

    /** Connects to the NameNode as {@code hdfs://} would, but answers to {@code faultyhdfs://}. */
    @Override
    public void initialize(URI uri, org.apache.hadoop.conf.Configuration conf) throws IOException {
        super.initialize(URI.create("hdfs://" + uri.getAuthority()), conf);
        faultyUri = URI.create("faultyhdfs://" + uri.getAuthority());
    }

    @Override
    public URI getUri() {
        return faultyUri == null ? super.getUri() : faultyUri;
    }

    @Override
    public String getScheme() {
        return "faultyhdfs";
    }

    @Override
    public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, int bufferSize,
                                     short replication, long blockSize, Progressable progress) throws IOException {
        maybeFail("create", f);
        return super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress);
    }

    @Override
    public boolean mkdirs(Path f, FsPermission permission) throws IOException {
        maybeFail("mkdirs", f);
        return super.mkdirs(f, permission);
    }

    @Override
    public boolean rename(Path src, Path dst) throws IOException {
        maybeFail("rename", src);
        return super.rename(src, dst);
    }

    @Override
    public void rename(Path src, Path dst, Options.Rename... options) throws IOException {
        maybeFail("rename", src);
        super.rename(src, dst, options);
    }

    @Override
    public boolean delete(Path p, boolean recursive) throws IOException {
        maybeFail("delete", p);
        return super.delete(p, recursive);
    }
}
