package io.sparkcnn.frames;

import io.sparkcnn.config.DataConfig;
import io.sparkcnn.data.DatasetLoader;
import io.sparkcnn.data.LabeledImages;
import io.sparkcnn.data.PngImageReader;
import org.apache.spark.sql.SparkSession;

/**
 * The training and held-out sets of any {@code data.format}: {@code idx} and {@code csv} read on the driver by
 * {@link DatasetLoader}; {@code parquet} and {@code images} read by the executors through Spark
 * ({@link ImageFrames}), each executor checking its own part, then held on the driver like the others
 * ({@code rows x cols + 1} bytes per image) for the trainer's broadcast.
 */
public final class DataSources {
    private DataSources() {
    }

    /** Loads and checks the data {@code cfg} names, with {@code data.labels} and the limits applied. */
    public static DatasetLoader.TrainTest load(SparkSession spark, DataConfig cfg) {
        return switch (cfg.format()) {
            case "parquet" -> DatasetLoader.split(table(spark, cfg, cfg.trainTable()),
                    cfg.testSet().isBlank() ? null : table(spark, cfg, cfg.testTable()), cfg);
            case "images" -> DatasetLoader.split(folder(spark, cfg, cfg.trainFolder()),
                    cfg.testSet().isBlank() ? null : folder(spark, cfg, cfg.testFolder()), cfg);
            default -> new DatasetLoader(spark.sparkContext().hadoopConfiguration()).load(cfg);
        };
    }

    private static LabeledImages table(SparkSession spark, DataConfig cfg, String path) {
        return ImageFrames.read(spark.read().parquet(path), path, cfg.labelColumn(), cfg.imageColumn(),
                cfg.imageRows(), cfg.imageCols(), cfg.pixelMax());
    }

    private static LabeledImages folder(SparkSession spark, DataConfig cfg, String path) {
        return ImageFrames.images(spark, path, new PngImageReader.Options(cfg.imageRows(), cfg.imageCols(), false, false));
    }
}
