package io.sparkcnn.bench;

import java.util.Locale;

/**
 * Whether distributing pays off on one Spark master, from a calibration (a {@code bench} run): compute and data
 * time per minibatch against the fixed cost of an averaging round. With {@code W} workers, minibatches of
 * {@code B} images, {@code c} ms of compute and {@code d} ms of data handling per minibatch and {@code r} ms per
 * round, averaging every {@code F} minibatches gives {@code W B F / (F (c + d) + r)} images per ms: the round
 * costs {@code r / (F (c + d) + r)} of the time.
 *
 * @param where                 the Spark master
 * @param workers               W
 * @param computeMsPerBatch     c, measured on this master
 * @param dataMsPerBatch        d, measured on this master
 * @param overheadMsPerRound    r, measured on this master
 * @param measuredFrequency     the averaging frequency of the calibration run
 * @param recommendedFrequency  the smallest F whose rounds cost at most 10 % of the time (at least 1)
 * @param predictedImagesPerSec W B F / (F (c + d) + r) at the recommended F
 * @param singleProcessImagesPerSec DL4J in one process, no Spark, on the same data
 * @param pays                  whether the recommended F beats one process by at least 10 % in images per second
 */
public record Advice(String where, int workers, double computeMsPerBatch, double dataMsPerBatch,
                     double overheadMsPerRound, int measuredFrequency, int recommendedFrequency,
                     double predictedImagesPerSec, double singleProcessImagesPerSec, boolean pays) {
    /** The largest share of time the averaging rounds may take at the recommended frequency. */
    public static final double MAX_ROUND_SHARE = 0.10;
    /** Frequencies above this leave the workers' models apart for long; the advice never goes beyond it. */
    public static final int MAX_FREQUENCY = 50;

    /** The advice for the Spark phase {@code spark}, given the single-process phase {@code single}. */
    public static Advice of(PhaseResult spark, PhaseResult single) {
        double c = spark.computeMsPerBatch();
        double d = spark.dataMsPerBatch();
        double r = spark.overheadMsPerRound();
        int f = recommendedFrequency(c + d, r);
        double predicted = spark.workers() * spark.batchSize() * f * 1000.0 / (f * (c + d) + r);
        return new Advice(spark.where(), spark.workers(), c, d, r, spark.averagingFrequency(), f, predicted,
                single.imagesPerSecond(), predicted >= 1.1 * single.imagesPerSecond());
    }

    /** Smallest F with {@code r / (F perBatch + r) <= 10 %}, i.e. {@code F >= 9 r / perBatch}; 1 to 50. */
    static int recommendedFrequency(double perBatchMs, double roundMs) {
        if (perBatchMs <= 0) {
            return MAX_FREQUENCY;
        }
        double f = Math.ceil((1 - MAX_ROUND_SHARE) / MAX_ROUND_SHARE * roundMs / perBatchMs - 1e-9);
        return (int) Math.max(1, Math.min(MAX_FREQUENCY, f));
    }

    /** The advice in words, with the measurements behind it. */
    public String text() {
        String scale = computeMsPerBatch >= 100 ? "well above" : computeMsPerBatch >= 10 ? "below" : "far below";
        return String.format(Locale.ROOT,
                "%s, %d workers: %.1f ms compute + %.1f ms data per minibatch (%s DL4J's ~100 ms per iteration "
                        + "that scales well), %.0f ms per averaging round. Averaging every %d minibatches keeps the "
                        + "rounds at <= %.0f %% of the time: predicted %.0f images/s against %.0f in one process "
                        + "without Spark, so distributing %s. (Measured at frequency %d; a higher frequency lets the "
                        + "workers' models drift apart longer: check the accuracy.)",
                where, workers, computeMsPerBatch, dataMsPerBatch, scale, overheadMsPerRound, recommendedFrequency,
                MAX_ROUND_SHARE * 100, predictedImagesPerSec, singleProcessImagesPerSec,
                pays ? "pays off" : "does not pay off here", measuredFrequency);
    }
}
