package io.sparkcnn.ml;

import io.sparkcnn.data.InvalidDataException;
import io.sparkcnn.data.PngImageReader;
import io.sparkcnn.frames.ImageFrames;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Scores a table, a CSV or a folder of PNG files with a model on the executors and writes the predictions as
 * Parquet or CSV to any Hadoop path, whole or not at all: every input column but the image, then
 * {@code prediction} (int), {@code probability} (of the predicted class) and, in Parquet, {@code probabilities}
 * (all classes), and {@code model} (the model's version) in every row.
 */
public final class BatchScorer {
    /** The image column of CSV and image-folder input, and the path column of image-folder input. */
    public static final String IMAGE = "image";

    private BatchScorer() {
    }

    /** What a scoring run did: rows scored and the seconds from reading to the written output. */
    public record Result(long rows, double seconds, String output) {
        public double rowsPerSecond() {
            return rows / seconds;
        }
    }

    /**
     * The input as a DataFrame with an image column: a Parquet table as it is; a Kaggle-style CSV (header, an
     * optional {@code label}, then {@code pixel0..}) with its pixel columns gathered into {@code image}; a folder
     * of PNG files as {@code path} and {@code image}, decoded on the executors as {@code predict} reads them.
     */
    public static Dataset<Row> input(SparkSession spark, String path, String format, int rows, int cols) {
        switch (format) {
            case "parquet":
                return spark.read().parquet(path);
            case "csv": {
                Dataset<Row> csv = spark.read().option("header", "true").option("inferSchema", "false").csv(path);
                List<Column> pixels = new ArrayList<>();
                List<Column> others = new ArrayList<>();
                for (String c : csv.columns()) {
                    if (c.matches("pixel[0-9]+")) {
                        pixels.add(functions.col(c).cast(DataTypes.IntegerType));
                    } else {
                        others.add(functions.col(c));
                    }
                }
                if (pixels.size() != rows * cols) {
                    throw new InvalidDataException(path, "header", rows * cols + " columns pixel0..pixel" + (rows * cols - 1),
                            pixels.size() + " pixel columns");
                }
                others.add(functions.array(pixels.toArray(Column[]::new)).as(IMAGE));
                return csv.select(others.toArray(Column[]::new));
            }
            case "images": {
                PngImageReader.Options options = new PngImageReader.Options(rows, cols, false, PngImageReader.Polarity.AUTO,
                        PngImageReader.DEFAULT_MAX_PIXELS);
                StructType schema = DataTypes.createStructType(List.of(
                        DataTypes.createStructField("path", DataTypes.StringType, false),
                        DataTypes.createStructField(IMAGE, DataTypes.BinaryType, false)));
                return spark.read().format("binaryFile").option("recursiveFileLookup", "true")
                        .option("pathGlobFilter", "*.png").load(path).select("path", "content")
                        .map((org.apache.spark.api.java.function.MapFunction<Row, Row>) r -> RowFactory.create(r.getString(0),
                                png(r.getString(0), (byte[]) r.get(1), options)), Encoders.row(schema));
            }
            default:
                throw new IllegalArgumentException("input format must be parquet, csv or images, got '" + format + "'");
        }
    }

    private static byte[] png(String path, byte[] content, PngImageReader.Options options) {
        try {
            return PngImageReader.read(new ByteArrayInputStream(content), path, options);
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Scores {@code input} and writes the predictions to {@code output} ({@code parquet} or {@code csv}), first
     * beside it and then renamed into place; an existing output is replaced only with {@code overwrite}.
     */
    public static Result score(SparkSession spark, CnnClassificationModel model, Dataset<Row> input, String featuresCol,
                               String version, String output, String format, boolean overwrite) {
        if (!List.of("parquet", "csv").contains(format)) {
            throw new IllegalArgumentException("output format must be parquet or csv, got '" + format + "'");
        }
        long started = System.nanoTime();
        Dataset<Row> scored = model.copy(new org.apache.spark.ml.param.ParamMap()).setFeaturesCol(featuresCol)
                .setRawPredictionCol("_raw").setProbabilityCol("_probability").setPredictionCol("_prediction")
                .transform(input);
        List<Column> columns = new ArrayList<>();
        for (String c : input.columns()) {
            if (!c.equals(featuresCol)) {
                columns.add(functions.col(c));
            }
        }
        Column probabilities = org.apache.spark.ml.functions.vector_to_array(functions.col("_probability"), "float64");
        columns.add(functions.col("_prediction").cast(DataTypes.IntegerType).as("prediction"));
        columns.add(functions.array_max(probabilities).as("probability"));
        if (format.equals("parquet")) {
            columns.add(probabilities.as("probabilities"));
        }
        columns.add(functions.lit(version).as("model"));
        Dataset<Row> predictions = scored.select(columns.toArray(Column[]::new));
        ImageFrames.writeAtomically(spark, predictions, output, format, overwrite);
        long rows = spark.read().format(format).option("header", "true").load(output).count();
        return new Result(rows, (System.nanoTime() - started) / 1e9, output);
    }

    /** One line for the log: rows, seconds and rows per second. */
    public static String describe(Result result) {
        return String.format(Locale.ROOT, "Scored %,d rows in %.1f s: %,.0f rows/s; predictions in %s", result.rows(),
                result.seconds(), result.rowsPerSecond(), result.output());
    }
}
