package io.sparkcnn.store;

import io.sparkcnn.data.IdxWriter;
import io.sparkcnn.data.LabeledImages;
import io.sparkcnn.model.InputContract;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.UUID;

/**
 * Saves and loads trained models through Hadoop's {@link FileSystem}, so {@code file://} and {@code hdfs://}
 * behave the same. An output directory holds {@value #MODEL_FILE} (network, parameters and updater state)
 * and the side files the caller adds (evaluation, run facts).
 *
 * <p>Nothing is half-written: everything goes into a hidden staging directory beside the target, the staged
 * model is reloaded and must reproduce the network's outputs exactly, and only then is the staging directory
 * renamed to the target. An existing target is refused unless {@code overwrite} is set; then it is moved
 * aside, replaced, and deleted, and restored if the replacement fails.</p>
 */
public final class ModelStore {
    /** Name of the model file inside an output directory. */
    public static final String MODEL_FILE = "model.zip";
    /** Image file of a saved image set ({@link #saveImages}). */
    public static final String TRAIN_IMAGES_FILE = "train-images-idx3-ubyte";
    /** Label file of a saved image set. */
    public static final String TRAIN_LABELS_FILE = "train-labels-idx1-ubyte";

    private static final Logger LOG = LoggerFactory.getLogger(ModelStore.class);

    private final Configuration hadoopConf;

    public ModelStore(Configuration hadoopConf) {
        this.hadoopConf = hadoopConf;
    }

