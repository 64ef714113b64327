package io.sparkcnn.frames;

import io.sparkcnn.Cli;
import io.sparkcnn.LocalSpark;
import io.sparkcnn.TestData;
import io.sparkcnn.cli.ExitCodes;
import io.sparkcnn.config.ConfigLoader;
import io.sparkcnn.config.JobConfig;
import io.sparkcnn.data.DatasetLoader;
import io.sparkcnn.data.InvalidDataException;
import io.sparkcnn.data.LabeledImages;
import io.sparkcnn.data.PngImageReader;
import io.sparkcnn.store.ModelStore;
import io.sparkcnn.train.TrainJob;
import io.sparkcnn.train.TrainResult;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tables and image folders as training data, on {@code local[2]}: MNIST converted to Parquet by the
 * {@code convert} command trains exactly as the idx files do; binary, array and vector image columns read the
 * same bytes; every kind of bad row is named by file and row; an image folder reads back the PNGs written here.
 */
@Tag("spark-local")
class DataFramesLocalTest {
    private static SparkSession spark;
    private static LabeledImages test;

    @TempDir
    static Path dir;

    @BeforeAll
    static void startSpark() {
        spark = LocalSpark.start(2);
        test = new DatasetLoader(new Configuration()).idx(TestData.mnistDir().resolve("t10k-images-idx3-ubyte").toString(),
                TestData.mnistDir().resolve("t10k-labels-idx1-ubyte").toString(), 28, 28).limit(300);
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    private static List<String> subset(String... more) {
        List<String> all = new ArrayList<>(List.of("data.dir=" + TestData.mnistDir(), "data.train-limit=2000",
                "data.test-limit=500", "train.epochs=1", "train.batch-size-per-worker=32", "train.averaging-frequency=5",
                "report.enabled=false", "history.enabled=false"));
        all.addAll(List.of(more));
        return all;
    }

    @Test
    void mnistConvertedToParquetTrainsExactlyAsTheIdxFiles() throws IOException {
        List<String> convert = new ArrayList<>(List.of("convert", "--to", dir.resolve("tables").toString(),
                "--set", "spark.fallback-master=local[2]"));
        subset().forEach(s -> convert.addAll(List.of("--set", s)));
        Cli.Run converted = Cli.run(convert);
        assertEquals(ExitCodes.OK, converted.code(), converted.all());
        assertTrue(converted.out().contains("Wrote 2000 images of 28x28 to ") && converted.out().contains("Wrote 500 images"),
                converted.out());
        spark = LocalSpark.start(2);

        JobConfig idx = ConfigLoader.load(null, subset("output.path=" + dir.resolve("from-idx")));
        JobConfig parquet = ConfigLoader.load(null, subset("output.path=" + dir.resolve("from-parquet"),
                "data.format=parquet", "data.train-table=" + dir.resolve("tables/train"),
                "data.test-table=" + dir.resolve("tables/test")));
        TrainResult fromIdx = TrainJob.run(idx, spark);
        TrainResult fromParquet = TrainJob.run(parquet, spark);

        ModelStore store = new ModelStore(new Configuration());
        MultiLayerNetwork a = store.load(fromIdx.outputDir());
        MultiLayerNetwork b = store.load(fromParquet.outputDir());
        assertArrayEquals(a.params().data().asFloat(), b.params().data().asFloat(),
                "the same images in the same order train the same parameters, bit for bit");
        assertArrayEquals(fromIdx.evaluation().confusion(), fromParquet.evaluation().confusion());
        assertEquals(2000, fromParquet.training().images());
    }

    private static final StructType VECTOR_TABLE = DataTypes.createStructType(List.of(
            DataTypes.createStructField("digit", DataTypes.DoubleType, true),
            DataTypes.createStructField("features", new VectorUDT(), true)));

    @Test
    void binaryArrayAndVectorColumnsReadTheSameBytes() {
        LabeledImages few = test.limit(20);
        Dataset<Row> binary = ImageFrames.frame(spark, few, "label", "image", 2);
        LabeledImages fromBinary = ImageFrames.read(binary, "binary", "label", "image", 28, 28, 255);
        assertArrayEquals(few.pixels(), fromBinary.pixels());
        assertArrayEquals(few.labels(), fromBinary.labels());

        List<Row> arrays = new ArrayList<>();
        List<Row> vectors = new ArrayList<>();
        for (int i = 0; i < few.count(); i++) {
            int[] ints = new int[784];
            double[] scaled = new double[784];
            for (int p = 0; p < 784; p++) {
                ints[p] = few.pixels()[i * 784 + p] & 0xFF;
                scaled[p] = ints[p] / 255.0;
            }
            arrays.add(RowFactory.create(few.labels()[i] & 0xFF, Arrays.stream(ints).boxed().toArray(Integer[]::new)));
            vectors.add(RowFactory.create((double) few.labels()[i], Vectors.dense(scaled)));
        }
        StructType arraySchema = DataTypes.createStructType(List.of(
                DataTypes.createStructField("label", DataTypes.IntegerType, false),
                DataTypes.createStructField("image", DataTypes.createArrayType(DataTypes.IntegerType), false)));
        LabeledImages fromArrays = ImageFrames.read(spark.createDataFrame(arrays, arraySchema), "arrays", "label",
                "image", 28, 28, 255);
        assertArrayEquals(few.pixels(), fromArrays.pixels());
        assertArrayEquals(few.labels(), fromArrays.labels());
        LabeledImages fromVectors = ImageFrames.read(spark.createDataFrame(vectors, VECTOR_TABLE), "vectors", "digit",
                "features", 28, 28, 1);
        assertArrayEquals(few.pixels(), fromVectors.pixels());
        assertArrayEquals(few.labels(), fromVectors.labels());

        vectors.set(1, RowFactory.create(null, Vectors.dense(new double[784])));
        InvalidDataException inMemory = assertThrows(InvalidDataException.class, () -> ImageFrames.read(
                spark.createDataFrame(vectors, VECTOR_TABLE), "in-memory", "digit", "features", 28, 28, 1));
        assertEquals("in-memory: row 1, column 'digit': expected a label 0-9, found null", inMemory.getMessage());
    }

    /** A Parquet table of 5 good rows with one row replaced, read back; returns the error. */
    private static InvalidDataException badTable(String name, StructType schema, Row bad, Row good) {
        List<Row> rows = new ArrayList<>(List.of(good, good, good, bad, good));
        String path = dir.resolve(name).toString();
        spark.createDataFrame(rows, schema).coalesce(1).write().parquet(path);
        return assertThrows(InvalidDataException.class,
                () -> ImageFrames.read(spark.read().parquet(path), path, "label", "image", 28, 28, 255));
    }

    @Test
    void badRowsAndColumnsAreNamedByFileRowExpectedAndFound() {
        StructType nullable = DataTypes.createStructType(List.of(
                DataTypes.createStructField("label", DataTypes.IntegerType, true),
                DataTypes.createStructField("image", DataTypes.BinaryType, true)));
        Row good = RowFactory.create(3, new byte[784]);

        InvalidDataException nullLabel = badTable("null-label", nullable, RowFactory.create(null, new byte[784]), good);
        assertTrue(nullLabel.getMessage().matches(".*null-label/part-00000[^:]*\\.parquet: row 3, column 'label': "
                + "expected a label 0-9, found null"), nullLabel.getMessage());

        InvalidDataException shortBinary = badTable("short", nullable, RowFactory.create(4, new byte[700]), good);
        assertTrue(shortBinary.getMessage().endsWith(": row 3, column 'image': expected 784 pixels of 28x28 in range, "
                + "found 700 bytes"), shortBinary.getMessage());

        InvalidDataException label12 = badTable("label-12", nullable, RowFactory.create(12, new byte[784]), good);
        assertTrue(label12.getMessage().endsWith(": row 3, column 'label': expected a label 0-9, found 12"),
                label12.getMessage());

        StructType strings = DataTypes.createStructType(List.of(
                DataTypes.createStructField("label", DataTypes.IntegerType, true),
                DataTypes.createStructField("image", DataTypes.StringType, true)));
        InvalidDataException wrongType = badTable("wrong-type", strings, RowFactory.create(1, "x"), RowFactory.create(1, "y"));
        assertTrue(wrongType.getMessage().endsWith("wrong-type: column 'image': expected binary, an array of numbers "
                + "or an ML Vector, found string"), wrongType.getMessage());

        StructType arrays = DataTypes.createStructType(List.of(
                DataTypes.createStructField("label", DataTypes.IntegerType, true),
                DataTypes.createStructField("image", DataTypes.createArrayType(DataTypes.DoubleType), true)));
        Double[] bright = new Double[784];
        Arrays.fill(bright, 0.0);
        Double[] tooBright = bright.clone();
        tooBright[10] = 256.0;
        InvalidDataException range = badTable("range", arrays, RowFactory.create(1, tooBright), RowFactory.create(1, bright));
        assertTrue(range.getMessage().endsWith(": row 3, column 'image': expected 784 pixels of 28x28 in range, "
                + "found value 256 at pixel 10"), range.getMessage());
    }

    @Test
    void aBadTableStopsTrainWithExitCode3AndNothingWritten() {
        Path table = dir.resolve("cli-null-label");
        StructType schema = DataTypes.createStructType(List.of(
                DataTypes.createStructField("label", DataTypes.IntegerType, true),
                DataTypes.createStructField("image", DataTypes.BinaryType, true)));
        spark.createDataFrame(List.of(RowFactory.create(1, new byte[784]), RowFactory.create(null, new byte[784])),
                schema).coalesce(1).write().parquet(table.toString());
        Path output = dir.resolve("never");
        Cli.Run run = Cli.run("train", "--set", "spark.fallback-master=local[2]", "--set", "data.format=parquet",
                "--set", "data.train-table=" + table, "-o", output.toString());
        spark = LocalSpark.start(2);
        assertEquals(ExitCodes.BAD_DATA, run.code(), run.all());
        assertTrue(run.err().contains("row 1, column 'label': expected a label 0-9, found null"), run.err());
        assertTrue(!Files.exists(output), "no output");
    }

    @Test
    void anImageFolderReadsThePngsInItsLabelledSubFolders() throws IOException {
        Path folder = dir.resolve("digits");
        LabeledImages few = test.limit(12);
        for (int i = 0; i < few.count(); i++) {
            Path sub = Files.createDirectories(folder.resolve(Integer.toString(few.labels()[i])));
            BufferedImage png = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
            png.getRaster().setDataElements(0, 0, 28, 28, Arrays.copyOfRange(few.pixels(), i * 784, (i + 1) * 784));
            ImageIO.write(png, "png", sub.resolve(String.format("img-%03d.png", i)).toFile());
        }
        LabeledImages read = ImageFrames.images(spark, folder.toString(), new PngImageReader.Options(28, 28, false, false));
        assertEquals(few.count(), read.count());
        int[] counts = few.classCounts();
        assertArrayEquals(counts, read.classCounts());
        for (int i = 0; i < read.count(); i++) {
            byte[] image = Arrays.copyOfRange(read.pixels(), i * 784, (i + 1) * 784);
            int source = -1;
            for (int j = 0; j < few.count() && source < 0; j++) {
                if (Arrays.equals(image, Arrays.copyOfRange(few.pixels(), j * 784, (j + 1) * 784))) {
                    source = j;
                }
            }
            assertTrue(source >= 0, "image " + i + " is one of the PNGs");
            assertEquals(few.labels()[source], read.labels()[i], "its label is its sub-folder's name");
        }

        Path unlabelled = Files.createDirectories(dir.resolve("unlabelled/misc"));
        Files.copy(folder.resolve(few.labels()[0] + "/img-000.png"), unlabelled.resolve("a.png"));
        InvalidDataException e = assertThrows(InvalidDataException.class, () -> ImageFrames.images(spark,
                dir.resolve("unlabelled").toString(), new PngImageReader.Options(28, 28, false, false)));
        assertTrue(e.getMessage().contains("misc/a.png: folder: expected a sub-folder named by the label 0-9, found 'misc'"),
                e.getMessage());

        InvalidDataException size = assertThrows(InvalidDataException.class, () -> ImageFrames.images(spark,
                folder.toString(), new PngImageReader.Options(20, 20, false, false)));
        assertTrue(size.getMessage().contains("img-0") && size.getMessage().contains("28"), size.getMessage());
    }
}
