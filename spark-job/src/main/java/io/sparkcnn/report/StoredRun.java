package io.sparkcnn.report;

import io.sparkcnn.store.ModelRegistry;
import io.sparkcnn.store.ModelStore;
import io.sparkcnn.store.OutputException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A stored model and its side files, read through Hadoop's {@link FileSystem}: a plain output directory, or one
 * version of a registry (checked against its manifest before anything is read, like every registry load).
 *
 * @param location the model's directory, qualified ({@code …/versions/<id>} for a registry version)
 * @param name     a short name for exports: the version id, or the output directory's name
 * @param version  true for a registry version, which is immutable: a report is never written into it afterwards
 * @param files    the side files present, by name ({@value RunReport#EVALUATION_FILE}, {@value RunReport#RUN_FILE},
 *                 {@value RunReport#HISTORY_FILE}); never the model file
 * @param network  the trained network
 */
public record StoredRun(String location, String name, boolean version, Map<String, byte[]> files,
                        MultiLayerNetwork network) {
    private static final Logger LOG = LoggerFactory.getLogger(StoredRun.class);
    private static final List<String> SIDE_FILES = List.of(RunReport.EVALUATION_FILE, RunReport.RUN_FILE,
            RunReport.HISTORY_FILE);

    public StoredRun {
        files = Map.copyOf(files);
    }

    /**
     * Opens a stored model.
     *
     * @param model   an output directory, or a registry location
     * @param version for a registry: a version id, or {@code LATEST} (also when null or blank); ignored otherwise
     */
    public static StoredRun open(Configuration hadoopConf, String model, String version) {
        Path path = new Path(model);
        try {
            FileSystem fs = path.getFileSystem(hadoopConf);
            Path qualified = fs.makeQualified(path);
            if (ModelRegistry.isRegistry(fs, qualified)) {
                ModelRegistry registry = new ModelRegistry(hadoopConf, model);
                String id = version == null || version.isBlank() || version.equals(ModelRegistry.LATEST_FILE)
                        ? registry.latest().orElseThrow(() -> new OutputException("no published version at " + model))
                        : version;
                Map<String, byte[]> all = registry.verify(id);
                MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(
                        new ByteArrayInputStream(all.get(ModelStore.MODEL_FILE)), false);
                Map<String, byte[]> side = new LinkedHashMap<>();
                SIDE_FILES.forEach(f -> {
                    if (all.containsKey(f)) {
                        side.put(f, all.get(f));
                    }
                });
                return new StoredRun(new Path(new Path(qualified, ModelRegistry.VERSIONS_DIR), id).toString(), id, true,
                        side, net);
            }
            if (version != null && !version.isBlank()) {
                throw new OutputException(model + " is not a registry (no " + ModelRegistry.LATEST_FILE + " or "
                        + ModelRegistry.VERSIONS_DIR + "/): --version applies to registries only");
            }
            MultiLayerNetwork net = new ModelStore(hadoopConf).load(model);
            Map<String, byte[]> side = new LinkedHashMap<>();
            for (String f : SIDE_FILES) {
                Path file = new Path(qualified, f);
                if (fs.exists(file)) {
                    try (InputStream in = fs.open(file)) {
                        side.put(f, in.readAllBytes());
                    }
                }
            }
            return new StoredRun(qualified.toString(), qualified.getName(), false, side, net);
        } catch (IOException e) {
            throw new OutputException("cannot read the model at " + model + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes the report files into a plain output directory, each through a hidden temporary file renamed into
     * place, replacing an earlier report. Refused for a registry version, whose files the manifest fixes.
     */
    public void writeBeside(Configuration hadoopConf, Map<String, byte[]> reportFiles) {
        if (version) {
            throw new OutputException(location + " is a registry version, which is immutable: its report is written "
                    + "when it is published; export a regenerated one with --export instead");
        }
        Path dir = new Path(location);
        try {
            FileSystem fs = dir.getFileSystem(hadoopConf);
            for (Map.Entry<String, byte[]> f : reportFiles.entrySet()) {
                Path target = new Path(dir, f.getKey());
                Path tmp = new Path(dir, "." + f.getKey() + ".tmp-" + UUID.randomUUID());
                try (FSDataOutputStream out = fs.create(tmp, false)) {
                    out.write(f.getValue());
                }
                if (fs.exists(target)) {
                    fs.delete(target, false);
                }
                if (!fs.rename(tmp, target)) {
                    fs.delete(tmp, false);
                    throw new IOException("cannot rename " + tmp + " to " + target);
                }
            }
            LOG.info("Report written beside the model in {}", dir);
        } catch (IOException e) {
            throw new OutputException("cannot write the report into " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Copies the report files into a local directory (created if needed), replacing earlier copies. */
    public static void export(java.nio.file.Path dir, Map<String, byte[]> reportFiles) {
        try {
            Files.createDirectories(dir);
            for (Map.Entry<String, byte[]> f : reportFiles.entrySet()) {
                java.nio.file.Path tmp = Files.createTempFile(dir, "." + f.getKey(), ".tmp");
                Files.write(tmp, f.getValue());
                Files.move(tmp, dir.resolve(f.getKey()), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            LOG.info("Report exported to {}", dir.toAbsolutePath());
        } catch (IOException e) {
            throw new OutputException("cannot export the report to " + dir + ": " + e.getMessage(), e);
        }
    }
}