    /** Fails early, before any training, when {@code dir} exists and may not be replaced. */
    public Path checkWritable(String dir, boolean overwrite) {
        Path target = new Path(dir);
        try {
            FileSystem fs = target.getFileSystem(hadoopConf);
            Path qualified = fs.makeQualified(target);
            if (fs.exists(qualified) && !overwrite) {
                throw new OutputException("output " + qualified + " exists already; choose another output.path or "
                        + "set output.overwrite=true (--overwrite) to replace it");
            }
            return qualified;
        } catch (IOException e) {
            throw new OutputException("cannot check output " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes the model and side files to {@code dir} as one unit.
     *
     * @param probe     a few input rows; the reloaded model must give exactly the outputs {@code net} gives
     * @param sideFiles file name to content, written beside the model
     * @return the qualified output directory
     */
    public Path save(String dir, boolean overwrite, MultiLayerNetwork net, INDArray probe, Map<String, byte[]> sideFiles) {
        Path target = staged(dir, overwrite, (fs, staging) -> {
            try (FSDataOutputStream out = fs.create(new Path(staging, MODEL_FILE), false)) {
                ModelSerializer.writeModel(net, out, true);
            }
            for (Map.Entry<String, byte[]> f : sideFiles.entrySet()) {
                try (FSDataOutputStream out = fs.create(new Path(staging, f.getKey()), false)) {
                    out.write(f.getValue());
                }
            }
            verify(fs, new Path(staging, MODEL_FILE), net, probe);
        });
        LOG.info("Saved model and {} side files to {} (reloaded before publishing: identical parameters{})",
                sideFiles.size(), target, probe == null ? "" : " and identical outputs on " + probe.rows() + " images");
        return target;
    }

    /**
     * Writes {@code images} as the idx pair {@value #TRAIN_IMAGES_FILE} and {@value #TRAIN_LABELS_FILE} in
     * {@code dir}, as one unit (staged, then renamed into place), for {@code data.train-images} and
     * {@code data.train-labels} of later runs.
     *
     * @return the qualified output directory
     */
    public Path saveImages(String dir, boolean overwrite, LabeledImages images) {
        return staged(dir, overwrite, (fs, staging) -> {
            try (FSDataOutputStream out = fs.create(new Path(staging, TRAIN_IMAGES_FILE), false)) {
                IdxWriter.writeImages(images, out);
            }
            try (FSDataOutputStream out = fs.create(new Path(staging, TRAIN_LABELS_FILE), false)) {
                IdxWriter.writeLabels(images, out);
            }
        });
    }

    /** Files written into a staging directory. */
    @FunctionalInterface
    private interface StagedWrite {
        void write(FileSystem fs, Path staging) throws IOException;
    }

    /**
     * Runs {@code body} against a hidden staging directory beside {@code dir}, then renames the staging
     * directory into place (moving an existing output aside only with {@code overwrite}); on any failure the
     * staging directory is deleted and the previous output stays.
     *
     * @return the qualified output directory
     */
    private Path staged(String dir, boolean overwrite, StagedWrite body) {
        Path target = checkWritable(dir, overwrite);
        FileSystem fs;
        try {
            fs = target.getFileSystem(hadoopConf);
        } catch (IOException e) {
            throw new OutputException("cannot open filesystem of " + target + ": " + e.getMessage(), e);
        }
        Path staging = new Path(target.getParent(), "." + target.getName() + ".staging-" + UUID.randomUUID());
        try {
            body.write(fs, staging);
            publish(fs, staging, target, overwrite);
            return target;
        } catch (IOException | RuntimeException e) {
            deleteQuietly(fs, staging);
            if (e instanceof OutputException oe) {
                throw oe;
            }
            throw new OutputException("cannot write output " + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * Loads the network (with updater state) from an output directory, a model file, or a registry (its
     * {@code LATEST} version, checksums verified first).
     */
    public MultiLayerNetwork load(String dirOrFile) {
        Path path = new Path(dirOrFile);
        try {
            FileSystem fs = path.getFileSystem(hadoopConf);
            if (ModelRegistry.isRegistry(fs, path)) {
                return new ModelRegistry(hadoopConf, dirOrFile).load(ModelRegistry.LATEST_FILE);
            }
            return restore(fs, modelFile(fs, path));
        } catch (IOException e) {
            throw new OutputException("cannot load model from " + dirOrFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * Loads a model for use: the network from an output directory, a model file, or a registry (its {@code LATEST}
     * version, checksums verified first), and its {@value InputContract#FILE}, from the directory (or beside a file
     * named {@value #MODEL_FILE}); a model saved without one gets the contract derived from its network.
     *
     * @throws OutputException when the model cannot be read, or its contract does not fit the network
     */
    public SavedModel open(String dirOrFile) {
        Path path = new Path(dirOrFile);
        try {
            FileSystem fs = path.getFileSystem(hadoopConf);
            if (ModelRegistry.isRegistry(fs, path)) {
                return new ModelRegistry(hadoopConf, dirOrFile).open(ModelRegistry.LATEST_FILE);
            }
            Path file = modelFile(fs, path);
            MultiLayerNetwork net = restore(fs, file);
            Path contract = new Path(file.getParent(), InputContract.FILE);
            byte[] json = null;
            if (file.getName().equals(MODEL_FILE) && fs.exists(contract)) {
                try (InputStream in = fs.open(contract)) {
                    json = in.readAllBytes();
                }
            }
            return withContract(net, json, contract.toString(), fs.makeQualified(file).toString());
        } catch (IOException e) {
            throw new OutputException("cannot load model from " + dirOrFile + ": " + e.getMessage(), e);
        }
    }

    /** Reads a network file; a file that is not one (DL4J throws unchecked for it) becomes an {@link IOException}. */
    private static MultiLayerNetwork restore(FileSystem fs, Path file) throws IOException {
        try (InputStream in = fs.open(file)) {
            return ModelSerializer.restoreMultiLayerNetwork(in, true);
        } catch (RuntimeException e) {
            throw new IOException(fs.makeQualified(file) + ": expected a model file (a zip holding configuration.json"
                    + " and coefficients.bin, as " + MODEL_FILE + "), found " + fs.getFileStatus(file).getLen()
                    + " bytes that are not one (" + e.getMessage() + ")", e);
        }
    }

    /** The model file of an output directory ({@value #MODEL_FILE} inside), or {@code path} itself. */
    private static Path modelFile(FileSystem fs, Path path) throws IOException {
        return fs.getFileStatus(path).isDirectory() ? new Path(path, MODEL_FILE) : path;
    }

    /**
     * The model with its contract read from {@code json}, or derived from the network when {@code json} is null
     * (a model saved before {@value InputContract#FILE} existed); either way checked against the network.
     *
     * @param contractName where the contract is, or would be, for messages
     */
    static SavedModel withContract(MultiLayerNetwork net, byte[] json, String contractName, String location) {
        InputContract input;
        try {
            if (json == null) {
                input = InputContract.derive(net);
                LOG.info("{} has no {} (saved by an earlier version): derived the input from the network: {}",
                        location, InputContract.FILE, input.describe());
            } else {
                input = InputContract.fromJson(json, contractName);
                input.check(net);
            }
        } catch (IllegalArgumentException e) {
            throw new OutputException("model " + location + ": " + e.getMessage(), e);
        }
        return new SavedModel(net, input, location);
    }

    private void verify(FileSystem fs, Path modelFile, MultiLayerNetwork net, INDArray probe) throws IOException {
        MultiLayerNetwork reloaded;
        try (InputStream in = fs.open(modelFile)) {
            reloaded = ModelSerializer.restoreMultiLayerNetwork(in, true);
        }
        if (!reloaded.params().equals(net.params())) {
            throw new OutputException("saved model " + modelFile + " does not hold the trained parameters");
        }
        if (probe != null && !reloaded.output(probe, false).equals(net.output(probe, false))) {
            throw new OutputException("saved model " + modelFile + " does not reproduce the trained model's outputs");
        }
    }

    private void publish(FileSystem fs, Path staging, Path target, boolean overwrite) throws IOException {
        Path aside = null;
        if (fs.exists(target)) {
            if (!overwrite) {
                throw new OutputException("output " + target + " appeared while saving; not replacing it");
            }
            aside = new Path(target.getParent(), "." + target.getName() + ".replaced-" + UUID.randomUUID());
            if (!fs.rename(target, aside)) {
                throw new OutputException("cannot move the existing output " + target + " aside");
            }
        }
        if (!fs.rename(staging, target)) {
            if (aside != null && !fs.rename(aside, target)) {
                LOG.error("Could not restore the previous output {} from {}", target, aside);
            }
            throw new OutputException("cannot rename " + staging + " to " + target);
        }
        if (aside != null) {
            deleteQuietly(fs, aside);
        }
    }

    private static void deleteQuietly(FileSystem fs, Path path) {
        try {
            fs.delete(path, true);
        } catch (IOException e) {
            LOG.warn("Could not delete {}: {}", path, e.toString());
        }
    }
}
