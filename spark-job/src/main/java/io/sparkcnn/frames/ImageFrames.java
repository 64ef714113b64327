package io.sparkcnn.frames;

import io.sparkcnn.data.InvalidDataException;
import io.sparkcnn.data.LabeledImages;
import io.sparkcnn.data.PngImageReader;
import io.sparkcnn.store.OutputException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Labelled images from Spark DataFrames: a table with a label column and an image column (Parquet, or any
 * DataFrame), and a folder of PNG files with one sub-folder per label. The executors read and check their own
 * part of the data (every row: a label 0-9, not null; an image of exactly {@code rows x cols} pixels in range);
 * the driver then collects the checked bytes, {@code rows x cols + 1} per image, and keeps them in row order: by
 * file, then by position in the file. A bad row fails the whole read with an {@link InvalidDataException} naming
 * the file, the row within it, what was expected and what was found; no row is dropped.
 *
 * <p>The image column may be {@code binary} (row-major unsigned bytes), an array of numbers, or an ML
 * {@code Vector}; numbers are pixel values from 0 to {@code pixelMax} (255 for 8-bit images, 1 for scaled
 * ones), stored as {@code round(value * 255 / pixelMax)}.</p>
 */
public final class ImageFrames {
    private ImageFrames() {
    }

    /**
     * One row as an executor checked it: its place, and its label and pixels, or what is wrong with it
     * ({@code where}: {@link #LABEL}, {@link #IMAGE} or a place in a file; {@code null} when nothing is wrong).
     * A class, not a record: Spark's Kryo cannot build records.
     */
    static final class Item implements Serializable {
        private static final long serialVersionUID = 1L;
        private final String file;
        private final long position;
        private final int label;
        private final byte[] pixels;
        private final String where;
        private final String expected;
        private final String actual;

        private Item(String file, long position, int label, byte[] pixels, String where, String expected, String actual) {
            this.file = file;
            this.position = position;
            this.label = label;
            this.pixels = pixels;
            this.where = where;
            this.expected = expected;
            this.actual = actual;
        }

        static Item ok(String file, long position, int label, byte[] pixels) {
            return new Item(file, position, label, pixels, null, null, null);
        }

        static Item bad(String file, long position, String where, String expected, String actual) {
            return new Item(file, position, -1, null, where, expected, actual);
        }

        String file() {
            return file;
        }

        long position() {
            return position;
        }

        int label() {
            return label;
        }

        byte[] pixels() {
            return pixels;
        }

        String where() {
            return where;
        }

        String expected() {
            return expected;
        }

        String actual() {
            return actual;
        }
    }

    private static final String LABEL = "<label>";
    private static final String IMAGE = "<image>";

    /**
     * The labelled images of {@code table}.
     *
     * @param source   what {@code table} is, for messages and {@link LabeledImages#source()} (e.g. its path); rows
     *                 that come from no file (a DataFrame built in memory) are named by it
     * @param pixelMax the value of full ink in numeric image columns (binary columns are always 0-255)
     * @throws InvalidDataException naming the column whose type does not fit, or the first bad row
     */
    public static LabeledImages read(Dataset<Row> table, String source, String labelColumn, String imageColumn,
                                     int rows, int cols, double pixelMax) {
        StructType schema = table.schema();
        checkColumn(schema, source, labelColumn, "a number (the label 0-9)",
                t -> t instanceof NumericType);
        checkColumn(schema, source, imageColumn, "binary, an array of numbers or an ML Vector", t ->
                t instanceof BinaryType || t instanceof VectorUDT
                        || t instanceof ArrayType a && a.elementType() instanceof NumericType);
        int pixels = rows * cols;
        List<Item> items = table.select(functions.input_file_name(), functions.monotonically_increasing_id(),
                        functions.col(labelColumn), functions.col(imageColumn))
                .javaRDD().mapPartitions(part -> checked(part, pixels, pixelMax)).collect();
        return collect(items, source, rows, cols, "column '" + labelColumn + "'", "column '" + imageColumn + "'");
    }

