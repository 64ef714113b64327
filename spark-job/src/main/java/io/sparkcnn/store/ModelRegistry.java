package io.sparkcnn.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.sparkcnn.model.InputContract;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Versioned models at one location of any Hadoop {@link FileSystem}, where every version is complete or absent:
 * <pre>
 *   location/versions/&lt;id&gt;/model.zip, side files, MANIFEST.json, _SUCCESS
 *   location/LATEST      the id of the newest published version (one line)
 *   location/_LOCK       present while a run publishes (its owner and start time)
 * </pre>
 * {@link #publish} writes a version into a staging directory, hashing every file (SHA-256), reloads the model and
 * checks that it reproduces the trained outputs, writes the manifest and then {@code _SUCCESS}, renames the
 * directory into {@code versions/} (ids sort by creation time) and finally replaces {@code LATEST}. A crash at
 * any point leaves at most a staging directory that readers never look at. {@link #load} reads only versions
 * with {@code _SUCCESS} and checks every file against the manifest before deserializing anything.
 *
 * <p>Atomicity of the {@code LATEST} switch: HDFS renames with overwrite atomically; the local filesystem
 * replaces the file with one POSIX rename. Object stores ({@code s3a://}) have no atomic rename: there the
 * switch is delete-then-rename, and a reader that finds no {@code LATEST} falls back to the newest complete
 * version. Not thread-safe; one instance per publishing run.</p>
 */
public final class ModelRegistry {
    /** Model file of a version. */
    public static final String MODEL_FILE = "model.zip";
    public static final String MANIFEST_FILE = "MANIFEST.json";
    public static final String SUCCESS_FILE = "_SUCCESS";
    public static final String LATEST_FILE = "LATEST";
    public static final String LOCK_FILE = "_LOCK";
    public static final String VERSIONS_DIR = "versions";

    private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final FileSystem fs;
    private final Path location;

    public ModelRegistry(Configuration hadoopConf, String location) {
        try {
            Path path = new Path(location);
            this.fs = path.getFileSystem(hadoopConf);
            this.location = fs.makeQualified(path);
        } catch (IOException e) {
            throw new OutputException("cannot open registry " + location + ": " + e.getMessage(), e);
        }
    }

    public Path location() {
        return location;
    }

    /** Whether {@code path} on {@code fs} is a registry: it holds {@code LATEST} or a {@code versions/} folder. */
    public static boolean isRegistry(FileSystem fs, Path path) throws IOException {
        return fs.exists(new Path(path, LATEST_FILE)) || fs.exists(new Path(path, VERSIONS_DIR));
    }

    /**
     * Publishes a new version and points {@code LATEST} at it.
     *
     * @param probe     a few input rows the reloaded model must map to exactly the trained model's outputs
     * @param sideFiles file name to content, stored and hashed beside the model
     * @param facts     anything else for the manifest (run id, config hash, metrics, versions)
     * @return the new version's id
     */
    public String publish(MultiLayerNetwork net, INDArray probe, Map<String, byte[]> sideFiles, Map<String, Object> facts) {
        return publish(net, probe, sideFiles, facts, true);
    }

    /**
     * Publishes a new version; {@code LATEST} moves to it only when {@code promote} (a challenger that failed the
     * promotion gate is kept for inspection, but {@code LATEST} keeps naming the champion).
     */
    public String publish(MultiLayerNetwork net, INDArray probe, Map<String, byte[]> sideFiles, Map<String, Object> facts,
                          boolean promote) {
        String id = ID_TIME.format(Instant.now()) + "-" + UUID.randomUUID().toString().substring(0, 8);
        Path staging = new Path(location, ".staging-" + id);
        try {
            ByteArrayOutputStream model = new ByteArrayOutputStream();
            ModelSerializer.writeModel(net, model, true);
            MultiLayerNetwork reloaded = ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(model.toByteArray()), true);
            if (!reloaded.params().equals(net.params())
                    || probe != null && !reloaded.output(probe, false).equals(net.output(probe, false))) {
                throw new OutputException("the serialized model does not reproduce the trained model; not publishing");
            }
            Map<String, byte[]> files = new LinkedHashMap<>();
            files.put(MODEL_FILE, model.toByteArray());
            files.putAll(sideFiles);
            List<Map<String, Object>> listed = new ArrayList<>();
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                write(new Path(staging, f.getKey()), f.getValue());
                listed.add(Map.of("name", f.getKey(), "bytes", f.getValue().length, "sha256", sha256(f.getValue())));
            }
            Map<String, Object> manifest = new LinkedHashMap<>();
            manifest.put("version", id);
            manifest.put("created", Instant.now().toString());
            manifest.put("files", listed);
            manifest.put("facts", facts);
            write(new Path(staging, MANIFEST_FILE), JSON.writeValueAsBytes(manifest));
            write(new Path(staging, SUCCESS_FILE), new byte[0]);
            Path target = versionDir(id);
            fs.mkdirs(new Path(location, VERSIONS_DIR));
            if (!fs.rename(staging, target)) {
                throw new IOException("cannot rename " + staging + " to " + target);
            }
            if (promote) {
                pointLatestAt(id);
            }
            LOG.info("Published version {} at {} ({} files, SHA-256 in {}){}", id, location, files.size(), MANIFEST_FILE,
                    promote ? "; LATEST names it" : "; not promoted, LATEST unchanged");
            return id;
        } catch (IOException | RuntimeException e) {
            deleteQuietly(staging);
            if (e instanceof OutputException oe) {
                throw oe;
            }
            throw new OutputException("cannot publish a version at " + location + ": " + e.getMessage(), e);
        }
    }

    /** The id {@code LATEST} names, or the newest complete version when {@code LATEST} is missing. */
    public Optional<String> latest() {
        Path latest = new Path(location, LATEST_FILE);
        try {
            if (fs.exists(latest)) {
                try (InputStream in = fs.open(latest)) {
                    return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).trim());
                }
            }
            List<String> all = versions();
            return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
        } catch (IOException e) {
            throw new OutputException("cannot read " + latest + ": " + e.getMessage(), e);
        }
    }

    /** Complete versions (with {@code _SUCCESS}), oldest first. */
    public List<String> versions() {
        Path dir = new Path(location, VERSIONS_DIR);
        try {
            if (!fs.exists(dir)) {
                return List.of();
            }
            List<String> ids = new ArrayList<>();
            for (FileStatus s : fs.listStatus(dir)) {
                if (s.isDirectory() && fs.exists(new Path(s.getPath(), SUCCESS_FILE))) {
                    ids.add(s.getPath().getName());
                }
            }
            ids.sort(null);
            return ids;
        } catch (IOException e) {
            throw new OutputException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Loads a version ({@code LATEST} or an id) after checking that it is complete and that every file matches
     * the size and SHA-256 in its manifest.
     *
     * @throws CorruptVersionException naming the file and both checksums when a file does not match
     */
    public MultiLayerNetwork load(String version) {
        String id = LATEST_FILE.equals(version)
                ? latest().orElseThrow(() -> new OutputException("no published version at " + location)) : version;
        return network(id, verify(id));
    }

    /**
     * Loads a version ({@code LATEST} or an id) for use, checked as {@link #load}: its network and its
     * {@value InputContract#FILE}, or a contract derived from the network for a version published before that file
     * existed.
     */
    public SavedModel open(String version) {
        String id = LATEST_FILE.equals(version)
                ? latest().orElseThrow(() -> new OutputException("no published version at " + location)) : version;
        Map<String, byte[]> files = verify(id);
        return ModelStore.withContract(network(id, files), files.get(InputContract.FILE),
                new Path(versionDir(id), InputContract.FILE).toString(), versionDir(id).toString());
    }

    /** The network (with its updater state) of version {@code id}, from the files {@link #verify} returned. */
    public MultiLayerNetwork network(String id, Map<String, byte[]> files) {
        try {
            return ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(files.get(MODEL_FILE)), true);
        } catch (IOException e) {
            throw new OutputException("cannot deserialize " + new Path(versionDir(id), MODEL_FILE) + ": " + e.getMessage(), e);
        }
    }

    /** Reads every file of version {@code id} and checks it against the manifest; returns the contents by name. */
    public Map<String, byte[]> verify(String id) {
        Path dir = versionDir(id);
        try {
            if (!fs.exists(new Path(dir, SUCCESS_FILE))) {
                throw new OutputException("version " + dir + " is incomplete (no " + SUCCESS_FILE + "): refusing to load it");
            }
            JsonNode manifest = JSON.readTree(read(new Path(dir, MANIFEST_FILE)));
            Map<String, byte[]> files = new LinkedHashMap<>();
            for (JsonNode f : manifest.get("files")) {
                Path file = new Path(dir, f.get("name").asText());
                String expected = f.get("sha256").asText();
                byte[] content;
                try {
                    content = readVerbatim(file);
                } catch (org.apache.hadoop.fs.ChecksumException e) {
                    throw new CorruptVersionException(file + ": the filesystem's block checksum fails (" + e.getMessage()
                            + "), the manifest says SHA-256 " + expected + ": the file is corrupt; refusing to load version " + id);
                }
                String actual = sha256(content);
                if (content.length != f.get("bytes").asLong() || !expected.equals(actual)) {
                    throw new CorruptVersionException(file + ": SHA-256 " + actual + " (" + content.length
                            + " bytes), the manifest says " + expected + " (" + f.get("bytes").asLong()
                            + " bytes): the file is corrupt; refusing to load version " + id);
                }
                files.put(f.get("name").asText(), content);
            }
            return files;
        } catch (IOException e) {
            throw new OutputException("cannot read version " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Takes the location's lock, so that two runs cannot publish into it at once: {@code _LOCK} is created
     * exclusively (HDFS {@code create} without overwrite; {@code O_EXCL} locally) and holds the owner and time.
     * When another run holds it, waits up to {@code waitMillis} (0 = not at all), then fails naming the holder.
     * A lock left by a dead run stays until {@link #breakLock()} removes it: the registry cannot tell a dead
     * run from a slow one.
     *
     * @throws LockedException when the lock is still held after {@code waitMillis}
     */
    public Lock lock(String owner, long waitMillis) {
        Path lock = new Path(location, LOCK_FILE);
        String token = owner + " " + UUID.randomUUID() + " since " + Instant.now();
        long deadline = System.currentTimeMillis() + waitMillis;
        try {
            fs.mkdirs(location);
            while (true) {
                if (createExclusive(lock, token.getBytes(StandardCharsets.UTF_8))) {
                    return new Lock(lock, token);
                }
                if (System.currentTimeMillis() >= deadline) {
                    String holder = holder(lock);
                    throw new LockedException("registry " + location + " is locked by " + holder + " (" + lock
                            + "); wait for that run, or remove a dead run's lock with break-lock");
                }
                Thread.sleep(Math.min(1000, Math.max(10, deadline - System.currentTimeMillis())));
            }
        } catch (IOException e) {
            throw new OutputException("cannot lock " + lock + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OutputException("interrupted while waiting for " + lock, e);
        }
    }

    /**
     * Deletes all but the newest {@code keep} complete versions (never the one {@code LATEST} names) and the
     * staging directories of runs that died. Call it while holding the {@link #lock}.
     *
     * @return the ids deleted
     */
    public List<String> retain(int keep) {
        List<String> all = versions();
        String latest = latest().orElse("");
        List<String> deleted = new ArrayList<>();
        try {
            for (String id : all.subList(0, Math.max(0, all.size() - keep))) {
                if (!id.equals(latest) && fs.delete(versionDir(id), true)) {
                    deleted.add(id);
                }
            }
            for (FileStatus s : fs.listStatus(location)) {
                if (s.getPath().getName().startsWith(".staging-")) {
                    fs.delete(s.getPath(), true);
                }
            }
        } catch (IOException e) {
            throw new OutputException("cannot clean up " + location + ": " + e.getMessage(), e);
        }
        if (!deleted.isEmpty()) {
            LOG.info("Retention at {}: kept the newest {}, deleted {}", location, keep, deleted);
        }
        return deleted;
    }

    /** Removes the lock whoever holds it: for a lock left by a run that died. */
    public void breakLock() {
        Path lock = new Path(location, LOCK_FILE);
        try {
            if (fs.exists(lock)) {
                LOG.warn("Breaking the lock {} held by {}", lock, new String(read(lock), StandardCharsets.UTF_8).trim());
                fs.delete(lock, false);
            }
        } catch (IOException e) {
            throw new OutputException("cannot remove " + lock + ": " + e.getMessage(), e);
        }
    }

    /**
     * Who holds {@code lock}. The holder creates the file and then writes its line (on HDFS the line is visible
     * only once the file is closed), so an empty file is read again for up to a second before saying so.
     */
    private String holder(Path lock) throws IOException, InterruptedException {
        for (int attempt = 0; attempt < 20; attempt++) {
            String text;
            try {
                text = new String(read(lock), StandardCharsets.UTF_8).trim();
            } catch (java.io.FileNotFoundException e) {
                return "a run that just left";
            }
            if (!text.isEmpty()) {
                return text;
            }
            Thread.sleep(50);
        }
        return "a run that has not yet written its name";
    }

    private boolean createExclusive(Path path, byte[] content) throws IOException {
        FileSystem raw = fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
        if (raw instanceof RawLocalFileSystem rawLocal) {
            java.nio.file.Path file = rawLocal.pathToFile(path).toPath();
            try {
                java.nio.file.Files.write(file, content, java.nio.file.StandardOpenOption.CREATE_NEW,
                        java.nio.file.StandardOpenOption.WRITE);
                return true;
            } catch (java.nio.file.FileAlreadyExistsException e) {
                return false;
            }
        }
        try (FSDataOutputStream out = raw.create(path, false)) {
            out.write(content);
            return true;
        } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
            return false;
        }
    }

    /** The held lock; {@link #close()} releases it if it is still this run's. */
    public final class Lock implements AutoCloseable {
        private final Path path;
        private final String token;

        private Lock(Path path, String token) {
            this.path = path;
            this.token = token;
        }

        @Override
        public void close() {
            try {
                if (fs.exists(path) && new String(read(path), StandardCharsets.UTF_8).trim().equals(token)) {
                    fs.delete(path, false);
                }
            } catch (IOException e) {
                LOG.warn("Could not release the lock {}: {}", path, e.toString());
            }
        }
    }

    /** The manifest of version {@code id}: its files with their checksums and the publisher's facts. */
    public JsonNode manifest(String id) {
        Path file = new Path(versionDir(id), MANIFEST_FILE);
        try {
            return JSON.readTree(read(file));
        } catch (IOException e) {
            throw new OutputException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private Path versionDir(String id) {
        return new Path(new Path(location, VERSIONS_DIR), id);
    }

    /** Replaces {@code LATEST} in one step where the filesystem can (see the class comment). */
    private void pointLatestAt(String id) throws IOException {
        Path latest = new Path(location, LATEST_FILE);
        Path tmp = new Path(location, "." + LATEST_FILE + "-" + id);
        FileSystem raw = fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
        try (FSDataOutputStream out = raw.create(tmp, true)) {
            out.write((id + "\n").getBytes(StandardCharsets.UTF_8));
        }
        boolean done;
        if (!raw.exists(latest)) {
            done = raw.rename(tmp, latest);
        } else if (raw instanceof DistributedFileSystem dfs) {
            dfs.rename(tmp, latest, Options.Rename.OVERWRITE);
            done = true;
        } else if (raw instanceof RawLocalFileSystem) {
            done = raw.rename(tmp, latest);
        } else {
            done = raw.delete(latest, false) && raw.rename(tmp, latest);
        }
        if (!done) {
            raw.delete(tmp, false);
            throw new IOException("cannot replace " + latest);
        }
    }

    private void write(Path path, byte[] content) throws IOException {
        try (FSDataOutputStream out = fs.create(path, false)) {
            out.write(content);
        }
    }

    private byte[] read(Path path) throws IOException {
        try (InputStream in = fs.open(path)) {
            return in.readAllBytes();
        }
    }

    /**
     * The bytes as stored: on the local filesystem without Hadoop's {@code .crc} check, so that the SHA-256 of
     * the manifest decides and the error can say which checksum failed.
     */
    private byte[] readVerbatim(Path path) throws IOException {
        FileSystem raw = fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
        try (InputStream in = raw.open(path)) {
            return in.readAllBytes();
        }
    }

    /** SHA-256 of the concatenated parts, as 64 lower-case hex digits. */
    public static String sha256(byte[]... parts) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (byte[] part : parts) {
                digest.update(part);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    }

    private void deleteQuietly(Path path) {
        try {
            fs.delete(path, true);
        } catch (IOException e) {
            LOG.warn("Could not delete {}: {}", path, e.toString());
        }
    }
}
