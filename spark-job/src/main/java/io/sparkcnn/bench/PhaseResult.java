package io.sparkcnn.bench;

import java.util.Map;

/**
 * One measured phase of a benchmark: training (one epoch over the same images) or evaluation.
 *
 * @param repeat             which repetition of the benchmark it belongs to, from 1
 * @param phase              what ran: {@code train} or {@code evaluate}
 * @param where              {@code process} (DL4J in this JVM, no Spark) or the Spark master URL
 * @param workers            parallel workers (1 in process)
 * @param batchSize          minibatch size per worker, images
 * @param averagingFrequency minibatches per worker between averaging rounds (0 in process)
 * @param rounds             averaging rounds (0 in process and for evaluation)
 * @param images             images processed: on Spark those the executors built into minibatches (every
 *                           image of the epoch, plus any a lost task built again)
 * @param wallSeconds        elapsed time
 * @param cpuSeconds         CPU time, see {@code cpuSource}
 * @param cpuSource          {@code process} (this JVM, every thread) or {@code driver+tasks} (cluster)
 * @param computeShare       share of the workers' time (workers x wall) spent in DL4J's fit or output calls, 0-1
 * @param averagingShare     share spent in averaging rounds: broadcast, aggregation, serialization, scheduling
 * @param dataShare          share spent waiting for minibatches to be built from the stored images
 * @param accuracy           test accuracy of the network after this phase's training
 * @param breakdownMs        where the time went, total milliseconds per item: in process {@code fit} and
 *                           {@code minibatches}; on Spark every key of DL4J's training stats (worker times summed
 *                           over the workers)
 */
public record PhaseResult(int repeat, String phase, String where, int workers, int batchSize, int averagingFrequency,
                          int rounds, long images, double wallSeconds, double cpuSeconds, String cpuSource, double computeShare,
                          double averagingShare, double dataShare, double accuracy, Map<String, Double> breakdownMs) {
    public PhaseResult {
        breakdownMs = Map.copyOf(breakdownMs);
    }

    /** This result with the test accuracy measured after it. */
    public PhaseResult withAccuracy(double testAccuracy) {
        return new PhaseResult(repeat, phase, where, workers, batchSize, averagingFrequency, rounds, images,
                wallSeconds, cpuSeconds, cpuSource, computeShare, averagingShare, dataShare, testAccuracy, breakdownMs);
    }

    public double imagesPerSecond() {
        return wallSeconds > 0 ? images / wallSeconds : 0;
    }

    public double imagesPerCpuSecond() {
        return cpuSeconds > 0 ? images / cpuSeconds : 0;
    }

    /** Wall milliseconds the workers spent in compute per minibatch. */
    public double computeMsPerBatch() {
        return slotMs() * computeShare / batches();
    }

    /** Wall milliseconds the workers spent in data handling per minibatch. */
    public double dataMsPerBatch() {
        return slotMs() * dataShare / batches();
    }

    /** Wall milliseconds of one averaging round that are not compute or data handling. */
    public double overheadMsPerRound() {
        return rounds > 0 ? wallSeconds * 1000 * averagingShare / rounds : 0;
    }

    private double slotMs() {
        return workers * wallSeconds * 1000;
    }

    private double batches() {
        return Math.max(1.0, Math.ceil((double) images / batchSize));
    }
}
