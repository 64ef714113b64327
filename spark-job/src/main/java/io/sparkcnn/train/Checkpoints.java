package io.sparkcnn.train;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkcnn.config.InvalidConfigException;
import io.sparkcnn.store.ModelRegistry;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checkpoints of one run, kept as versions of a {@link ModelRegistry} (so each is complete or absent and
 * verified by SHA-256 before it is loaded): the network with its updater state, the data position (epochs done
 * and minibatches done of the next epoch), the loss per epoch, the training history of the finished epochs with
 * the round losses of the unfinished one, the sums of the weight average ({@link TailAverage}) when it has begun,
 * the outer optimizer's momentum ({@link OuterOptimizer}) when there is one, and the hash of the configuration
 * that wrote it.
 * The position needs nothing more: epoch {@code e} shuffles (and augments) with seeds derived from {@code e},
 * and each fit's averaging rounds and dropout masks are seeded from its position, so a resumed run sees the
 * data it missed as the killed run would have.
 */
public final class Checkpoints {
    private static final Logger LOG = LoggerFactory.getLogger(Checkpoints.class);

    /**
     * A checkpoint: the network after {@code epochsDone} epochs and {@code batchesDone} minibatches of the next
     * one, the losses of the finished epochs, their history (empty in a checkpoint written before histories were
     * kept), the losses of the averaging rounds done in the unfinished epoch, and the weight average's state
     * ({@link TailAverage#toBytes()}, {@code null} before its first epoch) and the outer optimizer's
     * ({@link OuterOptimizer#toBytes()}, {@code null} for plain averaging).
     */
    public record Checkpoint(String id, MultiLayerNetwork network, int epochsDone, int batchesDone, double[] epochLoss,
                             TrainingHistory history, List<Double> roundLosses, byte[] tailAverage, byte[] outerState) {
    }

    /** The checkpoint file holding {@link TailAverage}'s sums. */
    public static final String TAIL_AVERAGE_FILE = "weight-average.bin";
    /** The checkpoint file holding {@link OuterOptimizer}'s momentum. */
    public static final String OUTER_OPTIMIZER_FILE = "outer-optimizer.bin";

    private final Configuration hadoopConf;
    private final ModelRegistry registry;
    private final String configHash;
    private final int keep;

    public Checkpoints(Configuration hadoopConf, String dir, String configHash, int keep) {
        this.hadoopConf = hadoopConf;
        this.registry = new ModelRegistry(hadoopConf, dir);
        this.configHash = configHash;
        this.keep = keep;
    }

    public String location() {
        return registry.location().toString();
    }

    /**
     * Writes a checkpoint after {@code epochsDone} epochs and {@code batchesDone} minibatches of the next one,
     * with the history of the finished epochs, the {@code roundLosses} of the next one so far, the weight
     * average's and the outer optimizer's states ({@code null}: none), and drops all but the newest {@code keep}.
     */
    public void save(MultiLayerNetwork net, int epochsDone, int batchesDone, double[] epochLoss,
                     TrainingHistory history, List<Double> roundLosses, byte[] tailAverage, byte[] outerState) {
        double[] done = java.util.Arrays.copyOf(epochLoss, epochsDone);
        Map<String, byte[]> sideFiles = new java.util.LinkedHashMap<>();
        if (tailAverage != null) {
            sideFiles.put(TAIL_AVERAGE_FILE, tailAverage);
        }
        if (outerState != null) {
            sideFiles.put(OUTER_OPTIMIZER_FILE, outerState);
        }
        registry.publish(net, null, sideFiles, Map.of("epochsDone", epochsDone, "batchesDone", batchesDone,
                "epochLoss", done, "history", history.first(epochsDone), "roundLosses", roundLosses,
                "configSha256", configHash));
        registry.retain(keep);
        if (batchesDone == 0) {
            LOG.info("Checkpoint after epoch {} saved to {}", epochsDone, registry.location());
        } else {
            LOG.info("Checkpoint in epoch {} after {} minibatches saved to {}", epochsDone + 1, batchesDone,
                    registry.location());
        }
    }

    /**
     * The newest checkpoint, loaded and verified.
     *
     * @throws InvalidConfigException when it was written with another configuration
     */
    public Optional<Checkpoint> latest() {
        Optional<String> id = registry.latest();
        if (id.isEmpty()) {
            return Optional.empty();
        }
        JsonNode facts = registry.manifest(id.get()).get("facts");
        String written = facts.get("configSha256").asText();
        if (!written.equals(configHash)) {
            throw new InvalidConfigException(List.of("cannot resume from " + registry.location() + "/"
                    + ModelRegistry.VERSIONS_DIR + "/" + id.get() + ": it was written with another configuration (SHA-256 "
                    + written + ", now " + configHash + "); resume with the same settings, or start afresh "
                    + "without --resume"));
        }
        int epochs = facts.get("epochsDone").asInt();
        double[] loss = new double[epochs];
        for (int i = 0; i < epochs; i++) {
            loss[i] = facts.get("epochLoss").get(i).asDouble();
        }
        TrainingHistory history = facts.has("history") ? TrainingHistory.fromJson(facts.get("history")).first(epochs)
                : TrainingHistory.empty("test");
        List<Double> roundLosses = new java.util.ArrayList<>();
        facts.path("roundLosses").forEach(v -> roundLosses.add(v.asDouble()));
        Map<String, byte[]> files = registry.verify(id.get());
        return Optional.of(new Checkpoint(id.get(), registry.network(id.get(), files), epochs,
                facts.path("batchesDone").asInt(0), loss, history, List.copyOf(roundLosses), files.get(TAIL_AVERAGE_FILE),
                files.get(OUTER_OPTIMIZER_FILE)));
    }

    /** Deletes the checkpoints an earlier run left, saying so: this run starts afresh without {@code --resume}. */
    public void discardEarlier() {
        if (!registry.versions().isEmpty()) {
            LOG.warn("Starting afresh: deleting the checkpoints of an earlier run at {} (use --resume to continue it)",
                    registry.location());
            deleteAll();
        }
    }

    /** Deletes every checkpoint: the run has saved its model. */
    public void deleteAll() {
        try {
            org.apache.hadoop.fs.Path path = registry.location();
            path.getFileSystem(hadoopConf).delete(path, true);
        } catch (java.io.IOException e) {
            LOG.warn("Could not delete the checkpoints at {}: {}", registry.location(), e.toString());
        }
    }
}
