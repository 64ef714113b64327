package io.sparkcnn.config;

/**
 * Synchronous data-parallel training: parameter averaging, or gradient sharing.
 *
 * @param epochs              passes over the training set, at least 1
 * @param batchSizePerWorker  examples per minibatch on each worker
 * @param averagingFrequency  minibatches each worker fits between two averaging rounds
 * @param workers             number of parallel workers; 0 means Spark's default parallelism
 * @param seed                seed of weight initialisation, per-epoch shuffling and the averaging splits
 * @param prefetchBatches     minibatches each worker loads ahead asynchronously; 0 disables prefetch
 * @param shuffleEachEpoch    reshuffle the examples into new minibatches every epoch (as Keras does)
 * @param averageLastEpochs   the saved and evaluated weights are the mean of the weights at the ends of the last
 *                            this many epochs (stochastic weight averaging); 0 or 1 = the last epoch's weights;
 *                            in [0, epochs]
 * @param outer               the driver's step after each averaging round ({@link OuterConfig#none()}: the average)
 * @param approach            {@value #PARAMETER_AVERAGING} (DL4J's ParameterAveragingTrainingMaster) or
 *                            {@value #GRADIENT_SHARING} (DL4J's SharedTrainingMaster)
 * @param sharing             settings of gradient sharing, used only with {@value #GRADIENT_SHARING}
 * @param scaling             how averaging frequency and outer step adapt to the number of workers
 */
public record TrainConfig(int epochs, int batchSizePerWorker, int averagingFrequency, int workers, long seed,
                          int prefetchBatches, boolean shuffleEachEpoch, int averageLastEpochs, OuterConfig outer,
                          String approach, GradientSharingConfig sharing, ScalingConfig scaling) {
    public static final String PARAMETER_AVERAGING = "parameter-averaging";
    public static final String GRADIENT_SHARING = "gradient-sharing";
    public static final java.util.List<String> APPROACHES = java.util.List.of(PARAMETER_AVERAGING, GRADIENT_SHARING);

    public boolean gradientSharing() {
        return GRADIENT_SHARING.equals(approach);
    }

    /** The same settings with {@code workers} workers. */
    public TrainConfig withWorkers(int workers) {
        return new TrainConfig(epochs, batchSizePerWorker, averagingFrequency, workers, seed, prefetchBatches,
                shuffleEachEpoch, averageLastEpochs, outer, approach, sharing, scaling);
    }
}
