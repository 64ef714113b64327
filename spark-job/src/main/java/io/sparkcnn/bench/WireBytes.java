package io.sparkcnn.bench;

import org.apache.spark.SparkConf;
import org.apache.spark.io.LZ4CompressionCodec;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializationStream;
import org.apache.spark.serializer.SerializerInstance;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.worker.NetBroadcastTuple;
import org.deeplearning4j.spark.impl.paramavg.aggregator.ParameterAveragingAggregationTuple;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import scala.reflect.ClassTag$;

import java.io.OutputStream;

/**
 * The bytes one parameter-averaging round moves, measured by serializing what DL4J ships with Spark's
 * {@link KryoSerializer} configured as the job configures it, and compressing with LZ4 where Spark does
 * (broadcast blocks and shuffle output; task results are not compressed). The model uses the Kryo sizes: LZ4
 * saves about 12 % on a network trained two steps here, but the broadcast blocks a real run shipped on the
 * development cluster were within 0.1 % of the Kryo size (a trained network's floats do not compress).
 */
public final class WireBytes {
    private WireBytes() {
    }

    /**
     * What was measured, bytes.
     *
     * @param parameters        parameter count
     * @param updaterState      updater-state values (e.g. AdaDelta: two per parameter)
     * @param broadcastKryo     DL4J's {@code NetBroadcastTuple} (configuration, parameters, updater state), Kryo
     * @param broadcastShipped  the same after LZ4, as TorrentBroadcast ships it to every executor
     * @param result            one {@code ParameterAveragingAggregationTuple} (sums of parameters and updater
     *                          state, score, count), Kryo, as a task result to the driver
     * @param shuffleKryo       the same keyed by partition, Kryo, as a shuffle record
     * @param shuffleLz4        that after LZ4
     */
    public record Measured(long parameters, long updaterState, long broadcastKryo, long broadcastShipped,
                           long result, long shuffleKryo, long shuffleLz4) {
        /** The Kryo sizes, uncompressed (see the class comment). */
        public ClusterModel.Bytes bytes() {
            return new ClusterModel.Bytes(broadcastKryo, result, shuffleKryo);
        }
    }

    /**
     * Measures for {@code net} (initialized), after two minibatches of random images so that the updater state is
     * not all zeros (zeros would compress to nothing, which a real round never sees), on a clone: {@code net} is
     * left as it was.
     *
     * @param conf Spark settings with the serializer and registrator, e.g. from
     *             {@link io.sparkcnn.runtime.SparkSessions#configure}
     * @param inputs values per image (rows x cols)
     */
    public static Measured measure(MultiLayerNetwork net, SparkConf conf, int inputs, int classes) {
        MultiLayerNetwork trained = net.clone();
        Nd4j.getRandom().setSeed(1);
        for (int i = 0; i < 2; i++) {
            INDArray features = Nd4j.rand(DataType.FLOAT, 16, inputs);
            INDArray labels = Nd4j.zeros(DataType.FLOAT, 16, classes);
            for (int r = 0; r < 16; r++) {
                labels.putScalar(r, r % classes, 1);
            }
            trained.fit(new DataSet(features, labels));
        }
        INDArray params = trained.params();
        INDArray state = trained.getUpdater().getStateViewArray();
        SerializerInstance kryo = new KryoSerializer(conf).newInstance();
        LZ4CompressionCodec lz4 = new LZ4CompressionCodec(conf);

        NetBroadcastTuple broadcast = new NetBroadcastTuple(trained.getLayerWiseConfigurations(), params, state);
        long broadcastKryo = streamed(kryo, null, broadcast, null);
        long broadcastShipped = streamed(kryo, lz4, broadcast, null);
        ParameterAveragingAggregationTuple sum = new ParameterAveragingAggregationTuple(params.dup(),
                state == null ? null : state.dup(), trained.score(), 1, null, null, null, null);
        long result = kryo.serialize(sum, ClassTag$.MODULE$.apply(Object.class)).remaining();
        long shuffleKryo = streamed(kryo, null, 0, sum);
        long shuffleLz4 = streamed(kryo, lz4, 0, sum);
        return new Measured(params.length(), state == null ? 0 : state.length(), broadcastKryo, broadcastShipped,
                result, shuffleKryo, shuffleLz4);
    }

    /** Bytes of {@code first} (and {@code second}, as a key and value) through a serialization stream. */
    private static long streamed(SerializerInstance kryo, LZ4CompressionCodec codec, Object first, Object second) {
        CountingStream count = new CountingStream();
        OutputStream out = codec == null ? count : codec.compressedOutputStream(count);
        SerializationStream s = kryo.serializeStream(out);
        if (second == null) {
            s.writeObject(first, ClassTag$.MODULE$.apply(Object.class));
        } else {
            s.writeKey(first, ClassTag$.MODULE$.apply(Object.class));
            s.writeValue(second, ClassTag$.MODULE$.apply(Object.class));
        }
        s.close();
        return count.bytes;
    }

    private static final class CountingStream extends OutputStream {
        long bytes;

        @Override
        public void write(int b) {
            bytes++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes += len;
        }
    }
}