    /**
     * The PNG files under {@code folder}, labelled by the name of the sub-folder each one is in ({@code 0} to
     * {@code 9}, as Keras's {@code image_dataset_from_directory} takes them), read with Spark's {@code binaryFile}
     * source and decoded on the executors as MNIST-style grey images of exactly {@code rows x cols} pixels.
     *
     * @param options how the PNGs are read ({@link PngImageReader.Options}); without resizing, another size is refused
     */
    public static LabeledImages images(SparkSession spark, String folder, PngImageReader.Options options) {
        Dataset<Row> files = spark.read().format("binaryFile").option("recursiveFileLookup", "true")
                .option("pathGlobFilter", "*.png").load(folder);
        List<Item> items = files.select("path", "content").javaRDD().mapPartitions(part -> {
            List<Item> out = new ArrayList<>();
            while (part.hasNext()) {
                out.add(png(part.next(), options));
            }
            return out.iterator();
        }).collect();
        if (items.isEmpty()) {
            throw new InvalidDataException(folder, "folder", "PNG files in sub-folders named by their label (0-9)",
                    "no *.png file");
        }
        return collect(items, folder, options.rows(), options.cols(), "sub-folder", "image");
    }

    private static Item png(Row row, PngImageReader.Options options) {
        String path = row.getString(0);
        String[] parts = path.split("/");
        String folder = parts.length > 1 ? parts[parts.length - 2] : "";
        if (!folder.matches("[0-9]")) {
            return Item.bad(path, 0, "folder", "a sub-folder named by the label 0-9", "'" + folder + "'");
        }
        try {
            byte[] pixels = PngImageReader.read(new ByteArrayInputStream((byte[]) row.get(1)), path, options);
            return Item.ok(path, 0, Integer.parseInt(folder), pixels);
        } catch (InvalidDataException e) {
            return Item.bad(path, 0, e.location(), e.expected(), e.actual());
        } catch (IOException e) {
            return Item.bad(path, 0, "file", "a readable PNG", e.toString());
        }
    }

    private static void checkColumn(StructType schema, String source, String column, String expected,
                                    Predicate<DataType> fits) {
        StructField field = List.of(schema.fields()).stream().filter(f -> f.name().equals(column)).findFirst()
                .orElseThrow(() -> new InvalidDataException(source, "schema", "a column '" + column + "'",
                        "columns " + List.of(schema.fieldNames())));
        if (!fits.test(field.dataType())) {
            throw new InvalidDataException(source, "column '" + column + "'", expected, field.dataType().simpleString());
        }
    }

    private static Iterator<Item> checked(Iterator<Row> rows, int pixels, double pixelMax) {
        List<Item> out = new ArrayList<>();
        while (rows.hasNext()) {
            Row row = rows.next();
            String file = row.getString(0);
            long position = row.getLong(1);
            String labelProblem = null;
            int label = -1;
            if (row.isNullAt(2)) {
                labelProblem = "null";
            } else {
                double value = ((Number) row.get(2)).doubleValue();
                if (value != Math.rint(value) || value < 0 || value > LabeledImages.NUM_CLASSES - 1) {
                    labelProblem = number(value);
                } else {
                    label = (int) value;
                }
            }
            if (labelProblem != null) {
                out.add(Item.bad(file, position, LABEL, null, labelProblem));
                continue;
            }
            Object image = row.isNullAt(3) ? null : row.get(3);
            byte[] bytes = new byte[pixels];
            String imageProblem = image == null ? "null" : pixels(image, bytes, pixelMax);
            out.add(imageProblem == null ? Item.ok(file, position, label, bytes)
                    : Item.bad(file, position, IMAGE, null, imageProblem));
        }
        return out.iterator();
    }

