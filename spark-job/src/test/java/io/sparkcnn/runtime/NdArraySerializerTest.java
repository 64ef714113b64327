package io.sparkcnn.runtime;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.deeplearning4j.spark.impl.paramavg.aggregator.ParameterAveragingAggregationTuple;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Round trips through Spark's own {@link KryoSerializer} configured with the job's registrator. */
@Tag("unit")
class NdArraySerializerTest {
    private static final ClassTag<Object> ANY = ClassTag$.MODULE$.AnyRef();
    private static final SerializerInstance SPARK_KRYO = new KryoSerializer(new SparkConf(false)
            .set("spark.kryo.registrator", SparkSessions.KRYO_REGISTRATOR)).newInstance();

    private static INDArray roundTrip(INDArray array) {
        ByteBuffer bytes = SPARK_KRYO.serialize(array, ANY);
        return (INDArray) SPARK_KRYO.deserialize(bytes, ANY);
    }

    private static void assertSameArray(INDArray expected, INDArray actual) {
        assertEquals(expected.dataType(), actual.dataType());
        assertArrayEquals(expected.shape(), actual.shape());
        assertEquals('c', actual.ordering());
        assertEquals(expected, actual);
    }

    @Test
    void everyFixedWidthTypeComesBackEqual() {
        INDArray values = Nd4j.arange(-29, 31).castTo(DataType.DOUBLE).reshape(3, 4, 5);
        for (DataType type : List.of(DataType.DOUBLE, DataType.FLOAT, DataType.HALF, DataType.BFLOAT16,
                DataType.LONG, DataType.INT, DataType.SHORT, DataType.BYTE, DataType.UBYTE, DataType.BOOL)) {
            INDArray array = values.castTo(type);
            assertSameArray(array, roundTrip(array));
        }
    }

    @Test
    void viewsAndColumnMajorArraysComeBackAsRowMajorCopies() {
        Nd4j.getRandom().setSeed(7);
        INDArray base = Nd4j.rand(DataType.FLOAT, 6, 7);
        INDArray view = base.get(NDArrayIndex.interval(1, 4), NDArrayIndex.interval(2, 6));
        INDArray columnMajor = Nd4j.rand(DataType.FLOAT, 'f', 5, 3);
        for (INDArray array : List.of(view, columnMajor, base.transpose(), base.getRow(3))) {
            assertSameArray(array, roundTrip(array));
        }
    }

    @Test
    void largeArraysSpanSeveralChunksExactly() {
        Nd4j.getRandom().setSeed(11);
        INDArray array = Nd4j.randn(DataType.FLOAT, 3 * 262_144 + 17);
        INDArray back = roundTrip(array);
        assertSameArray(array, back);
        assertEquals(array.getFloat(array.length() - 1), back.getFloat(back.length() - 1));
    }

    @Test
    void scalarsEmptyArraysAndStringsComeBack() {
        INDArray scalar = Nd4j.scalar(3.25f);
        assertSameArray(scalar, roundTrip(scalar));
        for (INDArray empty : List.of(Nd4j.empty(DataType.FLOAT), Nd4j.create(DataType.INT, 0, 3))) {
            INDArray emptyBack = roundTrip(empty);
            assertTrue(emptyBack.isEmpty());
            assertEquals(empty.dataType(), emptyBack.dataType());
            assertArrayEquals(empty.shape(), emptyBack.shape());
        }
        INDArray strings = Nd4j.create(List.of("seed-cnn", "seed-fc", "", "lecture 5-6"), new long[] {2, 2}, 'c');
        INDArray stringsBack = roundTrip(strings);
        assertEquals(DataType.UTF8, stringsBack.dataType());
        assertArrayEquals(new long[] {2, 2}, stringsBack.shape());
        assertEquals(List.of("seed-cnn", "seed-fc", "", "lecture 5-6"),
                List.of(stringsBack.getString(0), stringsBack.getString(1), stringsBack.getString(2),
                        stringsBack.getString(3)));
    }

    @Test
    void aMachineOfTheOtherByteOrderReadsTheSameValues() {
        INDArray array = Nd4j.arange(1, 41).castTo(DataType.FLOAT).reshape(5, 8);
        ByteOrder other = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? ByteOrder.BIG_ENDIAN
                : ByteOrder.LITTLE_ENDIAN;
        NdArraySerializer serializer = new NdArraySerializer();
        byte[] nativeBytes = write(serializer, array, ByteOrder.nativeOrder());
        byte[] otherBytes = write(serializer, array, other);
        assertEquals(nativeBytes.length, otherBytes.length);
        assertFalse(Arrays.equals(nativeBytes, otherBytes), "the elements were not swapped");
        INDArray back = serializer.read(new Kryo(), new Input(otherBytes), INDArray.class);
        assertSameArray(array, back);
    }

    @Test
    void bytesOfAnotherFormatAreRefused() {
        KryoException e = assertThrows(KryoException.class,
                () -> new NdArraySerializer().read(new Kryo(), new Input(new byte[] {9, 0, 0}), INDArray.class));
        assertTrue(e.getMessage().contains("kind byte 9"), e.getMessage());
    }

    @Test
    void parameterAveragingResultsKeepTheirArrays() {
        Nd4j.getRandom().setSeed(3);
        INDArray params = Nd4j.rand(DataType.FLOAT, 1, 1000);
        INDArray updater = Nd4j.rand(DataType.FLOAT, 1, 2000);
        ParameterAveragingAggregationTuple tuple = ParameterAveragingAggregationTuple.builder()
                .parametersSum(params).updaterStateSum(updater).scoreSum(1.5).aggregationsCount(2).build();
        ParameterAveragingAggregationTuple back = (ParameterAveragingAggregationTuple) SPARK_KRYO.deserialize(
                SPARK_KRYO.serialize(tuple, ANY), ANY);
        assertSameArray(params, back.getParametersSum());
        assertSameArray(updater, back.getUpdaterStateSum());
        assertEquals(2, back.getAggregationsCount());
    }

    @Test
    void swappingReversesEachElement() {
        byte[] bytes = {1, 2, 3, 4, 5, 6, 7, 8};
        NdArraySerializer.swapBytes(bytes, 8, 4);
        assertArrayEquals(new byte[] {4, 3, 2, 1, 8, 7, 6, 5}, bytes);
        NdArraySerializer.swapBytes(bytes, 8, 2);
        assertArrayEquals(new byte[] {3, 4, 1, 2, 7, 8, 5, 6}, bytes);
    }

    private static byte[] write(NdArraySerializer serializer, INDArray array, ByteOrder order) {
        Output output = new Output(1024, -1);
        serializer.write(output, array, order);
        return output.toBytes();
    }
}
