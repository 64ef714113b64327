package io.sparkcnn.train;

import io.sparkcnn.Networks;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("unit")
class TailAverageTest {
    private static MultiLayerNetwork net() {
        MultiLayerNetwork net = new MultiLayerNetwork(Networks.build("seed-fc", 3));
        net.init();
        return net;
    }

    /** Stands in for an epoch of training: new random parameters. */
    private static INDArray train(MultiLayerNetwork net, long seed) {
        INDArray p = Nd4j.rand(Nd4j.getRandomFactory().getNewRandomInstance(seed), net.params().shape())
                .castTo(DataType.FLOAT);
        net.setParams(p);
        return p.dup();
    }

    @Test
    void theSavedWeightsAreTheMeanOfTheLastEpochsEnds() {
        MultiLayerNetwork net = net();
        TailAverage average = new TailAverage(4, 2);
        assertTrue(average.enabled());
        assertEquals(3, average.firstEpoch());
        train(net, 1);
        average.epochDone(1, net);
        train(net, 2);
        average.epochDone(2, net);
        assertEquals(0, average.count(), "epochs 1 and 2 are not among the last 2 of 4");
        assertNull(average.toBytes());
        INDArray third = train(net, 3);
        average.epochDone(3, net);
        INDArray fourth = train(net, 4);
        average.epochDone(4, net);
        assertEquals(2, average.count());

        average.applyTo(net);
        INDArray expected = third.castTo(DataType.DOUBLE).add(fourth.castTo(DataType.DOUBLE)).div(2).castTo(DataType.FLOAT);
        assertEquals(expected, net.params());
        assertFalse(net.params().equalsWithEps(fourth, 1e-3), "the mean is not the last epoch's weights");
    }

    @Test
    void zeroOrOneEpochLeavesTheLastEpochsWeights() {
        for (int n : new int[] {0, 1}) {
            MultiLayerNetwork net = net();
            TailAverage average = new TailAverage(3, n);
            assertFalse(average.enabled());
            for (int e = 1; e <= 3; e++) {
                train(net, e);
                average.epochDone(e, net);
            }
            INDArray last = net.params().dup();
            average.applyTo(net);
            assertEquals(last, net.params());
        }
    }

    @Test
    void aCheckpointedAverageResumesAsIfNeverInterrupted() {
        MultiLayerNetwork net = net();
        TailAverage whole = new TailAverage(3, 3);
        TailAverage beforeKill = new TailAverage(3, 3);
        for (int e = 1; e <= 2; e++) {
            train(net, 10 + e);
            whole.epochDone(e, net);
            beforeKill.epochDone(e, net);
        }
        TailAverage resumed = new TailAverage(3, 3);
        resumed.restore(beforeKill.toBytes());
        assertEquals(2, resumed.count());
        train(net, 13);
        whole.epochDone(3, net);
        resumed.epochDone(3, net);

        MultiLayerNetwork a = net();
        MultiLayerNetwork b = net();
        whole.applyTo(a);
        resumed.applyTo(b);
        assertEquals(a.params(), b.params());
    }

    @Test
    void stateOfAnotherRunOrDamagedStateIsRefusedWithWhatDiffers() {
        MultiLayerNetwork net = net();
        TailAverage average = new TailAverage(5, 2);
        average.epochDone(5, net);
        byte[] bytes = average.toBytes();

        IllegalArgumentException other = assertThrows(IllegalArgumentException.class,
                () -> new TailAverage(5, 3).restore(bytes));
        assertEquals("weight-average state starts at epoch 4, this run at 3", other.getMessage());

        byte[] truncated = Arrays.copyOf(bytes, bytes.length - 8);
        IllegalArgumentException shorter = assertThrows(IllegalArgumentException.class,
                () -> new TailAverage(5, 2).restore(truncated));
        assertTrue(shorter.getMessage().startsWith("weight-average state: " + truncated.length + " bytes, expected "
                + bytes.length), shorter.getMessage());

        byte[] tooMany = bytes.clone();
        tooMany[11] = 3;
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                () -> new TailAverage(5, 2).restore(tooMany));
        assertEquals("weight-average state holds 3 epochs, expected 1 to 2", count.getMessage());

        byte[] foreign = bytes.clone();
        foreign[0] = 'P';
        IllegalArgumentException magic = assertThrows(IllegalArgumentException.class,
                () -> new TailAverage(5, 2).restore(foreign));
        assertTrue(magic.getMessage().startsWith("weight-average state: magic 0x50574131, expected 0x53574131"),
                magic.getMessage());

        assertThrows(IllegalArgumentException.class, () -> new TailAverage(3, 4));
        assertThrows(IllegalArgumentException.class, () -> new TailAverage(3, -1));
    }
}