    /**
     * Fills {@code bytes} from one image value of a DataFrame ({@code byte[]}, an ML {@code Vector} or an array of
     * numbers, as {@link #read} takes them).
     *
     * @return what is wrong with the value (its length, a pixel out of range), or {@code null}
     */
    public static String pixels(Object image, byte[] bytes, double pixelMax) {
        if (image instanceof byte[] binary) {
            if (binary.length != bytes.length) {
                return binary.length + " bytes";
            }
            System.arraycopy(binary, 0, bytes, 0, bytes.length);
            return null;
        }
        double[] values = image instanceof Vector v ? v.toArray() : numbers(image);
        if (values.length != bytes.length) {
            return values.length + " values";
        }
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            if (!(v >= 0 && v <= pixelMax)) {
                return "value " + number(v) + " at pixel " + i;
            }
            bytes[i] = (byte) Math.round(v * 255 / pixelMax);
        }
        return null;
    }

    private static double[] numbers(Object array) {
        scala.collection.Seq<?> seq = (scala.collection.Seq<?>) array;
        double[] values = new double[seq.size()];
        for (int i = 0; i < values.length; i++) {
            Object v = seq.apply(i);
            values[i] = v == null ? Double.NaN : ((Number) v).doubleValue();
        }
        return values;
    }

    private static String number(double v) {
        return v == Math.rint(v) && !Double.isInfinite(v) ? Long.toString((long) v) : Double.toString(v);
    }

    /** Sorts the checked rows into file order, fails on the first bad one, and joins the rest. */
    private static LabeledImages collect(List<Item> items, String source, int rows, int cols, String labelWhat,
                                         String imageWhat) {
        List<Item> sorted = new ArrayList<>(items);
        sorted.sort(Comparator.comparing(Item::file).thenComparingLong(Item::position));
        int pixels = rows * cols;
        byte[] allPixels = new byte[sorted.size() * pixels];
        byte[] labels = new byte[sorted.size()];
        String file = null;
        long row = 0;
        for (int i = 0; i < sorted.size(); i++) {
            Item item = sorted.get(i);
            String itemFile = item.file().isEmpty() ? source : item.file();
            row = itemFile.equals(file) ? row + 1 : 0;
            file = itemFile;
            if (item.where() != null) {
                String row0 = String.format(Locale.ROOT, "row %d", row);
                throw switch (item.where()) {
                    case LABEL -> new InvalidDataException(file, row0 + ", " + labelWhat, "a label 0-9", item.actual());
                    case IMAGE -> new InvalidDataException(file, row0 + ", " + imageWhat, String.format(Locale.ROOT,
                            "%d pixels of %dx%d in range", pixels, rows, cols), item.actual());
                    default -> new InvalidDataException(file, item.where(), item.expected(), item.actual());
                };
            }
            System.arraycopy(item.pixels(), 0, allPixels, i * pixels, pixels);
            labels[i] = (byte) item.label();
        }
        return new LabeledImages(source, rows, cols, allPixels, labels);
    }

    /**
     * {@code images} as a DataFrame of {@code labelColumn} (int) and {@code imageColumn} (binary, row-major bytes),
     * in their order, in {@code partitions} partitions of consecutive rows.
     */
    public static Dataset<Row> frame(SparkSession spark, LabeledImages images, String labelColumn, String imageColumn,
                                     int partitions) {
        StructType schema = DataTypes.createStructType(List.of(
                DataTypes.createStructField(labelColumn, DataTypes.IntegerType, false),
                DataTypes.createStructField(imageColumn, DataTypes.BinaryType, false)));
        int ppi = images.pixelsPerImage();
        List<Row> rows = new ArrayList<>(images.count());
        for (int i = 0; i < images.count(); i++) {
            rows.add(RowFactory.create(images.labels()[i] & 0xFF,
                    Arrays.copyOfRange(images.pixels(), i * ppi, (i + 1) * ppi)));
        }
        return spark.createDataFrame(rows, schema).coalesce(Math.max(1, partitions));
    }

    /**
     * Writes {@code images} as a Parquet table at {@code path} (any Hadoop path): first beside it, then renamed into
     * place, so that the table is whole or absent; an existing table is replaced only with {@code overwrite}.
     * Files are named in row order, so {@link #read} gives the rows back in the same order.
     */
    public static void writeParquet(SparkSession spark, LabeledImages images, String path, String labelColumn,
                                    String imageColumn, boolean overwrite) {
        int partitions = Math.max(1, (int) Math.ceil(images.count() * (double) images.pixelsPerImage() / (64 << 20)));
        writeAtomically(spark, frame(spark, images, labelColumn, imageColumn, partitions), path, "parquet", overwrite);
    }

    /**
     * Writes {@code frame} at {@code path} (any Hadoop path) in {@code format} ({@code parquet}, or {@code csv} with
     * a header): first beside it, then renamed into place, so that the output is whole or absent; an existing one
     * is replaced only with {@code overwrite}.
     */
    public static void writeAtomically(SparkSession spark, Dataset<Row> frame, String path, String format,
                                       boolean overwrite) {
        Path target = new Path(path);
        Path partial = new Path(target.getParent(), "." + target.getName() + ".partial-" + UUID.randomUUID());
        try {
            FileSystem fs = target.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (fs.exists(target) && !overwrite) {
                throw new OutputException(fs.makeQualified(target) + " exists (use --overwrite)");
            }
            try {
                frame.write().format(format).option("header", "true").save(partial.toString());
            } catch (RuntimeException e) {
                fs.delete(partial, true);
                throw e;
            }
            if (fs.exists(target) && !fs.delete(target, true)) {
                throw new IOException("could not remove the old " + target);
            }
            if (!fs.rename(partial, target)) {
                throw new IOException("could not rename " + partial + " to " + target);
            }
        } catch (IOException e) {
            throw new OutputException(path + ": " + e.getMessage(), e);
        }
    }
}
