package io.sparkcnn.store;

import io.sparkcnn.LocalSpark;
import io.sparkcnn.Networks;
import io.sparkcnn.TestData;
import io.sparkcnn.config.ConfigLoader;
import io.sparkcnn.data.DatasetLoader;
import io.sparkcnn.data.LabeledImages;
import io.sparkcnn.train.TrainJob;
import io.sparkcnn.train.TrainResult;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.hdfs.protocol.HdfsConstants;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A real HDFS (MiniDFSCluster: NameNode and one DataNode on 127.0.0.1) as input and output. */
@Tag("hdfs")
class HdfsTest {
    private static MiniDFSCluster cluster;
    private static SparkSession spark;
    private static String hdfs;

    @BeforeAll
    static void startHdfsAndSpark() throws IOException {
        Configuration conf = new Configuration();
        File base = new File(System.getProperty("java.io.tmpdir"), "minidfs-" + ProcessHandle.current().pid());
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.getAbsolutePath());
        conf.set("dfs.replication", "1");
        conf.set("dfs.namenode.metrics.logger.period.seconds", "0");
        conf.set("dfs.datanode.metrics.logger.period.seconds", "0");
        cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        cluster.waitActive();
        hdfs = "hdfs://127.0.0.1:" + cluster.getNameNodePort();
        FileSystem fs = cluster.getFileSystem();
        for (String f : List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                "t10k-labels-idx1-ubyte")) {
            fs.copyFromLocalFile(new Path(TestData.mnistDir().resolve(f).toString()), new Path("/mnist/" + f));
        }
        spark = LocalSpark.start(2);
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
        if (cluster != null) {
            cluster.shutdown(true);
        }
    }

    @Test
    void modelRoundTripsThroughHdfs() {
        ModelStoreTest.assertRoundTrip(new ModelStore(new Configuration()), hdfs + "/models/fc");
    }

    @Test
    void idxFilesReadFromHdfsEqualTheLocalOnes() {
        DatasetLoader loader = new DatasetLoader(new Configuration());
        LabeledImages remote = loader.idx(hdfs + "/mnist/t10k-images-idx3-ubyte", hdfs + "/mnist/t10k-labels-idx1-ubyte", 28, 28);
        LabeledImages local = loader.idx(TestData.mnistDir().resolve("t10k-images-idx3-ubyte").toString(),
                TestData.mnistDir().resolve("t10k-labels-idx1-ubyte").toString(), 28, 28);
        assertArrayEquals(local.pixels(), remote.pixels());
        assertArrayEquals(local.labels(), remote.labels());
    }

    @Test
    void theJobReadsAndWritesHdfs() throws IOException {
        String output = hdfs + "/runs/cnn";
        TrainResult result = TrainJob.run(ConfigLoader.load(null, List.of("data.dir=" + hdfs + "/mnist",
                "data.train-limit=1024", "data.test-limit=256", "train.batch-size-per-worker=32",
                "output.path=" + output)), spark);
        assertEquals(output, result.outputDir());
        FileSystem fs = cluster.getFileSystem();
        assertTrue(fs.exists(new Path("/runs/cnn/" + ModelStore.MODEL_FILE)));
        assertTrue(fs.exists(new Path("/runs/cnn/" + TrainJob.EVALUATION_FILE)));
        assertEquals(1, fs.listStatus(new Path("/runs")).length, "no staging directory left");
        assertEquals(256, result.evaluation().examples());
    }

    @Test
    void registryVersionsMoveLatestAtomicallyAndRefuseCorruptFilesOnHdfs() throws IOException {
        MultiLayerNetwork a = new MultiLayerNetwork(Networks.build("seed-fc", 1));
        a.init();
        MultiLayerNetwork b = new MultiLayerNetwork(Networks.build("seed-fc", 2));
        b.init();
        INDArray probe = Nd4j.rand(2, 784);
        ModelRegistry registry = new ModelRegistry(new Configuration(), hdfs + "/registry/fc");
        String v1 = registry.publish(a, probe, Map.of(), Map.of());
        String v2 = registry.publish(b, probe, Map.of(), Map.of());
        assertEquals(v2, registry.latest().orElseThrow(), "LATEST replaced by an overwriting rename");
        assertEquals(b.params(), registry.load(ModelRegistry.LATEST_FILE).params());

        FileSystem fs = cluster.getFileSystem();
        Path model = new Path("/registry/fc/versions/" + v1 + "/" + ModelRegistry.MODEL_FILE);
        byte[] bytes;
        try (var in = fs.open(model)) {
            bytes = in.readAllBytes();
        }
        bytes[bytes.length / 3] ^= 0x10;
        try (var out = fs.create(model, true)) {
            out.write(bytes);
        }
        CorruptVersionException e = assertThrows(CorruptVersionException.class, () -> registry.load(v1));
        assertTrue(e.getMessage().contains(model.toString()) && e.getMessage().contains("SHA-256"), e.getMessage());
    }

    @Test
    void aFullLocationFailsClearlyAndLeavesNothingHalfWritten() throws IOException {
        MultiLayerNetwork net = new MultiLayerNetwork(Networks.build("seed-fc", 3));
        net.init();
        DistributedFileSystem fs = cluster.getFileSystem();
        ModelRegistry registry = new ModelRegistry(new Configuration(), hdfs + "/full/fc");
        String before = registry.publish(net, null, Map.of(), Map.of());
        fs.setQuota(new Path("/full"), HdfsConstants.QUOTA_DONT_SET, 64 * 1024);
        try {
            OutputException e = assertThrows(OutputException.class, () -> registry.publish(net, null, Map.of(), Map.of()));
            assertTrue(e.getMessage().contains("cannot publish a version at " + hdfs + "/full/fc")
                    && e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("quota"), e.getMessage());
        } finally {
            fs.setQuota(new Path("/full"), HdfsConstants.QUOTA_DONT_SET, HdfsConstants.QUOTA_RESET);
        }
        assertEquals(List.of(before), registry.versions());
        assertEquals(before, registry.latest().orElseThrow());
        for (var status : fs.listStatus(new Path("/full/fc"))) {
            assertTrue(List.of(ModelRegistry.VERSIONS_DIR, ModelRegistry.LATEST_FILE).contains(status.getPath().getName()),
                    "left behind: " + status.getPath());
        }
    }

    @Test
    void aPublishInterruptedAtAnyStepOnHdfsLeavesThePreviousOrTheNewCompleteVersion() {
        Configuration faulty = new Configuration();
        FaultyHdfs.register(faulty);
        ModelRegistryTest.assertEveryInterruptionLeavesACompleteVersion(hdfs + "/interrupted/fc",
                hdfs.replace("hdfs://", "faultyhdfs://") + "/interrupted/fc", faulty, false);
    }

    @Test
    void aLocationTheUserMayNotWriteFailsClearlyAndLeavesNothing() throws Exception {
        MultiLayerNetwork net = new MultiLayerNetwork(Networks.build("seed-fc", 4));
        net.init();
        DistributedFileSystem fs = cluster.getFileSystem();
        fs.mkdirs(new Path("/readonly"), new org.apache.hadoop.fs.permission.FsPermission((short) 0755));
        org.apache.hadoop.security.UserGroupInformation alice =
                org.apache.hadoop.security.UserGroupInformation.createRemoteUser("alice");
        OutputException e = alice.doAs((java.security.PrivilegedExceptionAction<OutputException>) () -> {
            Configuration conf = new Configuration();
            conf.setBoolean("fs.hdfs.impl.disable.cache", true);
            return assertThrows(OutputException.class,
                    () -> new ModelRegistry(conf, hdfs + "/readonly/fc").publish(net, null, Map.of(), Map.of()));
        });
        assertTrue(e.getMessage().contains(hdfs + "/readonly/fc") && e.getMessage().contains("Permission denied")
                && e.getMessage().contains("alice"), e.getMessage());
        assertEquals(0, fs.listStatus(new Path("/readonly")).length, "nothing written");
    }

    @Test
    void parquetTablesAndSparkMlModelsLiveOnHdfs() throws Exception {
        LabeledImages images = new DatasetLoader(new Configuration()).idx(hdfs + "/mnist/train-images-idx3-ubyte",
                hdfs + "/mnist/train-labels-idx1-ubyte", 28, 28).limit(640);
        String table = hdfs + "/tables/train";
        io.sparkcnn.frames.ImageFrames.writeParquet(spark, images, table, "label", "image", false);
        org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> frame = spark.read().parquet(table);
        LabeledImages back = io.sparkcnn.frames.ImageFrames.read(frame, table, "label", "image", 28, 28, 255);
        assertArrayEquals(images.pixels(), back.pixels());
        assertArrayEquals(images.labels(), back.labels());

        io.sparkcnn.ml.CnnClassificationModel model = new io.sparkcnn.ml.CnnClassifier().setPreset("seed-fc")
                .setFeaturesCol("image").setEpochs(1).setBatchSizePerWorker(32).setAveragingFrequency(5).fit(frame);
        String path = hdfs + "/ml/seed-fc";
        model.write().save(path);
        io.sparkcnn.ml.CnnClassificationModel loaded = io.sparkcnn.ml.CnnClassificationModel.load(path);
        assertEquals(model.transform(frame).select("probability").collectAsList(),
                loaded.transform(frame).select("probability").collectAsList(), "identical predictions after hdfs://");
        assertThrows(IOException.class, () -> model.write().save(path), "no overwrite without overwrite()");
    }
}
