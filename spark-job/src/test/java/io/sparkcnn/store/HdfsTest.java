package io.sparkcnn.store;

import io.sparkcnn.LocalSpark;
import io.sparkcnn.TestData;
import io.sparkcnn.config.ConfigLoader;
import io.sparkcnn.data.DatasetLoader;
import io.sparkcnn.data.LabeledImages;
import io.sparkcnn.train.TrainJob;
import io.sparkcnn.train.TrainResult;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
