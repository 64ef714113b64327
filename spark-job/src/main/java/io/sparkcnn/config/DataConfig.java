package io.sparkcnn.config;

/**
 * Input data. Paths are Hadoop paths: {@code file:///…}, {@code hdfs://…}, or unqualified, which
 * resolve against {@code fs.defaultFS} (the local working directory when Spark runs locally).
 *
 * @param format           {@code idx} (MNIST's four idx files, plain or gzip) or {@code csv} (Kaggle
 *                         digit-recognizer: header row, then {@code label,pixel0..pixel783})
 * @param trainImages      idx image file for training ({@code format = idx})
 * @param trainLabels      idx label file for training
 * @param testImages       idx image file for the held-out test set
 * @param testLabels       idx label file for the held-out test set
 * @param trainCsv         labelled CSV for training ({@code format = csv})
 * @param testCsv          labelled CSV for testing; empty means hold out {@code holdoutFraction} of {@code trainCsv}
 * @param holdoutFraction  fraction of {@code trainCsv} held out for evaluation when {@code testCsv} is empty, in (0, 1)
 * @param splitSeed        seed of the hold-out split
 * @param trainLimit       use only the first N training images; 0 means all
 * @param testLimit        use only the first N test images; 0 means all
 * @param imageRows        expected image height in pixels
 * @param imageCols        expected image width in pixels
 * @param labels           keep only images with these labels (train and test), e.g. digits 5-9 for transfer
 *                         learning; empty keeps all
 */
public record DataConfig(String format, String trainImages, String trainLabels, String testImages,
                         String testLabels, String trainCsv, String testCsv, double holdoutFraction,
                         long splitSeed, int trainLimit, int testLimit, int imageRows, int imageCols,
                         java.util.List<Integer> labels) {
    public DataConfig {
        labels = java.util.List.copyOf(labels);
    }
}
