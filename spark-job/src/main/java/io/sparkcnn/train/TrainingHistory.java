package io.sparkcnn.train;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What training did, epoch by epoch, like Keras's {@code History}: written beside the model as
 * {@value #JSON_FILE} ({@code {"heldOut":"test","epochs":[{"epoch":1,"trainLoss":…,…,"roundLosses":[…]},…]}})
 * and {@value #CSV_FILE} (header {@value #CSV_HEADER}, one row per epoch, an empty field where the JSON has
 * {@code null}; the round losses are in the JSON only). A resumed run carries the history of the killed one in
 * its checkpoints, so it ends with every epoch. Histories written before {@code roundLosses} existed still read:
 * their epochs have no round losses.
 *
 * @param heldOut what the validation accuracy was measured on: {@code test} (the test set) or
 *                {@code validation} (the split held out of the training CSV)
 * @param epochs  the finished epochs in order, {@code epochs.get(i).epoch() == i + 1}
 */
@JsonPropertyOrder({"heldOut", "epochs"})
public record TrainingHistory(String heldOut, List<Epoch> epochs) {
    /** The JSON side file. */
    public static final String JSON_FILE = "history.json";
    /** The CSV side file. */
    public static final String CSV_FILE = "history.csv";
    /** The CSV file's header row. */
    public static final String CSV_HEADER = "epoch,train_loss,train_accuracy,validation_accuracy,wall_seconds,"
            + "images_per_second,images_per_cpu_second";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    public TrainingHistory {
        Objects.requireNonNull(heldOut, "heldOut");
        epochs = List.copyOf(epochs);
        for (int i = 0; i < epochs.size(); i++) {
            if (epochs.get(i).epoch() != i + 1) {
                throw new IllegalArgumentException("epoch " + (i + 1) + " is numbered " + epochs.get(i).epoch());
            }
        }
    }

    /**
     * One finished epoch. Accuracies are fractions in [0, 1]; {@code null} where not measured
     * ({@code history.enabled = false}, or {@code history.train-sample = 0} for the training accuracy).
     *
     * @param epoch              1-based
     * @param trainLoss          mean of the epoch's averaging rounds' losses, each being DL4J's score of the round:
     *                           the mean over the workers of the loss (with the regularization penalty) of the last
     *                           minibatch each fitted. Not Keras's mean over every minibatch, but a mean over the
     *                           whole epoch rather than its end
     * @param trainAccuracy      accuracy after the epoch on a fixed random sample of the training images
     * @param validationAccuracy accuracy after the epoch on the whole held-out set
     * @param wallSeconds        wall time of the epoch's training (its evaluations not counted), in seconds
     * @param imagesPerSecond    images trained per wall second in the epoch
     * @param imagesPerCpuSecond images trained per CPU second, measured as the run's final throughput line is
     *                           ({@link ThroughputMeter})
     * @param roundLosses        the losses of the epoch's averaging rounds in order, whose mean is
     *                           {@code trainLoss} ({@code null} for a non-finite one); empty when not recorded
     *                           (a history written before they were, where the field is missing)
     */
    @JsonPropertyOrder({"epoch", "trainLoss", "trainAccuracy", "validationAccuracy", "wallSeconds", "imagesPerSecond",
            "imagesPerCpuSecond", "roundLosses"})
    public record Epoch(int epoch, Double trainLoss, Double trainAccuracy, Double validationAccuracy,
                        double wallSeconds, double imagesPerSecond, double imagesPerCpuSecond,
                        List<Double> roundLosses) {
        public Epoch {
            if (epoch < 1) {
                throw new IllegalArgumentException("epoch must be >= 1, got " + epoch);
            }
            trainLoss = finiteOrNull(trainLoss);
            trainAccuracy = finiteOrNull(trainAccuracy);
            validationAccuracy = finiteOrNull(validationAccuracy);
            roundLosses = roundLosses == null ? List.of() : roundLosses.stream().map(Epoch::finiteOrNull).toList();
        }

        /** An epoch without round losses. */
        public Epoch(int epoch, Double trainLoss, Double trainAccuracy, Double validationAccuracy, double wallSeconds,
                     double imagesPerSecond, double imagesPerCpuSecond) {
            this(epoch, trainLoss, trainAccuracy, validationAccuracy, wallSeconds, imagesPerSecond, imagesPerCpuSecond,
                    List.of());
        }

        private static Double finiteOrNull(Double value) {
            return value == null || !Double.isFinite(value) ? null : value;
        }

        /**
         * The row of a measured epoch: its averaging rounds' losses and their mean (the epoch's loss), its
         * accuracies (or null) and training throughput.
         */
        public static Epoch of(int epoch, double trainLoss, List<Double> roundLosses, Double trainAccuracy,
                               Double validationAccuracy, Throughput speed) {
            return new Epoch(epoch, trainLoss, trainAccuracy, validationAccuracy, speed.wallSeconds(),
                    speed.imagesPerSecond(), speed.imagesPerCpuSecond(), roundLosses);
        }
    }

    /** An empty history. */
    public static TrainingHistory empty(String heldOut) {
        return new TrainingHistory(heldOut, List.of());
    }

    /** This history with {@code next} appended; it must be epoch {@code epochs().size() + 1}. */
    public TrainingHistory with(Epoch next) {
        List<Epoch> all = new ArrayList<>(epochs);
        all.add(next);
        return new TrainingHistory(heldOut, all);
    }

    /** The first {@code n} epochs (a run resumed after epoch {@code n} keeps those). */
    public TrainingHistory first(int n) {
        return new TrainingHistory(heldOut, epochs.subList(0, Math.min(n, epochs.size())));
    }

    /** {@value #JSON_FILE}: UTF-8 JSON, numbers as JSON numbers, {@code null} where not measured. */
    public byte[] json() {
        try {
            return MAPPER.writeValueAsBytes(this);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the training history as JSON", e);
        }
    }

    /** {@value #CSV_FILE}: UTF-8, {@value #CSV_HEADER}, then one row per epoch, decimals without exponents. */
    public byte[] csv() {
        StringBuilder out = new StringBuilder(CSV_HEADER).append('\n');
        for (Epoch e : epochs) {
            out.append(e.epoch()).append(',').append(number(e.trainLoss())).append(',')
                    .append(number(e.trainAccuracy())).append(',').append(number(e.validationAccuracy())).append(',')
                    .append(number(e.wallSeconds())).append(',').append(number(e.imagesPerSecond())).append(',')
                    .append(number(e.imagesPerCpuSecond())).append('\n');
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The history in a JSON tree, as {@link #json()} writes it (and a checkpoint's manifest holds it). */
    public static TrainingHistory fromJson(JsonNode tree) {
        try {
            return MAPPER.treeToValue(tree, TrainingHistory.class);
        } catch (IOException e) {
            throw new UncheckedIOException("not a training history: " + e.getMessage(), e);
        }
    }

    private static String number(Double value) {
        return value == null || !Double.isFinite(value) ? "" : BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
}
