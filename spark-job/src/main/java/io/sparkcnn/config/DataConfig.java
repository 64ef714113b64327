package io.sparkcnn.config;

/**
 * Input data. Paths are Hadoop paths: {@code file:///…}, {@code hdfs://…}, or unqualified, which
 * resolve against {@code fs.defaultFS} (the local working directory when Spark runs locally).
 *
 * @param format           {@code idx} (MNIST's four idx files, plain or gzip), {@code csv} (Kaggle
 *                         digit-recognizer: header row, then {@code label,pixel0..pixel783}), {@code parquet} (a
 *                         table with a label column and an image column) or {@code images} (a folder of PNG files
 *                         in one sub-folder per label)
 * @param trainImages      idx image file for training ({@code format = idx})
 * @param trainLabels      idx label file for training
 * @param testImages       idx image file for the held-out test set
 * @param testLabels       idx label file for the held-out test set
 * @param trainCsv         labelled CSV for training ({@code format = csv})
 * @param testCsv          labelled CSV for testing; empty means hold out {@code holdoutFraction} of {@code trainCsv}
 * @param trainTable       Parquet table (a file or a directory of them) for training ({@code format = parquet})
 * @param testTable        Parquet table for testing; empty means hold out {@code holdoutFraction} of {@code trainTable}
 * @param labelColumn      the table's label column: a number 0-9
 * @param imageColumn      the table's image column: binary (row-major bytes), an array of numbers or an ML Vector
 * @param pixelMax         the value of full ink in a numeric image column (255 for 8-bit values, 1 for scaled ones)
 * @param trainFolder      folder of PNGs in sub-folders {@code 0}..{@code 9} for training ({@code format = images})
 * @param testFolder       such a folder for testing; empty means hold out {@code holdoutFraction} of {@code trainFolder}
 * @param holdoutFraction  fraction of the training CSV, table or folder held out for evaluation when no test set is
 *                         named (or when {@code validation}), in (0, 1)
 * @param validation       hold out {@code holdoutFraction} of the training set as a validation set and evaluate on it
 *                         even when a test set is named, which is then not read: for choosing a recipe without
 *                         looking at the test set
 * @param splitSeed        seed of the hold-out split
 * @param trainLimit       use only the first N training images; 0 means all
 * @param testLimit        use only the first N test images; 0 means all
 * @param imageRows        expected image height in pixels
 * @param imageCols        expected image width in pixels
 * @param labels           keep only images with these labels (train and test), e.g. digits 5-9 for transfer
 *                         learning; empty keeps all
 */
public record DataConfig(String format, String trainImages, String trainLabels, String testImages,
                         String testLabels, String trainCsv, String testCsv, String trainTable, String testTable,
                         String labelColumn, String imageColumn, double pixelMax, String trainFolder,
                         String testFolder, double holdoutFraction, boolean validation,
                         long splitSeed, int trainLimit, int testLimit, int imageRows, int imageCols,
                         java.util.List<Integer> labels) {
    /** The formats read through Spark (by the executors) rather than on the driver. */
    public static final java.util.List<String> SPARK_FORMATS = java.util.List.of("parquet", "images");

    public DataConfig {
        labels = java.util.List.copyOf(labels);
    }

    /** The named test set of the format, or empty when a share of the training set is held out instead. */
    public String testSet() {
        if (validation) {
            return "";
        }
        return switch (format) {
            case "csv" -> testCsv;
            case "parquet" -> testTable;
            case "images" -> testFolder;
            default -> testImages;
        };
    }
}
