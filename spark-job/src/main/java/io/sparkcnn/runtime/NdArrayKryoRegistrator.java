package io.sparkcnn.runtime;

import com.esotericsoftware.kryo.Kryo;
import org.apache.spark.serializer.KryoRegistrator;
import org.nd4j.kryo.Nd4jRegistrator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The job's Kryo registrator ({@code spark.kryo.registrator}): everything ND4J's {@link Nd4jRegistrator}
 * registers, with ND4J arrays written by {@link NdArraySerializer} (bulk copies) instead of ND4J's
 * element-by-element serializer. Spark instantiates it by name in the driver and in every executor.
 */
public final class NdArrayKryoRegistrator implements KryoRegistrator {
    @Override
    public void registerClasses(Kryo kryo) {
        new Nd4jRegistrator().registerClasses(kryo);
        kryo.register(Nd4j.getBackend().getNDArrayClass(), new NdArraySerializer());
    }
}
